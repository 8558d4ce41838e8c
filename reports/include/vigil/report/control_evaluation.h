// EvaluateControls: the one place where a control's result is decided (control_result.h),
// used by `vigil report`, the daemon's scheduled reports and the daemon's
// vigil_compliance_control_status gauge.
//
// Inputs are plain facts read from the store for a period: the rules in force (from the
// ruleset records), what each collector reported (coverage records), whether any run of
// Vigil watched the period at all, the alerts raised, and the controls the configuration
// declares not applicable. The controls evaluated are those the rules in force map to, plus
// the not-applicable ones, for the frameworks asked for.
//
// A dataset is fed by a collector type by its first component: access.* by auth_log,
// journald, journal_json and audit_log, network.* by capture and pcap, retention.* by
// retention, vigil.* by the daemon itself; jsonl can carry any dataset. A rule that can match any dataset needs any
// collector. A collector counts as down when a coverage record in the period says so.
//
// Threading: pure function.
#pragma once

#include <string>
#include <vector>

#include "vigil/report/control_result.h"
#include "vigil/rules/alert.h"

namespace vigil::report {

struct RuleInForce {
  std::string id;
  AlertSeverity severity = AlertSeverity::kInfo;
  std::vector<std::string> datasets;  // empty: any
  ControlMap controls;
};

struct CollectorSeen {
  std::string name, type;
  uint64_t samples = 0, samples_up = 0;
};

struct AlertFacts {
  int64_t id = 0;
  AlertSeverity severity = AlertSeverity::kInfo;
  std::string resolution;  // "" unless resolved
  uint64_t count = 1;
  ControlMap controls;
};

struct NotApplicable {
  std::string framework, control, reason;
};

struct EvaluationInput {
  std::vector<std::string> frameworks;  // empty: every framework present
  std::vector<RuleInForce> rules;
  std::vector<CollectorSeen> collectors;
  bool watched = false;  // some run of Vigil covered part of the period
  std::vector<AlertFacts> alerts;
  std::vector<NotApplicable> not_applicable;
};

// Alerts at or above this severity fail their controls (unless resolved as a false
// positive or an accepted risk); lower ones are evidence only.
inline constexpr AlertSeverity kFailingSeverity = AlertSeverity::kMedium;

// One evaluation per (framework, control), sorted by framework then control.
std::vector<ControlEvaluation> EvaluateControls(const EvaluationInput& input);

// The collector types that can feed `dataset` (see above); {"*"} for the daemon's own.
std::vector<std::string> CollectorTypesFeeding(const std::string& dataset);

}  // namespace vigil::report
