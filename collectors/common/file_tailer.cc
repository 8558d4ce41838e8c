#include "file_tailer.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>

#include "file_position.h"
#include "vigil/log.h"

namespace vigil {
namespace {

constexpr size_t kChunk = size_t{64} * 1024;

bool SameFile(const struct stat& a, const struct stat& b) {
  return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

Timestamp MTime(const struct stat& st) {
  return Timestamp(std::chrono::seconds(st.st_mtim.tv_sec) +
                   std::chrono::nanoseconds(st.st_mtim.tv_nsec));
}

}  // namespace

std::string PositionStateFile(const CollectorEnv& env) {
  if (env.mode != RunMode::kLive || env.state_dir.empty()) return "";
  return env.state_dir + "/offsets/" + env.instance + ".json";
}

struct FileTailer::Open {
  int fd = -1;
  struct stat st {};
  ~Open() { Close(); }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

Status FileTailer::OpenFile(CollectorContext& ctx, Open* f, bool* waited) {
  bool logged = false;
  while (true) {
    f->fd = open(options_.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f->fd >= 0) break;
    const int err = errno;
    if (!options_.follow || err != ENOENT) return Status::FromErrno("open " + options_.path, err);
    if (!logged) VIGIL_LOG(kInfo) << options_.log_name << ": waiting for " << options_.path << " to appear";
    logged = true;
    if (waited != nullptr) *waited = true;
    if (!Wait(ctx, watch_ != nullptr ? options_.watch_rescan : options_.poll_interval)) return Status::Ok();
  }
  if (fstat(f->fd, &f->st) != 0) return Status::FromErrno("fstat " + options_.path, errno);
  return Status::Ok();
}

uint64_t FileTailer::StartOffset(const Open& f, bool waited, std::optional<FilePosition>* rotated) {
  if (!S_ISREG(f.st.st_mode)) return 0;  // not seekable: read from where it stands
  // A file that appeared while we waited is new: read it whole.
  const auto size = waited ? uint64_t{0} : static_cast<uint64_t>(f.st.st_size);
  switch (options_.start_at) {
    case StartAt::kBeginning:
      return 0;
    case StartAt::kEnd:
      return size;
    case StartAt::kSaved:
      break;
  }
  if (options_.state_file.empty()) return size;
  auto loaded = LoadFilePosition(options_.state_file);
  if (!loaded.ok()) {
    VIGIL_LOG(kWarning) << options_.log_name << ": ignoring saved position: " << loaded.status().message();
    return size;
  }
  if (!loaded->has_value()) return size;
  const FilePosition& saved = **loaded;
  uint64_t hash = 0;
  uint32_t bytes = 0;
  if (!Fingerprint(f.fd, saved.fingerprint_bytes, &hash, &bytes).ok()) return 0;
  const bool same = saved.device == static_cast<uint64_t>(f.st.st_dev) &&
                    saved.inode == static_cast<uint64_t>(f.st.st_ino) &&
                    bytes == saved.fingerprint_bytes && hash == saved.fingerprint;
  if (same && saved.offset <= size) return saved.offset;
  if (!same) *rotated = saved;  // maybe renamed beside it while Vigil was down: see ReadRotated
  VIGIL_LOG(kInfo) << options_.log_name << ": " << options_.path
                   << (same ? " was truncated" : " is a new file") << " since the saved position; reading it from the start";
  return 0;
}

void FileTailer::ReadRotated(CollectorContext& ctx, LineConsumer& consumer, const FilePosition& saved) {
  // The file read last time was renamed while Vigil was down (logrotate): it is in the same
  // directory under a name that starts with the path's (auth.log.1, auth.log-20261123).
  const size_t slash = options_.path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : options_.path.substr(0, slash);
  const std::string base = slash == std::string::npos ? options_.path : options_.path.substr(slash + 1);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  std::string found;
  while (const dirent* ent = readdir(d)) {
    const std::string name = ent->d_name;
    if (name.size() <= base.size() || name.compare(0, base.size(), base) != 0) continue;
    const std::string candidate = dir + "/" + name;
    struct stat st {};
    if (stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (static_cast<uint64_t>(st.st_dev) == saved.device && static_cast<uint64_t>(st.st_ino) == saved.inode) {
      found = candidate;
      break;
    }
  }
  closedir(d);
  if (found.empty()) return;
  Open old;
  old.fd = open(found.c_str(), O_RDONLY | O_CLOEXEC);
  if (old.fd < 0 || fstat(old.fd, &old.st) != 0) return;
  uint64_t hash = 0;
  uint32_t bytes = 0;
  if (!Fingerprint(old.fd, saved.fingerprint_bytes, &hash, &bytes).ok() || bytes != saved.fingerprint_bytes ||
      hash != saved.fingerprint || static_cast<uint64_t>(old.st.st_size) < saved.offset ||
      lseek(old.fd, static_cast<off_t>(saved.offset), SEEK_SET) < 0) {
    return;
  }
  VIGIL_LOG(kInfo) << options_.log_name << ": " << options_.path << " was rotated to " << found
                   << " since the saved position; reading the rest of it first";
  consumer.NewFile(MTime(old.st));
  LineAssembler lines(options_.max_line_bytes);
  lines.Reset(saved.offset);
  std::string buf(kChunk, '\0');
  while (!ctx.stopping()) {
    const ssize_t n = read(old.fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    Count(&TailCounters::bytes, static_cast<uint64_t>(n));
    if (!lines.Feed(std::string_view(buf.data(), static_cast<size_t>(n)), consumer)) return;
  }
  if (lines.Finish(consumer)) consumer.AtEnd();
  ++rotations_;
  Count(&TailCounters::rotations);
}

void FileTailer::Save(CollectorContext& ctx, const Open& f, const LineAssembler& lines) {
  if (options_.state_file.empty() || f.fd < 0 || !S_ISREG(f.st.st_mode)) return;
  uint64_t offset = lines.complete_end();
  if (consumer_ != nullptr) offset = std::min(offset, consumer_->HeldFrom());
  if (offset == saved_offset_) return;
  FilePosition p;
  p.device = static_cast<uint64_t>(f.st.st_dev);
  p.inode = static_cast<uint64_t>(f.st.st_ino);
  p.offset = offset;
  const uint64_t limit = p.offset < kFingerprintBytes ? p.offset : kFingerprintBytes;
  if (!Fingerprint(f.fd, static_cast<uint32_t>(limit), &p.fingerprint, &p.fingerprint_bytes).ok()) return;
  // Written once the alerts of the lines before it are stored (CollectorContext::
  // AfterCommitted): a crash before that re-reads those lines rather than losing them.
  ctx.AfterCommitted([state_file = options_.state_file, path = options_.path, name = options_.log_name, p] {
    Status s = SaveFilePosition(state_file, path, p);
    if (!s.ok()) VIGIL_LOG(kWarning) << name << ": cannot save position: " << s.message();
  });
  saved_offset_ = p.offset;
}

namespace {

// Counts the lines it passes on.
class CountingConsumer : public LineConsumer {
 public:
  CountingConsumer(LineConsumer& inner, std::atomic<uint64_t>* lines) : inner_(inner), lines_(lines) {}
  bool Line(std::string_view line, uint64_t offset) override {
    if (lines_ != nullptr) lines_->fetch_add(1, std::memory_order_relaxed);
    return inner_.Line(line, offset);
  }
  void Overlong(uint64_t offset) override { inner_.Overlong(offset); }
  void NewFile(Timestamp mtime) override { inner_.NewFile(mtime); }
  bool AtEnd() override { return inner_.AtEnd(); }

 private:
  LineConsumer& inner_;
  std::atomic<uint64_t>* lines_;
};

}  // namespace

void WriteTailMetrics(const TailCounters& c, MetricWriter& out, const std::string& instance) {
  MetricLabels l = {{"collector", instance}};
  auto v = [](const std::atomic<uint64_t>& a) {
    return static_cast<double>(a.load(std::memory_order_relaxed));
  };
  out.Counter("vigil_tail_lines_total", "Lines read from followed files.", l, v(c.lines));
  out.Counter("vigil_tail_bytes_total", "Bytes read from followed files.", l, v(c.bytes));
  out.Counter("vigil_tail_rotations_total", "Rotations followed (rename and create).", l,
              v(c.rotations));
  out.Counter("vigil_tail_truncations_total", "Truncations followed (copytruncate).", l,
              v(c.truncations));
}

bool FileTailer::Wait(CollectorContext& ctx, std::chrono::milliseconds timeout) {
  ctx.FlushEmits();  // no event waits with us in a half-full batch (EmitBatched)
  if (watch_ == nullptr) return ctx.SleepFor(timeout);
  const uint64_t before = watch_->overflows();
  const bool go_on = watch_->Wait(ctx, timeout);
  if (watch_->overflows() != before) {
    VIGIL_LOG(kInfo) << options_.log_name << ": inotify queue overflowed; checking " << options_.path;
  }
  return go_on;
}

void FileTailer::StartWatch() {
  watch_.reset();
  if (!options_.inotify || !options_.follow) return;
  auto w = FileWatch::Create(options_.path);
  if (!w.ok()) {
    VIGIL_LOG(kWarning) << options_.log_name << ": inotify unavailable (" << w.status().message()
                        << "); checking " << options_.path << " every " << options_.poll_interval.count() << "ms";
    return;
  }
  watch_ = std::move(*w);
}

void FileTailer::FollowFile(const Open& f) {
  if (watch_ == nullptr || !S_ISREG(f.st.st_mode)) return;
  Status s = watch_->Follow(f.fd);
  if (s.ok()) return;
  VIGIL_LOG(kWarning) << options_.log_name << ": cannot watch " << options_.path << " (" << s.message()
                      << "); polling it every " << options_.poll_interval.count() << "ms";
  watch_.reset();
}

bool FileTailer::HeadChanged(const Open& f) const {
  if (head_.empty()) return false;
  char buf[kFingerprintBytes];
  const ssize_t n = pread(f.fd, buf, head_.size(), 0);
  return n >= 0 && std::string_view(buf, static_cast<size_t>(n)) != head_;
}

void FileTailer::RememberHead(const Open& f, uint64_t upto) {
  const uint64_t want = upto < kFingerprintBytes ? upto : kFingerprintBytes;
  if (head_.size() >= want) return;
  char buf[kFingerprintBytes];
  const ssize_t n = pread(f.fd, buf, want, 0);
  if (n > 0) head_.assign(buf, static_cast<size_t>(n));
}

Status FileTailer::Run(CollectorContext& ctx, LineConsumer& outer) {
  CountingConsumer consumer(outer, counters_ != nullptr ? &counters_->lines : nullptr);
  consumer_ = &outer;
  struct Forget {
    const LineConsumer** p;
    ~Forget() { *p = nullptr; }
  } forget{&consumer_};
  StartWatch();
  Open f;
  bool waited = false;
  VIGIL_RETURN_IF_ERROR(OpenFile(ctx, &f, &waited));
  if (f.fd < 0) return Status::Ok();  // stopping while waiting
  const bool regular = S_ISREG(f.st.st_mode);
  if (!regular) watch_.reset();
  FollowFile(f);
  LineAssembler lines(options_.max_line_bytes);
  std::optional<FilePosition> rotated;
  const uint64_t start = StartOffset(f, waited, &rotated);
  if (rotated) ReadRotated(ctx, consumer, *rotated);
  lines.Reset(start);
  head_.clear();
  if (regular) RememberHead(f, start);
  if (regular && lseek(f.fd, static_cast<off_t>(start), SEEK_SET) < 0) {
    return Status::FromErrno("lseek " + options_.path, errno);
  }
  consumer.NewFile(MTime(f.st));
  // Where this run starts, saved at once: a crash before the first checkpoint must not
  // make the next run start at the end (nothing saved) and skip what was written meanwhile.
  Save(ctx, f, lines);

  std::string buf(kChunk, '\0');
  uint64_t lines_at_save = 0;
  auto last_save = std::chrono::steady_clock::now();
  const auto maybe_save = [&] {
    const auto now = std::chrono::steady_clock::now();
    if (lines.lines() - lines_at_save >= options_.checkpoint_lines ||
        now - last_save >= options_.checkpoint_interval) {
      Save(ctx, f, lines);
      lines_at_save = lines.lines();
      last_save = now;
    }
  };
  // Reads what the open file holds now. 1: some bytes, 0: at its end, -1: error (errno
  // set), -2: the consumer asked to stop.
  const auto read_chunk = [&]() -> int {
    while (true) {
      const uint64_t at = lines.read_end();
      const ssize_t n = read(f.fd, buf.data(), buf.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return static_cast<int>(n);
      Count(&TailCounters::bytes, static_cast<uint64_t>(n));
      if (regular && at < kFingerprintBytes && head_.size() == at) {
        const size_t more = std::min<size_t>(kFingerprintBytes - at, static_cast<size_t>(n));
        head_.append(buf.data(), more);
      }
      return lines.Feed(std::string_view(buf.data(), static_cast<size_t>(n)), consumer) ? 1 : -2;
    }
  };
  // copytruncate: the open file is shorter than what was read, or its head is not what was
  // read from it (it was truncated and written past our offset before we looked).
  const auto truncated = [&]() -> bool {
    struct stat fd_st {};
    if (fstat(f.fd, &fd_st) != 0) return false;
    if (static_cast<uint64_t>(fd_st.st_size) >= lines.read_end() && !HeadChanged(f)) return false;
    ++truncations_;
    Count(&TailCounters::truncations);
    lines.Reset(0);
    head_.clear();
    saved_offset_ = UINT64_MAX;
    f.st = fd_st;
    return true;
  };
  // After a rotation: the old file is written no more once its writer let go of it for
  // poll_interval (rsyslog writes to it until its HUP).
  bool draining = false;
  std::chrono::steady_clock::time_point drain_until{};
  bool check_first = false;  // woken after waiting: look for a truncation before reading on
  while (!ctx.stopping()) {
    if (check_first && regular && truncated()) {
      if (lseek(f.fd, 0, SEEK_SET) < 0) return Status::FromErrno("lseek " + options_.path, errno);
      consumer.NewFile(MTime(f.st));
    }
    check_first = false;
    const int got = read_chunk();
    if (got == -1) {
      const int err = errno;
      Save(ctx, f, lines);
      return Status::FromErrno("read " + options_.path, err);
    }
    if (got == -2) break;
    if (got == 1) {
      draining = false;  // the old file is still written to: wait for it to go quiet
      if (!options_.state_file.empty()) maybe_save();
      continue;
    }
    // End of the file as it is now.
    if (!options_.follow) {
      if (lines.Finish(consumer)) consumer.AtEnd();
      break;
    }
    if (!consumer.AtEnd()) break;
    if (!options_.state_file.empty()) maybe_save();
    if (!regular) {
      ctx.FlushEmits();
      if (!ctx.SleepFor(options_.poll_interval)) break;
      continue;
    }
    if (truncated()) {
      if (lseek(f.fd, 0, SEEK_SET) < 0) return Status::FromErrno("lseek " + options_.path, errno);
      consumer.NewFile(MTime(f.st));
      continue;
    }
    struct stat path_st {};
    if (stat(options_.path.c_str(), &path_st) == 0 && !SameFile(path_st, f.st)) {
      const auto now = std::chrono::steady_clock::now();
      if (!draining) drain_until = now + options_.poll_interval;
      draining = true;
      if (now < drain_until) {
        // Woken early by a write to the old file (read it) or by the directory (look again).
        if (!Wait(ctx, std::chrono::ceil<std::chrono::milliseconds>(drain_until - now))) break;
        check_first = true;
        continue;
      }
      draining = false;
      Open next;
      VIGIL_RETURN_IF_ERROR(OpenFile(ctx, &next, nullptr));
      if (next.fd < 0) break;
      // The new file is open: whatever reaches the old one from now on was written after
      // the new one existed. Read the old file to its end once more, then switch.
      int last;
      while ((last = read_chunk()) == 1) {
      }
      if (last == -1) {
        const int err = errno;
        Save(ctx, f, lines);
        return Status::FromErrno("read " + options_.path, err);
      }
      if (last == -2 || !lines.Finish(consumer) || !consumer.AtEnd()) break;
      std::swap(f.fd, next.fd);
      f.st = next.st;
      ++rotations_;
      Count(&TailCounters::rotations);
      lines.Reset(0);
      head_.clear();
      saved_offset_ = UINT64_MAX;
      FollowFile(f);
      consumer.NewFile(MTime(f.st));
      Save(ctx, f, lines);
      continue;
    }
    draining = false;
    if (!Wait(ctx, watch_ != nullptr ? options_.watch_rescan : options_.poll_interval)) break;
    check_first = true;
  }
  Save(ctx, f, lines);
  return Status::Ok();
}

}  // namespace vigil
