#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"
#include "vigil/collector.h"
#include "vigil/config_section.h"
#include "vigil/ecs_fields.h"

namespace vigil {
namespace {

using testing::Eventually;
using testing::TempDir;
using namespace std::chrono_literals;

class CapturingSink : public EventSink {
 public:
  bool Push(Event&& event) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(event));
    return true;
  }
  size_t size() const {
    std::lock_guard lock(mu_);
    return events_.size();
  }
  std::vector<Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

struct Skip {
  std::string where;
  std::string reason;
};

// A jsonl collector built from YAML, with a capturing sink and skip reporter.
class Harness {
 public:
  explicit Harness(RunMode mode)
      : mode_(mode),
        ctx_("jsonl", sink_, mode, [this](std::string_view where, std::string_view reason) {
          std::lock_guard lock(mu_);
          skips_.push_back({std::string(where), std::string(reason)});
        }) {}
  ~Harness() {
    if (thread_.joinable()) {
      ctx_.RequestStop();
      thread_.join();
    }
  }

  void Create(const std::string& yaml, const std::string& state_dir = "") {
    const CollectorFactory* factory = CollectorRegistry::Global().Find("jsonl");
    ASSERT_NE(factory, nullptr);
    ConfigSection section(YAML::Load(yaml), "test.yaml", diags_);
    auto c = factory->Create(section, CollectorEnv{"jsonl", state_dir, mode_});
    ASSERT_TRUE(c.ok()) << c.status().ToString() << "\n" << diags_.FormatText();
    collector_ = std::move(c).value();
  }
  Status RunToEnd() { return collector_->Run(ctx_); }
  void Start() {
    thread_ = std::thread([this] {
      status_ = collector_->Run(ctx_);
      done_ = true;
    });
  }
  // Stops the collector; returns how long Run() took to return.
  std::chrono::milliseconds Stop() {
    const auto start = std::chrono::steady_clock::now();
    ctx_.RequestStop();
    thread_.join();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 start);
  }
  bool done() const { return done_; }
  const Status& status() const { return status_; }

  size_t count() const { return sink_.size(); }
  std::vector<Event> events() const { return sink_.events(); }
  // The `message` of every event, in order ("-" when absent).
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const Event& e : sink_.events()) {
      const std::string* m = e.GetString(ecs::kMessage);
      out.push_back(m ? *m : "-");
    }
    return out;
  }
  std::vector<Skip> skips() const {
    std::lock_guard lock(mu_);
    return skips_;
  }

 private:
  RunMode mode_;
  CapturingSink sink_;
  mutable std::mutex mu_;
  std::vector<Skip> skips_;
  CollectorContext ctx_;
  Diagnostics diags_;
  std::unique_ptr<Collector> collector_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  Status status_;
};

std::string Line(const std::string& message) { return R"({"message":")" + message + "\"}\n"; }

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

using Strings = std::vector<std::string>;

TEST(JsonlCollectorTest, IsRegistered) {
  const CollectorFactory* f = CollectorRegistry::Global().Find("jsonl");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->description(), "ECS events as JSON lines from a file, FIFO or unix socket");
  FieldRegistry fields;
  EXPECT_TRUE(f->DeclareFields(fields).ok());
}

TEST(JsonlCollectorTest, ReplaysAFileAndSkipsBadLines) {
  TempDir dir;
  const std::string path = dir.Write(
      "in.jsonl",
      R"({"@timestamp":"2026-03-01T10:00:00Z","event":{"action":"login"},"message":"one"})"
      "\n"
      "\n"
      "   \t\r\n"
      "{not json\n" +
          std::string(R"({"source":{"ip":"abc"}})") + "\n" + Line(std::string(300, 'x')) +
          R"({"message":"last","event.kind":"alert"})");
  Harness h(RunMode::kReplay);
  h.Create("path: " + path + "\nmax_line_bytes: 128\n");
  ASSERT_TRUE(h.RunToEnd().ok());

  EXPECT_EQ(h.Messages(), (Strings{"one", "last"}));
  auto events = h.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(*events[0].GetString(ecs::kEventKind), "event");
  EXPECT_EQ(*events[0].GetString(ecs::kEventAction), "login");
  EXPECT_EQ(*events[0].GetString(ecs::kObserverName), "jsonl");
  EXPECT_EQ(*events[1].GetString(ecs::kEventKind), "alert");  // kept as given
  EXPECT_FALSE(events[1].Has(ecs::kTimestamp));               // replay adds no time of its own

  auto skips = h.skips();
  ASSERT_EQ(skips.size(), 3u);
  EXPECT_EQ(skips[0].where, path + ":4");
  EXPECT_NE(skips[0].reason.find("invalid JSON"), std::string::npos) << skips[0].reason;
  EXPECT_EQ(skips[1].where, path + ":5");
  EXPECT_EQ(skips[1].reason, R"(field 'source.ip': expected ip, got "abc")");
  EXPECT_EQ(skips[2].where, path + ":6");
  EXPECT_EQ(skips[2].reason, "line longer than 128 bytes");
}

TEST(JsonlCollectorTest, DiscardsOverlongLinesAcrossReads) {
  TempDir dir;
  // Longer than one read chunk, so the overlong line spans several reads.
  const std::string path =
      dir.Write("big.jsonl", Line("a") + Line(std::string(300'000, 'y')) + Line("b"));
  Harness h(RunMode::kReplay);
  h.Create("path: " + path + "\nmax_line_bytes: 1000\n");
  ASSERT_TRUE(h.RunToEnd().ok());
  EXPECT_EQ(h.Messages(), (Strings{"a", "b"}));
  ASSERT_EQ(h.skips().size(), 1u);
  EXPECT_EQ(h.skips()[0].where, path + ":2");
}

TEST(JsonlCollectorTest, ReplayOfAMissingFileFails) {
  TempDir dir;
  Harness h(RunMode::kReplay);
  h.Create("path: " + dir.File("nope.jsonl"));
  Status s = h.RunToEnd();
  EXPECT_EQ(s.code(), StatusCode::kIoError);
}

TEST(JsonlCollectorTest, FollowsAppendedLinesAndWaitsForTheNewline) {
  TempDir dir;
  const std::string path = dir.Write("live.jsonl", Line("old"));
  Harness h(RunMode::kLive);
  h.Create("path: " + path + "\nstart_at: beginning\npoll_interval: 20ms\n");
  h.Start();
  ASSERT_TRUE(Eventually([&] { return h.count() == 1; }));
  Append(path, Line("new") + R"({"message":"par)");
  ASSERT_TRUE(Eventually([&] { return h.count() == 2; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(h.count(), 2u);  // the unfinished line waits
  Append(path, "tial\"}\n");
  ASSERT_TRUE(Eventually([&] { return h.count() == 3; }));
  EXPECT_EQ(h.Messages(), (Strings{"old", "new", "partial"}));
  EXPECT_TRUE(h.events()[0].Has(ecs::kTimestamp));  // live: stamped with now
  h.Stop();
  EXPECT_TRUE(h.status().ok()) << h.status().ToString();
}

TEST(JsonlCollectorTest, StartsAtTheEndByDefaultInLiveMode) {
  TempDir dir;
  const std::string path = dir.Write("live.jsonl", Line("before"));
  Harness h(RunMode::kLive);
  h.Create("path: " + path + "\npoll_interval: 20ms\n");
  h.Start();
  std::this_thread::sleep_for(100ms);
  Append(path, Line("after"));
  ASSERT_TRUE(Eventually([&] { return h.count() == 1; }));
  EXPECT_EQ(h.Messages(), (Strings{"after"}));
}

TEST(JsonlCollectorTest, WaitsForAFileToAppearAndReadsItWhole) {
  TempDir dir;
  const std::string path = dir.File("later.jsonl");
  Harness h(RunMode::kLive);
  h.Create("path: " + path + "\npoll_interval: 20ms\n");
  h.Start();
  std::this_thread::sleep_for(100ms);
  dir.Write("later.jsonl", Line("first"));
  ASSERT_TRUE(Eventually([&] { return h.count() == 1; }));
  EXPECT_EQ(h.Messages(), (Strings{"first"}));
}

TEST(JsonlCollectorTest, RereadsATruncatedFile) {
  TempDir dir;
  const std::string path = dir.Write("t.jsonl", Line("one") + Line("two"));
  Harness h(RunMode::kLive);
  h.Create("path: " + path + "\nstart_at: beginning\npoll_interval: 20ms\n");
  h.Start();
  ASSERT_TRUE(Eventually([&] { return h.count() == 2; }));
  dir.Write("t.jsonl", Line("3") + "{bad\n");  // shorter than what was read
  ASSERT_TRUE(Eventually([&] { return h.count() == 3 && h.skips().size() == 1; }));
  EXPECT_EQ(h.Messages(), (Strings{"one", "two", "3"}));
  EXPECT_EQ(h.skips()[0].where, path + ":2");  // line numbers start again
}

TEST(JsonlCollectorTest, FollowsRotationByRenameAndCreate) {
  TempDir dir;
  const std::string path = dir.Write("r.jsonl", Line("a1"));
  Harness h(RunMode::kLive);
  h.Create("path: " + path + "\nstart_at: beginning\npoll_interval: 20ms\n");
  h.Start();
  ASSERT_TRUE(Eventually([&] { return h.count() == 1; }));
  ASSERT_EQ(std::rename(path.c_str(), dir.File("r.jsonl.1").c_str()), 0);
  Append(dir.File("r.jsonl.1"), Line("a2") + R"({"message":"a3"})");  // written before the switch
  dir.Write("r.jsonl", Line("b1") + "{bad\n" + Line("b3"));
  ASSERT_TRUE(Eventually([&] { return h.count() == 5; }));
  EXPECT_EQ(h.Messages(), (Strings{"a1", "a2", "a3", "b1", "b3"}));
  ASSERT_EQ(h.skips().size(), 1u);
  EXPECT_EQ(h.skips()[0].where, path + ":2");
}

TEST(JsonlCollectorTest, ResumesAFileFromTheSavedPosition) {
  TempDir dir;
  const std::string path = dir.Write("s.jsonl", Line("before"));
  const std::string state = dir.File("state");
  {
    Harness h(RunMode::kLive);
    h.Create("path: " + path + "\npoll_interval: 20ms\n", state);  // start_at: saved
    h.Start();
    std::this_thread::sleep_for(100ms);  // nothing saved yet: starts at the end
    Append(path, Line("one") + "{bad\n");
    ASSERT_TRUE(Eventually([&] { return h.count() == 1 && h.skips().size() == 1; }));
    h.Stop();
    EXPECT_EQ(h.Messages(), (Strings{"one"}));
    EXPECT_EQ(h.skips()[0].where, path + ":2");  // counted from where reading began
  }
  struct stat st {};
  EXPECT_EQ(stat((state + "/offsets/jsonl.json").c_str(), &st), 0);
  Append(path, Line("two"));  // written while stopped
  Harness h(RunMode::kLive);
  h.Create("path: " + path + "\npoll_interval: 20ms\n", state);
  h.Start();
  ASSERT_TRUE(Eventually([&] { return h.count() == 1; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(h.Messages(), (Strings{"two"}));  // nothing read twice, nothing lost
}

TEST(JsonlCollectorTest, ReadsAFifoAcrossWriters) {
  TempDir dir;
  const std::string path = dir.File("events.fifo");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  Harness h(RunMode::kReplay);
  h.Create("path: " + path + "\nsource: fifo\nfollow: true\n");
  h.Start();
  auto write_all = [&](const std::string& text) {
    std::ofstream out(path, std::ios::binary);  // blocks until the collector opens it
    out << text;
  };
  write_all(Line("w1") + R"({"message":"w1-unfinished"})");
  ASSERT_TRUE(Eventually([&] { return h.count() == 2; }));
  write_all(Line("w2") + "{bad\n");
  ASSERT_TRUE(Eventually([&] { return h.count() == 3 && h.skips().size() == 1; }));
  EXPECT_EQ(h.Messages(), (Strings{"w1", "w1-unfinished", "w2"}));
  EXPECT_EQ(h.skips()[0].where, path + ":4");  // numbering goes on across writers
  EXPECT_LT(h.Stop(), 1000ms);
}

TEST(JsonlCollectorTest, FifoWithoutFollowEndsWhenTheWriterLeaves) {
  TempDir dir;
  const std::string path = dir.File("once.fifo");
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  Harness h(RunMode::kReplay);
  h.Create("path: " + path + "\nsource: fifo\n");
  h.Start();
  {
    std::ofstream out(path, std::ios::binary);
    out << Line("only");
  }
  ASSERT_TRUE(Eventually([&] { return h.done(); }));
  EXPECT_EQ(h.Messages(), (Strings{"only"}));
  EXPECT_TRUE(h.status().ok());
}

TEST(JsonlCollectorTest, RefusesAPathThatIsNotAFifo) {
  TempDir dir;
  Harness h(RunMode::kReplay);
  h.Create("path: " + dir.Write("plain", "") + "\nsource: fifo\n");
  EXPECT_EQ(h.RunToEnd().code(), StatusCode::kInvalidArgument);
}

int Connect(const std::string& path) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void Send(int fd, const std::string& text) {
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

bool IsSocket(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

TEST(JsonlCollectorTest, ServesTwoSocketClientsAtOnce) {
  TempDir dir;
  const std::string path = dir.File("vigil.sock");
  Harness h(RunMode::kLive);
  h.Create("path: " + path + "\nsource: unix_socket\n");
  h.Start();
  ASSERT_TRUE(Eventually([&] { return IsSocket(path); }));
  struct stat st {};
  ASSERT_EQ(lstat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);

  const int a = Connect(path);
  ASSERT_GE(a, 0);
  const int b = Connect(path);
  ASSERT_GE(b, 0);
  Send(a, R"({"message":"from )");
  Send(b, Line("b1"));
  ASSERT_TRUE(Eventually([&] { return h.count() == 1; }));
  Send(a, "a\"}\n");
  Send(b, "{bad\n");
  ASSERT_TRUE(Eventually([&] { return h.count() == 2 && h.skips().size() == 1; }));
  EXPECT_EQ(h.Messages(), (Strings{"b1", "from a"}));
  EXPECT_EQ(h.skips()[0].where, path + "#2:2");
  Send(a, R"({"message":"a-last"})");  // no newline: the close ends the line
  close(a);
  ASSERT_TRUE(Eventually([&] { return h.count() == 3; }));
  close(b);
  EXPECT_LT(h.Stop(), 1000ms);
  EXPECT_TRUE(h.status().ok()) << h.status().ToString();
  EXPECT_FALSE(IsSocket(path));  // removed on exit
}

TEST(JsonlCollectorTest, ReplacesAStaleSocketButNotAFile) {
  TempDir dir;
  const std::string path = dir.File("s.sock");
  {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    close(fd);  // leaves the socket file behind
  }
  Harness h(RunMode::kReplay);
  h.Create("path: " + path + "\nsource: unix_socket\n");
  h.Start();
  int fd = -1;
  ASSERT_TRUE(Eventually([&] { return (fd = Connect(path)) >= 0; }));
  Send(fd, Line("hello"));
  close(fd);
  // Not following: the collector ends once its clients have gone.
  ASSERT_TRUE(Eventually([&] { return h.done(); }));
  EXPECT_EQ(h.Messages(), (Strings{"hello"}));

  const std::string file = dir.Write("plain.sock", "keep me");
  Harness h2(RunMode::kReplay);
  h2.Create("path: " + file + "\nsource: unix_socket\n");
  EXPECT_EQ(h2.RunToEnd().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(testing::ReadFile(file), "keep me");
}

// Config errors come back as located diagnostics with their codes.
std::vector<std::string> ConfigCodes(const std::string& yaml) {
  Diagnostics diags;
  ConfigSection section(YAML::Load(yaml), "test.yaml", diags);
  auto c = CollectorRegistry::Global().Find("jsonl")->Create(section, CollectorEnv{});
  EXPECT_FALSE(c.ok());
  std::vector<std::string> codes;
  for (const Diagnostic& d : diags.items()) codes.push_back(d.code);
  return codes;
}

TEST(JsonlCollectorTest, ReportsConfigErrors) {
  EXPECT_EQ(ConfigCodes("source: file\n"), Strings{"E104"});
  EXPECT_EQ(ConfigCodes("path: /x\nsource: tcp\n"), Strings{"E103"});
  EXPECT_EQ(ConfigCodes("path: /x\npaht: /y\n"), Strings{"E101"});
  EXPECT_EQ(ConfigCodes("path: /x\nstart_at: middle\n"), Strings{"E103"});
  EXPECT_EQ(ConfigCodes("path: /x\nmax_line_bytes: 10\n"), Strings{"E103"});
  EXPECT_EQ(ConfigCodes("path: /x\nfollow: maybe\n"), Strings{"E102"});
  EXPECT_EQ(ConfigCodes("path: /x\npoll_interval: 0s\n"), Strings{"E103"});
  EXPECT_EQ(ConfigCodes("path: /" + std::string(200, 's') + "\nsource: unix_socket\n"),
            Strings{"E103"});
}

TEST(JsonlCollectorTest, StopsPromptly) {
  TempDir dir;
  const std::string path = dir.Write("idle.jsonl", Line("x"));
  Harness file(RunMode::kLive);
  file.Create("path: " + path + "\npoll_interval: 10m\n");
  file.Start();
  std::this_thread::sleep_for(50ms);
  EXPECT_LT(file.Stop(), 1000ms);

  const std::string fifo = dir.File("idle.fifo");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  Harness pipe(RunMode::kLive);
  pipe.Create("path: " + fifo + "\nsource: fifo\n");
  pipe.Start();
  std::this_thread::sleep_for(50ms);
  EXPECT_LT(pipe.Stop(), 1000ms);
}

}  // namespace
}  // namespace vigil
