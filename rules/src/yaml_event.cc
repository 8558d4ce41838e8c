#include "yaml_event.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "event_json.h"

namespace vigil::rules {
namespace {

using nlohmann::json;

json PlainScalar(const std::string& s) {
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (s == "null" || s == "~" || s.empty()) return nullptr;
  int64_t i = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && p == s.data() + s.size()) return i;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end == s.c_str() + s.size() && std::isfinite(d) && s.find_first_of("0123456789") != std::string::npos &&
      s.find_first_not_of("0123456789+-.eE") == std::string::npos) {
    return d;
  }
  return s;
}

Status Convert(const YAML::Node& n, int depth, size_t* budget, json* out) {
  if (++*budget > kMaxYamlEventNodes) {
    return Status::InvalidArgument("the event has more than " + std::to_string(kMaxYamlEventNodes) + " nodes");
  }
  if (depth > kMaxJsonDepth) return Status::InvalidArgument("the event nests too deeply");
  switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      *out = nullptr;
      return Status::Ok();
    case YAML::NodeType::Scalar:
      *out = n.Tag() == "!" ? json(n.Scalar()) : PlainScalar(n.Scalar());
      return Status::Ok();
    case YAML::NodeType::Sequence: {
      *out = json::array();
      for (const auto& item : n) {
        json j;
        VIGIL_RETURN_IF_ERROR(Convert(item, depth + 1, budget, &j));
        out->push_back(std::move(j));
      }
      return Status::Ok();
    }
    case YAML::NodeType::Map: {
      *out = json::object();
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) return Status::InvalidArgument("an event key must be a plain name");
        json j;
        VIGIL_RETURN_IF_ERROR(Convert(kv.second, depth + 1, budget, &j));
        (*out)[kv.first.Scalar()] = std::move(j);
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Event> YamlToEvent(const YAML::Node& node) {
  if (node.IsScalar()) return EventFromJson(node.Scalar());
  if (!node.IsMap()) return Status::InvalidArgument("the event must be a map of ECS fields");
  json j;
  size_t budget = 0;
  VIGIL_RETURN_IF_ERROR(Convert(node, 1, &budget, &j));
  return EventFromJson(j.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace vigil::rules
