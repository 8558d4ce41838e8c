// ControlResult and ControlEvaluation: the verdict on one framework control for a period,
// as reports, the store (control_evaluations table, migration 3), the audit log
// (control_evaluation records) and the metric vigil_compliance_control_status show it.
//
//   pass            rules mapped to the control were in force, the collectors feeding them
//                   were up, and no failing alert was raised for it in the period
//   fail            at least one alert of severity medium or above was raised for the
//                   control and not resolved as a false positive or an accepted risk
//   not_applicable  the configuration says so (reports.not_applicable, with a reason)
//   not_checked     no rule in force maps to it, no run of Vigil watched the period, or a
//                   collector its rules need was absent or down: never a pass
//
// Threading: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::report {

enum class ControlResult { kPass, kFail, kNotApplicable, kNotChecked };

std::string_view ControlResultName(ControlResult r);  // pass, fail, not_applicable, not_checked
std::optional<ControlResult> ParseControlResult(std::string_view text);
// The value of vigil_compliance_control_status: 1 pass, 0 fail, -1 not_checked, -2 not_applicable.
double ControlStatusValue(ControlResult r);

struct ControlEvaluation {
  std::string framework, control;
  ControlResult result = ControlResult::kNotChecked;
  std::string reason;                 // one sentence, why this result
  std::vector<std::string> rules;     // rule ids in force that map to it, sorted
  std::vector<std::string> datasets;  // event.dataset values those rules read ("*" = any)
  uint64_t evidence = 0;              // alerts raised for it in the period
  uint64_t events = 0;                // events behind those alerts (counts of merged repeats)
  std::vector<int64_t> alert_ids;     // those alerts, ascending
  std::vector<int64_t> failing;       // the alerts that make it fail
};

}  // namespace vigil::report
