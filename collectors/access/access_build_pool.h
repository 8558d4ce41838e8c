// AccessBuildPool: parses auth-log lines and builds their events (BuildAccessEvent) on
// worker threads while the collector thread keeps reading, and hands the events on in
// input order.
//
// The collector thread does only what needs input order and is cheap: it copies each line
// once into the current batch's byte buffer (a batch: up to kBatchLines lines or about
// kBatchBytes), joins sudo's wrapped lines onto the entry they continue (AddLine), notes
// overlong lines as skips in their place (AddOverlong), and later emits finished batches,
// strictly in the order it filled them: each batch's skips (`path@offset`) in order, then
// its events in one hand-off (CollectorContext::EmitAll).
//
// A worker takes the oldest queued batch and, for each line, parses the syslog header
// (years inferred from the batch's YearInference: a BSD line's year depends only on the
// file's mtime, not on the lines before it, so this needs no order) and runs the message
// parsers' stateless step (AuthLineParser::ParseMessage). Then comes the one step that
// crosses lines, sshd's per-pid connection state (SshdParser::Apply: a source learnt from
// an earlier line attached to later lines, pending failures, prior_failures): the worker
// waits for the batch's turn (every earlier batch's state step done), applies the state
// to the batch's sshd lines in order, passes the turn on, and builds the batch's events.
// The state step is a table lookup and a few compares per sshd line, a small fraction of
// the per-line work; a source the state supplied is copied into the batch (the
// connection's string changes with later lines). Workers take batches first in, first
// out, so the batch whose turn it is is always held by a worker that can go on: no
// deadlock whatever the number of workers.
//
// The events, their order and contents, the skips, their order and locations are thus
// those of the single-threaded path (AuthLogLines::Emit) whatever the number of workers.
//
// Threading: AddLine, AddOverlong, SetYears, Drain on the collector thread; the workers
// touch only the batches handed to them, and the sshd state only with the turn (mu_).
// Memory: the batch being filled and at most workers + 1 in flight, each of about
// kBatchBytes (more only for a line longer than that, and then freed once emitted) and
// kBatchLines events. The events are the ones the engine hands back (CollectorContext::
// TakeSpares); once the workers made kMadeBeforeWaiting themselves, one short of them waits
// up to kSpareWaits * kSpareWait for more before making new ones (see Build).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "access_event.h"
#include "auth_line_parser.h"
#include "auth_record.h"
#include "sshd_parser.h"
#include "syslog_header.h"
#include "user_redaction.h"
#include "vigil/collector.h"

namespace vigil::access {

class AccessBuildPool {
 public:
  static constexpr size_t kBatchLines = 256;
  static constexpr size_t kBatchBytes = size_t{64} * 1024;
  // Events made fresh before a worker short of recycled ones waits for them (Build): about
  // what the pipeline holds in flight in replay (its queue, the batches, the free list).
  static constexpr size_t kMadeBeforeWaiting = 8192;
  static constexpr int kSpareWaits = 10;
  static constexpr std::chrono::microseconds kSpareWait{200};

  // `threads` workers (at least 1). `ids`, `redaction` and `path` must outlive the pool.
  // Lines' years are inferred with `years` until SetYears. `max_line_bytes`: the limit a
  // joined sudo entry stays within, and the one overlong skips name.
  AccessBuildPool(size_t threads, CollectorContext& ctx, const AccessFieldIds& ids,
                  const UserRedaction& redaction, std::string_view path,
                  size_t max_line_bytes, const YearInference& years);
  ~AccessBuildPool();  // stops and joins the workers; batches not yet emitted are dropped
  AccessBuildPool(const AccessBuildPool&) = delete;
  AccessBuildPool& operator=(const AccessBuildPool&) = delete;

  // One line of the file (not empty), starting at byte `offset`. A line indented by four
  // spaces right after an entry of sudo's own log file (no host) continues that entry: it
  // is joined on with one space, as long as the entry stays within max_line_bytes (else it
  // is dropped). Emits the batches that are finished. False when an emit failed (the
  // pipeline closed).
  bool AddLine(std::string_view line, int64_t offset);
  // An empty line: ends a sudo entry (nothing after it is joined on).
  void EndEntry() { open_ = Open::kNo; }
  // The line at `offset` was longer than max_line_bytes: skipped, reported in its place.
  // A failed emit here is returned by the next AddLine.
  void AddOverlong(int64_t offset);
  // Lines from now on infer their years from `years` (a new file's mtime).
  void SetYears(const YearInference& years);
  // Hands the current batch to the workers and emits every batch, waiting for them. False
  // as for AddLine.
  bool Drain();

 private:
  enum class Kind : uint8_t {
    kLine,      // added by the collector thread, not parsed yet
    kOverlong,  // a skip: longer than max_line_bytes
    kNoHeader,  // a skip: no syslog header
    kIgnored,   // a program Vigil does not read: nothing
    kEvent,     // parsed; record complete
    kSshd,      // parsed; record needs the sshd state (the batch's turn)
  };
  // What the collector thread writes per line.
  struct Cut {
    size_t begin = 0;  // in Batch::bytes
    size_t size = 0;
    int64_t offset = -1;
    Kind kind = Kind::kLine;
  };
  // What a worker makes of it.
  struct Parsed {
    SyslogHeader header;
    AuthRecord record;
    SshdParser::Role role = SshdParser::Role::kPlain;
    size_t source_at = SIZE_MAX;  // a source the state supplied, at this offset of `sources`
  };
  struct Batch {
    uint64_t seq = 0;   // its turn for the sshd state
    YearInference years;
    std::string bytes;  // the lines; views are made only once it is handed over
    std::vector<Cut> cuts;
    std::vector<Parsed> parsed;  // one per cut, kept for reuse (a worker's)
    std::string sources;         // the sources the sshd state supplied (a worker's)
    std::vector<Event> events;   // one per line with an event, in order (a worker's)
    bool done = false;           // guarded by mu_
    explicit Batch(const YearInference& y) : years(y) {}
  };
  // Whether the last line added may take sudo's continuation lines.
  enum class Open : uint8_t { kNo, kUnknown, kYes };

  bool StartLine(size_t need);  // submits a full batch, makes sure current_ exists
  void Submit();
  // Emits the finished batches at the front, waiting for the oldest while `keep` or more
  // are in flight.
  bool EmitReady(size_t keep);
  bool LastTakesContinuation();
  void Work();
  void Parse(Batch& b) const;
  void ApplyState(Batch& b);  // with the turn only
  void Build(Batch& b);

  CollectorContext& ctx_;
  const AccessFieldIds& ids_;
  const UserRedaction& redaction_;
  std::string_view path_;
  size_t max_line_bytes_;
  YearInference years_;
  const std::string& instance_;  // observer.name
  size_t max_in_flight_;
  std::unique_ptr<Batch> current_;
  Open open_ = Open::kNo;
  size_t open_cut_ = 0;
  bool emit_failed_ = false;  // by AddOverlong, not returned yet  // the last line's cut in current_ (when open_ is not kNo)
  uint64_t next_seq_ = 0;
  std::deque<std::unique_ptr<Batch>> in_flight_;  // oldest first (collector thread)
  std::vector<std::unique_ptr<Batch>> free_;      // emitted, for reuse (collector thread)

  SshdParser sshd_;  // only with the turn
  std::atomic<size_t> made_{0};         // events the workers made fresh
  std::atomic<bool> recycling_{false};  // the sink has handed events back

  std::mutex mu_;
  std::condition_variable work_cv_;  // workers: a batch was queued, or stopping
  std::condition_variable turn_cv_;  // workers: the sshd state's turn moved on, or stopping
  std::condition_variable done_cv_;  // collector: a batch is done
  std::deque<Batch*> queued_;        // guarded by mu_
  uint64_t turn_ = 0;                // guarded by mu_: the batch whose state step is next
  bool stop_ = false;                // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace vigil::access
