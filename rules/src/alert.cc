#include "vigil/rules/alert.h"

#include <nlohmann/json.hpp>

#include "event_json.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

constexpr std::string_view kSeverityNames[] = {"info", "low", "medium", "high", "critical"};

}  // namespace

std::string_view AlertSeverityName(AlertSeverity s) { return kSeverityNames[static_cast<int>(s)]; }

std::optional<AlertSeverity> ParseAlertSeverity(std::string_view text) {
  for (int i = 0; i < 5; ++i) {
    if (kSeverityNames[i] == text) return static_cast<AlertSeverity>(i);
  }
  return std::nullopt;
}

std::string AlertToJson(const Alert& alert, const FieldRegistry& fields) {
  using nlohmann::json;
  // The event's own JSON is well-formed by contract; fall back to an empty object anyway.
  json j = json::parse(EventToJson(*alert.event, fields), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) j = json::object();
  j["@timestamp"] = FormatRfc3339(alert.timestamp);
  if (!j["event"].is_object()) j["event"] = json::object();
  j["event"]["kind"] = "alert";
  if (!j["rule"].is_object()) j["rule"] = json::object();
  const RuleMeta& rule = *alert.rule;
  j["rule"]["id"] = rule.id;
  j["rule"]["name"] = rule.name;
  if (!rule.description.empty()) j["rule"]["description"] = rule.description;
  if (!j["vigil"].is_object()) j["vigil"] = json::object();
  json& v = j["vigil"];
  v["severity"] = AlertSeverityName(rule.severity);
  v["controls"] = json::object();
  for (const auto& [framework, ids] : rule.controls) v["controls"][framework] = ids;
  v["output"] = alert.output();
  v["tags"] = rule.tags;
  if (alert.correlation) {
    const CorrelationInfo& c = *alert.correlation;
    json group = json::object();
    for (const auto& [field, value] : c.group) group[field] = value;
    v["correlation"] = {{"type", c.type},
                        {"group", std::move(group)},
                        {"count", c.count},
                        {"first", FormatRfc3339(c.first)},
                        {"last", FormatRfc3339(c.last)}};
  }
  if (alert.suppressed_count() > 0) {
    const SuppressionInfo& s = *alert.suppression;
    v["suppressed_count"] = s.count;
    v["suppressed_first"] = FormatRfc3339(s.first);
    v["suppressed_last"] = FormatRfc3339(s.last);
  }
  // "@timestamp" first, then the other keys sorted (nlohmann's map order), as EventToJson.
  std::string ts = j["@timestamp"].dump();
  j.erase("@timestamp");
  std::string rest = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (rest == "{}") return "{\"@timestamp\":" + ts + "}";
  return "{\"@timestamp\":" + ts + "," + rest.substr(1);
}

}  // namespace vigil
