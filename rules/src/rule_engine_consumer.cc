#include "vigil/rules/rule_engine_consumer.h"

#include "vigil/log.h"

namespace vigil {

namespace {

// Adds the cumulative counters of `from` (not the gauges) to `to`.
void AddCumulative(const RuleStateStats& from, RuleStateStats& to) {
  to.evicted_groups += from.evicted_groups;
  to.evicted_entries += from.evicted_entries;
  to.late_events += from.late_events;
  to.suppressed += from.suppressed;
  to.summaries += from.summaries;
  to.early_closes += from.early_closes;
  to.evaluations += from.evaluations;
  to.evaluation_ns += from.evaluation_ns;
}

}  // namespace

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
  if (rules_ && next) {
    // Rules whose definition did not change keep their correlation and suppression windows.
    scratch_.clear();
    next->AdoptState(*rules_, scratch_);
    Dispatch();
  }
  Finish();  // nothing merged into the old set's other windows is lost
  if (rules_) {
    for (const RuleStateStats& st : rules_->state_stats()) AddCumulative(st, retired_[st.rule_id]);
  }
  rules_ = std::move(next);  // the old set is destroyed here, on the engine thread
  RefreshSnapshot();
}

void RuleEngineConsumer::Consume(Event& event) {
  if (has_pending_.load(std::memory_order_acquire)) TakePending();
  ++events_;
  if (!rules_) return;
  scratch_.clear();
  rules_->Evaluate(std::move(event), scratch_);  // the chain's last reader: alerts take the event
  Dispatch();
  if (events_ % kSnapshotEvery == 0) {
    RefreshSnapshot();
    MaybeSaveHistory();
  }
}

void RuleEngineConsumer::Flush() {
  RefreshSnapshot();
  MaybeSaveHistory();
}

Result<TermHistoryLoad> RuleEngineConsumer::AttachHistory(std::unique_ptr<TermHistoryStore> store,
                                                          Duration interval) {
  TermHistoryLoad load;
  if (rules_) {
    auto loaded = store->Load(*rules_);
    if (!loaded.ok()) return loaded.status();
    load = *loaded;
  }
  history_ = std::move(store);
  history_interval_ = interval;
  history_saved_ = WallNow();
  return load;
}

void RuleEngineConsumer::MaybeSaveHistory() {
  if (history_ && WallNow() - history_saved_ >= history_interval_) SaveHistory();
}

void RuleEngineConsumer::SaveHistory() {
  if (!history_ || !rules_) return;
  history_saved_ = WallNow();
  auto saved = history_->Save(*rules_);
  if (!saved.ok()) {
    history_failures_.fetch_add(1, std::memory_order_relaxed);
    VIGIL_LOG(kWarning) << "new_terms history not saved to " << history_->path() << ": "
                        << saved.status().message();
  }
}

void RuleEngineConsumer::RefreshSnapshot() {
  std::vector<RuleStateStats> now;
  if (rules_) now = rules_->state_stats();
  for (RuleStateStats& st : now) {
    auto it = retired_.find(st.rule_id);
    if (it != retired_.end()) AddCumulative(it->second, st);
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
