#include "tree_walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vigil::retention {
namespace {

constexpr unsigned kStatxMask = STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE | STATX_MTIME |
                                STATX_CTIME | STATX_UID | STATX_GID | STATX_BTIME;
constexpr int kStatxFlags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_SYNC_AS_STAT;

int64_t Ns(const struct statx_timestamp& t) {
  // Clamp to what a nanosecond count in int64 holds (years 1678..2262).
  constexpr int64_t kMaxSec = 9'000'000'000;
  int64_t s = t.tv_sec;
  if (s > kMaxSec) s = kMaxSec;
  if (s < -kMaxSec) s = -kMaxSec;
  return s * 1'000'000'000 + t.tv_nsec;
}

void Fill(const std::string& path, const struct statx& sx, FileFacts* f) {
  f->path = path;
  f->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  f->ino = sx.stx_ino;
  f->birth_ns = (sx.stx_mask & STATX_BTIME) ? Ns(sx.stx_btime) : 0;
  f->size = static_cast<int64_t>(std::min<uint64_t>(sx.stx_size, INT64_MAX));
  f->mtime_ns = Ns(sx.stx_mtime);
  f->ctime_ns = Ns(sx.stx_ctime);
  f->mode = sx.stx_mode;
  f->uid = sx.stx_uid;
  f->gid = sx.stx_gid;
}

std::string Join(const std::string& dir, const char* name) {
  std::string p = dir;
  if (p.empty() || p.back() != '/') p += '/';
  p += name;
  return p;
}

struct Pending {
  std::string path;
  uint64_t dev;
  uint64_t ino;
  int depth;
};

void AddGap(WalkStats* stats, const std::string& path) {
  if (stats->gaps.size() < kMaxGaps) stats->gaps.push_back(path);
  else stats->gaps_overflowed = true;
}

}  // namespace

std::string_view WalkIssueName(WalkIssue issue) {
  switch (issue) {
    case WalkIssue::kOpenDir: return "open_dir";
    case WalkIssue::kReadDir: return "read_dir";
    case WalkIssue::kStat: return "stat";
    case WalkIssue::kOtherDevice: return "other_device";
    case WalkIssue::kSymlinkRoot: return "symlink_root";
    case WalkIssue::kMissingRoot: return "missing_root";
    case WalkIssue::kTooDeep: return "too_deep";
    case WalkIssue::kMaxFiles: return "max_files";
    case WalkIssue::kChanged: return "changed";
    case WalkIssue::kHash: return "hash";
    case WalkIssue::kCount: break;
  }
  return "unknown";
}

bool PathUnder(const std::string& path, const std::string& dir) {
  if (dir == "/") return !path.empty() && path[0] == '/';
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

bool WalkStats::InGap(const std::string& path) const {
  if (gaps_overflowed || truncated) return true;
  for (const std::string& g : gaps) {
    if (PathUnder(path, g)) return true;
  }
  return false;
}

bool TreeWalker::Walk(const WalkOptions& options, const FileFn& on_file, WalkStats* stats) {
  FileFacts facts;
  std::vector<Pending> stack;
  std::vector<std::string> names;
  for (const std::string& root : options.roots) {
    struct statx sx {};
    if (statx(AT_FDCWD, root.c_str(), kStatxFlags, kStatxMask, &sx) != 0) {
      if (errno == ENOENT) {
        stats->Count(WalkIssue::kMissingRoot);
      } else {
        stats->Count(WalkIssue::kStat);
        AddGap(stats, root);
      }
      continue;
    }
    if (S_ISLNK(sx.stx_mode)) {
      stats->Count(WalkIssue::kSymlinkRoot);
      continue;
    }
    if (S_ISREG(sx.stx_mode)) {
      if (stats->files >= options.max_files) {
        stats->Count(WalkIssue::kMaxFiles);
        stats->truncated = true;
        return true;
      }
      ++stats->files;
      Fill(root, sx, &facts);
      if (!on_file(facts)) return false;
      continue;
    }
    if (!S_ISDIR(sx.stx_mode)) continue;
    const uint64_t root_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    stack.push_back({root, root_dev, sx.stx_ino, 0});
    while (!stack.empty()) {
      Pending dir = std::move(stack.back());
      stack.pop_back();
      const int fd = open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) {
        stats->Count(WalkIssue::kOpenDir);
        AddGap(stats, dir.path);
        continue;
      }
      struct stat st {};
      if (fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_dev) != dir.dev ||
          static_cast<uint64_t>(st.st_ino) != dir.ino) {
        close(fd);
        stats->Count(WalkIssue::kChanged);
        AddGap(stats, dir.path);
        continue;
      }
      DIR* d = fdopendir(fd);
      if (d == nullptr) {
        close(fd);
        stats->Count(WalkIssue::kOpenDir);
        AddGap(stats, dir.path);
        continue;
      }
      ++stats->dirs;
      names.clear();
      errno = 0;
      bool read_failed = false;
      for (;;) {
        errno = 0;
        struct dirent* e = readdir(d);
        if (e == nullptr) {
          read_failed = errno != 0;
          break;
        }
        if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
        if (e->d_type == DT_LNK || e->d_type == DT_FIFO || e->d_type == DT_SOCK ||
            e->d_type == DT_CHR || e->d_type == DT_BLK) {
          continue;  // never followed, never reported
        }
        names.emplace_back(e->d_name);
      }
      if (read_failed) {
        stats->Count(WalkIssue::kReadDir);
        AddGap(stats, dir.path);
      }
      std::sort(names.begin(), names.end());
      const size_t first_child = stack.size();
      for (const std::string& name : names) {
        struct statx ex {};
        if (statx(dirfd(d), name.c_str(), kStatxFlags, kStatxMask, &ex) != 0) {
          if (errno != ENOENT) {  // vanished since listing: simply gone
            stats->Count(WalkIssue::kStat);
            AddGap(stats, Join(dir.path, name.c_str()));
          }
          continue;
        }
        if (S_ISDIR(ex.stx_mode)) {
          const uint64_t dev = makedev(ex.stx_dev_major, ex.stx_dev_minor);
          const std::string child = Join(dir.path, name.c_str());
          if (dev != root_dev && !options.cross_device) {
            stats->Count(WalkIssue::kOtherDevice);
            continue;
          }
          if (dir.depth + 1 > options.max_depth) {
            stats->Count(WalkIssue::kTooDeep);
            AddGap(stats, child);
            continue;
          }
          stack.push_back({child, dev, ex.stx_ino, dir.depth + 1});
          continue;
        }
        if (!S_ISREG(ex.stx_mode)) continue;
        if (stats->files >= options.max_files) {
          stats->Count(WalkIssue::kMaxFiles);
          stats->truncated = true;
          closedir(d);
          return true;
        }
        ++stats->files;
        Fill(Join(dir.path, name.c_str()), ex, &facts);
        if (!on_file(facts)) {
          closedir(d);
          return false;
        }
      }
      closedir(d);
      // Visit subdirectories in name order: they were pushed in order, so reverse them.
      std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first_child), stack.end());
    }
  }
  return true;
}

}  // namespace vigil::retention
