// Alert: what a rule raises when an event matches it.
//
// An Alert is a plain value: the rule's identity and metadata (copied, so an alert outlives
// a rule reload), the rendered output text, and a copy of the triggering event. Correlation
// alerts (a later stage) will add the group key, count and first/last time.
//
// AlertToJson writes the one JSON form of an alert (docs/rules.md, "Alert JSON"): the
// triggering event's fields, overlaid with `@timestamp`, `event.kind: "alert"`,
// `rule.{id,name,description}` and `vigil.{severity,controls,output,tags}`.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/event.h"

namespace vigil {

enum class AlertSeverity { kInfo, kLow, kMedium, kHigh, kCritical };

std::string_view AlertSeverityName(AlertSeverity s);  // "info" ... "critical"
std::optional<AlertSeverity> ParseAlertSeverity(std::string_view text);

// framework → control ids, e.g. {"pci_dss_4": {"10.2.1.4"}}; ordered for stable output.
using ControlMap = std::map<std::string, std::vector<std::string>>;

struct Alert {
  std::string rule_id;
  std::string rule_name;
  std::string rule_description;
  AlertSeverity severity = AlertSeverity::kInfo;
  std::vector<std::string> tags;
  ControlMap controls;
  std::string output;   // the rule's output template, rendered for the event
  Timestamp timestamp;  // the triggering event's @timestamp
  Event event;          // the triggering event
};

// One compact JSON object on one line (no newline); same alert, same bytes.
std::string AlertToJson(const Alert& alert, const FieldRegistry& fields = FieldRegistry::Global());

}  // namespace vigil
