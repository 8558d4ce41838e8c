#include "vigil/event.h"

#include <cassert>

namespace vigil {

FieldType ValueType(const Value& value) {
  switch (value.index()) {
    case 1: return FieldType::kString;
    case 2: return FieldType::kInt;
    case 3: return FieldType::kDouble;
    case 4: return FieldType::kBool;
    case 5: return FieldType::kIp;
    case 6: return FieldType::kTime;
    case 7: return FieldType::kDuration;
    case 8: return FieldType::kList;
    default: return FieldType::kString;
  }
}

void Event::Set(FieldId id, Value value) {
  assert(id < FieldRegistry::Global().size());
  assert(std::holds_alternative<std::monostate>(value) ||
         ValueType(value) == FieldRegistry::Global().Info(id).type);
  for (Field& f : fields_) {
    if (f.id == id) {
      f.value = std::move(value);
      return;
    }
  }
  // Most events carry 10-25 fields: one allocation up front instead of five regrowths.
  if (fields_.capacity() == 0) fields_.reserve(24);
  fields_.push_back(Field{id, std::move(value)});
}

void Event::Erase(FieldId id) {
  for (auto it = fields_.begin(); it != fields_.end(); ++it) {
    if (it->id == id) {
      fields_.erase(it);
      return;
    }
  }
}

const Value* Event::Get(FieldId id) const {
  for (const Field& f : fields_) {
    if (f.id == id) return &f.value;
  }
  return nullptr;
}

Timestamp Event::time() const {
  const Timestamp* t = GetTime(ecs::kTimestamp);
  return t ? *t : Timestamp{};
}

}  // namespace vigil
