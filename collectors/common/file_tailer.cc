#include "file_tailer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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
    if (!ctx.SleepFor(options_.poll_interval)) return Status::Ok();
  }
  if (fstat(f->fd, &f->st) != 0) return Status::FromErrno("fstat " + options_.path, errno);
  return Status::Ok();
}

uint64_t FileTailer::StartOffset(const Open& f, bool waited) {
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
  VIGIL_LOG(kInfo) << options_.log_name << ": " << options_.path
                   << (same ? " was truncated" : " is a new file") << " since the saved position; reading it from the start";
  return 0;
}

void FileTailer::Save(const Open& f, const LineAssembler& lines) {
  if (options_.state_file.empty() || f.fd < 0 || !S_ISREG(f.st.st_mode)) return;
  if (lines.complete_end() == saved_offset_) return;
  FilePosition p;
  p.device = static_cast<uint64_t>(f.st.st_dev);
  p.inode = static_cast<uint64_t>(f.st.st_ino);
  p.offset = lines.complete_end();
  const uint64_t limit = p.offset < kFingerprintBytes ? p.offset : kFingerprintBytes;
  if (!Fingerprint(f.fd, static_cast<uint32_t>(limit), &p.fingerprint, &p.fingerprint_bytes).ok()) return;
  Status s = SaveFilePosition(options_.state_file, options_.path, p);
  if (!s.ok()) {
    VIGIL_LOG(kWarning) << options_.log_name << ": cannot save position: " << s.message();
    return;
  }
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

Status FileTailer::Run(CollectorContext& ctx, LineConsumer& outer) {
  CountingConsumer consumer(outer, counters_ != nullptr ? &counters_->lines : nullptr);
  Open f;
  bool waited = false;
  VIGIL_RETURN_IF_ERROR(OpenFile(ctx, &f, &waited));
  if (f.fd < 0) return Status::Ok();  // stopping while waiting
  const bool regular = S_ISREG(f.st.st_mode);
  LineAssembler lines(options_.max_line_bytes);
  const uint64_t start = StartOffset(f, waited);
  lines.Reset(start);
  if (regular && lseek(f.fd, static_cast<off_t>(start), SEEK_SET) < 0) {
    return Status::FromErrno("lseek " + options_.path, errno);
  }
  consumer.NewFile(MTime(f.st));

  std::string buf(kChunk, '\0');
  uint64_t lines_at_save = 0;
  auto last_save = std::chrono::steady_clock::now();
  const auto maybe_save = [&] {
    const auto now = std::chrono::steady_clock::now();
    if (lines.lines() - lines_at_save >= options_.checkpoint_lines ||
        now - last_save >= options_.checkpoint_interval) {
      Save(f, lines);
      lines_at_save = lines.lines();
      last_save = now;
    }
  };
  bool draining = false;  // the path names a new file: read the old one to its end first
  while (!ctx.stopping()) {
    const ssize_t n = read(f.fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      Save(f, lines);
      return Status::FromErrno("read " + options_.path, err);
    }
    if (n > 0) {
      Count(&TailCounters::bytes, static_cast<uint64_t>(n));
      draining = false;  // the old file is still written to: wait for it to go quiet
      if (!lines.Feed(std::string_view(buf.data(), static_cast<size_t>(n)), consumer)) break;
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
      if (!ctx.SleepFor(options_.poll_interval)) break;
      continue;
    }
    struct stat path_st {};
    struct stat fd_st {};
    const bool path_ok = stat(options_.path.c_str(), &path_st) == 0;
    if (fstat(f.fd, &fd_st) == 0 && static_cast<uint64_t>(fd_st.st_size) < lines.read_end()) {
      ++truncations_;  // copytruncate
      Count(&TailCounters::truncations);
      lines.Reset(0);
      saved_offset_ = UINT64_MAX;
      if (lseek(f.fd, 0, SEEK_SET) < 0) return Status::FromErrno("lseek " + options_.path, errno);
      f.st = fd_st;
      consumer.NewFile(MTime(f.st));
      continue;
    }
    if (path_ok && !SameFile(path_st, f.st)) {
      if (!draining) {
        // The writer may still hold the old file until it reopens (rsyslog after its
        // HUP): give it one poll interval, then read the old file to its end once more.
        draining = true;
        if (!ctx.SleepFor(options_.poll_interval)) break;
        continue;
      }
      draining = false;
      if (!lines.Finish(consumer) || !consumer.AtEnd()) break;
      Open next;
      VIGIL_RETURN_IF_ERROR(OpenFile(ctx, &next, nullptr));
      if (next.fd < 0) break;
      std::swap(f.fd, next.fd);
      f.st = next.st;
      ++rotations_;
      Count(&TailCounters::rotations);
      lines.Reset(0);
      saved_offset_ = UINT64_MAX;
      consumer.NewFile(MTime(f.st));
      Save(f, lines);
      continue;
    }
    if (!ctx.SleepFor(options_.poll_interval)) break;
  }
  Save(f, lines);
  return Status::Ok();
}

}  // namespace vigil
