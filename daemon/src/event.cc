#include "vigil/event.h"

#include <algorithm>
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

namespace {

// What a string holds without a heap buffer (its small-string capacity).
const size_t kInlineChars = std::string().capacity();

}  // namespace

size_t Event::Find(FieldId id) const {
  const size_t n = size_;
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
  for (size_t i = 0; i < size_ && i < kIndexedIds; ++i) {
    ids_[i] = fields_[i].id;
  }
}

void Event::AppendNew() {
  // Most events carry 10-25 fields: one allocation up front instead of five regrowths.
  if (fields_.capacity() == 0) fields_.reserve(24);
  fields_.emplace_back();
}

bool Event::TakeRetired(Value& slot, size_t index, size_t chars) {
  for (size_t j = size_; j < fields_.size(); ++j) {
    Value& v = fields_[j].value;
    if (v.index() != index) continue;
    if (index == kStringIndex && std::get<std::string>(v).capacity() < chars) continue;
    // Like alternatives swap their buffers directly; the variant's swap would visit both.
    if (slot.index() == kStringIndex && index == kStringIndex) {
      std::get<std::string>(slot).swap(std::get<std::string>(v));
    } else {
      slot.swap(v);
    }
    return true;
  }
  return false;
}

std::string& Event::StringSlot(Value& slot, size_t chars) {
  if (!TakeRetired(slot, kStringIndex, chars) && slot.index() != kStringIndex) {
    if (slot.index() == kListIndex) KeepBuffers(slot);
    // Made first and moved in: emplace from a string_view (a constructor that may throw)
    // would build a temporary variant and move-assign it.
    slot.emplace<std::string>(std::string());
  }
  return std::get<std::string>(slot);
}

void Event::KeepBuffers(Value& slot) {
  for (size_t j = size_; j < fields_.size(); ++j) {
    Value& v = fields_[j].value;
    if (v.index() == kListIndex) continue;
    if (const auto* s = std::get_if<std::string>(&v); s && s->capacity() > kInlineChars) continue;
    slot.swap(v);
    return;
  }
}

void Event::NoteHeavy(const Value& value) {
  if (const auto* s = std::get_if<std::string>(&value)) {
    if (s->size() > kMaxKeptChars) heavy_ = true;
  } else if (const auto* l = std::get_if<StringList>(&value)) {
    if (l->size() > kMaxKeptItems) heavy_ = true;
    for (const std::string& item : *l) {
      if (item.size() > kMaxKeptChars) heavy_ = true;
    }
  }
}

void Event::Set(FieldId id, Value value) {
  assert(id < FieldRegistry::Global().size());
  assert(std::holds_alternative<std::monostate>(value) ||
         ValueType(value) == FieldRegistry::Global().Info(id).type);
  NoteHeavy(value);
  if (const size_t at = Find(id); at != kNotFound) {
    fields_[at].value = std::move(value);
    return;
  }
  Append(id) = std::move(value);
}

void Event::Add(FieldId id, Value value) {
  assert(std::holds_alternative<std::monostate>(value) ||
         ValueType(value) == FieldRegistry::Global().Info(id).type);
  NoteHeavy(value);
  Append(id) = std::move(value);
}

void Event::AddList(FieldId id, std::initializer_list<std::string_view> items) {
  assert(FieldRegistry::Global().Info(id).type == FieldType::kList);
  Value& slot = Append(id);
  if (slot.index() != kListIndex && !TakeRetired(slot, kListIndex, 0)) {
    if (slot.index() == kStringIndex) KeepBuffers(slot);
    slot.emplace<StringList>();
  }
  auto* list = &std::get<StringList>(slot);
  list->resize(items.size());
  size_t i = 0;
  for (std::string_view item : items) {
    std::string& s = (*list)[i++];
    s.clear();
    s.append(item.data(), item.size());
    if (item.size() > kMaxKeptChars) heavy_ = true;
  }
  if (items.size() > kMaxKeptItems) heavy_ = true;
}

void Event::Clear() {
  if (heavy_ || fields_.capacity() > kMaxKeptFields) {
    if (fields_.capacity() > kMaxKeptFields) {
      std::vector<Field>().swap(fields_);
    } else {
      fields_.clear();
    }
    heavy_ = false;
  }
  size_ = 0;
  extras_.clear();
}

void Event::Erase(FieldId id) {
  if (const size_t at = Find(id); at != kNotFound) {
    // The erased field moves behind the live ones, retired; the others keep their order.
    const auto first = fields_.begin() + static_cast<std::ptrdiff_t>(at);
    std::rotate(first, first + 1, fields_.begin() + static_cast<std::ptrdiff_t>(size_));
    --size_;
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
