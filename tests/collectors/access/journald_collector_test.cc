// The journald collector over REAL journal files: entries are written in journal export
// format and turned into .journal files by systemd-journal-remote (Debian package
// systemd-journal-remote), then read through sd-journal as the daemon would.
#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "event_json.h"
#include "support/test_support.h"
#include "vigil/collector.h"
#include "vigil/config_section.h"
#include "vigil/ecs_fields.h"

namespace vigil {
namespace {

using testing::TempDir;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr char kJournalRemote[] = "/lib/systemd/systemd-journal-remote";

// Journal export format: FIELD=value lines, or for values with a newline or other bytes,
// FIELD\n, the size as 64-bit little endian, the bytes, \n. An empty line ends an entry.
std::string Export(const std::vector<Fields>& entries) {
  std::string out;
  for (const Fields& e : entries) {
    for (const auto& [k, v] : e) {
      bool text = true;
      for (unsigned char c : v) text = text && c >= 0x20 && c != 0x7f;
      if (text) {
        out += k + "=" + v + "\n";
        continue;
      }
      out += k + "\n";
      uint64_t n = v.size();
      for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
      out += v + "\n";
    }
    out += "\n";
  }
  return out;
}

// An entry as journald stores it, `seconds` after a fixed instant.
Fields Entry(int seconds, const std::string& program, int pid, const std::string& message) {
  const int64_t us = int64_t{1767225600} * 1000000 + int64_t{seconds} * 1000000;
  return {{"__REALTIME_TIMESTAMP", std::to_string(us)},
          {"__MONOTONIC_TIMESTAMP", std::to_string(1000000 + int64_t{seconds} * 1000000)},
          {"_BOOT_ID", "0123456789abcdef0123456789abcdef"},
          {"_HOSTNAME", "web1"},
          {"SYSLOG_IDENTIFIER", program},
          {"_COMM", program.substr(0, 15)},
          {"_PID", std::to_string(pid)},
          {"MESSAGE", message}};
}

// Writes a real journal file dir/name.journal from the entries.
void MakeJournal(const std::string& dir, const std::string& name, const std::vector<Fields>& entries) {
  ASSERT_EQ(access(kJournalRemote, X_OK), 0)
      << kJournalRemote << " missing: apt-get install systemd-journal-remote (TEST_PKGS)";
  auto r = testing::RunCommand(
      {kJournalRemote, "--output=" + dir + "/" + name + ".journal", "-"}, Export(entries));
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

class CapturingSink : public EventSink {
 public:
  bool Push(Event&& event) override {
    std::lock_guard lock(mu);
    events.push_back(std::move(event));
    return true;
  }
  size_t size() {
    std::lock_guard lock(mu);
    return events.size();
  }
  std::mutex mu;
  std::vector<Event> events;
};

struct Outcome {
  std::vector<Event> events;
  std::vector<std::string> skips;
  Status status;
};

std::unique_ptr<Collector> Create(const std::string& yaml, const CollectorEnv& env) {
  const CollectorFactory* factory = CollectorRegistry::Global().Find("journald");
  EXPECT_NE(factory, nullptr);
  if (factory == nullptr) return nullptr;
  Diagnostics diags;
  ConfigSection section(YAML::Load(yaml), "test", diags);
  auto c = factory->Create(section, env);
  EXPECT_TRUE(c.ok()) << diags.FormatText();
  return c.ok() ? std::move(*c) : nullptr;
}

Outcome RunJournald(const std::string& yaml, const CollectorEnv& env) {
  Outcome out;
  auto c = Create(yaml, env);
  if (!c) return out;
  CapturingSink sink;
  CollectorContext ctx("j", sink, env.mode, [&](std::string_view w, std::string_view r) {
    out.skips.push_back(std::string(w) + ": " + std::string(r));
  });
  out.status = c->Run(ctx);
  out.events = std::move(sink.events);
  return out;
}

std::string Str(const Event& e, FieldId id) {
  if (const IpAddress* ip = e.GetIp(id)) return ip->ToString();
  const std::string* s = e.GetString(id);
  return s ? *s : "<unset>";
}

std::vector<Fields> FirstBatch() {
  return {
      Entry(1, "sshd", 100, "Failed password for root from 203.0.113.5 port 40000 ssh2"),
      Entry(2, "cron", 5, "(root) CMD (true)"),  // not matched
      Entry(3, "sshd", 101, "Accepted password for alice from 198.51.100.7 port 40001 ssh2"),
      Entry(4, "sudo", 200,
            "   alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/id"),
      Entry(5, "useradd", 300, "new user: name=mallory, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/0"),
  };
}

std::vector<Fields> SecondBatch() {
  return {
      Entry(10, "sshd-session", 400, "Invalid user bob from 192.0.2.8 port 1234"),
      Entry(11, "sudo", 201, "    eve : user NOT in sudoers ; TTY=pts/3 ; PWD=/tmp ; USER=root ; COMMAND=/bin/bash"),
  };
}

void ExpectFirstBatch(const std::vector<Event>& ev) {
  ASSERT_EQ(ev.size(), 4u);
  EXPECT_EQ(Str(ev[0], ecs::kEventAction), "ssh_login");
  EXPECT_EQ(Str(ev[0], ecs::kEventOutcome), "failure");
  EXPECT_EQ(Str(ev[0], ecs::kUserName), "root");
  EXPECT_EQ(Str(ev[0], ecs::kSourceIp), "203.0.113.5");
  EXPECT_EQ(*ev[0].GetInt(ecs::kProcessPid), 100);
  EXPECT_EQ(Str(ev[0], ecs::kHostName), "web1");
  EXPECT_EQ(ev[0].time().time_since_epoch(), std::chrono::seconds(1767225601));
  EXPECT_EQ(Str(ev[1], ecs::kEventAction), "ssh_login");
  EXPECT_EQ(Str(ev[1], ecs::kEventOutcome), "success");
  EXPECT_EQ(Str(ev[1], ecs::kUserName), "alice");
  EXPECT_EQ(Str(ev[1], ecs::kSourceIp), "198.51.100.7");
  EXPECT_EQ(Str(ev[2], ecs::kEventAction), "sudo_command");
  EXPECT_EQ(Str(ev[2], ecs::kUserName), "alice");
  EXPECT_EQ(Str(ev[2], ecs::kEventOutcome), "success");
  EXPECT_EQ(Str(ev[3], ecs::kEventAction), "user_created");
  EXPECT_EQ(Str(ev[3], ecs::kUserTargetName), "mallory");
  EXPECT_EQ(Str(ev[3], ecs::kEventOutcome), "success");
}

TEST(JournaldCollector, ReadsRealJournalDirectory) {
  TempDir dir;
  MakeJournal(dir.path(), "a", FirstBatch());
  Outcome r = RunJournald("{directory: " + dir.path() + "}", CollectorEnv{"j", "", RunMode::kReplay});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectFirstBatch(r.events);
  EXPECT_TRUE(r.skips.empty());
  // The same through `files:`.
  r = RunJournald("{files: [" + dir.File("a.journal") + "]}", CollectorEnv{"j", "", RunMode::kReplay});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectFirstBatch(r.events);
}

TEST(JournaldCollector, ResumesAtSavedCursorWithoutLossOrRepeat) {
  TempDir dir;
  TempDir state;
  const std::string journals = dir.path();
  MakeJournal(journals, "a", FirstBatch());
  const CollectorEnv live{"j", state.path(), RunMode::kLive};
  Outcome r = RunJournald("{directory: " + journals + ", start_at: beginning, follow: false}", live);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ExpectFirstBatch(r.events);
  const std::string cursor = testing::ReadFile(state.File("journal/j.cursor"));
  EXPECT_NE(cursor.find("s="), std::string::npos) << cursor;
  // Stopped; more entries arrive in a second journal file.
  MakeJournal(journals, "b", SecondBatch());
  r = RunJournald("{directory: " + journals + ", start_at: saved, follow: false}", live);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(Str(r.events[0], ecs::kEventAction), "ssh_invalid_user");
  EXPECT_EQ(Str(r.events[0], ecs::kUserName), "bob");
  EXPECT_EQ(Str(r.events[0], ecs::kSourceIp), "192.0.2.8");
  EXPECT_EQ(Str(r.events[1], ecs::kEventAction), "sudo_denied");
  EXPECT_EQ(Str(r.events[1], ecs::kUserName), "eve");
  EXPECT_EQ(Str(r.events[1], ecs::kEventOutcome), "failure");
  // Nothing new: nothing read.
  r = RunJournald("{directory: " + journals + ", follow: false}", live);
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.events.empty());
  // start_at: end skips what is there.
  TempDir state2;
  r = RunJournald("{directory: " + journals + ", start_at: end, follow: false}",
          CollectorEnv{"j", state2.path(), RunMode::kLive});
  ASSERT_TRUE(r.status.ok());
  EXPECT_TRUE(r.events.empty());
}

TEST(JournaldCollector, FollowsUntilStopped) {
  TempDir dir;
  TempDir state;
  MakeJournal(dir.path(), "a", FirstBatch());
  auto c = Create("{directory: " + dir.path() + ", start_at: beginning}",
                  CollectorEnv{"j", state.path(), RunMode::kLive});
  ASSERT_TRUE(c);
  CapturingSink sink;
  CollectorContext ctx("j", sink, RunMode::kLive, [](std::string_view, std::string_view) {});
  Status status;
  std::thread t([&] { status = c->Run(ctx); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (sink.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(sink.size(), 4u);
  ctx.RequestStop();
  t.join();  // returns: sd_journal_wait is bounded
  EXPECT_TRUE(status.ok()) << status.ToString();
  EXPECT_FALSE(testing::ReadFile(state.File("journal/j.cursor")).empty());
}

// Conversion of entry fields is bounded: a huge MESSAGE, a missing MESSAGE or program, and
// binary bytes are a counted skip or parsed as bytes, never a crash.
TEST(JournaldCollector, HostileEntries) {
  TempDir dir;
  Fields no_message = Entry(1, "sshd", 1, "x");
  no_message.pop_back();
  Fields no_program = Entry(2, "sshd", 1, "Failed password for root from 192.0.2.1 port 1 ssh2");
  no_program.erase(no_program.begin() + 4, no_program.begin() + 6);  // SYSLOG_IDENTIFIER, _COMM
  Fields binary = Entry(3, "sshd", 1,
                        std::string("Failed password for r\x01o\xffot from 192.0.2.3 port 1 ssh2\n") +
                            '\0' + "tail");
  Fields huge = Entry(4, "sshd", 1, "Failed password for root from 192.0.2.4 port 1 ssh2 " +
                                        std::string(200 * 1024, 'A'));
  Fields ok = Entry(5, "sshd", 1, "Failed password for root from 192.0.2.5 port 1 ssh2");
  MakeJournal(dir.path(), "h", {no_message, no_program, binary, huge, ok});
  Outcome r = RunJournald("{directory: " + dir.path() + "}", CollectorEnv{"j", "", RunMode::kReplay});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  // no_program is not matched by the program filter at all; no_message and huge are skips.
  ASSERT_EQ(r.skips.size(), 2u);
  EXPECT_NE(r.skips[0].find("no MESSAGE"), std::string::npos) << r.skips[0];
  EXPECT_NE(r.skips[1].find("longer than"), std::string::npos) << r.skips[1];
  ASSERT_GE(r.events.size(), 1u);
  for (const Event& e : r.events) EXPECT_FALSE(EventToJson(e).empty());
  EXPECT_EQ(Str(r.events.back(), ecs::kSourceIp), "192.0.2.5");
}

// `vigil replay --journal` reads journal files, or a directory of them, through sd-journal.
TEST(JournaldCollector, ReplayCommandReadsJournalFilesAndDirectories) {
  TempDir dir;
  MakeJournal(dir.path(), "a", FirstBatch());
  for (const std::string& input : {dir.path(), dir.File("a.journal")}) {
    auto r = testing::RunCommand({testing::VigilBinary(), "replay", "--journal", input, "--events"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("4 events, 0 skipped, 0 failed"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("\"action\":\"user_created\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"name\":\"mallory\""), std::string::npos) << r.out;
  }
  auto r = testing::RunCommand(
      {testing::VigilBinary(), "replay", "--journal", dir.File("missing.journal"), "--events"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing.journal"), std::string::npos) << r.err;
}

// A password typed as a user name is redacted in journald entries too. Replay reads a key a
// daemon left in the state directory but does not create one.
TEST(JournaldCollector, RedactsAPasswordTypedAsUserName) {
  TempDir dir;
  TempDir state;
  MakeJournal(dir.path(), "a",
              {Entry(1, "sshd", 100, "Invalid user Autumn#2026 from 192.0.2.8 port 1234"),
               Entry(2, "sshd", 100, "Invalid user oracle from 192.0.2.8 port 1235")});
  Outcome r = RunJournald("{directory: " + dir.path() + "}",
                          CollectorEnv{"j", state.path(), RunMode::kReplay});
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.events.size(), 2u);
  for (const Event& e : r.events) {
    EXPECT_EQ(EventToJson(e).find("Autumn"), std::string::npos) << EventToJson(e);
  }
  EXPECT_EQ(Str(r.events[0], ecs::kUserName).rfind("<redacted:", 0), 0u);
  EXPECT_EQ(Str(r.events[1], ecs::kUserName), "oracle");
  EXPECT_NE(access(state.File("redaction.key").c_str(), F_OK), 0);
  // `none` keeps names as logged.
  r = RunJournald("{directory: " + dir.path() + ", redact_unknown_users: none}",
                  CollectorEnv{"j", state.path(), RunMode::kReplay});
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(Str(r.events[0], ecs::kUserName), "Autumn#2026");
}

TEST(JournaldCollector, RejectsBadConfig) {
  Diagnostics diags;
  ConfigSection section(YAML::Load("{directory: /x, files: [/y], start_at: middle, colour: red}"),
                        "t.yaml", diags);
  auto c = CollectorRegistry::Global().Find("journald")->Create(section,
                                                                CollectorEnv{"j", "", RunMode::kLive});
  EXPECT_FALSE(c.ok());
  const std::string text = diags.FormatText();
  EXPECT_NE(text.find("files"), std::string::npos);
  EXPECT_NE(text.find("start_at"), std::string::npos);
  EXPECT_NE(text.find("colour"), std::string::npos);
}

}  // namespace
}  // namespace vigil
