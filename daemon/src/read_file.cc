#include "vigil/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
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

Status NotRegular(mode_t mode) {
  return Status::FailedPrecondition("is " + std::string(FileTypeName(mode)) + ", not a regular file");
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

Result<std::string> ReadRegularFile(const std::string& path, size_t max_bytes, NullDevice null_device) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0) {
    const int err = errno;
    // A socket cannot be opened at all (ENXIO): say what it is rather than why open failed.
    if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) return NotRegular(st.st_mode);
    return ErrnoStatus(err);
  }
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(errno);
  if (null_device == NullDevice::kEmpty && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) return std::string();
  if (!S_ISREG(st.st_mode)) return NotRegular(st.st_mode);
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
