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

size_t Event::Find(FieldId id) const {
  const size_t n = fields_.size();
  const size_t head = n < kIndexedIds ? n : kIndexedIds;
  for (size_t i = 0; i < head; ++i) {
    if (ids_[i] == id) return i;
  }
  // Past the indexed head: the fields themselves.
  for (size_t i = head; i < n; ++i) {
    if (fields_[i].id == id) return i;
  }
  return kNotFound;
}

void Event::Reindex() {
  for (size_t i = 0; i < fields_.size() && i < kIndexedIds; ++i) {
    ids_[i] = fields_[i].id;
  }
}

void Event::Set(FieldId id, Value value) {
  assert(id < FieldRegistry::Global().size());
  assert(std::holds_alternative<std::monostate>(value) ||
         ValueType(value) == FieldRegistry::Global().Info(id).type);
  if (const size_t at = Find(id); at != kNotFound) {
    fields_[at].value = std::move(value);
    return;
  }
  // Most events carry 10-25 fields: one allocation up front instead of five regrowths.
  if (fields_.capacity() == 0) fields_.reserve(24);
  if (fields_.size() < kIndexedIds) ids_[fields_.size()] = id;
  fields_.push_back(Field{id, std::move(value)});
}

Value& Event::Append(FieldId id) {
  assert(id < FieldRegistry::Global().size());
  assert(Find(id) == kNotFound);
  if (fields_.capacity() == 0) fields_.reserve(24);
  if (fields_.size() < kIndexedIds) ids_[fields_.size()] = id;
  Field& f = fields_.emplace_back();
  f.id = id;
  return f.value;
}

void Event::Add(FieldId id, Value value) {
  assert(std::holds_alternative<std::monostate>(value) ||
         ValueType(value) == FieldRegistry::Global().Info(id).type);
  Append(id) = std::move(value);
}

namespace {

// What a string holds without a heap buffer (its small-string capacity).
const size_t kInlineChars = std::string().capacity();
// Spare buffers an event keeps, of each kind, and the largest it keeps: enough for the
// builders that refill events (a few long strings, a few lists), bounded for the others.
constexpr size_t kMaxSpares = 8;
constexpr size_t kMaxSpareChars = 4096;
constexpr size_t kMaxKeptFields = 64;

}  // namespace

// The string is made first and moved in: emplace from a string_view (a constructor that may
// throw) would build a temporary variant and move-assign it, three times the work.
std::string& Event::EmplaceString(Value& slot, std::string_view text) {
  if (text.size() <= kInlineChars || spare_strings_.empty()) {
    return slot.emplace<std::string>(std::string(text));
  }
  std::string s = std::move(spare_strings_.back());
  spare_strings_.pop_back();
  s.assign(text);
  return slot.emplace<std::string>(std::move(s));
}

void Event::AddString(FieldId id, std::string_view text) {
  assert(FieldRegistry::Global().Info(id).type == FieldType::kString);
  EmplaceString(Append(id), text);
}

void Event::AddList(FieldId id, std::initializer_list<std::string_view> items) {
  assert(FieldRegistry::Global().Info(id).type == FieldType::kList);
  Value& slot = Append(id);
  StringList list;
  if (!spare_lists_.empty()) {
    list = std::move(spare_lists_.back());
    spare_lists_.pop_back();
  }
  list.resize(items.size());
  size_t i = 0;
  for (std::string_view item : items) list[i++].assign(item);
  slot.emplace<StringList>(std::move(list));
}

void Event::Clear() {
  for (Field& f : fields_) {
    if (auto* s = std::get_if<std::string>(&f.value)) {
      if (s->capacity() > kInlineChars && s->capacity() <= kMaxSpareChars &&
          spare_strings_.size() < kMaxSpares) {
        spare_strings_.push_back(std::move(*s));
      }
    } else if (auto* l = std::get_if<StringList>(&f.value)) {
      if (l->capacity() > 0 && l->size() <= kMaxSpares && spare_lists_.size() < kMaxSpares) {
        spare_lists_.push_back(std::move(*l));
      }
    }
  }
  if (fields_.capacity() > kMaxKeptFields) {
    std::vector<Field>().swap(fields_);
  } else {
    fields_.clear();
  }
  extras_.clear();
}

void Event::Erase(FieldId id) {
  if (const size_t at = Find(id); at != kNotFound) {
    fields_.erase(fields_.begin() + static_cast<std::ptrdiff_t>(at));
    Reindex();
  }
}

const Value* Event::Get(FieldId id) const {
  const size_t at = Find(id);
  return at == kNotFound ? nullptr : &fields_[at].value;
}

Timestamp Event::time() const {
  const Timestamp* t = GetTime(ecs::kTimestamp);
  return t ? *t : Timestamp{};
}

}  // namespace vigil
