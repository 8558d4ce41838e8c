// libFuzzer target for a whole auth.log line: header, dispatch by program, the message
// parsers (sshd with its connection state, PAM, sudo, su, shadow-utils, login) and the
// event they build. Input is split on newlines so that state carries across lines.
//
// Properties: no crash, no out-of-bounds read, no unbounded state (the sshd connection
// table stays under its limit), and every event's outcome is one of the three values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "access_event.h"
#include "auth_line_parser.h"
#include "syslog_header.h"
#include "vigil/ecs_fields.h"
#include "vigil/time_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  using namespace vigil::access;
  static const AccessFieldIds ids = *DeclareAccessFields(FieldRegistry::Global());
  static const YearInference years(*ParseRfc3339("2026-03-01T00:00:00Z"), std::chrono::seconds(0));
  std::string_view input(reinterpret_cast<const char*>(data), size);
  AuthLineParser parser;
  while (!input.empty()) {
    const size_t nl = input.find('\n');
    const std::string_view line = input.substr(0, nl);
    input.remove_prefix(nl == std::string_view::npos ? input.size() : nl + 1);
    auto h = ParseSyslogHeader(line, years);
    if (!h) continue;
    AuthRecord r;
    if (!parser.Parse(*h, &r)) continue;
    const Event e = BuildAccessEvent(*h, r, LineOrigin{"fuzz", 0, line}, ids);
    const std::string* o = e.GetString(ecs::kEventOutcome);
    if (!o || (*o != "success" && *o != "failure" && *o != "unknown")) std::abort();
    if (parser.sshd().connections() > SshdParser::kMaxConnections) std::abort();
  }
  return 0;
}
