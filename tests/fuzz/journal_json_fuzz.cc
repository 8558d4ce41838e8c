// libFuzzer target for `journalctl -o json` lines (collectors/access/journal_json.h) fed
// on through the access parsers. Properties: no crash, no exception escapes, and an entry
// that parses yields a header whose views lie inside the entry.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "access_event.h"
#include "auth_line_parser.h"
#include "journal_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  using namespace vigil::access;
  static const AccessFieldIds ids = *DeclareAccessFields(FieldRegistry::Global());
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  JournalEntry entry;
  if (!ParseJournalJson(line, &entry).ok()) return 0;
  const SyslogHeader h = entry.Header();
  if (h.message.data() != entry.message.data() || h.program.data() != entry.identifier.data()) {
    std::abort();
  }
  AuthLineParser parser;
  AuthRecord r;
  if (parser.Parse(h, &r)) (void)BuildAccessEvent(h, r, LineOrigin{"fuzz", 0, line}, ids);
  return 0;
}
