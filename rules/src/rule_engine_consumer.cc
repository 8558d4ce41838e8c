#include "vigil/rules/rule_engine_consumer.h"

namespace vigil {

RuleEngineConsumer::RuleEngineConsumer(std::unique_ptr<RuleSet> rules, AlertCallback on_alert)
    : rules_(std::move(rules)), on_alert_(std::move(on_alert)) {}

void RuleEngineConsumer::Consume(Event& event) {
  ++events_;
  if (!rules_) return;
  scratch_.clear();
  rules_->Evaluate(event, scratch_);
  for (const Alert& a : scratch_) {
    ++alerts_;
    if (on_alert_) on_alert_(a);
  }
}

}  // namespace vigil
