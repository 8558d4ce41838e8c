// FileTailer: rotation by rename-and-create and by copytruncate while lines are written,
// restart from saved positions (no loss, no duplicates), a file replaced while stopped,
// and lines cut at random places across writes; each following test runs with inotify and
// with polling. The Inotify* tests give the tailer an hour between checks of its own, so
// they pass only if inotify wakes it.
#include "file_tailer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <cstdio>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "file_position.h"
#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::TempDir;

class NullSink : public EventSink {
 public:
  bool Push(Event&&) override { return true; }
};

class Recorder : public LineConsumer {
 public:
  bool Line(std::string_view line, uint64_t offset) override {
    std::lock_guard lock(mu_);
    lines_.emplace_back(line);
    offsets_.push_back(offset);
    return true;
  }
  void Overlong(uint64_t) override { ++overlong_; }
  // Called at each end of file; a test may block the tailer there.
  bool AtEnd() override {
    ++ends_;
    if (at_end_) at_end_();
    return true;
  }
  std::function<void()> at_end_;  // set before the tailer starts
  std::atomic<int> ends_{0};
  size_t size() const {
    std::lock_guard lock(mu_);
    return lines_.size();
  }
  std::vector<std::string> lines() const {
    std::lock_guard lock(mu_);
    return lines_;
  }
  std::vector<uint64_t> offsets() const {
    std::lock_guard lock(mu_);
    return offsets_;
  }
  std::atomic<int> overlong_{0};

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
  std::vector<uint64_t> offsets_;
};

// Runs a tailer on its own thread until Stop().
class Follower {
 public:
  explicit Follower(TailOptions o, std::function<void()> at_end = nullptr)
      : ctx_("auth_log", sink_, RunMode::kLive, [](std::string_view, std::string_view) {}),
        tailer_(std::move(o), &counters) {
    rec.at_end_ = std::move(at_end);
    thread_ = std::thread([this] { status_ = tailer_.Run(ctx_, rec); });
  }
  ~Follower() { Stop(); }
  void Stop() {
    if (!thread_.joinable()) return;
    ctx_.RequestStop();
    thread_.join();
  }
  Recorder rec;
  TailCounters counters;  // before tailer_, which points at it
  Status status_;

 private:
  NullSink sink_;
  CollectorContext ctx_;
  FileTailer tailer_;
  std::thread thread_;
};

void Append(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
}

std::string Numbered(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += "line " + std::to_string(i) + "\n";
  return s;
}

std::vector<std::string> Expected(int from, int to) {
  std::vector<std::string> v;
  for (int i = from; i < to; ++i) v.push_back("line " + std::to_string(i));
  return v;
}

TailOptions Live(const std::string& path, StartAt at = StartAt::kBeginning, bool inotify = true) {
  TailOptions o;
  o.path = path;
  o.start_at = at;
  o.follow = true;
  o.poll_interval = 5ms;
  o.inotify = inotify;
  return o;
}

// Only inotify wakes the tailer: its own checks are an hour apart. poll_interval remains
// the time a renamed file's writer is given.
TailOptions WatchedOnly(const std::string& path) {
  TailOptions o = Live(path);
  o.watch_rescan = 1h;
  return o;
}

// The following tests, with inotify (true) and with polling (false).
class FollowTest : public ::testing::TestWithParam<bool> {
 protected:
  TailOptions Live(const std::string& path, StartAt at = StartAt::kBeginning) {
    return ::vigil::Live(path, at, GetParam());
  }
};
INSTANTIATE_TEST_SUITE_P(FileTailer, FollowTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "inotify" : "polling"; });

TEST_P(FollowTest, RenameAndCreateDuringWrites) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  Append(path, "");
  Follower f(Live(path));
  std::this_thread::sleep_for(30ms);  // let it open the first file
  int next = 0;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 50; ++i, ++next) Append(path, Numbered(next, next + 1));
    ASSERT_EQ(std::rename(path.c_str(), (path + "." + std::to_string(round)).c_str()), 0);
    // The writer keeps writing to the renamed file a little, as syslog does before its HUP.
    Append(path + "." + std::to_string(round), Numbered(next, next + 5));
    next += 5;
    Append(path, Numbered(next, next + 5));  // the new file, before the tailer switches
    next += 5;
    // A path can only be followed if it is not rotated twice between two polls.
    std::this_thread::sleep_for(40ms);
  }
  Append(path, Numbered(next, next + 10));
  next += 10;
  EXPECT_TRUE(Eventually([&] { return f.rec.size() >= static_cast<size_t>(next); }, 20s))
      << f.rec.size() << " of " << next;
  std::this_thread::sleep_for(50ms);
  f.Stop();
  EXPECT_EQ(f.rec.lines(), Expected(0, next));
  EXPECT_EQ(f.counters.lines.load(), static_cast<uint64_t>(next));
  EXPECT_EQ(f.counters.rotations.load(), 20u);
}

TEST_P(FollowTest, CopyTruncate) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  Append(path, "");
  Follower f(Live(path));
  int next = 0;
  for (int round = 0; round < 10; ++round) {
    Append(path, Numbered(next, next + 30));
    next += 30;
    ASSERT_TRUE(Eventually([&] { return f.rec.size() == static_cast<size_t>(next); }));
    ASSERT_EQ(truncate(path.c_str(), 0), 0);  // logrotate copied it, now truncates
    std::this_thread::sleep_for(20ms);
  }
  Append(path, Numbered(next, next + 3));
  next += 3;
  ASSERT_TRUE(Eventually([&] { return f.rec.size() >= static_cast<size_t>(next); }));
  f.Stop();
  EXPECT_EQ(f.rec.lines(), Expected(0, next));
  EXPECT_EQ(f.counters.lines.load(), static_cast<uint64_t>(next));
  EXPECT_EQ(f.counters.truncations.load(), 10u);
  EXPECT_GT(f.counters.bytes.load(), 0u);
}

TEST_P(FollowTest, RestartResumesFromSavedPosition) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  TailOptions o = Live(path, StartAt::kSaved);
  o.state_file = dir.File("state/offsets/auth_log.json");
  Append(path, Numbered(0, 10));  // before the first start, no saved position: not read
  std::vector<std::string> all;
  {
    Follower f(o);
    // It starts at the end: wait until it is there before writing.
    ASSERT_TRUE(Eventually([&] { return f.rec.ends_.load() > 0; }, 20s));
    Append(path, Numbered(10, 100));
    ASSERT_TRUE(Eventually([&] { return f.rec.size() == 90; }));
    f.Stop();
    all = f.rec.lines();
  }
  Append(path, Numbered(100, 150));  // written while Vigil was down
  Append(path, "line 150 unfinished");  // a line without its newline yet
  {
    Follower f(o);
    ASSERT_TRUE(Eventually([&] { return f.rec.size() == 50; }));
    Append(path, " end\n");
    ASSERT_TRUE(Eventually([&] { return f.rec.size() == 51; }));
    f.Stop();
    for (auto& l : f.rec.lines()) all.push_back(l);
  }
  std::vector<std::string> want = Expected(10, 150);
  want.push_back("line 150 unfinished end");
  EXPECT_EQ(all, want);
}

TEST_P(FollowTest, FileReplacedWhileStoppedIsReadFromStart) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  TailOptions o = Live(path, StartAt::kBeginning);
  o.state_file = dir.File("offsets/a.json");
  Append(path, "");
  {
    Follower f(o);
    Append(path, Numbered(0, 20));
    ASSERT_TRUE(Eventually([&] { return f.rec.size() == 20; }));
  }
  auto saved = LoadFilePosition(o.state_file);
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_EQ((*saved)->offset, Numbered(0, 20).size());
  // Rotated while down: a new file, longer than the saved offset, different head.
  ASSERT_EQ(std::rename(path.c_str(), (path + ".1").c_str()), 0);
  Append(path, Numbered(1000, 1040));
  o.start_at = StartAt::kSaved;
  Follower f(o);
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 40; }));
  f.Stop();
  EXPECT_EQ(f.rec.lines(), Expected(1000, 1040));
}

TEST_P(FollowTest, RandomSplitsAcrossWrites) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  Append(path, "");
  Follower f(Live(path));
  std::string text = Numbered(0, 3000);
  std::mt19937 rng(4);
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t n = std::min<size_t>(text.size() - pos, 1 + rng() % 200);
    Append(path, text.substr(pos, n));
    pos += n;
    if (rng() % 50 == 0) std::this_thread::sleep_for(2ms);
  }
  ASSERT_TRUE(Eventually([&] { return f.rec.size() >= 3000; }, 20s));
  f.Stop();
  EXPECT_EQ(f.rec.lines(), Expected(0, 3000));
  const auto offsets = f.rec.offsets();
  EXPECT_EQ(offsets[1], std::string("line 0\n").size());
}

TEST(FileTailer, OverlongLineIsSkippedWithBoundedMemory) {
  TempDir dir;
  const std::string path = dir.File("big.log");
  Append(path, "before\n" + std::string(10 << 20, 'x') + "\nafter\n");
  TailOptions o;
  o.path = path;
  o.start_at = StartAt::kBeginning;
  o.follow = false;
  NullSink sink;
  CollectorContext ctx("t", sink, RunMode::kReplay, [](std::string_view, std::string_view) {});
  Recorder rec;
  FileTailer tailer(o);
  ASSERT_TRUE(tailer.Run(ctx, rec).ok());
  EXPECT_EQ(rec.lines(), (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(rec.overlong_.load(), 1);
}

// A consumer that still holds lines (an audit event being assembled) keeps the saved
// position before the first of them, so a restart reads them again.
TEST(FileTailer, SavedPositionStopsAtTheFirstHeldLine) {
  class Holder : public Recorder {
   public:
    bool Line(std::string_view line, uint64_t offset) override {
      if (line == "line 7") held_ = offset;
      return Recorder::Line(line, offset);
    }
    uint64_t HeldFrom() const override { return held_; }
    uint64_t held_ = UINT64_MAX;
  };
  TempDir dir;
  const std::string path = dir.File("audit.log");
  Append(path, Numbered(0, 20));
  TailOptions o;
  o.path = path;
  o.start_at = StartAt::kBeginning;
  o.follow = false;
  o.state_file = dir.File("offsets/a.json");
  NullSink sink;
  CollectorContext ctx("t", sink, RunMode::kLive, [](std::string_view, std::string_view) {});
  Holder rec;
  FileTailer tailer(o);
  ASSERT_TRUE(tailer.Run(ctx, rec).ok());
  EXPECT_EQ(rec.size(), 20u);
  auto saved = LoadFilePosition(o.state_file);
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_EQ((*saved)->offset, Numbered(0, 7).size());
  // Nothing held: the position is the end.
  Recorder all;
  FileTailer again(o);
  ASSERT_TRUE(again.Run(ctx, all).ok());
  saved = LoadFilePosition(o.state_file);
  ASSERT_TRUE(saved.ok() && saved->has_value());
  EXPECT_EQ((*saved)->offset, Numbered(0, 20).size());
}

TEST(FileTailer, InotifyWakesOnGrowthRenameAndCreation) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  Follower f(WatchedOnly(path));  // the file does not exist yet: the directory is watched
  Append(path, Numbered(0, 10));
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 10; }, 20s)) << f.rec.size();
  Append(path, Numbered(10, 20));
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 20; }, 20s)) << f.rec.size();
  ASSERT_EQ(std::rename(path.c_str(), (path + ".1").c_str()), 0);
  Append(path + ".1", Numbered(20, 25));  // the writer has not reopened yet
  Append(path, Numbered(25, 40));
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 40; }, 20s)) << f.rec.size();
  f.Stop();
  EXPECT_TRUE(f.status_.ok()) << f.status_.message();
  EXPECT_EQ(f.rec.lines(), Expected(0, 40));
  EXPECT_EQ(f.counters.rotations.load(), 1u);
}

TEST(FileTailer, InotifyWakesOnTruncation) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  Append(path, "");
  Follower f(WatchedOnly(path));
  Append(path, Numbered(0, 30));
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 30; }, 20s));
  ASSERT_EQ(truncate(path.c_str(), 0), 0);
  ASSERT_TRUE(Eventually([&] { return f.counters.truncations.load() == 1; }, 20s));
  Append(path, Numbered(30, 35));
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 35; }, 20s));
  f.Stop();
  EXPECT_EQ(f.rec.lines(), Expected(0, 35));
}

TEST(FileTailer, InotifyFollowsADeletedAndRecreatedFile) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  Append(path, "");
  Follower f(WatchedOnly(path));
  Append(path, Numbered(0, 5));
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 5; }, 20s));
  ASSERT_EQ(unlink(path.c_str()), 0);
  Append(path, Numbered(5, 9));
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 9; }, 20s)) << f.rec.size();
  f.Stop();
  EXPECT_EQ(f.rec.lines(), Expected(0, 9));
}

TEST(FileTailer, FileRotatedWhileStoppedIsReadToItsEndFirst) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  TailOptions o = Live(path, StartAt::kSaved);
  o.state_file = dir.File("offsets/a.json");
  Append(path, "");
  {
    Follower f(o);
    ASSERT_TRUE(Eventually([&] { return f.rec.ends_.load() > 0; }, 20s));
    Append(path, Numbered(0, 20));
    ASSERT_TRUE(Eventually([&] { return f.rec.size() == 20; }, 20s));
  }
  // While stopped: more lines, then logrotate renames the file and a new one is written.
  Append(path, Numbered(20, 30));
  ASSERT_EQ(std::rename(path.c_str(), (path + ".1").c_str()), 0);
  Append(path, Numbered(30, 45));
  Follower f(o);
  ASSERT_TRUE(Eventually([&] { return f.rec.size() == 25; }, 20s)) << f.rec.size();
  f.Stop();
  EXPECT_EQ(f.rec.lines(), Expected(20, 45));
  EXPECT_EQ(f.counters.rotations.load(), 1u);
}

// copytruncate where the writer writes past our offset before the tailer looks: the size
// alone does not show the truncation, the file's first bytes do.
TEST_P(FollowTest, TruncatedAndRewrittenPastTheOffsetIsReadFromTheStart) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  Append(path, "");
  std::mutex mu;
  std::condition_variable cv;
  bool hold = false, held = false;
  TailOptions o = Live(path);
  Follower* fp = nullptr;
  {
    // The tailer stops in AtEnd, after reading "line 0".."line 9", while the test rewrites.
    auto f = std::make_unique<Follower>(o, [&] {
      std::unique_lock lock(mu);
      if (!hold) return;
      held = true;
      cv.notify_all();
      cv.wait(lock, [&] { return !hold; });
    });
    fp = f.get();
    Append(path, Numbered(0, 10));
    ASSERT_TRUE(Eventually([&] { return fp->rec.size() == 10; }, 20s));
    {
      std::unique_lock lock(mu);
      hold = true;
      Append(path, "x\n");  // wakes the tailer, which reads it and stops at its end
      ASSERT_TRUE(cv.wait_for(lock, 20s, [&] { return held; }));
    }
    ASSERT_EQ(truncate(path.c_str(), 0), 0);
    Append(path, Numbered(100, 120));  // longer than what was read
    {
      std::lock_guard lock(mu);
      hold = false;
    }
    cv.notify_all();
    ASSERT_TRUE(Eventually([&] { return fp->rec.size() == 31; }, 20s)) << fp->rec.size();
    f->Stop();
    std::vector<std::string> want = Expected(0, 10);
    want.push_back("x");
    for (auto& l : Expected(100, 120)) want.push_back(l);
    EXPECT_EQ(f->rec.lines(), want);
    EXPECT_EQ(f->counters.truncations.load(), 1u);
  }
}

}  // namespace
}  // namespace vigil
