// AuditAssembler: joins the records of one audit event. auditd writes an event as one or
// more lines that share `msg=audit(SECONDS.MILLIS:SERIAL)` (and `node=`); records of
// different events may interleave. An event is complete:
//   - at its EOE record (kernel syscall events: SYSCALL, EXECVE, CWD, PATH, PROCTITLE, EOE);
//   - for a kernel event whose PROCTITLE came, when a record of another event arrives (or,
//     live, at the next Expire): the kernel writes PROCTITLE last, just before EOE, and auditd
//     leaves EOE records out of its log file, so in a file that is where such an event ends;
//   - at once, for a record of a user-space type (USER_*, CRED_*, ADD_USER, ANOM_LOGIN_*,
//     ...: see IsSingleRecordAuditType), which auditd writes as one line without EOE;
//   - for a pending event without a SYSCALL record (AVC, LOGIN, CONFIG_CHANGE, unknown
//     types: they end with no EOE), when a record of another event arrives;
//   - otherwise when it is too old: a record arrives more than `timeout` (record time)
//     after it began, or, live, it has waited `timeout` on the steady clock (Expire);
//   - when more than max_pending events are pending, the oldest is emitted (evicted);
//   - at Flush (end of a replayed file, a new file after rotation or truncation).
// Events emitted by the last three ways are marked incomplete and counted, unless they had
// their PROCTITLE or no SYSCALL record. An event keeps
// at most max_records records and max_event_bytes of lines; further records are dropped
// and counted. So memory is bounded whatever the input.
//
// Threading: one collector thread; the counters may be read from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "audit_record.h"

namespace vigil::access {

struct AssembledAuditEvent {
  std::vector<AuditRecord> records;  // in the order read, EOE excluded
  std::string original;              // the lines of the event (EOE included), joined by '\n'
  uint64_t offset = 0;               // byte offset of its first line
  bool complete = true;              // false: emitted by timeout, eviction or flush
};

struct AuditAssemblerOptions {
  size_t max_pending = 256;
  size_t max_records = 128;
  size_t max_event_bytes = size_t{1} << 20;
  std::chrono::milliseconds timeout{2000};
};

struct AuditAssemblerCounters {
  std::atomic<uint64_t> records{0};          // records added
  std::atomic<uint64_t> events{0};           // events emitted
  std::atomic<uint64_t> incomplete{0};       // emitted without their end (timeout, flush)
  std::atomic<uint64_t> evicted{0};          // emitted early: too many pending events
  std::atomic<uint64_t> records_dropped{0};  // beyond max_records / max_event_bytes
};

// Whether records of `type` are written alone, without EOE (user-space messages).
bool IsSingleRecordAuditType(std::string_view type);

class AuditAssembler {
 public:
  // Receives each finished event; false asks the caller to stop reading.
  using Output = std::function<bool(AssembledAuditEvent&&)>;
  using SteadyTime = std::chrono::steady_clock::time_point;

  AuditAssembler(AuditAssemblerOptions options, Output output, AuditAssemblerCounters* counters)
      : options_(options), output_(std::move(output)), counters_(counters) {}

  // Adds one parsed record, read from `line` at `offset`. False: the output asked to stop.
  bool Add(AuditRecord&& record, std::string_view line, uint64_t offset, SteadyTime now);
  // Emits the events that have waited `timeout` since their first record was added.
  bool Expire(SteadyTime now);
  // Emits every pending event.
  bool Flush();
  // Byte offset of the first line of the oldest pending event, or UINT64_MAX: a saved read
  // position must not pass it, or a restart would lose those lines.
  uint64_t HeldFrom() const;
  size_t pending() const { return pending_.size(); }

 private:
  struct Pending {
    AssembledAuditEvent event;
    bool has_syscall = false;
    bool ended = false;   // its PROCTITLE came: only an EOE may follow
    int64_t time_ms = 0;  // record time of its first record
    SteadyTime added{};
  };
  // Whether a pending event emitted now has all its records.
  static bool Complete(const Pending& p) { return p.ended || !p.has_syscall; }

  bool Emit(Pending&& p, bool complete);
  // Emits pending events by index (erasing them); false when the output asked to stop.
  bool EmitAt(size_t index, bool complete);
  void Append(Pending& p, AuditRecord&& record, std::string_view line);
  void Count(std::atomic<uint64_t> AuditAssemblerCounters::*field) {
    if (counters_ != nullptr) (counters_->*field).fetch_add(1, std::memory_order_relaxed);
  }

  AuditAssemblerOptions options_;
  Output output_;
  AuditAssemblerCounters* counters_;  // not owned; may be null
  std::deque<Pending> pending_;       // oldest first
};

}  // namespace vigil::access
