// EventConsumer: what the engine thread hands each event to (the rule engine, the
// `--events` printer of replay, or a chain of them).
//
// Threading: Consume() and Flush() are called only from the pipeline's single engine
// thread, in queue order, so an implementation needs no locking for its own state.
// Consume() must not block on I/O for long: slow outputs have their own queues.
// The event is the pipeline's, dropped once the chain has seen it; a consumer may take it
// (move from it: the rule engine does when a rule fires, so its alerts share the event
// uncopied), and then only consumers that do not read events may follow it in a chain.
#pragma once

#include <atomic>
#include <functional>
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
  // A collector's barrier (EventSink::Barrier) reached the engine: every event queued before
  // it was consumed. Call `done` (on any thread) once what those events caused is durable,
  // or never if it cannot be made so. Default: nothing to wait for.
  virtual void Barrier(std::function<void()> done) { done(); }
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
  // `done` once every consumer has called its own.
  void Barrier(std::function<void()> done) override {
    if (consumers_.empty()) return done();
    auto left = std::make_shared<std::atomic<size_t>>(consumers_.size());
    auto shared = std::make_shared<std::function<void()>>(std::move(done));
    for (EventConsumer* c : consumers_) {
      c->Barrier([left, shared] {
        if (left->fetch_sub(1) == 1) (*shared)();
      });
    }
  }

 private:
  std::vector<EventConsumer*> consumers_;  // not owned
};

}  // namespace vigil
