// End-to-end tests of the `vigil` command line: the real binary, as a user runs it.
#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"

namespace vigil {
namespace {

using testing::RunCommand;
using testing::SourceDir;
using testing::TempDir;
using testing::VigilBinary;

std::string DefaultConfig() { return SourceDir() + "/etc/vigil.yaml"; }

TEST(CliTest, VersionFlagAndSubcommand) {
  auto r = RunCommand({VigilBinary(), "--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("vigil ", 0), 0u) << r.out;
  auto v = RunCommand({VigilBinary(), "version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out, r.out);
}

TEST(CliTest, EverySubcommandHasHelp) {
  for (const char* sub : {"run", "check", "replay", "report", "alerts", "verify", "version"}) {
    auto r = RunCommand({VigilBinary(), sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << sub << ": " << r.err;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << sub;
  }
}

TEST(CliTest, UsageErrorsExitTwoOnStderr) {
  auto none = RunCommand({VigilBinary()});
  EXPECT_EQ(none.exit_code, 2);
  auto bogus = RunCommand({VigilBinary(), "frobnicate"});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_FALSE(bogus.err.empty());
}

TEST(CliTest, ReportAndAlertsWithoutAStoreAreUsageErrors) {
  TempDir dir;
  auto r = RunCommand({VigilBinary(), "report", "--from", "2026-01-01", "--to", "2026-02-01",
                "--format", "json", "--db", dir.File("none.db")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no alert store"), std::string::npos) << r.err;
  auto a = RunCommand({VigilBinary(), "alerts", "list"});
  EXPECT_EQ(a.exit_code, 2);
}

TEST(CliTest, CheckAcceptsShippedDefaultConfig) {
  auto r = RunCommand({VigilBinary(), "check", "-c", DefaultConfig()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("ok"), std::string::npos) << r.out;
}

TEST(CliTest, CheckReportsUnknownKeyWithLocationAndCaret) {
  TempDir dir;
  std::string cfg = dir.Write("bad.yaml",
                              "state_dir: /tmp/vigil-test\n"
                              "log:\n"
                              "  level: info\n"
                              "  colour: blue\n");
  auto r = RunCommand({VigilBinary(), "check", "-c", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(cfg + ":4:3: error[E101]: unknown key 'colour'"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("  colour: blue\n    ^\n"), std::string::npos) << r.err;
}

TEST(CliTest, CheckReportsWrongTypeAsJson) {
  TempDir dir;
  std::string cfg = dir.Write("bad.yaml", "queue:\n  capacity: lots\n");
  auto r = RunCommand({VigilBinary(), "check", "-c", cfg, "--format", "json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("\"valid\":false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"code\":\"E102\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"line\":2"), std::string::npos) << r.out;
}

TEST(CliTest, ReplayJsonlPrintsEventsAndReportsMalformedLines) {
  TempDir dir;
  std::string in = dir.Write(
      "events.jsonl",
      "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"event\":{\"kind\":\"event\",\"dataset\":"
      "\"smoke.test\",\"outcome\":\"failure\"},\"source\":{\"ip\":\"192.0.2.1\"},\"user\":{"
      "\"name\":\"u\"}}\n"
      "not json\n"
      "{\"@timestamp\":\"2026-01-01T00:00:01.5+01:00\",\"source.ip\":\"2001:db8::1\","
      "\"custom\":{\"thing\":[1,2]}}\n"
      "{\"source\":{\"ip\":\"not-an-ip\"}}\n");
  auto r = RunCommand({VigilBinary(), "replay", "--jsonl", in, "--events"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"ip\":\"192.0.2.1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"ip\":\"2001:db8::1\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"2026-01-01T00:00:00Z\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"2025-12-31T23:00:01.500Z\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"custom\":{\"thing\":[1,2]}"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(in + ":2"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(in + ":4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("2 events, 2 skipped"), std::string::npos) << r.err;

  // Same input, same output.
  auto again = RunCommand({VigilBinary(), "replay", "--jsonl", in, "--events"});
  EXPECT_EQ(again.out, r.out);
}

TEST(CliTest, ReplayOfSeveralInputsKeepsCommandLineOrder) {
  TempDir dir;
  std::string a = dir.Write("a.jsonl", "{\"message\":\"a1\"}\n{\"message\":\"a2\"}\n");
  std::string b = dir.Write("b.jsonl", "{\"message\":\"b1\"}\n");
  auto r = RunCommand({VigilBinary(), "replay", "--jsonl", b, "--jsonl", a, "--events"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  size_t b1 = r.out.find("b1"), a1 = r.out.find("a1"), a2 = r.out.find("a2");
  ASSERT_NE(b1, std::string::npos);
  EXPECT_LT(b1, a1);
  EXPECT_LT(a1, a2);
}

// `vigil replay --audit-log`: records joined by serial, hex decoded, ENRICHED names, a bad
// line skipped with its offset, and a rule naming the audit dataset raising an alert.
TEST(CliTest, ReplayAuditLogJoinsRecordsAndRaisesAlerts) {
  TempDir dir;
  const std::string gs = "\x1d";
  const std::string m = "msg=audit(1764000300.250:4400): ";
  const std::string log =
      "type=SYSCALL " + m + "arch=c000003e syscall=59 success=yes exit=0 a0=55d0c3a4e2f0 items=1 ppid=1 "
      "pid=30611 auid=1000 uid=0 euid=0 tty=pts1 ses=7 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"x\"" + gs +
      "ARCH=x86_64 SYSCALL=execve AUID=\"alice\" UID=\"root\" EUID=\"root\"\n"
      "type=USER_AUTH msg=audit(1764000301.000:4401): pid=2 uid=0 auid=4294967295 ses=4294967295 "
      "msg='op=PAM:authentication grantors=? acct=\"bob\" exe=\"/usr/sbin/sshd\" hostname=198.51.100.7 "
      "addr=198.51.100.7 terminal=ssh res=failed'\n"
      "type=EXECVE " + m + "argc=2 a0=\"cat\" a1=2F746D702F6D792066696C65\n"
      "type=PROCTITLE " + m + "proctitle=636174002F746D702F6D792066696C65\n"
      "type=EOE " + m + "\n"
      "this is not an audit record\n"
      "node=web01 type=ADD_USER msg=audit(1764000302.000:4402): pid=3 uid=0 auid=1000 ses=7 "
      "msg='op=add-user id=0 exe=\"/usr/sbin/useradd\" hostname=web01 addr=? terminal=pts/1 res=success'" + gs +
      "UID=\"root\" AUID=\"alice\" ID=\"toor\"\n";
  const std::string in = dir.Write("audit.log", log);
  const std::string rules = dir.Write("rules.yaml", R"(
- rule: t-audit-uid0
  name: Account with uid 0
  desc: test
  severity: critical
  condition: event.dataset in (access.account, access.auditd) and event.action = user_created and user.target.id = "0"
  output: "account {user.target.name} has uid 0 on {host.name}, by {user.name}"
)");
  auto r = RunCommand({VigilBinary(), "replay", "--audit-log", in, "-r", rules, "--events"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"dataset\":\"access.auditd\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"action\":\"process_started\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"command_line\":\"cat /tmp/my file\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"action\":\"user_authentication\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"ip\":\"198.51.100.7\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("account toor has uid 0 on web01, by alice"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find(in + "@"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no type="), std::string::npos) << r.err;
  // Same input, same output.
  auto again = RunCommand({VigilBinary(), "replay", "--audit-log", in, "-r", rules, "--events"});
  EXPECT_EQ(again.out, r.out);
}

TEST(CliTest, ReplayOfMissingFileFails) {
  auto r = RunCommand({VigilBinary(), "replay", "--jsonl", "/nonexistent/x.jsonl", "--events"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/x.jsonl"), std::string::npos) << r.err;
}

TEST(CliTest, ReplayWithoutInputIsAUsageError) {
  auto r = RunCommand({VigilBinary(), "replay", "--events"});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace vigil
