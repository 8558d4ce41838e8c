// libFuzzer target for the Linux audit log: the input is cut into lines, each parsed as an
// audit record (collectors/access/audit_record.h), joined into events by the assembler
// (audit_assembler.h, with small bounds so eviction and dropping are reached) and mapped to
// ECS (audit_event.h) and JSON. Properties: no crash, no exception escapes, the records of
// an emitted event share its node, time and serial, an event holds at most max_records
// records, no more than max_pending events wait, HeldFrom never names a line that was not
// read yet, and an event built into a recycled Event is the event built afresh.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "audit_assembler.h"
#include "audit_event.h"
#include "audit_record.h"
#include "event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigil;
  using namespace vigil::access;
  static const AccessFieldIds access_ids = *DeclareAccessFields(FieldRegistry::Global());
  static const AuditFieldIds audit_ids = *DeclareAuditFields(FieldRegistry::Global());
  AuditAssemblerOptions options;
  options.max_pending = 4;
  options.max_records = 8;
  options.max_event_bytes = 16 * 1024;
  const auto check = [&](AssembledAuditEvent&& e) {
    if (e.records.empty() || e.records.size() > options.max_records) std::abort();
    for (const AuditRecord& r : e.records) {
      const AuditRecord& f = e.records.front();
      if (r.serial != f.serial || r.seconds != f.seconds || r.millis != f.millis || r.node != f.node) {
        std::abort();
      }
    }
    // Built into a recycled event (the collector's way), the event is the one built afresh.
    static Event recycled;
    recycled.Clear();
    BuildAuditEvent(e, "fuzz", access_ids, audit_ids, &recycled);
    if (EventToJson(recycled) != EventToJson(BuildAuditEvent(e, "fuzz", access_ids, audit_ids))) std::abort();
    return true;
  };
  AuditAssembler assembler(options, check, nullptr);
  AuditLimits limits;
  limits.max_fields = 64;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto now = std::chrono::steady_clock::now();
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    AuditRecord r;
    if (ParseAuditRecord(line, &r, limits).ok()) {
      (void)assembler.Add(std::move(r), line, start, now);
      if (assembler.pending() > options.max_pending) std::abort();
      const uint64_t held = assembler.HeldFrom();
      if (held != UINT64_MAX && held > start) std::abort();
    }
    start = end + 1;
  }
  (void)assembler.Expire(now + std::chrono::seconds(1));
  (void)assembler.Flush();
  return 0;
}
