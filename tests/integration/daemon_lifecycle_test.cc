// The daemon as systemd runs it: `vigil run` with a temporary config, events through the
// jsonl collector, sd_notify messages on a real notify socket, SIGHUP with a good and a bad
// config, then SIGTERM: the queue is drained and the exit code is 0.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::Process;
using testing::ReadFile;
using testing::TempDir;
using testing::VigilBinary;

// A datagram socket standing in for systemd's $NOTIFY_SOCKET.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  }
  ~NotifySocket() { close(fd_); }
  // Collects datagrams until one contains `want` or the timeout passes.
  bool WaitFor(const std::string& want, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      messages_.emplace_back(buf, static_cast<size_t>(n));
      if (messages_.back().find(want) != std::string::npos) return true;
    }
    return false;
  }
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
};

std::string Config(const TempDir& dir, const std::string& level) {
  return "state_dir: " + dir.File("state") + "\n" +
         "log:\n  level: " + level + "\n" +
         "metrics:\n  enabled: false\n"
         "rules:\n  paths: [\"" + dir.File("rules") + "/*.yaml\"]\n"
         "collectors:\n"
         "  - type: jsonl\n"
         "    name: app\n"
         "    path: " + dir.File("events.jsonl") + "\n"
         "    start_at: beginning\n"
         "    poll_interval: 50ms\n";
}

// A rule that fires on events whose message is `word`.
std::string RuleFor(const std::string& word) {
  return "- rule: test.word\n"
         "  name: Word seen\n"
         "  severity: low\n"
         "  condition: message = " + word + "\n"
         "  output: \"saw {message}\"\n";
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app);
  out << text;
}

TEST(DaemonLifecycleTest, RunReloadAndDrainOnSigterm) {
  TempDir dir;
  std::string cfg = dir.Write("vigil.yaml", Config(dir, "info"));
  dir.Write("events.jsonl", "{\"message\":\"one\"}\n");
  mkdir(dir.File("rules").c_str(), 0755);
  dir.Write("rules/word.yaml", RuleFor("two"));
  NotifySocket notify(dir.File("notify.sock"));
  setenv("NOTIFY_SOCKET", dir.File("notify.sock").c_str(), 1);
  setenv("WATCHDOG_USEC", "200000", 1);  // systemd's WatchdogSec=0.2s
  std::string log = dir.File("stderr.log");
  std::string out = dir.File("stdout.log");
  Process vigil({VigilBinary(), "run", "-c", cfg}, log, out);
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");

  ASSERT_TRUE(notify.WaitFor("READY=1")) << ReadFile(log);
  // Keep-alives at half the watchdog interval: several arrive within a second.
  ASSERT_TRUE(notify.WaitFor("WATCHDOG=1", 2s));
  ASSERT_TRUE(notify.WaitFor("WATCHDOG=1", 2s));
  EXPECT_TRUE(Eventually([&] { return ReadFile(log).find("vigil started") != std::string::npos; }));

  Append(dir.File("events.jsonl"), "{\"message\":\"two\"}\nnot json\n{\"message\":\"three\"}\n");
  EXPECT_TRUE(Eventually([&] {
    return ReadFile(log).find(dir.File("events.jsonl") + ":3: skipped") != std::string::npos;
  })) << ReadFile(log);

  EXPECT_TRUE(Eventually([&] { return ReadFile(out).find("saw two") != std::string::npos; }))
      << ReadFile(out);

  // A good reload: new rules; the unchanged collector keeps running, nothing is read twice.
  dir.Write("rules/word.yaml", RuleFor("four"));
  dir.Write("vigil.yaml", Config(dir, "notice"));
  vigil.Signal(SIGHUP);
  ASSERT_TRUE(notify.WaitFor("RELOADING=1"));
  ASSERT_TRUE(notify.WaitFor("READY=1"));
  EXPECT_TRUE(Eventually(
      [&] { return ReadFile(log).find("configuration reloaded") != std::string::npos; }));

  // A bad reload is refused, with the location of the problem; the daemon stays up.
  dir.Write("vigil.yaml", Config(dir, "notice") + "bogus_key: 1\n");
  vigil.Signal(SIGHUP);
  EXPECT_TRUE(Eventually([&] { return ReadFile(log).find("reload refused") != std::string::npos; }))
      << ReadFile(log);
  EXPECT_NE(ReadFile(log).find("vigil.yaml:14:1: error[E101]: unknown key 'bogus_key'"),
            std::string::npos)
      << ReadFile(log);
  ASSERT_TRUE(notify.WaitFor("READY=1"));

  // So is a reload whose rules do not compile; the rule for "four" stays in force.
  dir.Write("vigil.yaml", Config(dir, "notice"));
  dir.Write("rules/word.yaml", RuleFor("four") + "  tags: [oops\n");
  vigil.Signal(SIGHUP);
  EXPECT_TRUE(Eventually([&] {
    return ReadFile(log).find("reload refused: the rules are invalid") != std::string::npos;
  })) << ReadFile(log);
  ASSERT_TRUE(notify.WaitFor("READY=1"));

  // Still collecting, with the reloaded rules, after the refused reloads.
  Append(dir.File("events.jsonl"), "{\"message\":\"four\"}\n");
  EXPECT_TRUE(Eventually([&] { return ReadFile(out).find("saw four") != std::string::npos; }))
      << ReadFile(out);

  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(15s, &code)) << ReadFile(log);
  EXPECT_EQ(code, 0) << ReadFile(log);
  EXPECT_TRUE(notify.WaitFor("STOPPING=1", 1s));
  std::string text = ReadFile(log);
  EXPECT_NE(text.find("vigil stopped: 4 events processed, 0 dropped, 2 alerts, 1 reloads (2 refused)"),
            std::string::npos)
      << text;
}

// A reload keeps the correlation window of a rule whose definition did not change: 9
// failures before SIGHUP and 1 after fire a 10-in-60s rule. A rule whose timespan changed
// starts empty and does not fire.
TEST(DaemonLifecycleTest, ReloadKeepsCorrelationStateOfUnchangedRules) {
  TempDir dir;
  std::string cfg = dir.Write("vigil.yaml", Config(dir, "info"));
  dir.Write("events.jsonl", "");
  mkdir(dir.File("rules").c_str(), 0755);
  auto rules = [](const std::string& changed_timespan, const std::string& marker_output) {
    return "- rule: test.marker\n"
           "  name: Marker\n"
           "  severity: low\n"
           "  condition: message = marker\n"
           "  output: \"" + marker_output + " {message}\"\n"
           "- rule: test.kept\n"
           "  name: Kept\n"
           "  severity: high\n"
           "  condition: message = fail\n"
           "  output: \"kept fired for {source.ip}\"\n"
           "  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}\n"
           "- rule: test.changed\n"
           "  name: Changed\n"
           "  severity: high\n"
           "  condition: message = fail\n"
           "  output: \"changed fired for {source.ip}\"\n"
           "  correlate: {type: event_count, group_by: [source.ip], timespan: " + changed_timespan +
           ", condition: {gte: 10}}\n";
  };
  dir.Write("rules/brute.yaml", rules("60s", "before"));
  auto fail = [](int second) {
    return "{\"@timestamp\":\"2026-03-01T10:00:" + std::string(second < 10 ? "0" : "") + std::to_string(second) +
           "Z\",\"message\":\"fail\",\"source\":{\"ip\":\"203.0.113.9\"}}\n";
  };
  std::string log = dir.File("stderr.log");
  std::string out = dir.File("stdout.log");
  Process vigil({VigilBinary(), "run", "-c", cfg}, log, out);
  ASSERT_TRUE(Eventually([&] { return ReadFile(log).find("vigil started") != std::string::npos; }))
      << ReadFile(log);

  std::string nine;
  for (int i = 0; i < 9; ++i) nine += fail(i);
  // The marker comes after the 9 failures: once its alert is out, they were all evaluated.
  Append(dir.File("events.jsonl"), nine + "{\"@timestamp\":\"2026-03-01T10:00:09Z\",\"message\":\"marker\"}\n");
  ASSERT_TRUE(Eventually([&] { return ReadFile(out).find("before marker") != std::string::npos; }))
      << ReadFile(out) << ReadFile(log);

  dir.Write("rules/brute.yaml", rules("90s", "after"));
  vigil.Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] {
    return ReadFile(log).find("configuration reloaded") != std::string::npos;
  })) << ReadFile(log);
  Append(dir.File("events.jsonl"),
         fail(10) + "{\"@timestamp\":\"2026-03-01T10:00:11Z\",\"message\":\"marker\"}\n");
  ASSERT_TRUE(Eventually([&] { return ReadFile(out).find("after marker") != std::string::npos; }))
      << ReadFile(out) << ReadFile(log);
  const std::string alerts = ReadFile(out);
  EXPECT_NE(alerts.find("kept fired for 203.0.113.9"), std::string::npos) << alerts;
  EXPECT_EQ(alerts.find("changed fired"), std::string::npos) << alerts;

  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(15s, &code)) << ReadFile(log);
  EXPECT_EQ(code, 0) << ReadFile(log);
}

TEST(DaemonLifecycleTest, InvalidConfigRefusesToStart) {
  TempDir dir;
  std::string cfg = dir.Write("vigil.yaml", "queue:\n  capacity: -5\n");
  std::string log = dir.File("stderr.log");
  Process vigil({VigilBinary(), "run", "-c", cfg}, log);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(10s, &code));
  EXPECT_EQ(code, 1);
  EXPECT_NE(ReadFile(log).find(cfg + ":2:13: error[E103]"), std::string::npos) << ReadFile(log);
}

TEST(DaemonLifecycleTest, SigintAlsoStopsCleanlyAndJsonLogsParse) {
  TempDir dir;
  std::string cfg = dir.Write("vigil.yaml", Config(dir, "info"));
  dir.Write("events.jsonl", "");
  std::string log = dir.File("stderr.log");
  Process vigil({VigilBinary(), "run", "-c", cfg, "--log-format", "json"}, log);
  ASSERT_TRUE(Eventually([&] { return ReadFile(log).find("vigil started") != std::string::npos; }))
      << ReadFile(log);
  vigil.Signal(SIGINT);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(15s, &code));
  EXPECT_EQ(code, 0);
  std::string text = ReadFile(log);
  EXPECT_EQ(text.rfind("{\"@timestamp\":", 0), 0u) << text;
  EXPECT_NE(text.find("\"log.level\":\"notice\""), std::string::npos) << text;
}

// A new_terms rule keeps what it learnt across a restart (<state_dir>/rule_history.db): a
// login from an address alice used before the restart stays quiet after it, a new one alerts.
TEST(DaemonLifecycleTest, NewTermsHistorySurvivesARestart) {
  TempDir dir;
  mkdir(dir.File("rules").c_str(), 0755);
  dir.Write("rules/new.yaml",
            "- rule: test.new_source\n"
            "  name: New source\n"
            "  severity: medium\n"
            "  condition: user.name exists and source.ip exists\n"
            "  output: \"new {user.name} {source.ip}\"\n"
            "  correlate: {type: new_terms, group_by: [user.name], field: source.ip, timespan: 30d}\n");
  auto login = [](const std::string& minute, const std::string& ip) {
    return "{\"@timestamp\":\"2026-03-01T10:" + minute + ":00Z\",\"user\":{\"name\":\"alice\"},"
           "\"source\":{\"ip\":\"" + ip + "\"}}\n";
  };
  // Each run reads its own events file, so the test does not depend on saved file offsets.
  auto run = [&](const std::string& events, const std::string& expect, const std::string& name) {
    std::string cfg = Config(dir, "info");
    const std::string from = dir.File("events.jsonl");
    cfg.replace(cfg.find(from), from.size(), dir.File(name + ".jsonl"));
    dir.Write("vigil.yaml", cfg);
    dir.Write(name + ".jsonl", events);
    std::string log = dir.File(name + ".log");
    std::string out = dir.File(name + ".out");
    Process vigil({VigilBinary(), "run", "-c", dir.File("vigil.yaml")}, log, out);
    EXPECT_TRUE(Eventually([&] { return ReadFile(out).find(expect) != std::string::npos; })) << ReadFile(log);
    vigil.Signal(SIGTERM);
    int code = -1;
    EXPECT_TRUE(vigil.Wait(15s, &code)) << ReadFile(log);
    EXPECT_EQ(code, 0) << ReadFile(log);
    return std::make_pair(ReadFile(out), ReadFile(log));
  };
  auto [out1, log1] = run(login("00", "192.0.2.1") + login("01", "192.0.2.1"), "new alice 192.0.2.1", "first");
  EXPECT_EQ(out1.find("new alice 192.0.2.1"), out1.rfind("new alice 192.0.2.1")) << out1;  // once
  struct stat st {};
  ASSERT_EQ(stat(dir.File("state/rule_history.db").c_str(), &st), 0);

  auto [out2, log2] = run(login("05", "192.0.2.1") + login("06", "198.51.100.7"), "new alice 198.51.100.7", "second");
  EXPECT_EQ(out2.find("192.0.2.1"), std::string::npos) << out2;
  EXPECT_NE(log2.find("new_terms history: 1 values of 1 rules restored"), std::string::npos) << log2;
}

}  // namespace
}  // namespace vigil
