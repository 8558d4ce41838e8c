// Run records end to end with the real binary (store/run_records.h): `vigil replay --db`
// records its run over the event times of its input, the rules in force with a digest an
// auditor can recompute with sha256sum, and what each input gave; `vigil run` records its
// start, ruleset, a coverage record every audit_log.coverage_interval, a new ruleset after
// SIGHUP, and a clean stop, and the audit log verifies.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "store/alert_store.h"
#include "support/test_support.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
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
  condition: event.dataset = app.auth and event.action = login and event.outcome = failure
  output: "login failed for {user.name}"
  controls: {pci_dss_4: ["10.2.1.4"], nist_800_53: ["AC-7"]}
- rule: test.quiet
  name: Never fires
  desc: Disabled, so not in force.
  severity: low
  enabled: false
  condition: event.action = nothing
  output: "x"
)";

std::string Event(const std::string& ts, const std::string& user) {
  return R"({"@timestamp":")" + ts + R"(","event":{"dataset":"app.auth","action":"login","outcome":"failure"},)"
         R"("user":{"name":")" + user + "\"}}\n";
}

std::unique_ptr<store::AlertStore> OpenStore(const std::string& db) {
  auto s = store::AlertStore::Open(db, sqlite::kReadOnly);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(*s) : nullptr;
}

int64_t Scalar(store::AlertStore& s, const char* sql) {
  auto st = s.db().Prepare(sql);
  EXPECT_TRUE(st.ok()) << sql;
  if (!st.ok()) return -1;
  auto row = st->Step();
  return row.ok() && *row ? st->Int(0) : -1;
}

std::string Text(store::AlertStore& s, const char* sql) {
  auto st = s.db().Prepare(sql);
  if (!st.ok()) return "";
  auto row = st->Step();
  return row.ok() && *row ? st->Text(0) : "";
}

TEST(RunRecords, ReplayRecordsItsRunRulesetAndCoverage) {
  TempDir dir;
  const std::string rules = dir.Write("rules.yaml", kRules);
  const std::string events = dir.Write("events.jsonl", Event("2026-03-01T10:00:00Z", "a") +
                                                          Event("2026-03-01T10:30:00Z", "b") + "not json\n" +
                                                          Event("2026-03-01T11:00:00Z", "c"));
  const std::string db = dir.File("state/vigil.db");
  std::filesystem::create_directories(dir.File("state"));
  auto r = RunCommand({VigilBinary(), "replay", "--db", db, "-r", rules, "--jsonl", events});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  auto s = OpenStore(db);
  ASSERT_NE(s, nullptr);
  auto runs = s->Runs();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  const store::StoredRun& run = (*runs)[0];
  EXPECT_EQ(run.mode, "replay");
  EXPECT_EQ(FormatRfc3339(run.started), "2026-03-01T10:00:00Z");
  ASSERT_TRUE(run.stopped.has_value());
  EXPECT_EQ(FormatRfc3339(*run.stopped), "2026-03-01T11:00:00Z");
  EXPECT_EQ(run.last_seen, *run.stopped);

  // The digest of the rules is what `sha256sum FILE | sha256sum` gives.
  auto digest = RunCommand({"/bin/sh", "-c", "sha256sum '" + rules + "' | sha256sum | cut -d' ' -f1"});
  ASSERT_EQ(digest.exit_code, 0);
  std::string expected = digest.out.substr(0, 64);
  EXPECT_EQ(Text(*s, "SELECT rules_sha256 FROM rulesets"), expected);
  // Only the enabled rule is in force, with its controls and the dataset it can match.
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM ruleset_rules"), 1);
  EXPECT_EQ(Text(*s, "SELECT rule_id || ' ' || datasets FROM ruleset_rules"), "test.login_failed app.auth");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM ruleset_controls WHERE rule_id = 'test.login_failed'"), 2);
  // What the input gave: 3 events, 1 skipped line, no errors, read to the end.
  EXPECT_EQ(Text(*s, "SELECT collector || ' ' || type || ' ' || up || ' ' || events || ' ' || skipped || ' ' || "
                     "errors FROM coverage"),
            "jsonl jsonl 1 3 1 0");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM alerts"), 3);

  auto v = RunCommand({VigilBinary(), "verify", "--db", db});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST(RunRecords, DaemonRecordsCoverageReloadAndCleanStop) {
  TempDir dir;
  dir.Write("rules/r.yaml", kRules);
  const std::string state = dir.File("state");
  const std::string events = dir.Write("events.jsonl", Event("2026-03-01T10:00:00Z", "a"));
  const std::string config_text =
      "state_dir: " + state + "\nmetrics:\n  enabled: false\nrules:\n  paths: [\"" + dir.File("rules") +
      "/*.yaml\"]\naudit_log:\n  coverage_interval: 1s\ncollectors:\n  - type: jsonl\n    name: app\n    path: " +
      events + "\n    start_at: beginning\n";
  const std::string config = dir.Write("vigil.yaml", config_text);
  const std::string db = state + "/vigil.db";
  auto count = [&](const char* sql) {
    auto s = store::AlertStore::Open(db, sqlite::kReadOnly);
    if (!s.ok()) return int64_t{-1};
    auto st = (*s)->db().Prepare(sql);
    if (!st.ok()) return int64_t{-1};
    auto row = st->Step();
    return row.ok() && *row ? st->Int(0) : int64_t{-1};
  };
  {
    Process run({VigilBinary(), "run", "-c", config}, dir.File("run.err"));
    ASSERT_TRUE(Eventually([&] { return count("SELECT count(DISTINCT audit_seq) FROM coverage") >= 2; }, 30s))
        << ReadFile(dir.File("run.err"));
    // A reload with one more rule in force is a new ruleset record of the same run.
    dir.Write("rules/more.yaml", R"(
- rule: test.other
  name: Other
  desc: Another rule.
  severity: medium
  condition: event.action = other
  output: "other"
)");
    run.Signal(SIGHUP);
    ASSERT_TRUE(Eventually([&] { return count("SELECT count(*) FROM rulesets") == 2; }, 30s))
        << ReadFile(dir.File("run.err"));
    run.Signal(SIGTERM);
    int code = -1;
    ASSERT_TRUE(run.Wait(30s, &code));
    EXPECT_EQ(code, 0) << ReadFile(dir.File("run.err"));
  }
  auto s = OpenStore(db);
  ASSERT_NE(s, nullptr);
  auto runs = s->Runs();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ((*runs)[0].mode, "daemon");
  ASSERT_TRUE((*runs)[0].stopped.has_value());
  EXPECT_GE((*runs)[0].last_seen, (*runs)[0].started);
  EXPECT_EQ(Scalar(*s, "SELECT count(DISTINCT rules_sha256) FROM rulesets"), 2);
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM ruleset_rules WHERE rule_id = 'test.other'"), 1);
  // The final coverage record: the collector was up until the stop and read the event.
  EXPECT_EQ(Text(*s, "SELECT collector || ' ' || type || ' ' || up || ' ' || events FROM coverage "
                     "ORDER BY audit_seq DESC LIMIT 1"),
            "app jsonl 1 1");
  auto v = RunCommand({VigilBinary(), "verify", "--db", db});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace vigil
