#include "event_printer.h"

#include "event_json.h"

namespace vigil {

void EventPrinter::Consume(Event& event) {
  std::string line = EventToJson(event);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  ++printed_;
}

void EventPrinter::Flush() { std::fflush(out_); }

}  // namespace vigil
