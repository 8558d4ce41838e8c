// ComplianceStatus: the vigil_compliance_control_status gauge — per framework and control
// of the rules in force, the result of the same control evaluation the reports use
// (reports/include/vigil/report/control_evaluation.h) over the trailing
// `reports.status_window` (24 h): 1 pass, 0 fail, -1 not_checked, -2 not_applicable.
//
// The controls are those of the loaded rules (SetRules, at start and after each reload) and
// the configured not-applicable ones, so every series exists from the first scrape on (at
// -1 until the first Refresh has coverage to go on). Refresh reads the store through its own
// read-only connection.
//
// Threading: SetRules and Refresh on the daemon's main thread; WriteMetrics from the metrics
// server's thread.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "config.h"
#include "vigil/metric_writer.h"
#include "vigil/report/control_evaluation.h"
#include "vigil/rules/rule_set.h"

namespace vigil {

class ComplianceStatus {
 public:
  void SetRules(const RuleSet& rules, const DaemonConfig& config);
  // Evaluates [now - window, now) on the store at `store_path`; a failure keeps the last values.
  Status Refresh(const DaemonConfig& config, const std::string& store_path, Timestamp now);
  void WriteMetrics(MetricWriter& out) const;

 private:
  std::vector<report::RuleInForce> rules_;  // main thread
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, report::ControlResult> status_;  // guarded by mu_
};

}  // namespace vigil
