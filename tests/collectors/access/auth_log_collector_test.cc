// The auth_log and journal_json collectors as the daemon and `vigil replay` build them:
// from the registry, with a YAML section, running to the end of a recorded file.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <ctime>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "access_build_pool.h"
#include "access_event.h"
#include "event_json.h"
#include "support/test_support.h"
#include "vigil/collector.h"
#include "vigil/config_section.h"
#include "vigil/ecs_fields.h"

namespace vigil {
namespace {

using testing::TempDir;

class CapturingSink : public EventSink {
 public:
  bool Push(Event&& event) override {
    std::lock_guard lock(mu_);
    events.push_back(std::move(event));
    return true;
  }
  std::mutex mu_;
  std::vector<Event> events;
};

struct Outcome {
  std::vector<Event> events;
  std::vector<std::string> skips;
  Status status;
};

// `workers` > 0: auth_log's `workers` key (threads that build the events in replay).
Outcome Replay(const std::string& type, const std::string& path, int workers = 0,
               int64_t max_line_bytes = 0) {
  const CollectorFactory* factory = CollectorRegistry::Global().Find(type);
  EXPECT_NE(factory, nullptr);
  Outcome out;
  if (factory == nullptr) return out;
  Diagnostics diags;
  YAML::Node node(YAML::NodeType::Map);
  node["path"] = path;
  if (workers > 0) node["workers"] = workers;
  if (max_line_bytes > 0) node["max_line_bytes"] = max_line_bytes;
  ConfigSection section(node, "test", diags);
  auto c = factory->Create(section, CollectorEnv{type, "", RunMode::kReplay});
  EXPECT_TRUE(c.ok()) << diags.FormatText();
  if (!c.ok()) return out;
  CapturingSink sink;
  CollectorContext ctx(type, sink, RunMode::kReplay, [&](std::string_view w, std::string_view r) {
    out.skips.push_back(std::string(w) + ": " + std::string(r));
  });
  out.status = (*c)->Run(ctx);
  out.events = std::move(sink.events);
  return out;
}

TEST(AuthLogCollector, IsRegisteredWithItsFields) {
  EXPECT_NE(CollectorRegistry::Global().Find("auth_log"), nullptr);
  EXPECT_NE(CollectorRegistry::Global().Find("journal_json"), nullptr);
  FieldRegistry fields;
  ASSERT_TRUE(CollectorRegistry::Global().Find("auth_log")->DeclareFields(fields).ok());
  EXPECT_TRUE(fields.Find("vigil.access.reason"));
  EXPECT_TRUE(fields.Find("vigil.access.invalid_user"));
}

TEST(AuthLogCollector, RejectsBadConfig) {
  Diagnostics diags;
  ConfigSection section(YAML::Load("{start_at: middle, colour: red}"), "t.yaml", diags);
  auto c = CollectorRegistry::Global().Find("auth_log")->Create(section, CollectorEnv{"a", "", RunMode::kLive});
  EXPECT_FALSE(c.ok());
  const std::string text = diags.FormatText();
  EXPECT_NE(text.find("path"), std::string::npos);
  EXPECT_NE(text.find("start_at"), std::string::npos);
  EXPECT_NE(text.find("colour"), std::string::npos);
}

TEST(AuthLogCollector, ReplaysFail2banCorpus) {
  Outcome r = Replay("auth_log", testing::SharedDir() + "/corpora/auth/fail2ban/sshd");
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  EXPECT_GT(r.events.size(), 150u);
  size_t failures = 0;
  for (const Event& e : r.events) {
    const std::string* o = e.GetString(ecs::kEventOutcome);
    if (o && *o == "failure") ++failures;
    EXPECT_TRUE(e.Has(ecs::kLogOffset));
    EXPECT_TRUE(e.Has(ecs::kEventOriginal));
    // BuildAccessEvent sizes the field vector for its fields and observer.name (added by
    // CollectorContext::Emit), at least access::kEventRoom: one allocation, no regrowth.
    EXPECT_EQ(e.capacity(), std::max(e.size(), access::kEventRoom)) << *e.GetString(ecs::kEventOriginal);
    EXPECT_LE(e.size(), access::kEventRoom);
  }
  EXPECT_GT(failures, 80u);
}

TEST(AuthLogCollector, HostileInput) {
  TempDir dir;
  std::string text;
  text += "Jan  1 00:00:01 h sshd[1]: Failed password for root from 192.0.2.1 port 1 ssh2\n";
  text += std::string("Jan  1 00:00:02 h sshd[1]: Failed password for ro") + '\0' +
          "ot from 192.0.2.2 port 1 ssh2\n";
  text += "Jan  1 00:00:03 h sshd[1]: Failed password for \xff\xfe\x80 from 192.0.2.3 port 1 ssh2\n";
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) text.push_back(static_cast<char>(rng() % 256));
  text += "\n";
  text += "Jan  1 00:00:04 h sudo: " + std::string(10 << 20, 'A') + "\n";
  text += "\n\n\r\n";
  text += "Jan  1 00:00:05 h sshd[1]: Invalid user x from 192.0.2.5";  // no newline at the end
  const std::string path = dir.Write("hostile.log", text);
  Outcome r = Replay("auth_log", path);
  ASSERT_TRUE(r.status.ok());
  int failures = 0;
  for (const Event& e : r.events) {
    const std::string json = EventToJson(e);  // invalid UTF-8 must not break output
    EXPECT_FALSE(json.empty());
    if (const std::string* o = e.GetString(ecs::kEventOutcome); o && *o == "failure") ++failures;
  }
  EXPECT_EQ(failures, 4);
  bool overlong = false;
  for (const auto& s : r.skips) overlong = overlong || s.find("longer than") != std::string::npos;
  EXPECT_TRUE(overlong);
  EXPECT_GE(r.skips.size(), 2u);  // the garbage line(s) and the long one
}

TEST(AuthLogCollector, SudoLogFileWithWrappedLines) {
  TempDir dir;
  const std::string path = dir.Write(
      "sudo.log",
      "Mar  1 10:00:00 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;\n"
      "    COMMAND=/usr/bin/systemctl restart nginx\n"
      "Mar  1 10:00:05 : eve : user NOT in sudoers ; TTY=pts/3 ; PWD=/tmp ; USER=root ;\n"
      "    COMMAND=/bin/bash\n"
      "Mar  1 10:00:09 : bob : TTY=pts/1 ; PWD=/ ; USER=root ; COMMAND=/bin/id\n");
  Outcome r = Replay("auth_log", path);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(*r.events[0].GetString(ecs::kProcessCommandLine), "/usr/bin/systemctl restart nginx");
  EXPECT_EQ(*r.events[0].GetString(ecs::kEventAction), "sudo_command");
  EXPECT_EQ(*r.events[1].GetString(ecs::kEventAction), "sudo_denied");
  EXPECT_EQ(*r.events[1].GetString(ecs::kUserName), "eve");
  EXPECT_EQ(*r.events[2].GetString(ecs::kUserName), "bob");
  EXPECT_EQ(*r.events[2].GetInt(ecs::kLogOffset), 68 + 45 + 81 + 22);
  EXPECT_TRUE(r.skips.empty());
}

// The events of every line as JSON, in order.
std::vector<std::string> Jsons(const Outcome& r) {
  std::vector<std::string> out;
  for (const Event& e : r.events) out.push_back(EventToJson(e));
  return out;
}

// Replay builds events on worker threads (AccessBuildPool) in batches of lines. A log whose
// sshd lines without an address come right after an earlier line of the same pid named it,
// at every distance from a batch boundary, with sudo's wrapped lines, user names that are
// redacted, lines without a header and an overlong one among them: 1, 2 and 4 workers give
// the same events in the same order, and the same skips at the same places.
TEST(AuthLogCollector, WorkersKeepOrderAndConnectionState) {
  TempDir dir;
  std::string text;
  const int kConnections = 1500;  // about 6,000 lines: many batches of 256 lines
  for (int i = 0; i < kConnections; ++i) {
    const int pid = 20000 + i;
    const std::string ip = "10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".7";
    const std::string sshd = "Mar  1 10:" + std::to_string(10 + i % 50) + ":00 web sshd[" + std::to_string(pid) + "]: ";
    text += sshd + "Connection from " + ip + " port " + std::to_string(40000 + i) + " on 10.0.0.1 port 22\n";
    for (int k = 0; k < i % 7; ++k) {
      text += "Mar  1 10:00:0" + std::to_string(k) + " web CRON[" + std::to_string(k) +
              "]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)\n";
    }
    if (i % 11 == 0) text += "garbage without a header " + std::to_string(i) + "\n";
    if (i % 13 == 0) {
      text += "Mar  1 10:00:05 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;\n";
      text += "    COMMAND=/usr/bin/id -u " + std::to_string(i) + "\n";
    }
    if (i % 17 == 0) text += sshd + "Invalid user Hunter2!pass" + std::to_string(i) + " from " + ip + " port 4\n";
    // No address on these: the connection's, learnt above, is attached.
    text += sshd + "Disconnecting: Too many authentication failures [preauth]\n";
    if (i % 3 == 0) text += sshd + "Connection closed by authenticating user root " + ip + " port 5 [preauth]\n";
  }
  text += "Mar  1 11:00:00 web sshd[1]: " + std::string(70000, 'x') + "\n";
  const std::string path = dir.Write("auth.log", text);

  const Outcome one = Replay("auth_log", path, 1);
  ASSERT_TRUE(one.status.ok()) << one.status.ToString();
  ASSERT_GT(one.events.size(), 5000u);
  // The state survived: every "Too many authentication failures" event carries its pid's
  // address and is one failure.
  size_t max_tries = 0;
  for (const Event& e : one.events) {
    const std::string* action = e.GetString(ecs::kEventAction);
    if (action == nullptr || *action != "ssh_max_auth_tries") continue;
    ++max_tries;
    const int64_t pid = *e.GetInt(ecs::kProcessPid);
    const int i = static_cast<int>(pid - 20000);
    const IpAddress* ip = e.GetIp(ecs::kSourceIp);
    ASSERT_NE(ip, nullptr) << pid;
    EXPECT_EQ(ip->ToString(), "10." + std::to_string(i / 250) + "." + std::to_string(i % 250) + ".7");
    EXPECT_EQ(*e.GetString(ecs::kEventOutcome), "failure");
  }
  EXPECT_EQ(max_tries, static_cast<size_t>(kConnections));
  size_t redacted = 0;
  for (const Event& e : one.events) {
    const std::string* user = e.GetString(ecs::kUserName);
    if (user != nullptr && user->rfind("<redacted:", 0) == 0) ++redacted;
  }
  EXPECT_EQ(redacted, static_cast<size_t>((kConnections + 16) / 17));
  const std::vector<std::string> expected = Jsons(one);
  for (const int workers : {2, 4}) {
    const Outcome many = Replay("auth_log", path, workers);
    ASSERT_TRUE(many.status.ok()) << many.status.ToString();
    const std::vector<std::string> got = Jsons(many);
    ASSERT_EQ(got.size(), expected.size()) << workers << " workers";
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], expected[i]) << workers << " workers, event " << i;
    EXPECT_EQ(many.skips, one.skips) << workers << " workers";
  }
  EXPECT_EQ(one.skips.size(), static_cast<size_t>((kConnections + 10) / 11 + 1));  // garbage and the long line
}

// Lines longer than a batch's buffer (AccessBuildPool::kBatchBytes) each get a batch of
// their own: the same events with any number of workers.
TEST(AuthLogCollector, WorkersWithLinesLongerThanABatch) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 400; ++i) {
    const std::string sshd = "Mar  1 10:00:00 web sshd[" + std::to_string(100 + i) + "]: ";
    text += sshd + "Connection from 10.1.0." + std::to_string(i % 250) + " port 7 on 10.0.0.1 port 22\n";
    if (i % 40 == 0) text += sshd + "Invalid user " + std::string(200000, 'u') + " from 10.1.0.9 port 8\n";
    text += sshd + "Disconnecting: Too many authentication failures [preauth]\n";
  }
  const std::string path = dir.Write("auth.log", text);
  const Outcome one = Replay("auth_log", path, 1, int64_t{1} << 20);
  ASSERT_TRUE(one.status.ok()) << one.status.ToString();
  ASSERT_EQ(one.events.size(), 810u);
  EXPECT_TRUE(one.skips.empty());
  const std::vector<std::string> expected = Jsons(one);
  for (const int workers : {2, 4}) {
    const Outcome many = Replay("auth_log", path, workers, int64_t{1} << 20);
    ASSERT_TRUE(many.status.ok()) << many.status.ToString();
    EXPECT_TRUE(Jsons(many) == expected) << workers << " workers";
  }
}

// What the collector thread resolves in order while the workers parse (AccessBuildPool)
// falls right at a batch boundary, for each of a few distances from it: a BSD log crossing
// into the new year (its year inferred from the file's mtime, January), an sshd line
// without an address whose pid named it on the line before (the previous batch), sudo's
// wrapped entry whose continuation starts the next batch, and skips in later batches at
// their own byte offsets. 1, 2 and 4 workers: the same events, skips and locations.
TEST(AuthLogCollector, WorkersResolveOrderAcrossBatchBoundaries) {
  constexpr size_t kBatch = access::AccessBuildPool::kBatchLines;
  for (size_t shift = 0; shift < 3; ++shift) {
    TempDir dir;
    std::string text;
    std::vector<std::string> expected_skips;
    size_t lines = 0;
    const auto add = [&](const std::string& line) {
      text += line + "\n";
      ++lines;
    };
    // Up to the end of the first batch, less `shift`: December lines (sshd events).
    while (lines + 1 + shift < kBatch) add("Dec 31 23:59:58 web sshd[7]: Accepted publickey for a from 192.0.2.1 port 1 ssh2");
    add("Dec 31 23:59:59 web sshd[4242]: Connection from 198.51.100.7 port 5555 on 10.0.0.1 port 22");
    for (size_t i = 0; i < shift; ++i) add("Dec 31 23:59:59 web CRON[1]: (root) CMD (true)");
    // The second batch: January, the address-less line first.
    add("Jan  1 00:00:00 web sshd[4242]: Disconnecting: Too many authentication failures [preauth]");
    while (lines + 1 + shift < 2 * kBatch) add("Jan  1 00:00:01 web sshd[8]: Failed password for b from 192.0.2.2 port 2 ssh2");
    // The last line of the second batch less `shift`: a sudo entry wrapped onto the next
    // line, which comes once that batch is full when shift is 0.
    add("Jan  1 00:00:02 : alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ;");
    add("    COMMAND=/usr/bin/id -u");
    for (size_t i = 0; i < shift; ++i) add("Jan  1 00:00:03 web CRON[1]: (root) CMD (true)");
    while (lines < 3 * kBatch + 10) {
      if (lines == 3 * kBatch + 2) {
        expected_skips.push_back(std::to_string(text.size()) + ": no syslog header");
        add("garbage in the fourth batch");
      } else {
        add("Jan  1 00:00:04 web sshd[9]: Invalid user x from 192.0.2.3 port 3");
      }
    }
    expected_skips.push_back(std::to_string(text.size()) + ": line longer than 4096 bytes");
    add("Jan  1 00:00:05 web sshd[9]: " + std::string(5000, 'y'));
    add("Jan  1 00:00:06 web sshd[9]: Connection closed by 192.0.2.3 port 3 [preauth]");
    const std::string path = dir.Write("auth.log", text);
    // Written in the first minutes of the new year, local time as the collector reckons it
    // (the zone's offset now): December lines are last year's.
    using namespace std::chrono;
    const std::time_t jan1 = static_cast<std::time_t>(
        (sys_days(year(2027) / January / 1) + minutes(10) - access::YearInference::LocalUtcOffset())
            .time_since_epoch()
            .count());
    const struct timespec times[2] = {{jan1, 0}, {jan1, 0}};
    ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);

    const Outcome one = Replay("auth_log", path, 1, 4096);
    ASSERT_TRUE(one.status.ok()) << one.status.ToString();
    std::vector<std::string> skips;
    for (const std::string& s : expected_skips) skips.push_back(path + "@" + s);
    EXPECT_EQ(one.skips, skips) << "shift " << shift;
    Timestamp last{};
    size_t max_tries = 0, sudo = 0;
    for (const Event& e : one.events) {
      // In order and within a minute of the mtime: the years followed the rollover.
      const Timestamp t = e.time();
      EXPECT_LE(last, t) << EventToJson(e);
      EXPECT_LE(std::chrono::abs(t - Timestamp(std::chrono::seconds(jan1))), std::chrono::minutes(15)) << EventToJson(e);
      last = t;
      const std::string* action = e.GetString(ecs::kEventAction);
      if (*action == "ssh_max_auth_tries") {
        ++max_tries;
        ASSERT_NE(e.GetIp(ecs::kSourceIp), nullptr) << "shift " << shift;
        EXPECT_EQ(e.GetIp(ecs::kSourceIp)->ToString(), "198.51.100.7");
        EXPECT_EQ(*e.GetInt(ecs::kSourcePort), 5555);
      }
      if (*action == "sudo_command") {
        ++sudo;
        ASSERT_NE(e.GetString(ecs::kProcessCommandLine), nullptr);
        EXPECT_EQ(*e.GetString(ecs::kProcessCommandLine), "/usr/bin/id -u");
      }
    }
    EXPECT_EQ(max_tries, 1u);
    EXPECT_EQ(sudo, 1u);
    const std::vector<std::string> expected = Jsons(one);
    for (const int workers : {2, 4}) {
      const Outcome many = Replay("auth_log", path, workers, 4096);
      ASSERT_TRUE(many.status.ok()) << many.status.ToString();
      EXPECT_TRUE(Jsons(many) == expected) << workers << " workers, shift " << shift;
      EXPECT_EQ(many.skips, skips) << workers << " workers, shift " << shift;
    }
  }
}

TEST(AuthLogCollector, RejectsWorkersOutOfRange) {
  Diagnostics diags;
  ConfigSection section(YAML::Load("{path: /var/log/auth.log, workers: 0}"), "t.yaml", diags);
  auto c = CollectorRegistry::Global().Find("auth_log")->Create(section, CollectorEnv{"a", "", RunMode::kReplay});
  EXPECT_FALSE(c.ok());
  EXPECT_NE(diags.FormatText().find("workers"), std::string::npos);
}

TEST(JournalJsonCollector, ReadsExportWithByteArrayMessages) {
  TempDir dir;
  const std::string path = dir.Write(
      "j.json",
      R"({"__REALTIME_TIMESTAMP":"1767225600000000","_HOSTNAME":"web1","SYSLOG_IDENTIFIER":"sshd","_PID":"77","MESSAGE":"Failed password for root from 192.0.2.9 port 22 ssh2"})"
      "\n"
      R"({"__REALTIME_TIMESTAMP":"1767225601000000","_HOSTNAME":"web1","_COMM":"sudo","MESSAGE":[32,32,98,111,98,32,58,32,84,84,89,61,112,116,115,47,48,32,59,32,80,87,68,61,47,32,59,32,85,83,69,82,61,114,111,111,116,32,59,32,67,79,77,77,65,78,68,61,47,98,105,110,47,105,100]})"
      "\n"
      "not json\n"
      R"({"MESSAGE":"no program"})"
      "\n"
      R"({"SYSLOG_IDENTIFIER":"cron","MESSAGE":"ignored"})"
      "\n");
  Outcome r = Replay("journal_json", path);
  ASSERT_TRUE(r.status.ok());
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(*r.events[0].GetString(ecs::kEventAction), "ssh_login");
  EXPECT_EQ(*r.events[0].GetInt(ecs::kProcessPid), 77);
  EXPECT_EQ(*r.events[0].GetString(ecs::kHostName), "web1");
  EXPECT_EQ(r.events[0].time().time_since_epoch(), std::chrono::seconds(1767225600));
  EXPECT_EQ(*r.events[1].GetString(ecs::kEventAction), "sudo_command");
  EXPECT_EQ(*r.events[1].GetString(ecs::kUserName), "bob");
  EXPECT_EQ(r.skips.size(), 2u);
}

}  // namespace
}  // namespace vigil

namespace vigil {
namespace {

// The real binary: `vigil replay --auth-log` and `--journal-json` reach these collectors.
TEST(AccessReplay, VigilReplayReadsAuthLogAndJournalJson) {
  TempDir dir;
  const std::string log = dir.Write(
      "auth.log",
      "Mar  1 10:00:00 web1 sshd[9]: Failed password for root from 192.0.2.1 port 22 ssh2\n"
      "Mar  1 10:00:01 web1 CRON[3]: (root) CMD (true)\n"
      "Mar  1 10:00:02 web1 sudo:    alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/id\n");
  auto r = testing::RunCommand({testing::VigilBinary(), "replay", "--auth-log", log, "--events"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("action":"ssh_login")"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(R"("action":"sudo_command")"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("2 events"), std::string::npos) << r.err;
  const std::string journal = dir.Write(
      "j.json",
      R"({"SYSLOG_IDENTIFIER":"sshd","_PID":"4","MESSAGE":"Invalid user bob from 192.0.2.8 port 1"})"
      "\n");
  r = testing::RunCommand({testing::VigilBinary(), "replay", "--journal-json", journal, "--events"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("action":"ssh_invalid_user")"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vigil
