// EventPrinter: an EventConsumer that writes each event as one ECS JSON line to a stream
// (stdout for `vigil replay --events`). Buffered; flushed whenever the queue runs empty.
#pragma once

#include <cstdint>
#include <cstdio>

#include "vigil/event_consumer.h"

namespace vigil {

class EventPrinter : public EventConsumer {
 public:
  explicit EventPrinter(std::FILE* out) : out_(out) {}
  void Consume(Event& event) override;
  void Flush() override;
  uint64_t printed() const { return printed_; }

 private:
  std::FILE* out_;
  uint64_t printed_ = 0;
};

}  // namespace vigil
