#include "rule_metrics.h"

namespace vigil {

void RuleMetrics::SetRules(const RuleSet& rules) {
  std::lock_guard lock(mu_);
  for (auto& [id, e] : rules_) e.loaded = false;
  for (const RuleInfo& r : rules.rules()) {
    Entry& e = rules_[r.id];
    e.severity = std::string(AlertSeverityName(r.severity));
    e.enabled = r.enabled;
    e.loaded = true;
  }
  for (auto it = rules_.begin(); it != rules_.end();) {
    it = it->second.loaded ? std::next(it) : rules_.erase(it);
  }
}

void RuleMetrics::Count(const Alert& alert) {
  std::lock_guard lock(mu_);
  Entry& e = rules_[alert.rule_id];
  if (e.severity.empty()) e.severity = std::string(AlertSeverityName(alert.severity));
  ++e.alerts;
}

void RuleMetrics::Write(MetricWriter& out) const {
  std::lock_guard lock(mu_);
  size_t enabled = 0;
  for (const auto& [id, e] : rules_) {
    out.Counter("vigil_rule_alerts_total", "Alerts raised, per rule and severity.",
                {{"rule", id}, {"severity", e.severity}}, static_cast<double>(e.alerts));
    enabled += e.enabled ? 1 : 0;
  }
  out.Gauge("vigil_rules_loaded", "Rules loaded, by state.", {{"state", "enabled"}},
            static_cast<double>(enabled));
  out.Gauge("vigil_rules_loaded", "Rules loaded, by state.", {{"state", "disabled"}},
            static_cast<double>(rules_.size() - enabled));
}

}  // namespace vigil
