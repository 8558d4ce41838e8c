// Health events: how Vigil reports on itself, as events of `event.dataset: vigil.health`.
//
// Vigil counts every drop, eviction, gap and failure in a metric; a health event is the same
// fact handed to the rule engine, so that a rule (rules/packs/vigil-health.yaml) can turn it
// into an alert that a person sees. Health events go through the pipeline like any other
// event; they differ only in who makes them:
//
//   action               producer
//   collector_down       HealthMonitor (daemon/src/health_monitor.h): a collector's Run ended
//   collector_up         HealthMonitor: a collector reported down runs again
//   collector_error      HealthMonitor: a collector's read errors grew
//   events_dropped       HealthMonitor: a collector's events were dropped at the full queue
//   capture_loss         HealthMonitor: the kernel or interface dropped captured packets
//   state_evicted        HealthMonitor: a rule evicted correlation state at its memory cap
//   queue_saturated      HealthMonitor: the pipeline queue was nearly full at a sample
//   clock_jump           HealthMonitor: the wall clock moved apart from the monotonic clock
//   memory_high          HealthMonitor: resident memory went above health.memory_limit
//   scan_gap             reserved: the retention scanner (a scan missed its schedule)
//   audit_verify_failed  AuditMonitor (daemon/src/audit_monitor.h): the audit log does not verify
//   report_failed        reserved: the report generator (a scheduled report failed)
//
// The reserved producers build their events with MakeHealthEvent and the same fields, so the
// shipped rules already match them. docs/health.md is the user-facing description.
//
// Threading: DeclareHealthFields is called at start-up, before rules are compiled (any thread,
// the registry locks); the other functions keep no state.
#pragma once

#include <string>
#include <string_view>

#include "vigil/event.h"
#include "vigil/field.h"
#include "vigil/status.h"

namespace vigil {

inline constexpr std::string_view kHealthDataset = "vigil.health";

enum class HealthAction {
  kCollectorDown,
  kCollectorUp,
  kCollectorError,
  kEventsDropped,
  kCaptureLoss,
  kStateEvicted,
  kQueueSaturated,
  kClockJump,
  kScanGap,
  kAuditVerifyFailed,
  kReportFailed,
  kMemoryHigh,
  kCount,
};

// The `event.action` value, e.g. "events_dropped".
std::string_view HealthActionName(HealthAction action);

// The ids of the `vigil.health.*` fields.
struct HealthFields {
  FieldId collector;       // string: the collector instance concerned
  FieldId rule;            // string: the rule concerned (state_evicted)
  FieldId component;       // string: the part of Vigil concerned (retention, audit_log, ...)
  FieldId count;           // int: how many were lost or failed in the interval
  FieldId total;           // int: the same, counted since the daemon started
  FieldId ratio;           // double: count / what was offered in the interval, 0..1
  FieldId interval;        // duration: the time the count covers
  FieldId jump;            // duration: wall clock minus monotonic clock movement (signed)
  FieldId queue_depth;     // int: events waiting in the queue at the sample
  FieldId queue_capacity;  // int: the queue's capacity
  FieldId resident;        // int: resident memory in bytes at the sample (memory_high)
  FieldId memory_limit;    // int: health.memory_limit in bytes (memory_high)
};

// Declares the vigil.health.* fields in `fields` (idempotent) and returns their ids.
Result<HealthFields> DeclareHealthFields(FieldRegistry& fields);

// An event with @timestamp, event.kind/category/type/action/outcome/dataset/module,
// host.name and message set; the producer adds the vigil.health.* fields it has.
// Uses FieldRegistry::Global() ids, like every event.
Event MakeHealthEvent(HealthAction action, Timestamp when, const std::string& host_name,
                      std::string message);

}  // namespace vigil
