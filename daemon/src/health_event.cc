#include "health_event.h"

#include "vigil/field_decl.h"

#include <array>

namespace vigil {
namespace {

struct ActionInfo {
  std::string_view name;
  std::string_view type;     // event.type
  std::string_view outcome;  // event.outcome
};

constexpr std::array<ActionInfo, static_cast<size_t>(HealthAction::kCount)> kActions = {{
    {"collector_down", "end", "failure"},
    {"collector_up", "start", "success"},
    {"collector_error", "error", "failure"},
    {"events_dropped", "info", "failure"},
    {"capture_loss", "info", "failure"},
    {"state_evicted", "info", "failure"},
    {"queue_saturated", "info", "unknown"},
    {"clock_jump", "change", "unknown"},
    {"scan_gap", "info", "failure"},
    {"audit_verify_failed", "error", "failure"},
    {"report_failed", "error", "failure"},
    {"memory_high", "info", "unknown"},
}};

const ActionInfo& Info(HealthAction action) { return kActions[static_cast<size_t>(action)]; }

}  // namespace

std::string_view HealthActionName(HealthAction action) { return Info(action).name; }

Result<HealthFields> DeclareHealthFields(FieldRegistry& fields) {
  HealthFields ids{};
  const Status declared = DeclareEach(fields, {
      {&ids.collector, "vigil.health.collector", FieldType::kString,
       "Collector instance a health event is about."},
      {&ids.rule, "vigil.health.rule", FieldType::kString,
       "Rule a health event is about (state_evicted)."},
      {&ids.component, "vigil.health.component", FieldType::kString,
       "Part of Vigil a health event is about: collector, queue, rules, clock, retention, "
       "audit_log, reports."},
      {&ids.count, "vigil.health.count", FieldType::kInt,
       "How many were lost or failed in the interval of a health event."},
      {&ids.total, "vigil.health.total", FieldType::kInt,
       "The same count since the daemon started (equals the metric)."},
      {&ids.ratio, "vigil.health.ratio", FieldType::kDouble,
       "Share of what was offered in the interval that was lost, 0 to 1."},
      {&ids.interval, "vigil.health.interval", FieldType::kDuration,
       "Time covered by vigil.health.count."},
      {&ids.jump, "vigil.health.jump", FieldType::kDuration,
       "Wall clock movement minus monotonic clock movement; positive: the clock jumped ahead."},
      {&ids.queue_depth, "vigil.health.queue_depth", FieldType::kInt,
       "Events waiting in the pipeline queue at the sample."},
      {&ids.queue_capacity, "vigil.health.queue_capacity", FieldType::kInt,
       "Capacity of the pipeline queue."},
      {&ids.resident, "vigil.health.resident_bytes", FieldType::kInt,
       "Vigil's resident memory in bytes at the sample (memory_high)."},
      {&ids.memory_limit, "vigil.health.memory_limit_bytes", FieldType::kInt,
       "The configured health.memory_limit in bytes (memory_high)."},
  });
  if (!declared.ok()) return declared;
  return ids;
}

Event MakeHealthEvent(HealthAction action, Timestamp when, const std::string& host_name,
                      std::string message) {
  const ActionInfo& info = Info(action);
  Event e;
  e.Set(ecs::kTimestamp, when);
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventCategory, StringList{"host"});
  e.Set(ecs::kEventType, StringList{std::string(info.type)});
  e.Set(ecs::kEventAction, std::string(info.name));
  e.Set(ecs::kEventOutcome, std::string(info.outcome));
  e.Set(ecs::kEventDataset, std::string(kHealthDataset));
  e.Set(ecs::kEventModule, std::string("vigil"));
  if (!host_name.empty()) e.Set(ecs::kHostName, host_name);
  e.Set(ecs::kMessage, std::move(message));
  return e;
}

}  // namespace vigil
