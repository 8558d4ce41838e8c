// AccessBuildPool: builds access events (BuildAccessEvent) on worker threads while the
// collector thread keeps reading and parsing, and hands the events on in input order.
//
// The collector thread does everything that carries state from line to line, in order, as
// it would alone: the syslog header (year inference), sudo's wrapped lines, the message
// parsers with sshd's per-pid connection state (an IP learnt earlier attached to a later
// line), skips and their locations, the ignored-line count. What it hands to the pool is a
// line already parsed: its SyslogHeader and AuthRecord. Add() copies the line into the
// current batch's byte buffer and re-points the views into it there; the views that point
// elsewhere are the parsers' constants (left as they are) and sshd's remembered source
// (SshdParser's connection state, which a later line may change), copied too. The batch
// thus owns all it refers to. A full batch goes to the workers, which
// turn each parsed line into its event (the address parsed, user-name redaction, the
// fields added, observer.name included) — about half of the collector's work per line. Finished batches are
// emitted by the collector thread with CollectorContext::EmitBatched strictly in the order
// they were added, so the events, their order and their contents are those of the
// single-threaded path whatever the number of workers.
//
// Threading: every method on the collector thread; the workers touch only the batches
// handed to them (under the pool's mutex while queued). Memory: the batch being filled and
// at most workers + 1 in flight, each of about kBatchBytes (more only for a line longer than
// that, and then freed once emitted) and kBatchLines events.
#pragma once

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
#include "auth_record.h"
#include "syslog_header.h"
#include "user_redaction.h"
#include "vigil/collector.h"

namespace vigil::access {

class AccessBuildPool {
 public:
  static constexpr size_t kBatchLines = 256;
  static constexpr size_t kBatchBytes = size_t{64} * 1024;

  // `threads` workers (at least 1). `ids`, `redaction` and `path` must outlive the pool.
  AccessBuildPool(size_t threads, CollectorContext& ctx, const AccessFieldIds& ids,
                  const UserRedaction& redaction, std::string_view path);
  ~AccessBuildPool();  // stops and joins the workers; batches not yet emitted are dropped
  AccessBuildPool(const AccessBuildPool&) = delete;
  AccessBuildPool& operator=(const AccessBuildPool&) = delete;

  // Queues the event of one parsed line (`line` starting at byte `offset` of the file).
  // Emits the batches that are finished. False when an emit failed (the pipeline closed).
  bool Add(const SyslogHeader& header, const AuthRecord& record, std::string_view line,
           int64_t offset);
  // Hands the current batch to the workers and emits every batch, waiting for them. False
  // as for Add.
  bool Drain();

 private:
  struct Item {
    SyslogHeader header;
    AuthRecord record;
    std::string_view line;
    int64_t offset = -1;
  };
  struct Batch {
    std::string bytes;  // reserved before filling, never reallocated while views point in
    std::vector<Item> items;
    std::vector<Event> events;
    bool done = false;  // guarded by mu_
  };

  void Submit();
  // Emits the finished batches at the front, waiting for the oldest while `keep` or more
  // are in flight.
  bool EmitReady(size_t keep);
  void Work();
  void Build(Batch& b) const;

  CollectorContext& ctx_;
  const AccessFieldIds& ids_;
  const UserRedaction& redaction_;
  std::string_view path_;
  const std::string& instance_;  // observer.name
  size_t max_in_flight_;
  std::unique_ptr<Batch> current_;
  std::deque<std::unique_ptr<Batch>> in_flight_;  // oldest first (collector thread)
  std::vector<std::unique_ptr<Batch>> free_;      // emitted, for reuse (collector thread)

  std::mutex mu_;
  std::condition_variable work_cv_;  // workers: a batch was queued, or stopping
  std::condition_variable done_cv_;  // collector: a batch is done
  std::deque<Batch*> queued_;        // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace vigil::access
