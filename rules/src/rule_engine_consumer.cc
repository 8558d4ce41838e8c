#include "vigil/rules/rule_engine_consumer.h"

namespace vigil {

RuleEngineConsumer::RuleEngineConsumer(std::unique_ptr<RuleSet> rules, AlertCallback on_alert)
    : rules_(std::move(rules)), on_alert_(std::move(on_alert)) {}

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
  Finish();                  // nothing merged into the old set's windows is lost
  rules_ = std::move(next);  // the old set is destroyed here, on the engine thread
}

void RuleEngineConsumer::Consume(Event& event) {
  if (has_pending_.load(std::memory_order_acquire)) TakePending();
  ++events_;
  if (!rules_) return;
  scratch_.clear();
  rules_->Evaluate(event, scratch_);
  Dispatch();
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
