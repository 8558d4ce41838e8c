// RuleEngineConsumer: the rule engine as a pipeline stage. Evaluates each event against a
// RuleSet and hands every alert to a callback (the alert router, or replay's printer).
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
#pragma once

#include <cstdint>
#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <memory>
#include <mutex>
#include <vector>

#include "vigil/event_consumer.h"
#include "vigil/rules/rule_set.h"

namespace vigil {

class RuleEngineConsumer : public EventConsumer {
 public:
  using AlertCallback = std::function<void(const Alert&)>;
  RuleEngineConsumer(std::unique_ptr<RuleSet> rules, AlertCallback on_alert);

  void Consume(Event& event) override;
  void Replace(std::unique_ptr<RuleSet> rules);
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
};

}  // namespace vigil
