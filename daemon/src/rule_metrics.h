// RuleMetrics: per-rule alert counters for Prometheus.
//
// Every loaded rule has its series from the moment it is loaded (at 0), labelled with its
// id and severity, so dashboards and alerting rules never meet a missing series. Counts of
// rules that survive a reload carry on; rules that are gone stop being exported.
// Threading: SetRules on the main thread (start, reload); Count on the engine thread;
// Write on the metrics server's thread. One mutex guards the table (alerts are rare next
// to events, so a lock per alert costs nothing measurable).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "vigil/metric_writer.h"
#include "vigil/rules/alert.h"
#include "vigil/rules/rule_set.h"

namespace vigil {

class RuleMetrics {
 public:
  void SetRules(const RuleSet& rules);
  void Count(const Alert& alert);
  // `state` is RuleEngineConsumer::StateStats(): correlation and suppression counters,
  // written for the rules that correlate or suppress.
  void Write(MetricWriter& out, const std::vector<RuleStateStats>& state) const;

 private:
  struct Entry {
    std::string severity;
    bool enabled = true;
    bool loaded = true;
    bool correlates = false;
    bool suppresses = false;
    uint64_t alerts = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, Entry> rules_;  // by rule id; guarded by mu_
};

}  // namespace vigil
