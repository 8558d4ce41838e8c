#include "compliance_status.h"

#include <sys/stat.h>

#include <algorithm>

#include "store/alert_store.h"
#include "vigil/report/store_facts.h"

namespace vigil {
namespace {

std::vector<report::NotApplicable> NotApplicableOf(const DaemonConfig& config) {
  std::vector<report::NotApplicable> out;
  for (const ReportNotApplicable& n : config.report_not_applicable) out.push_back({n.framework, n.control, n.reason});
  return out;
}

}  // namespace

void ComplianceStatus::SetRules(const RuleSet& rules, const DaemonConfig& config) {
  rules_.clear();
  for (const RuleInfo& r : rules.rules()) {
    if (!r.enabled || r.controls.empty()) continue;
    rules_.push_back({r.id, r.severity, r.datasets, r.controls});
  }
  std::lock_guard lock(mu_);
  auto previous = std::move(status_);
  status_.clear();
  auto keep = [&](const std::string& fw, const std::string& control) {
    auto it = previous.find({fw, control});
    status_[{fw, control}] = it != previous.end() ? it->second : report::ControlResult::kNotChecked;
  };
  for (const report::RuleInForce& r : rules_) {
    for (const auto& [fw, ids] : r.controls) {
      for (const std::string& id : ids) keep(fw, id);
    }
  }
  for (const ReportNotApplicable& n : config.report_not_applicable) {
    status_[{n.framework, n.control}] = report::ControlResult::kNotApplicable;
  }
}

Status ComplianceStatus::Refresh(const DaemonConfig& config, const std::string& store_path, Timestamp now) {
  struct stat st {};
  if (::stat(store_path.c_str(), &st) != 0) return Status::NotFound("no store at " + store_path);
  auto store = store::AlertStore::Open(store_path, sqlite::kReadOnly);
  if (!store.ok()) return store.status();
  const report::Period period{now - config.report_status_window, now};
  auto facts = report::ReadStoreFacts(**store, period);
  if (!facts.ok()) return facts.status();
  report::EvaluationInput in = report::EvaluationInputFor(*facts, {}, NotApplicableOf(config));
  // The rules loaded now are in force now, whether or not their ruleset record is stored yet.
  for (const report::RuleInForce& r : rules_) {
    if (std::none_of(in.rules.begin(), in.rules.end(), [&](const report::RuleInForce& x) { return x.id == r.id; })) {
      in.rules.push_back(r);
    }
  }
  const std::vector<report::ControlEvaluation> evaluations = report::EvaluateControls(in);
  std::lock_guard lock(mu_);
  for (auto& [key, result] : status_) result = report::ControlResult::kNotChecked;
  for (const report::ControlEvaluation& e : evaluations) {
    // Only controls of the rules loaded now (and the not-applicable ones): a control seen
    // only in an old alert or ruleset would add a series that later vanishes.
    auto it = status_.find({e.framework, e.control});
    if (it != status_.end()) it->second = e.result;
  }
  return Status::Ok();
}

void ComplianceStatus::WriteMetrics(MetricWriter& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [key, result] : status_) {
    out.Gauge("vigil_compliance_control_status",
              "Result of the control evaluation over reports.status_window: 1 pass, 0 fail, -1 not checked, "
              "-2 not applicable.",
              {{"framework", key.first}, {"control", key.second}}, report::ControlStatusValue(result));
  }
}

}  // namespace vigil
