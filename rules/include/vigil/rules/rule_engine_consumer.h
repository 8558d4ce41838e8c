// RuleEngineConsumer: the rule engine as a pipeline stage. Evaluates each event against a
// RuleSet and hands every alert to a callback (the alert router, or replay's printer).
//
// Consume() takes the event when a rule fires: its alerts share it, moved rather than copied
// (RuleSet::Evaluate(Event&&)), and the event is left moved-from. So in a ConsumerChain the
// engine comes after every consumer that reads events (EventConsumer: a consumer may take it).
//
// Threading: as every EventConsumer, Consume() is called only from the pipeline's engine
// thread; the callback runs on that thread. The RuleSet is owned. Replace() may be called
// from any thread (the daemon's main thread on reload): the new set is parked and swapped
// in by the engine thread before the next event, so an event is never evaluated against a
// half-replaced set. At the swap, on the engine thread, the new set first adopts the
// correlation and suppression state of every rule whose id and definition fingerprint did
// not change (RuleSet::AdoptState), so a reload does not reset a half-full window; then the
// old set is finished (Finish(): the summaries of its remaining open suppression windows go
// out; its remaining correlation windows, of changed or removed rules, are dropped) and
// destroyed. Finish() ends the stream (end of a replay, shutdown), on the engine thread
// or after the pipeline has stopped.
//
// With a TermHistoryStore attached (AttachHistory, before the pipeline starts), the history
// of new_terms rules is restored at once and saved on the engine thread at most every
// `interval` of wall time (checked every kSnapshotEvery events and whenever the queue runs
// empty), and by SaveHistory() at shutdown, after the pipeline has stopped.
#pragma once

#include <cstdint>
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <memory>
#include <mutex>
#include <vector>

#include "vigil/event.h"
#include "vigil/event_consumer.h"
#include "vigil/rules/rule_set.h"
#include "vigil/rules/term_history_store.h"

namespace vigil {

class RuleEngineConsumer : public EventConsumer {
 public:
  using AlertCallback = std::function<void(const Alert&)>;
  RuleEngineConsumer(std::unique_ptr<RuleSet> rules, AlertCallback on_alert);

  void Consume(Event& event) override;
  void Replace(std::unique_ptr<RuleSet> rules);
  // Restores the new_terms history saved in `store` into the loaded rules and keeps the
  // store for saving. Returns what was restored.
  Result<TermHistoryLoad> AttachHistory(std::unique_ptr<TermHistoryStore> store, Duration interval);
  // Saves new_terms history now (shutdown). Not while the pipeline runs. A failed save is
  // logged and counted, never fatal.
  void SaveHistory();
  uint64_t history_save_failures() const { return history_failures_.load(std::memory_order_relaxed); }
  // Hands out the summary alerts of the open suppression windows (RuleSet::Finish).
  void Finish();
  // Refreshes the state-counter snapshot (the pipeline calls this when its queue runs empty).
  void Flush() override;
  // Per-rule correlation and suppression counters of the loaded rules, cumulative across
  // reloads for rules that stay loaded. Any thread; as fresh as the last Flush or the last
  // kSnapshotEvery events.
  std::vector<RuleStateStats> StateStats() const;
  static constexpr uint64_t kSnapshotEvery = 4096;

  uint64_t alerts() const { return alerts_; }
  uint64_t events() const { return events_; }

 private:
  void TakePending();
  void RefreshSnapshot();
  void Dispatch();  // scratch_ to the callback
  void MaybeSaveHistory();

  std::unique_ptr<RuleSet> rules_;  // engine thread only
  std::mutex pending_mu_;
  std::unique_ptr<RuleSet> pending_;  // guarded by pending_mu_
  std::atomic<bool> has_pending_{false};
  AlertCallback on_alert_;
  std::vector<Alert> scratch_;
  std::map<std::string, RuleStateStats> retired_;  // counters of replaced sets; engine thread
  mutable std::mutex snapshot_mu_;
  std::vector<RuleStateStats> snapshot_;  // guarded by snapshot_mu_
  uint64_t alerts_ = 0;
  uint64_t events_ = 0;
  std::unique_ptr<TermHistoryStore> history_;  // engine thread (main thread before start, after stop)
  Duration history_interval_{};
  Timestamp history_saved_{};
  std::atomic<uint64_t> history_failures_{0};
};

}  // namespace vigil
