// EventConsumer: what the engine thread hands each event to (the rule engine, the
// `--events` printer of replay, or a chain of them).
//
// Threading: Consume() and Flush() are called only from the pipeline's single engine
// thread, in queue order, so an implementation needs no locking for its own state.
// Consume() must not block on I/O for long: slow outputs have their own queues.
#pragma once

#include <memory>
#include <vector>

#include "vigil/event.h"

namespace vigil {

class EventConsumer {
 public:
  virtual ~EventConsumer() = default;
  virtual void Consume(Event& event) = 0;
  // Called when the queue runs empty and once more before the pipeline stops.
  virtual void Flush() {}
};

// Hands each event to several consumers in order.
class ConsumerChain : public EventConsumer {
 public:
  void Add(EventConsumer* consumer) { consumers_.push_back(consumer); }
  void Consume(Event& event) override {
    for (EventConsumer* c : consumers_) c->Consume(event);
  }
  void Flush() override {
    for (EventConsumer* c : consumers_) c->Flush();
  }

 private:
  std::vector<EventConsumer*> consumers_;  // not owned
};

}  // namespace vigil
