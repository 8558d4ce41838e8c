#include "tree_walker.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "worker_pool.h"

namespace vigil::retention {
namespace {

constexpr unsigned kStatxMask = STATX_TYPE | STATX_MODE | STATX_INO | STATX_SIZE | STATX_MTIME |
                                STATX_CTIME | STATX_UID | STATX_GID | STATX_BTIME | STATX_NLINK;
constexpr int kStatxFlags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_STATX_SYNC_AS_STAT;

int64_t Ns(const struct statx_timestamp& t) {
  // Clamp to what a nanosecond count in int64 holds (years 1678..2262).
  constexpr int64_t kMaxSec = 9'000'000'000;
  int64_t s = t.tv_sec;
  if (s > kMaxSec) s = kMaxSec;
  if (s < -kMaxSec) s = -kMaxSec;
  return s * 1'000'000'000 + t.tv_nsec;
}

void Fill(std::string path, const struct statx& sx, FileFacts* f) {
  f->path = std::move(path);
  f->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  f->ino = sx.stx_ino;
  f->birth_ns = (sx.stx_mask & STATX_BTIME) ? Ns(sx.stx_btime) : 0;
  f->size = static_cast<int64_t>(std::min<uint64_t>(sx.stx_size, INT64_MAX));
  f->mtime_ns = Ns(sx.stx_mtime);
  f->ctime_ns = Ns(sx.stx_ctime);
  f->mode = sx.stx_mode;
  f->uid = sx.stx_uid;
  f->gid = sx.stx_gid;
  f->nlink = sx.stx_nlink;
}

std::string Join(std::string_view dir, std::string_view name) {
  std::string p;
  p.reserve(dir.size() + 1 + name.size());
  p.append(dir);
  if (p.empty() || p.back() != '/') p += '/';
  p.append(name);
  return p;
}

void AddGap(WalkStats* stats, const std::string& path) {
  if (stats->gaps.size() < kMaxGaps) stats->gaps.push_back(path);
  else stats->gaps_overflowed = true;
}

struct DirJob {
  std::string path;
  uint64_t dev = 0;
  uint64_t ino = 0;
  int depth = 0;
  uint64_t root_dev = 0;
};

// One step of a directory's listing, in the order a one-thread walk takes them.
struct Item {
  enum Kind : uint8_t { kFile, kDir, kIssue } kind = kFile;
  WalkIssue issue = WalkIssue::kCount;
  bool gap = false;  // kIssue: facts.path is a gap
  FileFacts facts;   // kFile: the file; kDir: path, dev, ino; kIssue: the path
};

struct Listing {
  bool read = false;  // opened and listed (counted in dirs)
  std::vector<Item> items;
};

void IssueItem(Listing* l, WalkIssue issue, std::string path, bool gap) {
  Item it;
  it.kind = Item::kIssue;
  it.issue = issue;
  it.gap = gap;
  it.facts.path = std::move(path);
  l->items.push_back(std::move(it));
}

// Opens, lists (names in byte order) and statx's one directory. Touches nothing shared: runs
// on any thread.
Listing ListDir(const DirJob& dir, const WalkOptions& options) {
  Listing out;
  const int fd = open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    IssueItem(&out, WalkIssue::kOpenDir, dir.path, true);
    return out;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || static_cast<uint64_t>(st.st_dev) != dir.dev ||
      static_cast<uint64_t>(st.st_ino) != dir.ino) {
    close(fd);
    IssueItem(&out, WalkIssue::kChanged, dir.path, true);
    return out;
  }
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    IssueItem(&out, WalkIssue::kOpenDir, dir.path, true);
    return out;
  }
  out.read = true;
  // The names, each ended by its NUL (statx takes them so), in one buffer: one allocation
  // for the directory rather than one per name, and a sort that moves two words per name.
  std::string name_bytes;
  struct Name {
    size_t at, size;
  };
  std::vector<Name> names;
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
    const size_t size = std::strlen(e->d_name);
    names.push_back(Name{name_bytes.size(), size});
    name_bytes.append(e->d_name, size + 1);
  }
  if (read_failed) IssueItem(&out, WalkIssue::kReadDir, dir.path, true);
  const auto view = [&name_bytes](const Name& n) { return std::string_view(name_bytes).substr(n.at, n.size); };
  // Byte order, as std::string's (char_traits compares as unsigned char).
  std::sort(names.begin(), names.end(), [&view](const Name& a, const Name& b) { return view(a) < view(b); });
  out.items.reserve(out.items.size() + names.size());
  for (const Name& n : names) {
    const std::string_view name = view(n);
    struct statx ex {};
    if (statx(dirfd(d), name.data(), kStatxFlags, kStatxMask, &ex) != 0) {
      // Vanished since listing: simply gone.
      if (errno != ENOENT) IssueItem(&out, WalkIssue::kStat, Join(dir.path, name), true);
      continue;
    }
    if (S_ISDIR(ex.stx_mode)) {
      const uint64_t dev = makedev(ex.stx_dev_major, ex.stx_dev_minor);
      std::string child = Join(dir.path, name);
      if (dev != dir.root_dev && !options.cross_device) {
        IssueItem(&out, WalkIssue::kOtherDevice, std::move(child), false);
        continue;
      }
      if (dir.depth + 1 > options.max_depth) {
        IssueItem(&out, WalkIssue::kTooDeep, std::move(child), true);
        continue;
      }
      Item it;
      it.kind = Item::kDir;
      it.facts.path = std::move(child);
      it.facts.dev = dev;
      it.facts.ino = ex.stx_ino;
      out.items.push_back(std::move(it));
      continue;
    }
    if (!S_ISREG(ex.stx_mode)) continue;
    Item it;
    Fill(Join(dir.path, name), ex, &it.facts);
    out.items.push_back(std::move(it));
  }
  closedir(d);
  return out;
}

// A directory of the walk: listed by a worker ahead of time, or by the calling thread when
// it reaches it first.
struct Slot {
  DirJob job;
  enum State : uint8_t { kIdle, kQueued, kRunning, kDone } state = kIdle;
  Listing listing;
};

// The directories still to visit, and the workers listing those next in line.
class Lister {
 public:
  Lister(const WalkOptions& options)
      : options_(options),
        window_(kWindowPerWorker * static_cast<size_t>(std::max(1, options.workers))) {
    if (options.workers > 1) pool_ = std::make_unique<WorkerPool>(static_cast<size_t>(options.workers));
  }
  ~Lister() { pool_.reset(); }  // before the mutex and slots the tasks use

  // The listing of `slot`, waiting for a worker that has it, or listing it here.
  Listing Take(const std::shared_ptr<Slot>& slot) {
    {
      std::unique_lock lock(mu_);
      if (slot->state == Slot::kQueued || slot->state == Slot::kIdle) {
        if (slot->state == Slot::kQueued) --in_flight_;
        slot->state = Slot::kRunning;  // claimed: a worker that picks it up skips it
        lock.unlock();
        return ListDir(slot->job, options_);
      }
      cv_.wait(lock, [&] { return slot->state == Slot::kDone; });
      --in_flight_;
    }
    return std::move(slot->listing);
  }

  // Queues the next directories to visit (the top of `stack`, last first) up to the window.
  void Prefetch(const std::vector<std::shared_ptr<Slot>>& stack) {
    if (!pool_) return;
    std::lock_guard lock(mu_);
    for (auto it = stack.rbegin(); it != stack.rend() && in_flight_ < window_; ++it) {
      Slot& s = **it;
      if (s.state != Slot::kIdle) continue;
      s.state = Slot::kQueued;
      ++in_flight_;
      pool_->Submit([this, slot = *it](size_t) {
        {
          std::lock_guard l(mu_);
          if (slot->state != Slot::kQueued) return;
          slot->state = Slot::kRunning;
        }
        Listing listing = ListDir(slot->job, options_);
        {
          std::lock_guard l(mu_);
          slot->listing = std::move(listing);
          slot->state = Slot::kDone;
        }
        cv_.notify_all();
      });
    }
  }

 private:
  const WalkOptions& options_;
  const size_t window_;
  std::mutex mu_;
  std::condition_variable cv_;
  size_t in_flight_ = 0;  // queued, running or done and not yet taken
  std::unique_ptr<WorkerPool> pool_;
};

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

bool StatFile(const std::string& path, FileFacts* facts) {
  struct statx sx {};
  if (statx(AT_FDCWD, path.c_str(), kStatxFlags, kStatxMask, &sx) != 0) return false;
  if (!S_ISREG(sx.stx_mode)) return false;
  Fill(path, sx, facts);
  return true;
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
  Lister lister(options);
  std::vector<std::shared_ptr<Slot>> stack;
  for (size_t ri = 0; ri < options.roots.size(); ++ri) {
    const std::string& root = options.roots[ri];
    struct statx sx {};
    if (statx(AT_FDCWD, root.c_str(), kStatxFlags, kStatxMask, &sx) != 0) {
      if (errno == ENOENT || (options.partial && errno == ENOTDIR)) {
        stats->Count(WalkIssue::kMissingRoot);
      } else {
        stats->Count(WalkIssue::kStat);
        AddGap(stats, root);
      }
      continue;
    }
    if (S_ISLNK(sx.stx_mode)) {
      if (!options.partial) stats->Count(WalkIssue::kSymlinkRoot);
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
    const uint64_t own_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
    const uint64_t scope_dev =
        ri < options.root_dev.size() && options.root_dev[ri] != 0 ? options.root_dev[ri] : own_dev;
    const int depth = ri < options.root_depth.size() ? options.root_depth[ri] : 0;
    if (own_dev != scope_dev && !options.cross_device) {
      stats->Count(WalkIssue::kOtherDevice);
      continue;
    }
    if (depth > options.max_depth) {
      stats->Count(WalkIssue::kTooDeep);
      AddGap(stats, root);
      continue;
    }
    auto first = std::make_shared<Slot>();
    first->job = DirJob{root, own_dev, sx.stx_ino, depth, scope_dev};
    stack.push_back(std::move(first));
    while (!stack.empty()) {
      std::shared_ptr<Slot> slot = std::move(stack.back());
      stack.pop_back();
      lister.Prefetch(stack);  // the workers list what comes next while this one is used
      Listing listing = lister.Take(slot);
      if (listing.read) ++stats->dirs;
      const size_t first_child = stack.size();
      for (Item& it : listing.items) {
        switch (it.kind) {
          case Item::kIssue:
            stats->Count(it.issue);
            if (it.gap) AddGap(stats, it.facts.path);
            continue;
          case Item::kDir: {
            auto child = std::make_shared<Slot>();
            child->job = DirJob{it.facts.path, it.facts.dev, it.facts.ino, slot->job.depth + 1,
                                slot->job.root_dev};
            stack.push_back(std::move(child));
            continue;
          }
          case Item::kFile:
            break;
        }
        if (stats->files >= options.max_files) {
          stats->Count(WalkIssue::kMaxFiles);
          stats->truncated = true;
          return true;
        }
        ++stats->files;
        if (!on_file(it.facts)) return false;
      }
      // Visit subdirectories in name order: they were pushed in order, so reverse them.
      std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first_child), stack.end());
    }
  }
  return true;
}

}  // namespace vigil::retention
