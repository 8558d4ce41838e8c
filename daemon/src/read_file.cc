#include "vigil/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace vigil {
namespace {

// Closes the descriptor on every way out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Status ErrnoStatus(int err) {
  std::string why = std::generic_category().message(err);
  return err == ENOENT ? Status::NotFound(std::move(why)) : Status::IoError(std::move(why));
}

}  // namespace

std::string_view FileTypeName(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

std::string SizeLimitText(size_t bytes) {
  if (bytes >= (size_t{1} << 20) && bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno);
  if (!S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition("is " + std::string(FileTypeName(st.st_mode)) + ", not a regular file");
  }
  const std::string too_large = "over the limit of " + SizeLimitText(max_bytes);
  if (static_cast<uint64_t>(st.st_size) > max_bytes) return Status::InvalidArgument(too_large);
  std::string text;
  text.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(errno);
    if (n == 0) break;
    if (text.size() + static_cast<size_t>(n) > max_bytes) return Status::InvalidArgument(too_large);
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

}  // namespace vigil
