#include "vigil/rules/rule_engine_consumer.h"

namespace vigil {

RuleEngineConsumer::RuleEngineConsumer(std::unique_ptr<RuleSet> rules, AlertCallback on_alert)
    : rules_(std::move(rules)), on_alert_(std::move(on_alert)) {
  RefreshSnapshot();
}

void RuleEngineConsumer::Replace(std::unique_ptr<RuleSet> rules) {
  std::lock_guard lock(pending_mu_);
  pending_ = std::move(rules);
  has_pending_.store(true, std::memory_order_release);
}

void RuleEngineConsumer::TakePending() {
  std::unique_ptr<RuleSet> next;
  {
    std::lock_guard lock(pending_mu_);
    next = std::move(pending_);
    has_pending_.store(false, std::memory_order_relaxed);
  }
  Finish();  // nothing merged into the old set's windows is lost
  if (rules_) {
    for (const RuleStateStats& st : rules_->state_stats()) {
      RuleStateStats& r = retired_[st.rule_id];
      r.evicted_groups += st.evicted_groups;
      r.evicted_entries += st.evicted_entries;
      r.late_events += st.late_events;
      r.suppressed += st.suppressed;
      r.summaries += st.summaries;
      r.early_closes += st.early_closes;
    }
  }
  rules_ = std::move(next);  // the old set is destroyed here, on the engine thread
  RefreshSnapshot();
}

void RuleEngineConsumer::Consume(Event& event) {
  if (has_pending_.load(std::memory_order_acquire)) TakePending();
  ++events_;
  if (!rules_) return;
  scratch_.clear();
  rules_->Evaluate(event, scratch_);
  Dispatch();
  if (events_ % kSnapshotEvery == 0) RefreshSnapshot();
}

void RuleEngineConsumer::Flush() { RefreshSnapshot(); }

void RuleEngineConsumer::RefreshSnapshot() {
  std::vector<RuleStateStats> now;
  if (rules_) now = rules_->state_stats();
  for (RuleStateStats& st : now) {
    auto it = retired_.find(st.rule_id);
    if (it == retired_.end()) continue;
    st.evicted_groups += it->second.evicted_groups;
    st.evicted_entries += it->second.evicted_entries;
    st.late_events += it->second.late_events;
    st.suppressed += it->second.suppressed;
    st.summaries += it->second.summaries;
    st.early_closes += it->second.early_closes;
  }
  std::lock_guard lock(snapshot_mu_);
  snapshot_ = std::move(now);
}

std::vector<RuleStateStats> RuleEngineConsumer::StateStats() const {
  std::lock_guard lock(snapshot_mu_);
  return snapshot_;
}

void RuleEngineConsumer::Finish() {
  if (!rules_) return;
  scratch_.clear();
  rules_->Finish(scratch_);
  Dispatch();
}

void RuleEngineConsumer::Dispatch() {
  for (const Alert& a : scratch_) {
    ++alerts_;
    if (on_alert_) on_alert_(a);
  }
}

}  // namespace vigil
