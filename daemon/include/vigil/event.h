// Event: one observation (a log line, a flow, a file change) as typed ECS fields.
//
// An event is a small flat list of (field id, value) pairs; field ids come from the
// FieldRegistry, so rules read fields without comparing names. The ids of the first
// kIndexedIds fields are also kept in a compact array inside the event, so that looking a
// field up (present or not) scans one or two cache lines of two-byte ids rather than the
// values themselves. Each value has the type its
// field was declared with; Set() asserts this in debug builds and collectors are tested for
// it. Fields that no collector declared (for example extra keys in a JSON line from the
// jsonl collector) are kept verbatim as `extras` so that output round-trips them, but rules
// cannot name them.
//
// Ownership and threading: an Event is a plain value. A collector builds it on its own
// thread and moves it into the pipeline; from then on only the engine thread touches it.
//
// Reuse: Clear() empties an event but keeps its buffers (the field vector, and the heap
// buffers of its longer strings and of its lists, set aside as spares), and the next
// AddString/AddList take them back, so an event refilled by the same builder allocates
// nothing once its buffers are large enough. The pipeline hands consumed events back to the
// collectors this way (CollectorContext::NewEvent). Spares are private: fields(), copies
// and comparisons see only the fields.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "vigil/ecs_fields.h"
#include "vigil/field.h"
#include "vigil/ip_address.h"

namespace vigil {

using Timestamp = std::chrono::sys_time<std::chrono::nanoseconds>;
// The wall clock, as a Timestamp.
inline Timestamp WallNow() {
  return std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
}
using Duration = std::chrono::nanoseconds;
using StringList = std::vector<std::string>;

// The value of one field. The alternative matches FieldType (monostate: no value).
using Value = std::variant<std::monostate, std::string, int64_t, double, bool, IpAddress,
                           Timestamp, Duration, StringList>;

// The FieldType a Value holds (kString for monostate).
FieldType ValueType(const Value& value);

class Event {
 public:
  struct Field {
    FieldId id;
    Value value;
  };
  // A field no collector declared, kept as its dotted name and raw JSON text.
  struct Extra {
    std::string name;
    std::string json;
  };

  Event() = default;
  // Copies the fields and extras, not the spares.
  Event(const Event& other) : fields_(other.fields_), ids_(other.ids_), extras_(other.extras_) {}
  Event& operator=(const Event& other) {
    if (this != &other) {
      fields_ = other.fields_;
      ids_ = other.ids_;
      extras_ = other.extras_;
    }
    return *this;
  }
  Event(Event&&) noexcept = default;
  Event& operator=(Event&&) noexcept = default;

  // Sets (or replaces) a field. The value must have the field's declared type.
  void Set(FieldId id, Value value);
  // Appends a field the event does not have yet, without looking for it: for builders that
  // set each field once (an event made from one parsed line). Adding a field twice is a bug
  // (asserted in debug builds); the result is then as if Set had not replaced it.
  void Add(FieldId id, Value value);
  // Add for a string field, the string built in place from `text`.
  void AddString(FieldId id, std::string_view text);
  // Add for a list field, the list built in place from `items`.
  void AddList(FieldId id, std::initializer_list<std::string_view> items);
  // Room for `n` fields in all, so that adding up to that many allocates nothing more.
  void Reserve(size_t n) { fields_.reserve(n); }
  void Erase(FieldId id);
  // Removes every field and extra, keeping buffers for reuse (see "Reuse" above).
  void Clear();
  // The field's value, or nullptr when the event does not have it.
  const Value* Get(FieldId id) const;
  bool Has(FieldId id) const { return Get(id) != nullptr; }

  // Typed reads: nullptr when absent (or, for a mismatched type, also nullptr).
  const std::string* GetString(FieldId id) const { return GetAs<std::string>(id); }
  const int64_t* GetInt(FieldId id) const { return GetAs<int64_t>(id); }
  const IpAddress* GetIp(FieldId id) const { return GetAs<IpAddress>(id); }
  const Timestamp* GetTime(FieldId id) const { return GetAs<Timestamp>(id); }
  const StringList* GetList(FieldId id) const { return GetAs<StringList>(id); }

  // @timestamp, or the epoch when the event has none.
  Timestamp time() const;

  const std::vector<Field>& fields() const { return fields_; }
  std::vector<Extra>& extras() { return extras_; }
  const std::vector<Extra>& extras() const { return extras_; }
  size_t size() const { return fields_.size(); }

 private:
  static constexpr size_t kIndexedIds = 32;
  static constexpr size_t kNotFound = static_cast<size_t>(-1);

  template <typename T>
  const T* GetAs(FieldId id) const {
    const Value* v = Get(id);
    return v ? std::get_if<T>(v) : nullptr;
  }
  // The position of the field in fields_, or kNotFound.
  size_t Find(FieldId id) const;
  // Rewrites ids_ from fields_ (after an erase).
  void Reindex();
  // Appends a field holding no value yet (Add*), indexing its id; the caller fills it.
  Value& Append(FieldId id);

  // A string for `text`, in a spare buffer when it will not fit in the string itself.
  std::string& EmplaceString(Value& slot, std::string_view text);

  std::vector<Field> fields_;
  // ids_[i] == fields_[i].id for i < min(size, kIndexedIds).
  std::array<FieldId, kIndexedIds> ids_{};
  std::vector<Extra> extras_;
  // Buffers of cleared fields (Clear), for the next AddString/AddList; bounded.
  std::vector<std::string> spare_strings_;
  std::vector<StringList> spare_lists_;
};

}  // namespace vigil
