#include "audit/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "audit/audit_record.h"
#include "vigil/log.h"
#include "vigil/time_format.h"

namespace vigil::audit {
namespace {

Result<std::string> ReadSmallFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno("open " + path, errno);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno("read " + path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > 65536) {
      ::close(fd);
      return Status::InvalidArgument(path + ": too large for a key file");
    }
  }
  ::close(fd);
  return out;
}

Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::FromErrno("create " + tmp, errno);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::FromErrno("write " + tmp, err);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return Status::FromErrno("sync " + tmp, errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Status::FromErrno("rename " + tmp, errno);
  return Status::Ok();
}

}  // namespace

std::string CheckpointText(std::string_view origin, uint64_t size, const Hash& root) {
  std::string t(origin);
  t += '\n';
  t += std::to_string(size);
  t += '\n';
  t += Base64(AsBytes(root));
  t += '\n';
  return t;
}

Result<NoteSigner> LoadOrCreateSigner(const std::string& path, std::string_view name, bool* created) {
  if (created != nullptr) *created = false;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if ((st.st_mode & 077) != 0) {
      return Status::FailedPrecondition(path + ": the signing key must not be readable by group or others (chmod 600)");
    }
    auto text = ReadSmallFile(path);
    if (!text.ok()) return text.status();
    auto signer = NoteSigner::FromPrivateKey(*text);
    if (!signer.ok()) return Status::InvalidArgument(path + ": " + signer.status().message());
    return signer;
  }
  if (errno != ENOENT) return Status::FromErrno("stat " + path, errno);
  auto signer = NoteSigner::Generate(name);
  if (!signer.ok()) return signer.status();
  VIGIL_RETURN_IF_ERROR(WriteFileAtomically(path, signer->PrivateKeyText() + "\n", 0600));
  VIGIL_RETURN_IF_ERROR(WriteFileAtomically(path + ".pub", signer->VerifierKey() + "\n", 0644));
  if (created != nullptr) *created = true;
  return signer;
}

AuditLog::AuditLog(AuditLogOptions options, NoteSigner signer, int fd)
    : options_(std::move(options)), signer_(std::move(signer)), fd_(fd) {}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const AuditLogOptions& options, AuditOpenReport* report) {
  AuditOpenReport local;
  if (report == nullptr) report = &local;
  *report = {};
  std::string key_name = options.origin;
  for (char& c : key_name) {
    if (c == ' ' || c == '+' || static_cast<unsigned char>(c) < ' ') c = '-';
  }
  auto signer = LoadOrCreateSigner(options.key_path, key_name, &report->created_key);
  if (!signer.ok()) return signer.status();
  const int fd = ::open(options.path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return Status::FromErrno("open audit log " + options.path, errno);
  std::unique_ptr<AuditLog> log(new AuditLog(options, std::move(*signer), fd));
  if (::flock(fd, LOCK_EX) != 0) return Status::FromErrno("lock " + options.path, errno);
  log->locked_ = true;
  Status s = log->ReadAll(report);
  if (s.ok() && report->repaired_bytes > 0) {
    VIGIL_LOG(kWarning) << "audit log " << options.path << ": cut a torn last line of " << report->repaired_bytes
                        << " bytes (a crash during a write); recorded as a repair record";
    nlohmann::json data = {{"truncated_bytes", report->repaired_bytes}, {"reason", "torn last line"}};
    auto r = log->Append("repair", data.dump(), std::chrono::time_point_cast<std::chrono::nanoseconds>(
                                                    std::chrono::system_clock::now()));
    s = r.ok() ? Status::Ok() : r.status();
  }
  const Status u = log->Unlock();
  VIGIL_RETURN_IF_ERROR(s);
  VIGIL_RETURN_IF_ERROR(u);
  report->records = log->last_seq_;
  return log;
}

Status AuditLog::ReadAll(AuditOpenReport* report) {
  VIGIL_RETURN_IF_ERROR(CatchUp());
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return Status::FromErrno("stat " + options_.path, errno);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > known_size_) {
    // A torn last line: cut it (the lock is held, so no one is writing it).
    if (::ftruncate(fd_, static_cast<off_t>(known_size_)) != 0) {
      return Status::FromErrno("truncate " + options_.path, errno);
    }
    report->repaired_bytes = size - known_size_;
    repairs_.fetch_add(1, std::memory_order_relaxed);
    repaired_bytes_.fetch_add(size - known_size_, std::memory_order_relaxed);
  }
  return Status::Ok();
}

Status AuditLog::CatchUp() {
  // Folds every complete line past known_size_; a trailing partial line is left alone
  // (ReadAll cuts it when opening; at Lock time it cannot exist, as writers hold the lock).
  std::string pending;
  std::vector<char> buf(1 << 20);
  uint64_t offset = known_size_;  // file offset of buf[0]
  for (;;) {
    const ssize_t n = ::pread(fd_, buf.data(), buf.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::FromErrno("read " + options_.path, errno);
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<size_t>(n));
    size_t pos = 0;
    while (pos < chunk.size()) {
      const size_t nl = chunk.find('\n', pos);
      if (nl == std::string_view::npos) {
        pending.append(chunk.substr(pos));
        if (pending.size() > kMaxRecordBytes) {
          return Status::FailedPrecondition(options_.path + ": a line longer than " +
                                            std::to_string(kMaxRecordBytes) + " bytes at offset " +
                                            std::to_string(known_size_) + ": the log is damaged (vigil verify)");
        }
        break;
      }
      if (pending.empty()) {
        VIGIL_RETURN_IF_ERROR(Fold(chunk.substr(pos, nl - pos)));
      } else {
        pending.append(chunk.substr(pos, nl - pos));
        VIGIL_RETURN_IF_ERROR(Fold(pending));
        pending.clear();
      }
      known_size_ = offset + nl + 1;
      pos = nl + 1;
    }
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status AuditLog::Fold(std::string_view line) {
  auto rec = ParseRecordHeader(line);
  if (!rec.ok()) {
    // The chain continues over whatever is there; `vigil verify` reports the damage.
    VIGIL_LOG(kWarning) << "audit log " << options_.path << ": record after seq " << last_seq_
                        << " is not a valid record (" << rec.status().message() << "); run `vigil verify`";
    last_seq_ += 1;
  } else {
    last_seq_ = rec->seq;
    if (rec->type == "checkpoint") {
      checkpointed_size_ = last_seq_ - 1;
      last_checkpoint_time_ = rec->time;
    }
  }
  last_hash_ = Sha256(line);
  tree_.AppendLeaf(line);
  return Status::Ok();
}

Status AuditLog::Lock() {
  if (locked_) return Status::FailedPrecondition("audit log already locked");
  if (::flock(fd_, LOCK_EX) != 0) return Status::FromErrno("lock " + options_.path, errno);
  locked_ = true;
  Status s = CatchUp();
  if (!s.ok()) Unlock().IgnoreError();  // the first error is the one to report
  return s;
}

Status AuditLog::Unlock() {
  if (!locked_) return Status::Ok();
  locked_ = false;
  if (::flock(fd_, LOCK_UN) != 0) return Status::FromErrno("unlock " + options_.path, errno);
  return Status::Ok();
}

Status AuditLog::WriteLine(const std::string& line) {
  // O_APPEND and one write() per line: a crash leaves at most one torn line at the end.
  size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      // Never leave a partial line in the middle of the chain: cut it off again.
      if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(known_size_)) != 0) {
        VIGIL_LOG(kError) << "audit log " << options_.path << ": could not cut a partial write; the next start repairs it";
      }
      return Status::FromErrno("write audit log " + options_.path, err);
    }
    done += static_cast<size_t>(n);
  }
  known_size_ += line.size();
  return Status::Ok();
}

Result<AppendResult> AuditLog::Append(std::string_view type, std::string_view data_json, Timestamp time) {
  if (!locked_) return Status::FailedPrecondition("audit log append without Lock()");
  const uint64_t seq = last_seq_ + 1;
  std::string line = FormatRecord(seq, last_hash_, time, type, data_json);
  const Hash h = Sha256(line);
  line += '\n';
  VIGIL_RETURN_IF_ERROR(WriteLine(line));
  last_seq_ = seq;
  last_hash_ = h;
  line.pop_back();
  tree_.AppendLeaf(line);
  records_written_.fetch_add(1, std::memory_order_relaxed);
  return AppendResult{seq, h, known_size_, std::move(line)};
}

Result<Checkpoint> AuditLog::AppendCheckpoint(Timestamp now) {
  Checkpoint cp;
  cp.tree_size = tree_.size();
  cp.root = tree_.Root();
  auto note = signer_.Sign(CheckpointText(options_.origin, cp.tree_size, cp.root));
  if (!note.ok()) return note.status();
  cp.note = std::move(*note);
  nlohmann::json data = {{"tree_size", cp.tree_size}, {"root", Base64(AsBytes(cp.root))}, {"note", cp.note}};
  auto r = Append("checkpoint", data.dump(), now);
  if (!r.ok()) return r.status();
  cp.record = std::move(*r);
  checkpointed_size_ = cp.tree_size;
  last_checkpoint_time_ = now;
  checkpoints_written_.fetch_add(1, std::memory_order_relaxed);
  last_checkpoint_unix_.store(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(),
                              std::memory_order_relaxed);
  return cp;
}

Status AuditLog::Commit(Timestamp now, std::optional<Checkpoint>* checkpoint) {
  const uint64_t pending = tree_.size() - checkpointed_size_;
  const bool by_count = options_.checkpoint_every > 0 && pending >= options_.checkpoint_every;
  const bool by_time = options_.checkpoint_interval.count() > 0 && pending > 0 &&
                       now - last_checkpoint_time_ >= options_.checkpoint_interval;
  if (by_count || by_time) return CommitWithCheckpoint(now, checkpoint);
  if (checkpoint != nullptr) checkpoint->reset();
  Status s = options_.sync && ::fdatasync(fd_) != 0 ? Status::FromErrno("sync " + options_.path, errno) : Status::Ok();
  const Status u = Unlock();
  VIGIL_RETURN_IF_ERROR(s);
  return u;
}

Status AuditLog::CommitWithCheckpoint(Timestamp now, std::optional<Checkpoint>* checkpoint) {
  if (checkpoint != nullptr) checkpoint->reset();
  Status s = Status::Ok();
  if (tree_.size() > checkpointed_size_) {
    auto cp = AppendCheckpoint(now);
    if (!cp.ok()) {
      s = cp.status();
    } else {
      s = WriteFileAtomically(options_.path + ".checkpoint", cp->note, 0644);
      if (checkpoint != nullptr) *checkpoint = std::move(*cp);
    }
  }
  if (s.ok() && options_.sync && ::fdatasync(fd_) != 0) s = Status::FromErrno("sync " + options_.path, errno);
  const Status u = Unlock();
  VIGIL_RETURN_IF_ERROR(s);
  return u;
}

void AuditLog::WriteMetrics(MetricWriter& out) const {
  out.Counter("vigil_audit_log_records_total", "Records this process appended to the audit log.", {},
              static_cast<double>(records_written_.load(std::memory_order_relaxed)));
  out.Counter("vigil_audit_log_checkpoints_total", "Signed checkpoints this process appended to the audit log.", {},
              static_cast<double>(checkpoints_written_.load(std::memory_order_relaxed)));
  out.Gauge("vigil_audit_log_last_checkpoint_timestamp_seconds",
            "Unix time of the last signed checkpoint this process wrote (0: none yet).", {},
            static_cast<double>(last_checkpoint_unix_.load(std::memory_order_relaxed)));
  out.Counter("vigil_audit_log_repairs_total", "Torn last lines cut from the audit log when it was opened.", {},
              static_cast<double>(repairs_.load(std::memory_order_relaxed)));
  out.Counter("vigil_audit_log_repaired_bytes_total", "Bytes cut from the audit log by repairs.", {},
              static_cast<double>(repaired_bytes_.load(std::memory_order_relaxed)));
}

}  // namespace vigil::audit
