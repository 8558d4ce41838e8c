// LineAssembler: cuts the bytes read from a file into lines, remembering the byte offset
// at which each line starts and the offset just past the last complete line (what a
// restart resumes from: an unfinished last line is read again whole).
//
// A line longer than max_line_bytes is reported once through LineConsumer::Overlong and
// its bytes are dropped up to the next newline, so memory stays bounded whatever the input.
// NUL bytes and invalid UTF-8 are passed on as they are; parsers treat lines as bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/event.h"

namespace vigil {

class LineConsumer {
 public:
  virtual ~LineConsumer() = default;
  // One complete line without its '\n', starting at byte `offset` of the current file.
  // False: stop reading (the pipeline takes no more events).
  virtual bool Line(std::string_view line, uint64_t offset) = 0;
  // The line starting at `offset` was longer than the limit and was dropped.
  virtual void Overlong(uint64_t offset) = 0;
  // Reading (re)starts on a file: the first file, the new one after rotation, or the same
  // one from offset 0 after it was truncated.
  virtual void NewFile(Timestamp mtime) { (void)mtime; }
  // The end of what the file holds for now was reached (at each end when following).
  // False: stop reading.
  virtual bool AtEnd() { return true; }
  // The byte offset (in the current file) of the first line the consumer holds without
  // having emitted what it makes (a multi-line event still being assembled), or UINT64_MAX.
  // A saved read position does not pass it, so a restart reads those lines again.
  virtual uint64_t HeldFrom() const { return UINT64_MAX; }
};

class LineAssembler {
 public:
  explicit LineAssembler(size_t max_line_bytes) : max_(max_line_bytes) {}

  // Forgets any unfinished line; the next byte fed is at `offset`.
  void Reset(uint64_t offset);
  // False when the consumer asked to stop.
  bool Feed(std::string_view data, LineConsumer& consumer);
  // End of this file: an unfinished last line is a line too (rotation, end of replay).
  bool Finish(LineConsumer& consumer);

  uint64_t read_end() const { return read_end_; }          // offset after the last byte fed
  uint64_t complete_end() const { return complete_end_; }  // offset after the last full line
  uint64_t lines() const { return lines_; }

 private:
  size_t max_;
  std::string pending_;
  uint64_t pending_start_ = 0;
  bool discarding_ = false;
  uint64_t read_end_ = 0;
  uint64_t complete_end_ = 0;
  uint64_t lines_ = 0;
};

}  // namespace vigil
