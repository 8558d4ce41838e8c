// FileTailer: reads a log file to its end and, when following, keeps reading as it grows,
// across rotation, handing each line to a LineConsumer with its byte offset. Shared by the
// collectors that read files (auth_log, journal_json, jsonl with `source: file`).
//
// Rotation:
//   rename-and-create (logrotate's default): when the path names another file (or none
//     yet), the old descriptor is read to its end first, its unfinished last line is handed
//     on as a line, then the new file is opened and read from offset 0. Nothing written to
//     the old file before the switch is lost; nothing is read twice.
//   copytruncate: when the open file becomes shorter than what was read, reading restarts
//     at 0 (bytes written between the copy and the truncation are lost by copytruncate
//     itself, whoever reads).
// Growth and rotation are checked every poll_interval once the end is reached. The
// consumer's NewFile is called whenever reading (re)starts: at the start, after a
// rotation and after a truncation.
//
// Positions (file_position.h) are loaded at start with `start_at: saved` and saved every
// checkpoint_lines lines or checkpoint_interval, after a rotation, and when Run returns:
//   saved     resume at the saved offset if the file is the same (device, inode and
//             fingerprint of its head); read from 0 if it is another file (rotated while
//             Vigil was down); from the end when nothing was saved;
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
#include <string>

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
  size_t max_line_bytes = size_t{64} * 1024;
  std::string state_file;  // empty: no persisted position
  uint64_t checkpoint_lines = 1000;
  std::chrono::milliseconds checkpoint_interval{5000};
  std::string log_name = "tail";  // prefixes log messages: the collector instance
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
  uint64_t StartOffset(const Open& f, bool waited);
  void Save(const Open& f, const LineAssembler& lines);

  void Count(std::atomic<uint64_t> TailCounters::*field, uint64_t n = 1) {
    if (counters_ != nullptr) (counters_->*field).fetch_add(n, std::memory_order_relaxed);
  }

  TailOptions options_;
  TailCounters* counters_;  // not owned; may be null
  uint64_t rotations_ = 0;
  uint64_t truncations_ = 0;
  uint64_t saved_offset_ = UINT64_MAX;
};

}  // namespace vigil
