#include "audit_snapshot.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "store/alert_store.h"

namespace vigil {
namespace {

bool Exists(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0;
}

// A shared flock on the log for as long as it lives.
class SharedLock {
 public:
  ~SharedLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor drops the lock
  }
  Status Take(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::FromErrno("open " + path, errno);
    int rc;
    do {
      rc = ::flock(fd_, LOCK_SH);
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) return Status::FromErrno("lock " + path, errno);
    return Status::Ok();
  }
  Result<uint64_t> Size(const std::string& path) const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return Status::FromErrno("stat " + path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

 private:
  int fd_ = -1;
};

}  // namespace

Result<std::optional<audit::NoteVerifier>> LoadVerifierKey(const std::string& path) {
  if (!Exists(path)) return std::optional<audit::NoteVerifier>();
  auto key = audit::LoadVerifierKey(path);
  if (!key.ok()) return key.status();
  return std::optional<audit::NoteVerifier>(std::move(*key));
}

Result<audit::VerifyOptions> SnapshotForVerify(const AuditPaths& paths) {
  audit::VerifyOptions vo;
  vo.log_path = paths.log;
  auto key = LoadVerifierKey(paths.public_key);
  if (!key.ok()) return key.status();
  vo.key = std::move(*key);

  SharedLock lock;
  VIGIL_RETURN_IF_ERROR(lock.Take(paths.log));
  auto size = lock.Size(paths.log);
  if (!size.ok()) return size.status();
  vo.log_size = *size;
  vo.checkpoint_path = paths.log + ".checkpoint";
  vo.snapshot = true;
  if (std::ifstream in(vo.checkpoint_path, std::ios::binary); in) {
    vo.checkpoint_text.emplace(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (Exists(paths.store)) {
    auto st = store::AlertStore::Open(paths.store, sqlite::kReadOnly);
    if (!st.ok()) return st.status();
    auto head = (*st)->Head();
    if (!head.ok()) return head.status();
    if (*head) {
      vo.head_seq = (*head)->seq;
      vo.head_hash = (*head)->hash;
    }
  }
  return vo;
}

}  // namespace vigil
