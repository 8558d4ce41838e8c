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
// Reuse: Clear() empties an event in constant time: its fields are retired, not destroyed
// (they stay constructed past size(), each value keeping its buffers), and the next Add*
// fills the retired field at the same position, assigning into its string or list when the
// new value has that type too. An event refilled by the same builder (whose fields come in
// the same order) therefore allocates nothing once its buffers are large enough, and
// clearing it costs no destructor calls. The pipeline hands consumed events back to the
// collectors this way (CollectorContext::NewEvent). Retired fields are private: fields(),
// copies and comparisons see only the live ones. An event that held a large value (a string
// over kMaxKeptChars, a list over kMaxKeptItems) or many fields destroys them on Clear
// instead, so that recycled events stay small.
#pragma once

#include <array>
#include <cassert>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
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

// Whether T is one of Value's alternatives that hold no heap buffer.
template <typename T>
inline constexpr bool kIsScalarValue =
    std::is_same_v<T, int64_t> || std::is_same_v<T, double> || std::is_same_v<T, bool> ||
    std::is_same_v<T, IpAddress> || std::is_same_v<T, Timestamp> || std::is_same_v<T, Duration>;

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
  // Copies the live fields and the extras, not the retired fields.
  Event(const Event& other)
      : fields_(other.fields_.begin(), other.fields_.begin() + other.live()),
        size_(other.size_), ids_(other.ids_), extras_(other.extras_), heavy_(other.heavy_) {}
  Event& operator=(const Event& other) {
    if (this != &other) {
      // Live fields copied over this event's fields (their buffers reused), the rest retired.
      const size_t n = other.size_;
      if (fields_.size() < n) fields_.resize(n);
      for (size_t i = 0; i < n; ++i) fields_[i] = other.fields_[i];
      size_ = n;
      ids_ = other.ids_;
      extras_ = other.extras_;
      heavy_ = heavy_ || other.heavy_;
    }
    return *this;
  }
  // A moved-from event is empty.
  Event(Event&& other) noexcept
      : fields_(std::move(other.fields_)), size_(std::exchange(other.size_, 0)), ids_(other.ids_),
        extras_(std::move(other.extras_)), heavy_(std::exchange(other.heavy_, false)) {
    other.fields_.clear();
  }
  Event& operator=(Event&& other) noexcept {
    if (this != &other) {
      fields_ = std::move(other.fields_);
      other.fields_.clear();
      size_ = std::exchange(other.size_, 0);
      ids_ = other.ids_;
      extras_ = std::move(other.extras_);
      heavy_ = std::exchange(other.heavy_, false);
    }
    return *this;
  }

  // Sets (or replaces) a field. The value must have the field's declared type.
  void Set(FieldId id, Value value);
  // Appends a field the event does not have yet, without looking for it: for builders that
  // set each field once (an event made from one parsed line). Adding a field twice is a bug
  // (asserted in debug builds); the result is then as if Set had not replaced it.
  void Add(FieldId id, Value value);
  // Add for a value without heap buffers (int64_t, double, bool, IpAddress, Timestamp,
  // Duration), stored without a Value temporary.
  template <typename T>
    requires kIsScalarValue<T>
  void Add(FieldId id, T value) {
    assert(ValueType(Value(value)) == FieldRegistry::Global().Info(id).type);
    Value& slot = Append(id);
    if (slot.index() == kStringIndex || slot.index() == kListIndex) KeepBuffers(slot);
    slot = value;
  }
  // Add for a string field, the string built in place from `text`.
  void AddString(FieldId id, std::string_view text) {
    assert(FieldRegistry::Global().Info(id).type == FieldType::kString);
    Value& slot = Append(id);
    auto* s = std::get_if<std::string>(&slot);
    if (s == nullptr || s->capacity() < text.size()) s = &StringSlot(slot, text.size());
    s->clear();
    s->append(text.data(), text.size());
    if (text.size() > kMaxKeptChars) heavy_ = true;
  }
  // Add for a list field, the list built in place from `items`.
  void AddList(FieldId id, std::initializer_list<std::string_view> items);
  // Room for `n` fields in all, so that adding up to that many allocates nothing more.
  void Reserve(size_t n) { fields_.reserve(n); }
  // How many fields the event has room for without allocating (live and retired).
  size_t capacity() const { return fields_.capacity(); }
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

  // The live fields, in the order they were added.
  std::span<const Field> fields() const { return {fields_.data(), live()}; }
  std::vector<Extra>& extras() { return extras_; }
  const std::vector<Extra>& extras() const { return extras_; }
  size_t size() const { return size_; }

 private:
  static constexpr size_t kIndexedIds = 32;
  static constexpr size_t kNotFound = static_cast<size_t>(-1);
  // Bounds on what Clear keeps (see "Reuse" above).
  static constexpr size_t kMaxKeptChars = 4096;
  static constexpr size_t kMaxKeptItems = 8;
  static constexpr size_t kMaxKeptFields = 64;

  template <typename T>
  const T* GetAs(FieldId id) const {
    const Value* v = Get(id);
    return v ? std::get_if<T>(v) : nullptr;
  }
  // The live fields' count, as an index into fields_ (size_ is also that).
  size_t live() const { return size_; }
  // The position of the field among the live ones, or kNotFound.
  size_t Find(FieldId id) const;
  // Rewrites ids_ from fields_ (after an erase).
  void Reindex();
  // Makes the next field live with the given id and returns its value: a retired field's
  // (holding whatever it held, for the caller to assign over) or a new, empty one.
  Value& Append(FieldId id) {
    assert(id < FieldRegistry::Global().size());
    assert(Find(id) == kNotFound);
    if (size_ < kIndexedIds) ids_[size_] = id;
    if (size_ == fields_.size()) AppendNew();
    Field& f = fields_[size_++];
    f.id = id;
    return f.value;
  }
  // Grows fields_ by one empty field.
  void AppendNew();
  static constexpr size_t kStringIndex = 1;
  static constexpr size_t kListIndex = 8;
  // The retired field after the live ones whose value has alternative `index` (and, for a
  // string, room for `chars`), swapped into `slot`; false when there is none.
  bool TakeRetired(Value& slot, size_t index, size_t chars);
  // `slot` (a live field's value) made a string with room for `chars` if a retired field
  // has one, else a string as it is or a new one.
  std::string& StringSlot(Value& slot, size_t chars);
  // Before `slot`'s string or list is overwritten by a scalar: swaps it with a retired
  // field holding no buffers, if any, so that its buffers stay for a later Add.
  void KeepBuffers(Value& slot);
  // Notes a value Clear should not keep.
  void NoteHeavy(const Value& value);

  // fields_[0, size_) are the live fields; the ones after are retired (see "Reuse").
  std::vector<Field> fields_;
  size_t size_ = 0;
  // ids_[i] == fields_[i].id for i < min(size_, kIndexedIds).
  std::array<FieldId, kIndexedIds> ids_{};
  std::vector<Extra> extras_;
  // Whether a value was too large to keep on Clear.
  bool heavy_ = false;
};

}  // namespace vigil
