// RecordReader: reads an audit log line by line from a byte offset, for verification and
// for bringing the store up to date. Lines are bounded (kMaxRecordBytes); a last line
// without its newline is reported as torn, not returned as a record.
//
// Threading: one thread per reader.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "vigil/status.h"

namespace vigil::audit {

class RecordReader {
 public:
  RecordReader() = default;
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;
  ~RecordReader();

  // Reads from `offset` up to byte `end` of the file (a size taken earlier: what was
  // appended after it is not read).
  Status Open(const std::string& path, uint64_t offset = 0, uint64_t end = UINT64_MAX);
  // The next complete line (without its newline): true, or false at the end. At the end,
  // torn_bytes() tells how many bytes followed the last newline.
  Result<bool> Next(std::string& line);
  uint64_t offset() const { return offset_; }  // bytes consumed up to the end of the last line
  uint64_t torn_bytes() const { return torn_; }

 private:
  std::FILE* f_ = nullptr;
  std::string path_;
  uint64_t offset_ = 0;
  uint64_t end_ = UINT64_MAX;
  uint64_t torn_ = 0;
};

}  // namespace vigil::audit
