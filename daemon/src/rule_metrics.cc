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
    e.correlates = r.has_correlation;
    e.suppresses = r.has_suppression;
  }
  for (auto it = rules_.begin(); it != rules_.end();) {
    it = it->second.loaded ? std::next(it) : rules_.erase(it);
  }
}

void RuleMetrics::Count(const Alert& alert) {
  std::lock_guard lock(mu_);
  Entry& e = rules_[alert.rule->id];
  if (e.severity.empty()) e.severity = std::string(AlertSeverityName(alert.rule->severity));
  ++e.alerts;
}

void RuleMetrics::Write(MetricWriter& out, const std::vector<RuleStateStats>& state) const {
  std::lock_guard lock(mu_);
  for (const RuleStateStats& st : state) {
    auto it = rules_.find(st.rule_id);
    if (it == rules_.end()) continue;
    MetricLabels l = {{"rule", st.rule_id}};
    out.Counter("vigil_rule_evaluations_total",
                "Events a rule's condition was evaluated on (those the index selects for it).", l,
                static_cast<double>(st.evaluations));
    out.Counter("vigil_rule_evaluation_seconds_total",
                "Time spent evaluating a rule's condition, estimated from 1 event in 16.", l,
                static_cast<double>(st.evaluation_ns) / 1e9);
    if (it->second.correlates) {
      out.Gauge("vigil_rule_correlation_groups", "Correlation groups a rule holds now.", l,
                static_cast<double>(st.groups));
      out.Counter("vigil_rule_evicted_groups_total",
                  "Correlation groups evicted at the rules.max_groups cap.", l,
                  static_cast<double>(st.evicted_groups));
      out.Counter("vigil_rule_evicted_entries_total",
                  "Window entries evicted at the rules.max_window_entries cap.", l,
                  static_cast<double>(st.evicted_entries));
      out.Counter("vigil_rule_late_events_total",
                  "Events older than their correlation window, not counted.", l,
                  static_cast<double>(st.late_events));
    }
    if (it->second.suppresses) {
      out.Gauge("vigil_rule_suppression_windows", "Suppression windows open now.", l,
                static_cast<double>(st.suppression_windows));
      out.Counter("vigil_rule_suppressed_alerts_total",
                  "Alerts merged into a suppression summary instead of sent alone.", l,
                  static_cast<double>(st.suppressed));
      out.Counter("vigil_rule_suppression_early_closes_total",
                  "Suppression windows closed early at the rules.max_suppression_keys cap.", l,
                  static_cast<double>(st.early_closes));
    }
  }
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
