// End to end: `vigil check -r` / `--test` and `vigil replay -r` on the real binary.
#include <gtest/gtest.h>

#include "support/test_support.h"

namespace vigil::testing {
namespace {

const char* kRules = R"(- list: admins
  items: [root, admin]
- rule: ssh.admin_fail
  name: Admin login failed
  severity: high
  controls: {pci_dss_4: ["10.2.1.4"]}
  condition: event.dataset = access.sshd and event.outcome = failure and user.name in admins
  output: "failed login for {user.name}"
  tests:
    - event: {event: {dataset: access.sshd, outcome: failure}, user: {name: root}}
      match: true
    - event: {event: {dataset: access.sshd, outcome: success}, user: {name: root}}
      match: false
- rule: any_root
  name: Root seen
  severity: info
  condition: user.name = root
)";

TEST(CliRules, CheckPassesAndRunsTests) {
  TempDir dir;
  auto r = RunCommand({VigilBinary(), "check", "-r", dir.Write("r.yaml", kRules), "--test"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 rules, 2 tests passed, 0 failed"), std::string::npos) << r.out;
}

TEST(CliRules, CheckReportsLocatedErrorsAndFailingTests) {
  TempDir dir;
  std::string bad = dir.Write("bad.yaml", "- rule: x\n  name: X\n  severity: low\n  condition: source.ip = foo\n");
  auto r = RunCommand({VigilBinary(), "check", "-r", bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(bad + ":4:26: error[E207]"), std::string::npos) << r.err;
  auto j = RunCommand({VigilBinary(), "check", "-r", bad, "--format", "json"});
  EXPECT_EQ(j.exit_code, 1);
  EXPECT_NE(j.out.find("\"code\":\"E207\""), std::string::npos) << j.out;
  std::string failing = kRules;
  failing.replace(failing.rfind("match: false"), 12, "match: true");
  auto t = RunCommand({VigilBinary(), "check", "-r", dir.Write("t.yaml", failing), "--test"});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.out.find("2 rules, 1 test passed, 1 failed"), std::string::npos) << t.out;
  EXPECT_NE(t.err.find("t.yaml:12:7: error[E220]"), std::string::npos) << t.err;
}

TEST(CliRules, ReplayPrintsAlerts) {
  TempDir dir;
  std::string events = dir.Write("e.jsonl",
      R"({"@timestamp":"2026-03-01T10:00:00Z","event":{"dataset":"access.sshd","outcome":"failure"},"user":{"name":"root"}})"
      "\n"
      R"({"@timestamp":"2026-03-01T10:00:01Z","event":{"dataset":"access.sshd","outcome":"success"},"user":{"name":"bob"}})"
      "\n");
  std::string rules = dir.Write("r.yaml", kRules);
  auto r = RunCommand({VigilBinary(), "replay", "--jsonl", events, "-r", rules});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"rule\":{\"id\":\"ssh.admin_fail\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rule\":{\"id\":\"any_root\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"kind\":\"alert\""), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("2 events, 0 skipped, 0 failed, 2 alerts"), std::string::npos) << r.err;
  auto quiet = RunCommand({VigilBinary(), "replay", "--jsonl", events, "-r", rules, "--no-alerts"});
  EXPECT_EQ(quiet.out, "");
  EXPECT_NE(quiet.err.find("2 alerts"), std::string::npos) << quiet.err;
  auto bad = RunCommand({VigilBinary(), "replay", "--jsonl", events, "-r", dir.Write("b.yaml", "- rule: [\n")});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("E200"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace vigil::testing
