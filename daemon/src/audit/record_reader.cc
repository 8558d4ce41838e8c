#include "audit/record_reader.h"

#include <cerrno>

#include "audit/audit_record.h"

namespace vigil::audit {

RecordReader::~RecordReader() {
  if (f_ != nullptr) std::fclose(f_);
}

Status RecordReader::Open(const std::string& path, uint64_t offset, uint64_t end) {
  path_ = path;
  f_ = std::fopen(path.c_str(), "rbe");
  if (f_ == nullptr) return Status::FromErrno("open " + path, errno);
  if (offset > 0 && ::fseeko(f_, static_cast<off_t>(offset), SEEK_SET) != 0) {
    return Status::FromErrno("seek " + path, errno);
  }
  offset_ = offset;
  end_ = end;
  return Status::Ok();
}

Result<bool> RecordReader::Next(std::string& line) {
  line.clear();
  for (;;) {
    const int c = offset_ + line.size() < end_ ? getc_unlocked(f_) : EOF;
    if (c == EOF) {
      if (std::ferror(f_)) return Status::FromErrno("read " + path_, errno);
      torn_ = line.size();
      line.clear();
      return false;
    }
    if (c == '\n') {
      offset_ += line.size() + 1;
      return true;
    }
    if (line.size() >= kMaxRecordBytes) {
      return Status::ParseError(path_ + ": a line longer than " + std::to_string(kMaxRecordBytes) +
                                " bytes at offset " + std::to_string(offset_));
    }
    line.push_back(static_cast<char>(c));
  }
}

}  // namespace vigil::audit
