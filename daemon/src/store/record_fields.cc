#include "store/record_fields.h"

#include <string>

#include "vigil/time_format.h"

namespace vigil::store {

using nlohmann::json;

Result<Timestamp> TimeAt(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return Status::ParseError(std::string("missing time \"") + key + "\"");
  auto t = ParseRfc3339(it->get_ref<const std::string&>());
  if (!t) return Status::ParseError(std::string("bad time \"") + key + "\"");
  return *t;
}

Status RecordError(const audit::Record& r, const Status& s) {
  return Status::ParseError("audit record " + std::to_string(r.seq) + " (" + r.type + "): " + s.message());
}

Result<int64_t> IntField(const audit::Record& r, const char* key, std::optional<int64_t> def) {
  auto it = r.data.find(key);
  if (it == r.data.end() && def) return *def;
  if (it == r.data.end() || !it->is_number_integer()) {
    return RecordError(r, Status::ParseError(std::string("\"") + key + "\" is not an integer"));
  }
  return it->get<int64_t>();
}

}  // namespace vigil::store
