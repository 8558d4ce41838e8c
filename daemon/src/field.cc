#include "vigil/field.h"

#include "vigil/field_decl.h"

#include "vigil/ecs_fields.h"

namespace vigil {
namespace {

bool ValidFieldName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  if (name.front() == '.' || name.back() == '.') return false;
  char prev = 0;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '@' || c == '-';
    if (!ok || (c == '.' && prev == '.')) return false;
    prev = c;
  }
  return true;
}

}  // namespace

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kString: return "string";
    case FieldType::kInt: return "int";
    case FieldType::kDouble: return "double";
    case FieldType::kBool: return "bool";
    case FieldType::kIp: return "ip";
    case FieldType::kTime: return "time";
    case FieldType::kDuration: return "duration";
    case FieldType::kList: return "list";
  }
  return "?";
}

std::optional<FieldType> ParseFieldType(std::string_view name) {
  for (FieldType t : {FieldType::kString, FieldType::kInt, FieldType::kDouble, FieldType::kBool,
                      FieldType::kIp, FieldType::kTime, FieldType::kDuration, FieldType::kList}) {
    if (FieldTypeName(t) == name) return t;
  }
  return std::nullopt;
}

FieldRegistry& FieldRegistry::Global() {
  static FieldRegistry* registry = new FieldRegistry();  // never destroyed: used until exit
  return *registry;
}

FieldRegistry::FieldRegistry() {
#define VIGIL_ECS_DECLARE(constant, name, type, desc)                                  \
  {                                                                                      \
    auto id = Declare(name, FieldType::type, desc);                                     \
    if (!id.ok() || *id != ecs::constant) std::abort(); /* the table itself is wrong */ \
  }
  VIGIL_ECS_FIELDS(VIGIL_ECS_DECLARE)
#undef VIGIL_ECS_DECLARE
}

Result<FieldId> FieldRegistry::Declare(std::string_view name, FieldType type,
                                       std::string_view description) {
  if (!ValidFieldName(name)) {
    return Status::InvalidArgument("invalid field name '" + std::string(name) + "'");
  }
  std::lock_guard lock(mu_);
  if (auto it = by_name_.find(std::string(name)); it != by_name_.end()) {
    const FieldInfo& info = *entries_[it->second];
    if (info.type != type) {
      return Status::InvalidArgument("field '" + std::string(name) + "' is already declared as " +
                                     std::string(FieldTypeName(info.type)) + ", not " +
                                     std::string(FieldTypeName(type)));
    }
    return it->second;
  }
  size_t n = count_.load(std::memory_order_relaxed);
  if (n >= kMaxFields) return Status::InvalidArgument("too many fields declared");
  // Keep UnderAnotherField exact: the new name may sit under a declared one, and declared
  // names may sit under the new one.
  for (size_t dot = name.find('.'); dot != std::string_view::npos; dot = name.find('.', dot + 1)) {
    if (by_name_.count(std::string(name.substr(0, dot))) != 0) {
      under_field_[n].store(true, std::memory_order_release);
      break;
    }
  }
  for (const auto& [other, id] : by_name_) {
    if (other.size() > name.size() && other.compare(0, name.size(), name) == 0 &&
        other[name.size()] == '.') {
      under_field_[id].store(true, std::memory_order_release);
    }
  }
  owned_.push_back(std::make_unique<FieldInfo>(
      FieldInfo{std::string(name), type, std::string(description)}));
  entries_[n] = owned_.back().get();
  by_name_.emplace(std::string(name), static_cast<FieldId>(n));
  count_.store(n + 1, std::memory_order_release);
  return static_cast<FieldId>(n);
}

std::optional<FieldId> FieldRegistry::Find(std::string_view name) const {
  std::lock_guard lock(mu_);
  auto it = by_name_.find(std::string(name));
  if (it == by_name_.end()) return std::nullopt;
  return it->second;
}

std::vector<const FieldInfo*> FieldRegistry::All() const {
  size_t n = size();
  std::vector<const FieldInfo*> out(entries_.begin(), entries_.begin() + n);
  return out;
}

Status DeclareEach(FieldRegistry& fields, std::initializer_list<FieldDecl> decls) {
  for (const FieldDecl& d : decls) {
    Result<FieldId> id = fields.Declare(d.name, d.type, d.description);
    if (!id.ok()) return id.status();
    *d.id = *id;
  }
  return Status::Ok();
}

}  // namespace vigil
