// The `jsonl` collector: ECS events as JSON lines, read from a file, a FIFO or a unix socket.
//
// Any program that can write one JSON object per line can feed Vigil this way, and
// `vigil replay --jsonl F` reads recorded events through it. Each line goes through
// EventFromJson (daemon/src/event_json.h); the collector itself adds only `event.kind`
// ("event", when absent) and, in live mode, `@timestamp` (now, when absent). In replay
// mode an event without `@timestamp` keeps none, so that the same input gives the same
// output.
//
// Config keys (a `collectors:` entry of type jsonl):
//   path            required; the file, FIFO or socket path
//   source          file | fifo | unix_socket (default file)
//   start_at        beginning | end | saved (default saved: resume a file from the position
//                   saved in <state_dir>/offsets/<name>.json, else start at its end; replay
//                   always reads from the beginning and neither loads nor saves positions)
//   follow          keep reading after end of input (default: true live, false in replay)
//   max_line_bytes  64..67108864 (default 1048576); longer lines are skipped, not buffered
//   poll_interval   how often a followed file is checked for growth and rotation when
//                   polling, and how long a rotated file's writer is waited for (250ms)
//   inotify         wake on inotify events rather than every poll_interval (default true;
//                   false forces polling). Files only.
//
// A file is read with FileTailer (collectors/common/file_tailer.h), as auth_log reads
// its: rotation by rename-and-create and by copytruncate, positions saved while running.
//
// Bad lines are never fatal: malformed JSON, wrong types and overlong lines are passed to
// CollectorContext::Skip with their location: "PATH:LINE" for files and FIFOs (lines count
// from 1; after `start_at: end` or `saved` they count from where reading began, after
// rotation or truncation they start again at 1) and "PATH#CONN:LINE" for the CONN-th
// connection to a socket. Empty and blank lines are ignored without a skip.
//
// Threading: everything here runs on the collector's own thread (Collector::Run); the
// classes below are not shared between threads.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "file_tailer.h"
#include "vigil/collector.h"

namespace vigil::jsonl {

enum class SourceKind { kFile, kFifo, kUnixSocket };

struct JsonlOptions {
  std::string path;
  SourceKind source = SourceKind::kFile;
  StartAt start_at = StartAt::kSaved;  // files only
  bool follow = true;
  size_t max_line_bytes = size_t{1} << 20;
  std::chrono::milliseconds poll_interval{250};
  bool inotify = true;  // files only
  RunMode mode = RunMode::kLive;
  std::string state_file;  // the saved position of a file; empty: none (replay)
  std::string instance = "jsonl";
};

// Turns one line into an event and hands it on, or reports why it could not.
class LineHandler {
 public:
  LineHandler(const JsonlOptions& options, CollectorContext& ctx) : options_(options), ctx_(ctx) {}
  // `where` and `line_no` locate the line for Skip. Returns false when the pipeline will
  // take no more events (replay after shutdown): the caller stops reading.
  bool Line(const std::string& where, uint64_t line_no, std::string_view line);
  void Overlong(const std::string& where, uint64_t line_no);

 private:
  const JsonlOptions& options_;
  CollectorContext& ctx_;
};

// Cuts a byte stream into lines. Keeps at most max_line_bytes of an unfinished line: a
// longer line is reported once as overlong and its remaining bytes are dropped up to the
// next newline.
class LineSplitter {
 public:
  LineSplitter(std::string where, size_t max_line_bytes)
      : where_(std::move(where)), max_(max_line_bytes) {}

  // Hands each complete line in `data` to `handler`. False: the handler asked to stop.
  bool Feed(std::string_view data, LineHandler& handler);
  // End of this input: a last line without a newline is a line too.
  bool Finish(LineHandler& handler);
  // Forgets any unfinished line and counts lines from 1 again (truncation, new file).
  void Restart();

 private:
  std::string where_;  // the location prefix, e.g. the path
  size_t max_;
  std::string pending_;  // the unfinished line
  uint64_t line_ = 0;    // lines completed so far
  bool discarding_ = false;
};

// The three sources (ReadFile through FileTailer). Each returns when its input ends (not
// following), when the context is stopping, or when the pipeline refuses events; an error
// only when the source cannot be opened or read at all.
Status ReadFile(const JsonlOptions& options, CollectorContext& ctx, LineHandler& handler);
Status ReadFifo(const JsonlOptions& options, CollectorContext& ctx, LineHandler& handler);
Status ServeUnixSocket(const JsonlOptions& options, CollectorContext& ctx, LineHandler& handler);

class JsonlCollectorFactory : public CollectorFactory {
 public:
  std::string_view name() const override { return "jsonl"; }
  std::string_view description() const override {
    return "ECS events as JSON lines from a file, FIFO or unix socket";
  }
  Status DeclareFields(FieldRegistry& fields) const override;
  Result<std::unique_ptr<Collector>> Create(ConfigSection& section,
                                            const CollectorEnv& env) const override;
  // Files written by other programs, whatever their mode.
  std::vector<Capability> capabilities() const override { return {Capability::kDacReadSearch}; }
};

}  // namespace vigil::jsonl
