// FileTailer: rotation by rename-and-create and by copytruncate while lines are written,
// restart from saved positions (no loss, no duplicates), a file replaced while stopped,
// and lines cut at random places across writes.
#include "file_tailer.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
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
  explicit Follower(TailOptions o)
      : ctx_("auth_log", sink_, RunMode::kLive, [](std::string_view, std::string_view) {}),
        tailer_(std::move(o), &counters) {
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

TailOptions Live(const std::string& path, StartAt at = StartAt::kBeginning) {
  TailOptions o;
  o.path = path;
  o.start_at = at;
  o.follow = true;
  o.poll_interval = 5ms;
  return o;
}

TEST(FileTailer, RenameAndCreateDuringWrites) {
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

TEST(FileTailer, CopyTruncate) {
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

TEST(FileTailer, RestartResumesFromSavedPosition) {
  TempDir dir;
  const std::string path = dir.File("auth.log");
  TailOptions o = Live(path, StartAt::kSaved);
  o.state_file = dir.File("state/offsets/auth_log.json");
  Append(path, Numbered(0, 10));  // before the first start, no saved position: not read
  std::vector<std::string> all;
  {
    Follower f(o);
    std::this_thread::sleep_for(30ms);
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

TEST(FileTailer, FileReplacedWhileStoppedIsReadFromStart) {
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

TEST(FileTailer, RandomSplitsAcrossWrites) {
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

}  // namespace
}  // namespace vigil
