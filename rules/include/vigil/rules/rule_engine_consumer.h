// RuleEngineConsumer: the rule engine as a pipeline stage. Evaluates each event against a
// RuleSet and hands every alert to a callback (the alert router, or replay's printer).
//
// Threading: as every EventConsumer, called only from the pipeline's engine thread; the
// callback runs on that thread. The RuleSet is owned; Replace() swaps in a new one (on
// the engine thread, e.g. after a reload).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "vigil/event_consumer.h"
#include "vigil/rules/rule_set.h"

namespace vigil {

class RuleEngineConsumer : public EventConsumer {
 public:
  using AlertCallback = std::function<void(const Alert&)>;
  RuleEngineConsumer(std::unique_ptr<RuleSet> rules, AlertCallback on_alert);

  void Consume(Event& event) override;
  void Replace(std::unique_ptr<RuleSet> rules) { rules_ = std::move(rules); }
  uint64_t alerts() const { return alerts_; }
  uint64_t events() const { return events_; }

 private:
  std::unique_ptr<RuleSet> rules_;
  AlertCallback on_alert_;
  std::vector<Alert> scratch_;
  uint64_t alerts_ = 0;
  uint64_t events_ = 0;
};

}  // namespace vigil
