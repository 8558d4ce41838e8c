// libFuzzer target for the syslog header scanner (collectors/access/syslog_header.h).
//
// Properties checked on every input:
//   - ParseSyslogHeader never crashes, reads out of bounds or loops;
//   - every view it returns lies inside the input (the program may also be "sudo", for
//     lines of sudo's own log file).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "syslog_header.h"
#include "vigil/time_format.h"

namespace {

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  static const Timestamp ref = *ParseRfc3339("2026-01-01T00:30:00Z");
  static const access::YearInference years(ref, std::chrono::hours(-5));
  auto h = access::ParseSyslogHeader(line, years);
  if (!h) {
    access::SyslogHeader t;
    access::ParseHostAndTag(line, &t);
    if (!Inside(t.host, line) || !Inside(t.program, line) || !Inside(t.message, line)) std::abort();
    return 0;
  }
  // The program is a view of the input, or the literal "sudo" of sudo's own log file.
  const bool program_ok = Inside(h->program, line) || h->program == "sudo";
  if (!Inside(h->host, line) || !program_ok || !Inside(h->message, line)) std::abort();
  return 0;
}
