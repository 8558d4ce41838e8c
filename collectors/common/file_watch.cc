#include "file_watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace vigil {
namespace {

constexpr uint32_t kDirEvents = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR;
constexpr uint32_t kFileEvents = IN_MODIFY | IN_MOVE_SELF | IN_DELETE_SELF | IN_ATTRIB;

}  // namespace

Result<std::unique_ptr<FileWatch>> FileWatch::Create(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (name.empty()) return Status::InvalidArgument(path + ": no file name to watch");
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Status::FromErrno("inotify_init1", errno);
  const int wd = inotify_add_watch(fd, dir.c_str(), kDirEvents);
  if (wd < 0) {
    const int err = errno;
    close(fd);
    return Status::FromErrno("inotify_add_watch " + dir, err);
  }
  return std::unique_ptr<FileWatch>(new FileWatch(fd, wd, name));
}

FileWatch::~FileWatch() {
  if (fd_ >= 0) close(fd_);
}

Status FileWatch::Follow(int fd) {
  if (file_wd_ >= 0) inotify_rm_watch(fd_, file_wd_);  // may fail if the file is gone: fine
  file_wd_ = -1;
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  const int wd = inotify_add_watch(fd_, proc.c_str(), kFileEvents);
  if (wd < 0) return Status::FromErrno("inotify_add_watch " + proc, errno);
  // The directory and the file are different inodes, so their descriptors differ.
  file_wd_ = wd;
  return Status::Ok();
}

bool FileWatch::Drain() {
  alignas(inotify_event) char buf[16 * 1024];
  bool relevant = false;
  while (true) {
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // EAGAIN: nothing more queued
    }
    if (n == 0) break;
    for (ssize_t at = 0; at + static_cast<ssize_t>(sizeof(inotify_event)) <= n;) {
      inotify_event ev;
      std::memcpy(&ev, buf + at, sizeof ev);
      const char* ev_name = buf + at + sizeof(inotify_event);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev.len);
      if ((ev.mask & IN_Q_OVERFLOW) != 0) {
        ++overflows_;  // events were lost: the caller's stat check finds what they said
        relevant = true;
      } else if (ev.wd == file_wd_) {
        relevant = true;
      } else if (ev.wd == dir_wd_ && ev.len > 0 && name_ == ev_name) {
        relevant = true;  // ev_name is NUL-padded to ev.len
      }
    }
  }
  return relevant;
}

bool FileWatch::Wait(const CollectorContext& ctx, std::chrono::milliseconds timeout) {
  using std::chrono::milliseconds;
  constexpr milliseconds kMaxWait = std::chrono::hours(24 * 365 * 100);
  const auto deadline = std::chrono::steady_clock::now() + std::clamp(timeout, milliseconds(0), kMaxWait);
  pollfd p[2] = {{ctx.stop_fd(), POLLIN, 0}, {fd_, POLLIN, 0}};
  while (!ctx.stopping()) {
    const auto left = std::chrono::ceil<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const int rc = poll(p, 2, static_cast<int>(std::min<int64_t>(left.count(), INT_MAX)));
    if (rc < 0 && errno != EINTR) break;
    if (rc > 0 && (p[1].revents & POLLIN) != 0 && Drain()) break;
  }
  return !ctx.stopping();
}

}  // namespace vigil
