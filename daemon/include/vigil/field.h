// Fields: ECS field names interned to small integer ids, each with one declared type.
//
// A field is declared once, at start-up, by whoever emits it: the well-known ECS fields
// (ecs_fields.h) by the core, and further fields by each collector factory's
// DeclareFields(). Rules resolve field names to ids when they are compiled, so nothing
// compares field-name strings per event; naming an undeclared field is a load error.
//
// Threading: Declare() may be called from any thread (it takes a lock). Lookup by id
// (Info) is lock-free and may be called from any thread once the id was handed out:
// entries are published with release ordering and never change afterwards. The registry
// holds at most kMaxFields fields; declaring more is an error, not a reallocation.
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vigil/status.h"

namespace vigil {

enum class FieldType : uint8_t {
  kString,
  kInt,       // signed 64-bit
  kDouble,
  kBool,
  kIp,        // IPv4 or IPv6 address
  kTime,      // an instant, nanoseconds since the Unix epoch, UTC
  kDuration,  // nanoseconds
  kList,      // a list of strings (ECS keyword arrays such as event.category)
};

std::string_view FieldTypeName(FieldType type);
std::optional<FieldType> ParseFieldType(std::string_view name);

using FieldId = uint16_t;

struct FieldInfo {
  std::string name;  // dotted ECS name, e.g. "source.ip"
  FieldType type;
  std::string description;
};

class FieldRegistry {
 public:
  static constexpr size_t kMaxFields = 4096;

  // The process-wide registry, with the ECS fields of ecs_fields.h already declared.
  static FieldRegistry& Global();

  FieldRegistry();  // a registry holding the ECS fields (tests make their own)
  FieldRegistry(const FieldRegistry&) = delete;
  FieldRegistry& operator=(const FieldRegistry&) = delete;

  // Declares `name` with `type`, or returns the existing id when it was declared with
  // the same type. A different type, a bad name or a full registry is an error.
  Result<FieldId> Declare(std::string_view name, FieldType type, std::string_view description = "");
  std::optional<FieldId> Find(std::string_view name) const;
  const FieldInfo& Info(FieldId id) const { return *entries_[id]; }
  size_t size() const { return count_.load(std::memory_order_acquire); }
  // All declared fields, in id order.
  std::vector<const FieldInfo*> All() const;
  // True when a dotted prefix of the field's name is itself a declared field (as "a.b"
  // under "a"): such a name cannot nest as an object in JSON. Lock-free.
  bool UnderAnotherField(FieldId id) const {
    return under_field_[id].load(std::memory_order_acquire);
  }

 private:
  mutable std::mutex mu_;
  std::unordered_map<std::string, FieldId> by_name_;  // guarded by mu_
  std::array<const FieldInfo*, kMaxFields> entries_{};
  std::vector<std::unique_ptr<FieldInfo>> owned_;     // guarded by mu_
  std::atomic<size_t> count_{0};
  std::array<std::atomic<bool>, kMaxFields> under_field_{};
};

}  // namespace vigil
