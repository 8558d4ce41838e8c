// FileTailer: reads a log file to its end and, when following, keeps reading as it grows,
// across rotation, handing each line to a LineConsumer with its byte offset. Shared by the
// collectors that read files (auth_log, journal_json, jsonl with `source: file`).
//
// Rotation:
//   rename-and-create (logrotate's default): when the path names another file, the old
//     one's writer is given poll_interval to let go of it (each write to it restarts that
//     wait), then the new file is opened, the old one is read to its end once more, its
//     unfinished last line is handed on as a line, and the new file is read from offset 0.
//     Nothing written to the old file before the switch is lost; nothing is read twice.
//   copytruncate: when the open file becomes shorter than what was read, or its first bytes
//     are no longer those read from it (truncated, then written past our offset before we
//     looked), reading restarts at 0. Bytes written between the copy and the truncation,
//     and bytes not yet read when it was truncated, are lost by copytruncate itself,
//     whoever reads.
// Waiting at the end of the file: with `inotify` (the default) the tailer sleeps until
// inotify reports a change to the file or to its name (file_watch.h), and checks anyway
// every watch_rescan; without it, or when inotify cannot be used, it checks growth and
// rotation every poll_interval. The checks are the same either way: inotify only says when
// to look. After each wake-up a truncation is looked for before reading on. The consumer's
// NewFile is called whenever reading (re)starts: at the start, after a rotation and after a
// truncation. Before each wait the tailer hands on the events the consumer held back with
// CollectorContext::EmitBatched (FlushEmits), so live events never wait for a batch to fill.
//
// Positions (file_position.h) are loaded at start with `start_at: saved` and saved every
// checkpoint_lines lines or checkpoint_interval, after a rotation, and when Run returns
// (never past the first line the consumer still holds, LineConsumer::HeldFrom),
// each time through a barrier (CollectorContext::AfterCommitted): the file is written only
// once the events of the lines before the position were consumed and their alerts stored,
// so a crash (kill -9) makes the next run read those lines again rather than lose them.
// With start_at:
//   saved     resume at the saved offset if the file is the same (device, inode and
//             fingerprint of its head); if it is another file (rotated while Vigil was
//             down), first read the rest of the saved one when it is found renamed in the
//             same directory under a name that starts with the path's (auth.log.1), then
//             the new one from 0; from the end when nothing was saved;
//   beginning from 0;  end  from the current end.
// A file that did not exist yet when Run started (waited for while following) is new:
// it is read from 0 whatever start_at says. A file that is not a regular one (a character
// device, /dev/stdin) is read from where it stands, without rotation or truncation checks.
// With no state_file nothing is loaded or saved (replay).
//
// Threading: Run on the collector thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "file_position.h"
#include "file_watch.h"
#include "line_assembler.h"
#include "vigil/collector.h"
#include "vigil/metric_writer.h"

namespace vigil {

enum class StartAt { kBeginning, kEnd, kSaved };

struct TailOptions {
  std::string path;
  StartAt start_at = StartAt::kSaved;
  bool follow = true;
  std::chrono::milliseconds poll_interval{250};
  // Wake on inotify events (file_watch.h) rather than every poll_interval; the file is still
  // checked every watch_rescan in case an event never comes. Polling when inotify cannot be
  // used, and for files that are not regular ones.
  bool inotify = true;
  std::chrono::milliseconds watch_rescan{2000};
  size_t max_line_bytes = size_t{64} * 1024;
  std::string state_file;  // empty: no persisted position
  uint64_t checkpoint_lines = 1000;
  std::chrono::milliseconds checkpoint_interval{5000};
  std::string log_name = "tail";  // prefixes log messages: the collector instance
  // Not the tailer's: threads the line consumer may build events on in replay (auth_log's
  // `workers`); 1: on the collector thread.
  size_t workers = 1;
};

// Where a collector instance's position is saved: `<state_dir>/offsets/<instance>.json`.
// Empty (no saved position) in replay and when there is no state_dir.
std::string PositionStateFile(const CollectorEnv& env);

// What a tailer has done, for /metrics: written by the collector thread, read by the
// metrics thread (WriteTailMetrics). Owned by the collector, so it outlives each Run.
struct TailCounters {
  std::atomic<uint64_t> lines{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> rotations{0};
  std::atomic<uint64_t> truncations{0};
};

// vigil_tail_{lines,bytes,rotations,truncations}_total{collector}.
void WriteTailMetrics(const TailCounters& counters, MetricWriter& out, const std::string& instance);

class FileTailer {
 public:
  explicit FileTailer(TailOptions options, TailCounters* counters = nullptr)
      : options_(std::move(options)), counters_(counters) {}

  // Returns at end of file (not following), when ctx is stopping, or when the consumer
  // asks to stop. An error only when the file cannot be opened or read.
  Status Run(CollectorContext& ctx, LineConsumer& consumer);

  uint64_t rotations() const { return rotations_; }
  uint64_t truncations() const { return truncations_; }

 private:
  struct Open;
  Status OpenFile(CollectorContext& ctx, Open* f, bool* waited);
  // Waits for a change (inotify) or up to `timeout`; false when stopping.
  bool Wait(CollectorContext& ctx, std::chrono::milliseconds timeout);
  void StartWatch();
  void FollowFile(const Open& f);
  // The first bytes of the open file differ from those read from it (head_).
  bool HeadChanged(const Open& f) const;
  void RememberHead(const Open& f, uint64_t upto);
  // Sets *rotated to the saved position when it is that of another file.
  uint64_t StartOffset(const Open& f, bool waited, std::optional<FilePosition>* rotated);
  // Reads the rest of the file a saved position belongs to, if it is found renamed beside
  // the path (same device, inode and head), before the new file is read.
  void ReadRotated(CollectorContext& ctx, LineConsumer& consumer, const FilePosition& saved);
  // Saves the position after the last complete line once what the lines before it caused
  // is durable (CollectorContext::AfterCommitted).
  void Save(CollectorContext& ctx, const Open& f, const LineAssembler& lines);

  void Count(std::atomic<uint64_t> TailCounters::*field, uint64_t n = 1) {
    if (counters_ != nullptr) (counters_->*field).fetch_add(n, std::memory_order_relaxed);
  }

  TailOptions options_;
  TailCounters* counters_;  // not owned; may be null
  uint64_t rotations_ = 0;
  uint64_t truncations_ = 0;
  uint64_t saved_offset_ = UINT64_MAX;
  std::unique_ptr<FileWatch> watch_;  // null: polling
  std::string head_;  // the first bytes (up to kFingerprintBytes) read from the open file
  const LineConsumer* consumer_ = nullptr;  // during Run: asked where held lines start
};

}  // namespace vigil
