// The alert workflow end to end with the real binary: `vigil replay --db` fills a store,
// `vigil alerts list/show/ack/assign/resolve` work on it, `vigil verify` accepts the clean
// audit log and names the first edited, removed, reordered or truncated record, and a
// `vigil run` killed with SIGKILL during heavy alerting restarts with its store and audit log
// intact (acknowledgements made before the crash still there, no id used twice).
#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::Eventually;
using testing::Process;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;
using testing::VigilBinary;

constexpr const char* kRules = R"(
- rule: test.login_failed
  name: Login failed
  desc: A failed login.
  severity: high
  condition: event.action = login and event.outcome = failure
  output: "login failed for {user.name}"
  controls: {pci_dss_4: ["10.2.1.4"], nist_800_53: ["AC-7"]}
- rule: test.admin_change
  name: Admin group changed
  desc: Someone changed the admin group.
  severity: critical
  condition: event.action = group_change
  output: "group changed by {user.name}"
)";

// n failed logins (users u0..u(n-1)) and m group changes, one second apart.
std::string Events(int n, int m, int start_second = 0) {
  std::string out;
  int s = start_second;
  auto ts = [&] {
    char buf[32];
    std::snprintf(buf, sizeof buf, "2026-03-01T%02d:%02d:%02dZ", s / 3600 % 24, s / 60 % 60, s % 60);
    ++s;
    return std::string(buf);
  };
  for (int i = 0; i < n; ++i) {
    out += R"({"@timestamp":")" + ts() + R"(","event":{"action":"login","outcome":"failure"},"user":{"name":"u)" +
           std::to_string(i) + "\"}}\n";
  }
  for (int i = 0; i < m; ++i) {
    out += R"({"@timestamp":")" + ts() + R"(","event":{"action":"group_change"},"user":{"name":"admin"}})" "\n";
  }
  return out;
}

std::vector<json> JsonLines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(json::parse(line));
  }
  return out;
}

std::vector<std::string> Lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
}

class AlertsWorkflowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rules_ = dir_.Write("rules.yaml", kRules);
    db_ = dir_.File("store/s.db");
    ASSERT_EQ(RunCommand({"mkdir", "-p", dir_.File("store")}).exit_code, 0);
  }

  testing::ProcessResult Replay(const std::string& events) {
    const std::string in = dir_.Write("in-" + std::to_string(++replays_) + ".jsonl", events);
    return RunCommand({VigilBinary(), "replay", "-r", rules_, "--jsonl", in, "--db", db_});
  }
  testing::ProcessResult Alerts(std::vector<std::string> args) {
    args.insert(args.begin(), {VigilBinary(), "alerts", "--db", db_});
    return RunCommand(args);
  }
  testing::ProcessResult Verify() { return RunCommand({VigilBinary(), "verify", "--db", db_}); }
  std::string LogPath() const { return dir_.File("store/s.audit.log"); }

  TempDir dir_;
  std::string rules_, db_;
  int replays_ = 0;
};

TEST_F(AlertsWorkflowTest, ReplayFillsTheStoreAndTheWorkflowChangesIt) {
  auto r = Replay(Events(5, 2));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto printed = JsonLines(r.out);
  ASSERT_EQ(printed.size(), 7u);
  for (size_t i = 0; i < printed.size(); ++i) EXPECT_EQ(printed[i]["vigil"]["alert"]["id"], i + 1);

  auto list = Alerts({"list", "--format", "json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  auto alerts = JsonLines(list.out);
  ASSERT_EQ(alerts.size(), 7u);
  EXPECT_EQ(alerts[0]["rule"]["id"], "test.login_failed");
  EXPECT_EQ(alerts[0]["status"], "open");
  EXPECT_EQ(alerts[0]["output"], "login failed for u0");
  EXPECT_EQ(alerts[6]["severity"], "critical");

  auto critical = Alerts({"list", "--severity", "critical", "--format", "json"});
  EXPECT_EQ(JsonLines(critical.out).size(), 2u);
  auto table = Alerts({"list"});
  EXPECT_NE(table.out.find("test.admin_change"), std::string::npos) << table.out;

  // ack, a second ack refused, assign, resolve; each recorded.
  EXPECT_EQ(Alerts({"ack", "1", "--by", "alice"}).exit_code, 0);
  auto again = Alerts({"ack", "1", "--by", "bob"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already acknowledged (by alice"), std::string::npos) << again.err;
  EXPECT_EQ(Alerts({"assign", "1", "--to", "carol", "--by", "alice"}).exit_code, 0);
  EXPECT_EQ(Alerts({"resolve", "1", "--by", "carol", "--resolution", "accepted_risk"}).exit_code, 2)
      << "an accepted risk needs a note";
  EXPECT_EQ(Alerts({"resolve", "1", "--by", "carol", "--resolution", "fixed", "--note", "password reset"}).exit_code, 0);
  EXPECT_EQ(Alerts({"resolve", "1", "--by", "carol", "--resolution", "fixed"}).exit_code, 1);
  EXPECT_EQ(Alerts({"ack", "99", "--by", "alice"}).exit_code, 1);

  auto show = Alerts({"show", "1", "--format", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  json one = json::parse(show.out);
  EXPECT_EQ(one["status"], "resolved");
  EXPECT_EQ(one["assignee"], "carol");
  EXPECT_EQ(one["acknowledged"]["by"], "alice");
  EXPECT_EQ(one["resolved"]["resolution"], "fixed");
  EXPECT_EQ(one["resolved"]["note"], "password reset");
  EXPECT_EQ(one["controls"]["pci_dss_4"][0], "10.2.1.4");
  ASSERT_EQ(one["history"].size(), 4u);
  EXPECT_EQ(one["history"][0]["action"], "created");
  EXPECT_EQ(one["history"][1]["action"], "ack");
  EXPECT_EQ(one["history"][2]["action"], "assign");
  EXPECT_EQ(one["history"][3]["action"], "resolve");
  ASSERT_EQ(one["evidence"].size(), 1u);
  EXPECT_EQ(one["evidence"][0]["user"]["name"], "u0");

  EXPECT_EQ(JsonLines(Alerts({"list", "--status", "resolved", "--format", "json"}).out).size(), 1u);
  EXPECT_EQ(JsonLines(Alerts({"list", "--status", "open", "--format", "json"}).out).size(), 6u);

  // Every change is in the audit log, which verifies.
  auto v = Verify();
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find(": OK: "), std::string::npos) << v.out;
  int transitions = 0;
  for (const auto& l : Lines(LogPath())) transitions += l.find("\"type\":\"transition\"") != std::string::npos;
  EXPECT_EQ(transitions, 3);

  // A second replay into the same store continues the ids and the chain.
  auto r2 = Replay(Events(1, 0, 100));
  ASSERT_EQ(r2.exit_code, 0) << r2.err;
  auto printed2 = JsonLines(r2.out);
  ASSERT_EQ(printed2.size(), 1u);
  EXPECT_EQ(printed2[0]["vigil"]["alert"]["id"], 8);
  EXPECT_EQ(Verify().exit_code, 0);
}

TEST_F(AlertsWorkflowTest, VerifyNamesTheFirstTamperedRecord) {
  ASSERT_EQ(Replay(Events(6, 0)).exit_code, 0);
  ASSERT_EQ(Alerts({"ack", "2", "--by", "alice"}).exit_code, 0);
  ASSERT_EQ(Verify().exit_code, 0);
  const std::vector<std::string> clean = Lines(LogPath());
  ASSERT_GE(clean.size(), 8u);  // 6 alerts, a checkpoint, the ack (and maybe a checkpoint)

  // Where the router's first checkpoint falls depends on how the alerts were batched: find an
  // alert record past the first line rather than assume its position.
  size_t alert_line = 1;
  while (alert_line < clean.size() && clean[alert_line].find("login failed") == std::string::npos) ++alert_line;
  ASSERT_LT(alert_line + 1, clean.size());
  const std::string edited_record = "record " + std::to_string(alert_line + 1) + " ";

  struct Case {
    const char* name;
    std::function<std::vector<std::string>(std::vector<std::string>)> tamper;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {"edit",
       [&](auto l) {
         l[alert_line].replace(l[alert_line].find("login failed"), 5, "LOGIN");
         return l;
       },
       edited_record},
      {"delete", [](auto l) { l.erase(l.begin() + 3); return l; }, "removed"},
      {"reorder", [](auto l) { std::swap(l[1], l[2]); return l; }, "reordered"},
      {"duplicate", [](auto l) { l.insert(l.begin() + 4, l[3]); return l; }, "reordered or duplicated"},
      {"truncate", [](auto l) { l.resize(4); return l; }, "truncated"},
      {"edit last", [](auto l) { l.back().replace(l.back().find("\"time\":\"2"), 9, "\"time\":\"1"); return l; }, "edited"},
  };
  for (const Case& c : cases) {
    WriteLines(LogPath(), c.tamper(clean));
    auto v = Verify();
    EXPECT_EQ(v.exit_code, 1) << c.name << ": " << v.out;
    EXPECT_NE(v.out.find("FAILED"), std::string::npos) << c.name << ": " << v.out;
    EXPECT_NE(v.out.find(c.expect), std::string::npos) << c.name << ": " << v.out;
  }
  WriteLines(LogPath(), clean);
  EXPECT_EQ(Verify().exit_code, 0);
}

// `vigil run` on a jsonl file with many alerting events, killed with SIGKILL while it
// writes; an alert acknowledged before the kill stays acknowledged after the restart, the
// store opens, ids are unique, the audit log verifies (after the repair of a torn line).
TEST(AlertsCrashTest, KillDuringHeavyAlertingLosesNothing) {
  TempDir dir;
  dir.Write("rules/r.yaml", kRules);
  const std::string state = dir.File("state");
  const std::string events = dir.File("events.jsonl");
  {
    std::ofstream out(events);
    out << Events(20000, 0);
  }
  const std::string config = dir.Write(
      "vigil.yaml", "state_dir: " + state + "\nmetrics:\n  enabled: false\nrules:\n  paths: [\"" +
                        dir.File("rules") + "/*.yaml\"]\naudit_log:\n  checkpoint_every: 500\n"
                        "collectors:\n  - type: jsonl\n    name: app\n    path: " + events +
                        "\n    start_at: beginning\n");
  const std::string db = state + "/vigil.db";
  auto stored = [&] {
    auto r = RunCommand({VigilBinary(), "alerts", "--db", db, "list", "--limit", "10000000", "--format", "json"});
    return r.exit_code == 0 ? JsonLines(r.out).size() : size_t{0};
  };
  {
    Process run({VigilBinary(), "run", "-c", config}, dir.File("run1.err"));
    ASSERT_TRUE(Eventually([&] { return stored() >= 50; }, 60s)) << ReadFile(dir.File("run1.err"));
    auto ack = RunCommand({VigilBinary(), "alerts", "--db", db, "ack", "1", "--by", "alice"});
    ASSERT_EQ(ack.exit_code, 0) << ack.err;
    run.Signal(SIGKILL);
    int code = 0, sig = 0;
    ASSERT_TRUE(run.Wait(10s, &code, &sig));
    EXPECT_EQ(sig, SIGKILL);
  }
  // A torn last line, as a crash in the middle of a write leaves it.
  {
    std::ofstream out(state + "/vigil.audit.log", std::ios::app);
    out << R"({"seq":999999,"prev":"00)";
  }
  {
    Process run({VigilBinary(), "run", "-c", config}, dir.File("run2.err"));
    // The restart reads the file from its saved position; wait until alerting settles.
    size_t last = 0;
    ASSERT_TRUE(Eventually([&] {
      std::this_thread::sleep_for(1s);
      const size_t now = stored();
      const bool settled = now > 0 && now == last;
      last = now;
      return settled;
    }, 120s)) << ReadFile(dir.File("run2.err"));
    run.Signal(SIGTERM);
    int code = -1;
    ASSERT_TRUE(run.Wait(30s, &code));
    EXPECT_EQ(code, 0) << ReadFile(dir.File("run2.err"));
    EXPECT_NE(ReadFile(dir.File("run2.err")).find("cut a torn last line"), std::string::npos);
  }
  auto show = RunCommand({VigilBinary(), "alerts", "--db", db, "show", "1", "--format", "json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(json::parse(show.out)["status"], "acknowledged");

  auto all = RunCommand({VigilBinary(), "alerts", "--db", db, "list", "--limit", "10000000", "--format", "json"});
  std::set<int64_t> ids;
  for (const auto& a : JsonLines(all.out)) EXPECT_TRUE(ids.insert(a["id"].get<int64_t>()).second);
  EXPECT_GT(ids.size(), 50u);
  // Every alert record in the log is in the store, once.
  size_t alert_records = 0;
  for (const auto& l : Lines(state + "/vigil.audit.log")) alert_records += l.find("\"type\":\"alert\"") != std::string::npos;
  EXPECT_EQ(alert_records, ids.size());

  auto v = RunCommand({VigilBinary(), "verify", "--db", db});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(ReadFile(state + "/vigil.audit.log").find("\"type\":\"repair\""), std::string::npos);
}

}  // namespace
}  // namespace vigil
