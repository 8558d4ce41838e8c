#include "change_watcher.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/statfs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include "tree_walker.h"

namespace vigil::retention {
namespace {

std::atomic<int> injected_overflows{0};  // InjectWatcherOverflowForTesting

constexpr uint32_t kMask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE |
                           IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR |
                           IN_DONT_FOLLOW | IN_EXCL_UNLINK;

std::string Join(const std::string& dir, const char* name) {
  std::string p = dir;
  if (p.empty() || p.back() != '/') p += '/';
  p += name;
  return p;
}

class InotifyWatcher : public ChangeWatcher {
 public:
  explicit InotifyWatcher(const WatchOptions& o) : o_(o) {}
  ~InotifyWatcher() override {
    if (fd_ >= 0) close(fd_);
  }

  Status Init(ChangeBatch* out) {
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0) return Status::FromErrno("inotify_init1", errno);
    for (const std::string& root : o_.roots) {
      struct stat st {};
      if (lstat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      AddTree(root, 0, st.st_dev, out);
      if (out->limit_reached) return Status::Ok();
    }
    return Status::Ok();
  }

  std::string_view kind() const override { return "inotify"; }
  size_t watches() const override { return by_wd_.size(); }

  Status Poll(std::chrono::milliseconds timeout, ChangeBatch* out) override {
    if (gave_up_) {
      out->limit_reached = true;
      return Status::Ok();
    }
    if (injected_overflows.load(std::memory_order_relaxed) > 0 &&
        injected_overflows.fetch_sub(1, std::memory_order_relaxed) > 0) {
      // What the kernel queues when fs.inotify.max_queued_events is exceeded.
      struct inotify_event ev {};
      ev.wd = -1;
      ev.mask = IN_Q_OVERFLOW;
      Handle(ev, out);
      return Status::Ok();
    }
    struct pollfd p {fd_, POLLIN, 0};
    const int n = poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0) return errno == EINTR ? Status::Ok() : Status::FromErrno("poll inotify", errno);
    if (n == 0) return Status::Ok();
    alignas(struct inotify_event) char buf[64 * 1024];
    for (;;) {  // everything queued: the two halves of a rename arrive together
      const ssize_t len = read(fd_, buf, sizeof buf);
      if (len < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        return Status::FromErrno("read inotify", errno);
      }
      if (len == 0) break;
      for (ssize_t off = 0; off + static_cast<ssize_t>(sizeof(struct inotify_event)) <= len;) {
        const auto* ev = reinterpret_cast<const struct inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(struct inotify_event) + ev->len);
        Handle(*ev, out);
        if (gave_up_) return Status::Ok();
      }
    }
    return Status::Ok();
  }

 private:
  struct Watch {
    std::string path;
    int depth;
    uint64_t dev;
  };

  void Handle(const struct inotify_event& ev, ChangeBatch* out) {
    if (ev.mask & IN_Q_OVERFLOW) {
      out->overflow = true;
      return;
    }
    auto it = by_wd_.find(ev.wd);
    if (it == by_wd_.end()) return;  // a watch already dropped
    if (ev.mask & IN_IGNORED) {
      by_path_.erase(it->second.path);
      by_wd_.erase(it);
      return;
    }
    const Watch w = it->second;
    if (ev.mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
      out->paths.push_back(w.path);
      return;
    }
    if (ev.len == 0 || ev.name[0] == '\0') {
      out->paths.push_back(w.path);  // the directory's own attributes
      return;
    }
    const std::string path = Join(w.path, ev.name);
    if (ev.mask & IN_ISDIR) {
      if (ev.mask & (IN_MOVED_FROM | IN_DELETE)) DropTree(path);
      if (ev.mask & (IN_CREATE | IN_MOVED_TO)) {
        struct stat st {};
        // A new directory: watch it (and what is already in it) before it is rescanned, so
        // that nothing created in it from now on is missed.
        if (lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) AddTree(path, w.depth + 1, w.dev, out);
      }
    }
    out->paths.push_back(path);
  }

  // Watches `dir` and the directories below it that a scan would enter.
  void AddTree(const std::string& top, int top_depth, uint64_t scope_dev, ChangeBatch* out) {
    std::vector<std::pair<std::string, int>> stack{{top, top_depth}};
    while (!stack.empty()) {
      auto [dir, depth] = std::move(stack.back());
      stack.pop_back();
      if (depth > o_.max_depth) continue;
      struct stat st {};
      if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      if (static_cast<uint64_t>(st.st_dev) != scope_dev && !o_.cross_device) continue;
      if (by_path_.count(dir) == 0) {
        if (by_wd_.size() >= o_.max_watches) {
          GiveUp(out);
          return;
        }
        const int wd = inotify_add_watch(fd_, dir.c_str(), kMask);
        if (wd < 0) {
          if (errno == ENOSPC || errno == ENOMEM) {
            GiveUp(out);
            return;
          }
          continue;  // vanished or unreadable: the scan counts it
        }
        by_wd_[wd] = Watch{dir, depth, scope_dev};
        by_path_[dir] = wd;
      }
      DIR* d = opendir(dir.c_str());
      if (d == nullptr) continue;
      while (struct dirent* e = readdir(d)) {
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) stack.emplace_back(Join(dir, e->d_name), depth + 1);
      }
      closedir(d);
    }
  }

  void DropTree(const std::string& top) {
    for (auto it = by_path_.begin(); it != by_path_.end();) {
      if (PathUnder(it->first, top)) {
        inotify_rm_watch(fd_, it->second);
        by_wd_.erase(it->second);
        it = by_path_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void GiveUp(ChangeBatch* out) {
    gave_up_ = true;
    out->limit_reached = true;
    for (const auto& [wd, w] : by_wd_) inotify_rm_watch(fd_, wd);
    by_wd_.clear();
    by_path_.clear();
  }

  WatchOptions o_;
  int fd_ = -1;
  bool gave_up_ = false;
  std::unordered_map<int, Watch> by_wd_;
  std::unordered_map<std::string, int> by_path_;
};

// fanotify with FAN_MARK_FILESYSTEM and FAN_REPORT_DFID_NAME: one mark per filesystem of the
// roots; each event names its directory by file handle (resolved to a path here) and the
// entry's name. Events outside the roots (the mark covers the whole filesystem) are dropped.
class FanotifyWatcher : public ChangeWatcher {
 public:
  explicit FanotifyWatcher(const WatchOptions& o) : o_(o) {}
  ~FanotifyWatcher() override {
    for (const Fs& f : filesystems_) close(f.mount_fd);
    if (mounts_fd_ >= 0) close(mounts_fd_);
    if (fd_ >= 0) close(fd_);
  }

  Status Init() {
    fd_ = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK | FAN_REPORT_DFID_NAME, O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) return Status::FromErrno("fanotify_init", errno);
    for (const std::string& root : o_.roots) {
      VIGIL_RETURN_IF_ERROR(Mark(root));
    }
    // With cross_device, the filesystems mounted below a root too, then and later: the mount
    // table's file signals each change (POLLPRI). One that cannot be marked (no file handles,
    // say) is left to the scheduled scans.
    if (o_.cross_device) {
      mounts_fd_ = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
      std::string text;
      if (ReadMountInfo(&text)) {
        mounts_ = MountsBelow(text, o_.roots);
        for (const std::string& mount : mounts_) (void)Mark(mount);
      }
    }
    return Status::Ok();
  }

  // The mount table changed: marks the filesystems newly mounted below a root, and reports
  // each mount point that came or went as a changed path, so that the collector rescans what
  // is there now (files on a new mount existed before its mark).
  void Remount(ChangeBatch* out) {
    std::string text;
    if (!ReadMountInfo(&text)) return;
    std::vector<std::string> now = MountsBelow(text, o_.roots);
    for (const std::string& mount : now) {
      if (std::find(mounts_.begin(), mounts_.end(), mount) != mounts_.end()) continue;
      (void)Mark(mount);
      out->paths.push_back(mount);
    }
    for (const std::string& mount : mounts_) {
      if (std::find(now.begin(), now.end(), mount) != now.end()) continue;
      Release(mount);
      out->paths.push_back(mount);
    }
    mounts_ = std::move(now);
  }

  // A filesystem detached from below a root (`umount -l`; a plain umount is refused as busy
  // while its handle is open): its mark removed and its handle closed, so that it can go.
  void Release(const std::string& mount) {
    for (auto it = filesystems_.begin(); it != filesystems_.end(); ++it) {
      if (it->path != mount) continue;
      (void)fanotify_mark(fd_, FAN_MARK_REMOVE | FAN_MARK_FILESYSTEM, kMask, it->mount_fd, nullptr);
      close(it->mount_fd);
      filesystems_.erase(it);
      return;
    }
  }

  // One FAN_MARK_FILESYSTEM mark for the filesystem of `dir`, unless it has one.
  static constexpr uint64_t kMask = FAN_CREATE | FAN_DELETE | FAN_MOVED_FROM | FAN_MOVED_TO | FAN_MODIFY |
                                    FAN_CLOSE_WRITE | FAN_ATTRIB | FAN_DELETE_SELF | FAN_MOVE_SELF | FAN_ONDIR;

  Status Mark(const std::string& dir) {
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Status::Ok();
    struct statfs sf {};
    if (statfs(dir.c_str(), &sf) != 0) return Status::FromErrno("statfs " + dir, errno);
    for (const Fs& f : filesystems_) {
      if (std::memcmp(&f.fsid, &sf.f_fsid, sizeof sf.f_fsid) == 0) return Status::Ok();
    }
    if (fanotify_mark(fd_, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, kMask, AT_FDCWD, dir.c_str()) != 0) {
      return Status::FromErrno("fanotify_mark " + dir, errno);
    }
    const int mfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (mfd < 0) return Status::FromErrno("open " + dir, errno);
    filesystems_.push_back(Fs{sf.f_fsid, mfd, dir});
    return Status::Ok();
  }

  // The whole mount table, read again from the start of mounts_fd_.
  bool ReadMountInfo(std::string* out) const {
    if (mounts_fd_ < 0 || lseek(mounts_fd_, 0, SEEK_SET) != 0) return false;
    char buf[16384];
    for (;;) {
      const ssize_t n = read(mounts_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      out->append(buf, static_cast<size_t>(n));
      if (out->size() > (64u << 20)) break;  // bounded: a pathological mount table
    }
    return true;
  }

  std::string_view kind() const override { return "fanotify"; }
  size_t watches() const override { return filesystems_.size(); }

  Status Poll(std::chrono::milliseconds timeout, ChangeBatch* out) override {
    alignas(8) char buf[64 * 1024];
    if (injected_overflows.load(std::memory_order_relaxed) > 0 &&
        injected_overflows.fetch_sub(1, std::memory_order_relaxed) > 0) {
      // What the kernel queues when more events wait than the group's queue holds.
      struct fanotify_event_metadata m {};
      m.event_len = sizeof m;
      m.vers = FANOTIFY_METADATA_VERSION;
      m.metadata_len = sizeof m;
      m.mask = FAN_Q_OVERFLOW;
      m.fd = FAN_NOFD;
      std::memcpy(buf, &m, sizeof m);
      return Decode(buf, sizeof m, out);
    }
    // mounts_fd_ -1 (no cross_device): poll ignores the entry.
    struct pollfd p[2] = {{fd_, POLLIN, 0}, {mounts_fd_, POLLPRI, 0}};
    const int n = poll(p, 2, static_cast<int>(timeout.count()));
    if (n < 0) return errno == EINTR ? Status::Ok() : Status::FromErrno("poll fanotify", errno);
    if (n == 0) return Status::Ok();
    if (p[1].revents & (POLLPRI | POLLERR)) Remount(out);
    if (!(p[0].revents & POLLIN)) return Status::Ok();
    for (;;) {
      const ssize_t len = read(fd_, buf, sizeof buf);
      if (len < 0) {
        if (errno == EAGAIN || errno == EINTR) break;
        return Status::FromErrno("read fanotify", errno);
      }
      if (len == 0) break;
      VIGIL_RETURN_IF_ERROR(Decode(buf, static_cast<size_t>(len), out));
    }
    return Status::Ok();
  }

  // Events follow one another at their event_len, which a file name makes no multiple of 8:
  // every header is copied out of the buffer rather than used in place (a misaligned access
  // otherwise), and every length is checked against what was read.
  Status Decode(const char* buf, size_t total, ChangeBatch* out) {
    size_t off = 0;
    while (total - off >= sizeof(struct fanotify_event_metadata)) {
      struct fanotify_event_metadata m;
      std::memcpy(&m, buf + off, sizeof m);
      if (m.event_len < sizeof m || m.event_len > total - off) break;
      if (m.vers != FANOTIFY_METADATA_VERSION) return Status::Internal("fanotify: unknown metadata version");
      if (m.fd >= 0) close(m.fd);
      if (m.mask & FAN_Q_OVERFLOW) {
        out->overflow = true;
      } else {
        Handle(buf + off, m, out);
      }
      off += m.event_len;
    }
    return Status::Ok();
  }

 private:
  struct Fs {
    fsid_t fsid;
    int mount_fd;
    std::string path;  // the directory it was marked through (a root or a mount point)
  };

  // The information records of one event (`event` points at its metadata, `m`): for a
  // directory file handle with or without a name, the changed path.
  void Handle(const char* event, const struct fanotify_event_metadata& m, ChangeBatch* out) {
    if (m.metadata_len < sizeof m || m.metadata_len > m.event_len) return;
    const char* p = event + m.metadata_len;
    const char* const end = event + m.event_len;
    while (static_cast<size_t>(end - p) >= sizeof(struct fanotify_event_info_header)) {
      struct fanotify_event_info_header hdr;
      std::memcpy(&hdr, p, sizeof hdr);
      if (hdr.len < sizeof hdr || hdr.len > static_cast<size_t>(end - p)) return;
      if (hdr.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME || hdr.info_type == FAN_EVENT_INFO_TYPE_DFID) {
        // The record: header, fsid, struct file_handle (handle_bytes, handle_type, the handle),
        // then for DFID_NAME the name, NUL-terminated.
        const char* q = p + sizeof hdr;
        const char* const record_end = p + hdr.len;
        __kernel_fsid_t fsid;
        uint32_t handle_bytes = 0;
        int32_t handle_type = 0;
        if (static_cast<size_t>(record_end - q) < sizeof fsid + 8) return;
        std::memcpy(&fsid, q, sizeof fsid);
        q += sizeof fsid;
        std::memcpy(&handle_bytes, q, 4);
        std::memcpy(&handle_type, q + 4, 4);
        q += 8;
        if (handle_bytes > MAX_HANDLE_SZ || handle_bytes > static_cast<size_t>(record_end - q)) return;
        alignas(struct file_handle) unsigned char storage[sizeof(struct file_handle) + MAX_HANDLE_SZ];
        auto* handle = reinterpret_cast<struct file_handle*>(storage);
        handle->handle_bytes = handle_bytes;
        handle->handle_type = handle_type;
        std::memcpy(handle->f_handle, q, handle_bytes);
        q += handle_bytes;
        std::string name;
        if (hdr.info_type == FAN_EVENT_INFO_TYPE_DFID_NAME && q < record_end) {
          name.assign(q, strnlen(q, static_cast<size_t>(record_end - q)));
        }
        Resolve(fsid, handle, name, out);
      }
      p += hdr.len;
    }
  }

  void Resolve(const __kernel_fsid_t& fsid, struct file_handle* handle, const std::string& name,
               ChangeBatch* out) {
    int mount_fd = -1;
    for (const Fs& f : filesystems_) {
      if (std::memcmp(&f.fsid, &fsid, sizeof fsid) == 0) mount_fd = f.mount_fd;
    }
    if (mount_fd < 0) return;
    const int dfd = open_by_handle_at(mount_fd, handle, O_PATH | O_CLOEXEC);
    if (dfd < 0) return;  // the directory is gone: its own deletion names it at its parent
    char link[64];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", dfd);
    char target[4096];
    const ssize_t n = readlink(link, target, sizeof target - 1);
    close(dfd);
    if (n <= 0) return;
    std::string dir(target, static_cast<size_t>(n));
    if (dir.empty() || dir[0] != '/') return;  // not reachable from our root
    const std::string path = name.empty() || name == "." ? dir : Join(dir, name.c_str());
    for (const std::string& root : o_.roots) {
      if (!PathUnder(path, root)) continue;
      int depth = 0;
      for (size_t i = root.size(); i < path.size(); ++i) depth += path[i] == '/';
      if (depth <= o_.max_depth + 1) out->paths.push_back(path);
      return;
    }
  }

  WatchOptions o_;
  int fd_ = -1;
  int mounts_fd_ = -1;                // /proc/self/mountinfo, with cross_device
  std::vector<std::string> mounts_;  // mount points below a root, as last read
  std::vector<Fs> filesystems_;
};

}  // namespace

Result<std::unique_ptr<ChangeWatcher>> MakeInotifyWatcher(const WatchOptions& options, ChangeBatch* out) {
  auto w = std::make_unique<InotifyWatcher>(options);
  VIGIL_RETURN_IF_ERROR(w->Init(out));
  return std::unique_ptr<ChangeWatcher>(std::move(w));
}

Result<std::unique_ptr<ChangeWatcher>> MakeFanotifyWatcher(const WatchOptions& options) {
  auto w = std::make_unique<FanotifyWatcher>(options);
  VIGIL_RETURN_IF_ERROR(w->Init());
  return std::unique_ptr<ChangeWatcher>(std::move(w));
}

std::vector<std::string> MountsBelow(std::string_view mountinfo, const std::vector<std::string>& roots) {
  // A line: id parent major:minor root mount-point options ... - type source super-options;
  // the mount point's space, tab, newline and backslash are written \040 \011 \012 \134.
  std::vector<std::string> out;
  size_t at = 0;
  while (at < mountinfo.size()) {
    size_t eol = mountinfo.find('\n', at);
    if (eol == std::string_view::npos) eol = mountinfo.size();
    const std::string_view line = mountinfo.substr(at, eol - at);
    at = eol + 1;
    size_t field = 0, pos = 0;
    std::string_view mount;
    while (pos <= line.size() && field <= 4) {
      size_t end = line.find(' ', pos);
      if (end == std::string_view::npos) end = line.size();
      if (field == 4) mount = line.substr(pos, end - pos);
      ++field;
      pos = end + 1;
    }
    if (field <= 4 || mount.empty() || mount[0] != '/') continue;  // malformed: skipped
    std::string path;
    for (size_t i = 0; i < mount.size(); ++i) {
      if (mount[i] == '\\' && i + 3 < mount.size() &&
          mount[i + 1] >= '0' && mount[i + 1] <= '3' && mount[i + 2] >= '0' && mount[i + 2] <= '7' &&
          mount[i + 3] >= '0' && mount[i + 3] <= '7') {
        path += static_cast<char>((mount[i + 1] - '0') * 64 + (mount[i + 2] - '0') * 8 + (mount[i + 3] - '0'));
        i += 3;
      } else {
        path += mount[i];
      }
    }
    for (const std::string& root : roots) {
      if (path != root && PathUnder(path, root)) {
        out.push_back(std::move(path));
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void InjectWatcherOverflowForTesting() { injected_overflows.fetch_add(1, std::memory_order_relaxed); }

std::vector<std::string> CoalescePaths(std::vector<std::string> paths) {
  std::sort(paths.begin(), paths.end(),
            [](const std::string& a, const std::string& b) { return a.size() != b.size() ? a.size() < b.size() : a < b; });
  std::unordered_set<std::string> kept;
  std::vector<std::string> out;
  for (std::string& p : paths) {
    if (kept.count(p)) continue;
    // Shorter paths came first: an ancestor of p, if any, is already kept.
    bool covered = kept.count("/") > 0 && p != "/";
    for (size_t at = p.find('/', 1); !covered && at != std::string::npos; at = p.find('/', at + 1)) {
      covered = kept.count(p.substr(0, at)) > 0;
    }
    if (covered) continue;
    kept.insert(p);
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace vigil::retention
