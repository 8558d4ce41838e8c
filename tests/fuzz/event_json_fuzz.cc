// libFuzzer target for the JSON form of events (daemon/src/event_json.h).
//
// Properties checked on every input:
//   - EventFromJson never crashes, throws or recurses without bound;
//   - whatever it accepts, EventToJson writes, and EventFromJson reads that back;
//   - writing is stable: the re-read event is written to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  vigil::Result<vigil::Event> first = vigil::EventFromJson(text);
  if (!first.ok()) return 0;
  const std::string written = vigil::EventToJson(*first);
  vigil::Result<vigil::Event> second = vigil::EventFromJson(written);
  if (!second.ok()) {
    std::fprintf(stderr, "written event does not read back: %s\n%s\n",
                 second.status().ToString().c_str(), written.c_str());
    std::abort();
  }
  const std::string rewritten = vigil::EventToJson(*second);
  if (rewritten != written) {
    std::fprintf(stderr, "writing is not stable:\n%s\n%s\n", written.c_str(), rewritten.c_str());
    std::abort();
  }
  return 0;
}
