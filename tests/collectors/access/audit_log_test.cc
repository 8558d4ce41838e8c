// The Linux audit log: the record parser (audit_record.h), the mapping to ECS
// (audit_event.h) and the `audit_log` collector as
// `vigil replay --audit-log` builds it. The lines are written here in auditd's format,
// raw and ENRICHED (\x1d then translated fields).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <mutex>
#include <thread>
#include <random>
#include <string>
#include <vector>

#include "audit_assembler.h"
#include "audit_event.h"
#include "audit_record.h"
#include "audit_test_lines.h"
#include "event_json.h"
#include "support/test_support.h"
#include "vigil/collector.h"
#include "vigil/config_section.h"
#include "vigil/ecs_fields.h"

namespace vigil::access {
namespace {

using testing::TempDir;

using namespace testing_audit;  // NOLINT(google-build-using-namespace)

// --- the record parser -------------------------------------------------------------------

TEST(AuditRecord, UserRecordWithNestedMessage) {
  AuditRecord r;
  ASSERT_TRUE(ParseAuditRecord(kSshdAuthFailed, &r).ok());
  EXPECT_EQ(r.type, "USER_AUTH");
  EXPECT_EQ(r.node, "");
  EXPECT_EQ(r.seconds, 1764000000);
  EXPECT_EQ(r.millis, 123);
  EXPECT_EQ(r.serial, 4101u);
  ASSERT_NE(r.Find("pid"), nullptr);
  EXPECT_EQ(*r.Find("pid"), "23817");
  EXPECT_EQ(*r.Find("subj"), "system_u:system_r:sshd_t:s0-s0:c0.c1023");
  EXPECT_EQ(*r.Find("op"), "PAM:authentication");
  EXPECT_EQ(*r.Find("acct"), "bob");
  EXPECT_EQ(*r.Find("exe"), "/usr/sbin/sshd");
  EXPECT_EQ(*r.Find("addr"), "198.51.100.7");
  EXPECT_EQ(*r.Find("res"), "failed");
  EXPECT_EQ(r.Find("msg"), nullptr);  // its contents are the nested fields
  EXPECT_TRUE(r.enriched.empty());
}

TEST(AuditRecord, EnrichedFieldsAndNodeAndHex) {
  AuditRecord r;
  ASSERT_TRUE(ParseAuditRecord(kAddUser, &r).ok());
  EXPECT_EQ(r.node, "web01");
  EXPECT_EQ(r.type, "ADD_USER");
  EXPECT_EQ(*r.Find("id"), "1005");  // digits, but id is not an encoded field
  EXPECT_EQ(*r.Find("res"), "success");
  ASSERT_NE(r.FindEnriched("AUID"), nullptr);
  EXPECT_EQ(*r.FindEnriched("AUID"), "alice");
  EXPECT_EQ(*r.FindEnriched("ID"), "mallory");
  EXPECT_EQ(r.Find("AUID"), nullptr);

  ASSERT_TRUE(ParseAuditRecord(kSudoCmd, &r).ok());
  EXPECT_EQ(*r.Find("cmd"), "systemctl restart nginx");
  EXPECT_EQ(*r.Find("cwd"), "/home/alice");
  EXPECT_EQ(*r.FindEnriched("UID"), "alice");
}

TEST(AuditRecord, DecodesOnlyEncodedFieldsWrittenAsHex) {
  AuditRecord r;
  const auto e = ExecEvent("1764000300.250:4400", true);
  ASSERT_TRUE(ParseAuditRecord(e[0], &r).ok());
  EXPECT_EQ(*r.Find("a0"), "55d0c3a4e2f0");  // SYSCALL arguments are numbers
  EXPECT_EQ(*r.Find("arch"), "c000003e");
  EXPECT_EQ(*r.Find("comm"), "cat");
  EXPECT_EQ(*r.FindEnriched("SYSCALL"), "execve");
  EXPECT_EQ(*r.FindEnriched("ARCH"), "x86_64");
  EXPECT_EQ(*r.FindEnriched("EUID"), "root");
  ASSERT_TRUE(ParseAuditRecord(e[1], &r).ok());
  EXPECT_EQ(*r.Find("a1"), "/etc/shadow");
  EXPECT_EQ(*r.Find("a2"), "hello world");
  EXPECT_EQ(*r.Find("argc"), "3");
  ASSERT_TRUE(ParseAuditRecord(e[2], &r).ok());
  EXPECT_EQ(*r.Find("cwd"), "/tmp/my dir");
  ASSERT_TRUE(ParseAuditRecord(e[5], &r).ok());
  EXPECT_EQ(*r.Find("proctitle"), std::string("cat\0/etc/shadow", 15));
  // Odd length, lower case or quoted: kept as written.
  ASSERT_TRUE(ParseAuditRecord("type=CWD msg=audit(1.000:1): cwd=ABC name=abcd exe=\"4142\" comm=(null)", &r).ok());
  EXPECT_EQ(*r.Find("cwd"), "ABC");
  EXPECT_EQ(*r.Find("name"), "abcd");
  EXPECT_EQ(*r.Find("exe"), "4142");
  EXPECT_EQ(*r.Find("comm"), "(null)");
  // A hex acct naming a user with a space; an encoded EXECVE argument part.
  ASSERT_TRUE(ParseAuditRecord("type=USER_LOGIN msg=audit(1.000:2): pid=1 msg='acct=626F6220736D697468 res=failed'", &r).ok());
  EXPECT_EQ(*r.Find("acct"), "bob smith");
  ASSERT_TRUE(ParseAuditRecord("type=EXECVE msg=audit(1.000:3): argc=1 a0_len=8 a0[0]=41424344 a0[1]=\"EFGH\"", &r).ok());
  EXPECT_EQ(*r.Find("a0[0]"), "ABCD");
  EXPECT_EQ(*r.Find("a0_len"), "8");
}

TEST(AuditRecord, AvcWordsAndBracesAreTolerated) {
  AuditRecord r;
  ASSERT_TRUE(ParseAuditRecord(
                  "type=AVC msg=audit(1764000400.001:4500): avc:  denied  { read } for  pid=812 comm=\"httpd\" "
                  "name=\"shadow\" dev=\"dm-0\" ino=1234 scontext=system_u:system_r:httpd_t:s0 "
                  "tcontext=system_u:object_r:shadow_t:s0 tclass=file permissive=0" +
                      GS + "SADDR={ saddr_fam=inet laddr=10.0.0.1 lport=22 } UID=\"root\"",
                  &r)
                  .ok());
  EXPECT_EQ(*r.Find("pid"), "812");
  EXPECT_EQ(*r.Find("tclass"), "file");
  EXPECT_EQ(*r.FindEnriched("SADDR"), "{ saddr_fam=inet laddr=10.0.0.1 lport=22 }");
  EXPECT_EQ(*r.FindEnriched("UID"), "root");
}

TEST(AuditRecord, BadLinesAreErrorsWithAReason) {
  AuditRecord r;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "type="},
      {"hello world", "type="},
      {"type=SYSCALL", "type="},
      {"type=SYSCALL msg=audit(17640003", "stamp"},
      {"type=SYSCALL msg=audit(1764000300.250): arch=c000003e", "stamp"},
      {"type=SYSCALL msg=audit(x.250:1): arch=c000003e", "stamp"},
      {"type=SYSCALL msg=audit(1.2:99999999999999999999999): a=b", "stamp"},
      {"type=SYSCALL msg=audit(176400030020.500:1): a=b", "stamp"},  // beyond 2262: no Timestamp
      {"node= type=X msg=audit(1.000:1): a=b", "node"},
      {"type=USER_AUTH msg=audit(1764000000.123:4101): pid=1 uid=0 msg='op=PAM:authentication acct=\"bo",
       "unterminated quote"},
      {"type=USER_AUTH msg=audit(1764000000.123:4101): pid=1 uid=0 msg='op=PAM:authentication acct=\"bob",
       "unterminated quote"},
  };
  for (const auto& [line, reason] : bad) {
    Status s = ParseAuditRecord(line, &r);
    EXPECT_FALSE(s.ok()) << line;
    EXPECT_NE(s.message().find(reason), std::string::npos) << line << " -> " << s.message();
  }
}

TEST(AuditRecord, Bounded) {
  AuditRecord r;
  AuditLimits limits;
  limits.max_fields = 10;
  std::string line = "type=EXECVE msg=audit(1.000:1): argc=20";
  for (int i = 0; i < 20; ++i) line += " a" + std::to_string(i) + "=\"x\"";
  Status s = ParseAuditRecord(line, &r, limits);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("more than 10 fields"), std::string::npos) << s.message();
  limits.max_line_bytes = 32;
  s = ParseAuditRecord(kSshdAuthFailed, &r, limits);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("longer than 32"), std::string::npos);
}

// --- the mapping ------------------------------------------------------------------------

struct Ids {
  AccessFieldIds access;
  AuditFieldIds audit;
};

const Ids& TheIds() {
  static const Ids ids = [] {
    Ids i;
    i.access = *DeclareAccessFields(FieldRegistry::Global());
    i.audit = *DeclareAuditFields(FieldRegistry::Global());
    return i;
  }();
  return ids;
}

std::vector<Event> Map(const std::vector<std::string>& lines) {
  Assembled a;
  Assemble(lines, &a);
  std::vector<Event> out;
  for (const auto& e : a.events) out.push_back(BuildAuditEvent(e, "/var/log/audit/audit.log", TheIds().access, TheIds().audit));
  return out;
}

std::string Str(const Event& e, FieldId id) {
  const std::string* s = e.GetString(id);
  return s != nullptr ? *s : "<none>";
}

std::string Ip(const Event& e) {
  const IpAddress* ip = e.GetIp(ecs::kSourceIp);
  return ip != nullptr ? ip->ToString() : "<none>";
}

TEST(AuditEvent, SshdPamFailure) {
  auto events = Map({kSshdAuthFailed});
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(Str(e, ecs::kEventDataset), "access.auditd");
  EXPECT_EQ(Str(e, ecs::kEventModule), "access");
  EXPECT_EQ(Str(e, ecs::kEventCode), "USER_AUTH");
  EXPECT_EQ(Str(e, ecs::kEventAction), "user_authentication");
  EXPECT_EQ(Str(e, ecs::kEventOutcome), "failure");
  EXPECT_EQ(Str(e, ecs::kUserName), "bob");
  EXPECT_EQ(Ip(e), "198.51.100.7");
  EXPECT_EQ(Str(e, ecs::kProcessExecutable), "/usr/sbin/sshd");
  EXPECT_EQ(Str(e, ecs::kProcessName), "sshd");
  ASSERT_NE(e.GetInt(ecs::kProcessPid), nullptr);
  EXPECT_EQ(*e.GetInt(ecs::kProcessPid), 23817);
  EXPECT_EQ(Str(e, TheIds().access.reason), "auth_failed");
  EXPECT_EQ(Str(e, TheIds().access.auth_method), "pam");
  EXPECT_EQ(Str(e, TheIds().access.tty), "ssh");
  EXPECT_EQ(Str(e, TheIds().audit.op), "PAM:authentication");
  EXPECT_FALSE(e.Has(TheIds().audit.session));  // 4294967295: unset
  EXPECT_FALSE(e.Has(ecs::kUserId));             // auid unset, uid 0 is sshd's
  ASSERT_NE(e.GetTime(ecs::kTimestamp), nullptr);
  EXPECT_EQ(e.GetTime(ecs::kTimestamp)->time_since_epoch(),
            std::chrono::seconds(1764000000) + std::chrono::milliseconds(123));
  EXPECT_EQ(*e.GetInt(TheIds().audit.serial), 4101);
  EXPECT_EQ(Str(e, ecs::kEventOriginal), kSshdAuthFailed);
  EXPECT_EQ(Str(e, ecs::kLogFilePath), "/var/log/audit/audit.log");
  EXPECT_EQ(*e.GetInt(ecs::kLogOffset), 0);
}

TEST(AuditEvent, LoginOfAnInvalidUserAndASuccessfulOne) {
  auto events = Map({
      "type=USER_LOGIN msg=audit(1764000010.000:4110): pid=23900 uid=0 auid=4294967295 ses=4294967295 "
      "subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=login acct=28696E76616C6964207573657229 "
      "exe=\"/usr/sbin/sshd\" hostname=? addr=::ffff:203.0.113.9 terminal=sshd res=failed'" +
          GS + "UID=\"root\" AUID=\"unset\"",
      "node=web01 type=USER_LOGIN msg=audit(1764000020.000:4120): pid=23950 uid=0 auid=1000 ses=12 "
      "subj=system_u:system_r:sshd_t:s0-s0:c0.c1023 msg='op=login id=1000 exe=\"/usr/sbin/sshd\" "
      "hostname=198.51.100.20 addr=198.51.100.20 terminal=/dev/pts/2 res=success'" +
          GS + "UID=\"root\" AUID=\"alice\" ID=\"alice\"",
  });
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(Str(events[0], ecs::kEventAction), "login_failure");
  EXPECT_EQ(Str(events[0], ecs::kEventOutcome), "failure");
  EXPECT_FALSE(events[0].Has(ecs::kUserName));
  ASSERT_NE(events[0].Get(TheIds().access.invalid_user), nullptr);
  EXPECT_EQ(Str(events[0], TheIds().access.reason), "invalid_user");
  EXPECT_EQ(Ip(events[0]), "203.0.113.9");  // IPv4-mapped, unwrapped

  EXPECT_EQ(Str(events[1], ecs::kEventAction), "login");
  EXPECT_EQ(Str(events[1], ecs::kEventOutcome), "success");
  EXPECT_EQ(Str(events[1], ecs::kUserName), "alice");
  EXPECT_EQ(Str(events[1], ecs::kUserId), "1000");
  EXPECT_EQ(Str(events[1], ecs::kHostName), "web01");
  EXPECT_EQ(Str(events[1], TheIds().access.tty), "/dev/pts/2");
  EXPECT_EQ(Str(events[1], TheIds().audit.session), "12");
}

TEST(AuditEvent, SudoCommandDecodedFromHex) {
  auto events = Map({kSudoCmd});
  ASSERT_EQ(events.size(), 1u);
  const Event& e = events[0];
  EXPECT_EQ(Str(e, ecs::kEventAction), "sudo_command");
  EXPECT_EQ(Str(e, ecs::kEventOutcome), "success");
  EXPECT_EQ(Str(e, ecs::kUserName), "alice");
  EXPECT_EQ(Str(e, ecs::kUserId), "1000");
  EXPECT_EQ(Str(e, ecs::kProcessCommandLine), "systemctl restart nginx");
  EXPECT_EQ(Str(e, ecs::kProcessWorkingDirectory), "/home/alice");
  EXPECT_EQ(Str(e, ecs::kProcessExecutable), "/usr/bin/sudo");
  EXPECT_EQ(Str(e, TheIds().access.tty), "pts/1");
  ASSERT_NE(e.GetList(ecs::kEventCategory), nullptr);
  EXPECT_EQ(*e.GetList(ecs::kEventCategory), StringList{"process"});
}

TEST(AuditEvent, AccountManagement) {
  auto events = Map({
      kAddUser,
      "type=ADD_USER msg=audit(1764000201.000:4301): pid=31010 uid=0 auid=1000 ses=7 msg='op=add-user id=0 "
      "exe=\"/usr/sbin/useradd\" hostname=web01 addr=? terminal=pts/1 res=success'",
      "type=USER_MGMT msg=audit(1764000202.000:4302): pid=31020 uid=0 auid=1000 ses=7 "
      "msg='op=add-user-to-group grp=\"wheel\" acct=\"mallory\" exe=\"/usr/sbin/usermod\" hostname=web01 "
      "addr=? terminal=pts/1 res=success'" + GS + "UID=\"root\" AUID=\"alice\"",
      "type=ADD_GROUP msg=audit(1764000203.000:4303): pid=31030 uid=0 auid=1000 ses=7 msg='op=add-group "
      "id=1010 exe=\"/usr/sbin/groupadd\" hostname=web01 addr=? terminal=pts/1 res=success'" +
          GS + "UID=\"root\" AUID=\"alice\" ID=\"devs\"",
      "type=USER_CHAUTHTOK msg=audit(1764000204.000:4304): pid=31040 uid=0 auid=1000 ses=7 "
      "msg='op=PAM:chauthtok grantors=pam_pwquality,pam_unix acct=\"mallory\" exe=\"/usr/bin/passwd\" "
      "hostname=web01 addr=? terminal=pts/1 res=success'" + GS + "UID=\"root\" AUID=\"alice\"",
      "type=DEL_USER msg=audit(1764000205.000:4305): pid=31050 uid=0 auid=1000 ses=7 msg='op=delete-user "
      "acct=\"mallory\" exe=\"/usr/sbin/userdel\" hostname=web01 addr=? terminal=pts/1 res=success'",
      "type=DEL_GROUP msg=audit(1764000206.000:4306): pid=31060 uid=0 auid=1000 ses=7 msg='op=delete-group "
      "acct=\"devs\" exe=\"/usr/sbin/groupdel\" hostname=web01 addr=? terminal=pts/1 res=success'",
  });
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(Str(events[0], ecs::kEventAction), "user_created");
  EXPECT_EQ(Str(events[0], ecs::kUserName), "alice");
  EXPECT_EQ(Str(events[0], ecs::kUserTargetName), "mallory");
  EXPECT_EQ(Str(events[0], ecs::kUserTargetId), "1005");
  EXPECT_EQ(*events[0].GetList(ecs::kEventType), (StringList{"user", "creation"}));
  EXPECT_EQ(*events[0].GetList(ecs::kEventCategory), StringList{"iam"});

  EXPECT_EQ(Str(events[1], ecs::kEventAction), "user_created");  // raw: ids only
  EXPECT_EQ(Str(events[1], ecs::kUserTargetId), "0");
  EXPECT_EQ(Str(events[1], ecs::kUserId), "1000");
  EXPECT_FALSE(events[1].Has(ecs::kUserName));

  EXPECT_EQ(Str(events[2], ecs::kEventAction), "user_added_to_group");
  EXPECT_EQ(Str(events[2], ecs::kGroupName), "wheel");
  EXPECT_EQ(Str(events[2], ecs::kUserTargetName), "mallory");

  EXPECT_EQ(Str(events[3], ecs::kEventAction), "group_created");
  EXPECT_EQ(Str(events[3], ecs::kGroupName), "devs");
  EXPECT_EQ(Str(events[3], TheIds().access.gid), "1010");

  EXPECT_EQ(Str(events[4], ecs::kEventAction), "password_changed");
  EXPECT_EQ(Str(events[4], ecs::kUserName), "alice");
  EXPECT_EQ(Str(events[4], ecs::kUserTargetName), "mallory");

  EXPECT_EQ(Str(events[5], ecs::kEventAction), "user_deleted");
  EXPECT_EQ(Str(events[5], ecs::kUserTargetName), "mallory");
  EXPECT_EQ(Str(events[6], ecs::kEventAction), "group_deleted");
  EXPECT_EQ(Str(events[6], ecs::kGroupName), "devs");
}

TEST(AuditEvent, PamSessionsCredentialsAndLockout) {
  auto events = Map({
      "type=USER_ACCT msg=audit(1764000030.000:4130): pid=24000 uid=1000 auid=1000 ses=7 "
      "msg='op=PAM:accounting grantors=pam_unix acct=\"alice\" exe=\"/usr/bin/sudo\" hostname=? addr=? "
      "terminal=/dev/pts/1 res=success'" + GS + "UID=\"alice\" AUID=\"alice\"",
      "type=CRED_REFR msg=audit(1764000030.001:4131): pid=24000 uid=1000 auid=1000 ses=7 "
      "msg='op=PAM:setcred grantors=pam_env,pam_unix acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? addr=? "
      "terminal=/dev/pts/1 res=success'" + GS + "UID=\"alice\" AUID=\"alice\"",
      "type=USER_START msg=audit(1764000030.002:4132): pid=24000 uid=1000 auid=1000 ses=7 "
      "msg='op=PAM:session_open grantors=pam_limits,pam_unix acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? "
      "addr=? terminal=/dev/pts/1 res=success'" + GS + "UID=\"alice\" AUID=\"alice\"",
      "type=USER_END msg=audit(1764000031.000:4133): pid=24000 uid=1000 auid=1000 ses=7 "
      "msg='op=PAM:session_close grantors=pam_limits,pam_unix acct=\"root\" exe=\"/usr/bin/sudo\" hostname=? "
      "addr=? terminal=/dev/pts/1 res=success'",
      "type=ANOM_LOGIN_FAILURES msg=audit(1764000040.000:4140): pid=24100 uid=0 auid=4294967295 "
      "ses=4294967295 msg='op=pam_faillock suid=1001 acct=\"bob\" exe=\"/usr/sbin/sshd\" hostname=? "
      "addr=198.51.100.7 terminal=ssh res=success'",
  });
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(Str(events[0], ecs::kEventAction), "account_check");
  EXPECT_EQ(Str(events[0], ecs::kUserName), "alice");
  EXPECT_EQ(Str(events[1], ecs::kEventAction), "credentials_refreshed");
  EXPECT_EQ(Str(events[2], ecs::kEventAction), "session_opened");
  EXPECT_EQ(Str(events[2], ecs::kUserName), "alice");        // the login user
  EXPECT_EQ(Str(events[2], ecs::kUserTargetName), "root");  // the session's user
  EXPECT_EQ(*events[2].GetList(ecs::kEventCategory), StringList{"session"});
  EXPECT_EQ(Str(events[3], ecs::kEventAction), "session_closed");
  EXPECT_EQ(Str(events[3], ecs::kUserName), "root");  // raw: no AUID name
  EXPECT_EQ(Str(events[4], ecs::kEventAction), "login_failures_exceeded");
  EXPECT_EQ(Str(events[4], ecs::kEventOutcome), "failure");
  EXPECT_EQ(Str(events[4], TheIds().access.reason), "max_attempts");
  EXPECT_EQ(Ip(events[4]), "198.51.100.7");
}

TEST(AuditEvent, ExecveJoinedWithCwdPathAndProctitle) {
  for (bool enriched : {false, true}) {
    auto events = Map(ExecEvent("1764000300.250:4400", enriched));
    ASSERT_EQ(events.size(), 1u);
    const Event& e = events[0];
    EXPECT_EQ(Str(e, ecs::kEventAction), "process_started");
    EXPECT_EQ(Str(e, ecs::kEventCode), "SYSCALL");
    EXPECT_EQ(Str(e, ecs::kEventOutcome), "success");
    EXPECT_EQ(Str(e, ecs::kProcessCommandLine), "cat /etc/shadow hello world");
    EXPECT_EQ(Str(e, ecs::kProcessWorkingDirectory), "/tmp/my dir");
    EXPECT_EQ(Str(e, ecs::kProcessExecutable), "/usr/bin/cat");
    EXPECT_EQ(Str(e, ecs::kProcessName), "cat");
    EXPECT_EQ(*e.GetInt(ecs::kProcessPid), 30611);
    EXPECT_EQ(Str(e, ecs::kFilePath), "/usr/bin/cat");
    EXPECT_EQ(Str(e, ecs::kUserId), "1000");
    EXPECT_EQ(Str(e, TheIds().audit.key), "shadow-read");
    EXPECT_EQ(Str(e, TheIds().audit.syscall), enriched ? "execve" : "59");
    EXPECT_EQ(Str(e, TheIds().access.tty), "pts1");
    EXPECT_EQ(*e.GetList(TheIds().audit.record_types),
              (StringList{"SYSCALL", "EXECVE", "CWD", "PATH", "PROCTITLE"}));
    ASSERT_NE(e.Get(TheIds().audit.complete), nullptr);
    if (enriched) {
      EXPECT_EQ(Str(e, ecs::kUserName), "alice");
      EXPECT_EQ(Str(e, ecs::kUserEffectiveName), "root");
    } else {
      EXPECT_FALSE(e.Has(ecs::kUserName));
    }
  }
  // Without EXECVE, the command line is the proctitle's, NULs as spaces.
  auto x = ExecEvent("1764000300.250:4400", false);
  auto events = Map({x[0], x[2], x[5], x[6]});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Str(events[0], ecs::kEventAction), "syscall");
  EXPECT_EQ(Str(events[0], ecs::kProcessCommandLine), "cat /etc/shadow");
}

TEST(AuditEvent, OtherTypesKeepTheirNameAsAction) {
  auto events = Map({"type=SERVICE_START msg=audit(1764000500.000:4600): pid=1 uid=0 auid=4294967295 "
                     "ses=4294967295 msg='unit=sshd comm=\"systemd\" exe=\"/usr/lib/systemd/systemd\" "
                     "hostname=? addr=? terminal=? res=success'"});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Str(events[0], ecs::kEventAction), "service_start");
  EXPECT_EQ(Str(events[0], ecs::kEventOutcome), "success");
  EXPECT_EQ(Str(events[0], ecs::kProcessName), "systemd");
}

// --- the collector ----------------------------------------------------------------------

class CapturingSink : public EventSink {
 public:
  bool Push(Event&& event) override {
    std::lock_guard lock(mu_);
    events.push_back(std::move(event));
    return true;
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return events.size();
  }
  std::vector<Event> Take() {
    std::lock_guard lock(mu_);
    return events;
  }
  std::mutex mu_;
  std::vector<Event> events;
};

struct ReplayResult {
  std::vector<Event> events;
  std::vector<std::string> skips;
  Status status;
};

ReplayResult Replay(const std::string& path) {
  ReplayResult out;
  const CollectorFactory* factory = CollectorRegistry::Global().Find("audit_log");
  EXPECT_NE(factory, nullptr);
  if (factory == nullptr) return out;
  Diagnostics diags;
  YAML::Node node(YAML::NodeType::Map);
  node["path"] = path;
  ConfigSection section(node, "test", diags);
  auto c = factory->Create(section, CollectorEnv{"audit_log", "", RunMode::kReplay});
  EXPECT_TRUE(c.ok()) << diags.FormatText();
  if (!c.ok()) return out;
  CapturingSink sink;
  CollectorContext ctx("audit_log", sink, RunMode::kReplay, [&](std::string_view w, std::string_view r) {
    out.skips.push_back(std::string(w) + ": " + std::string(r));
  });
  out.status = (*c)->Run(ctx);
  out.events = std::move(sink.events);
  return out;
}

TEST(AuditLogCollector, IsRegisteredWithItsFieldsAndConfig) {
  const CollectorFactory* f = CollectorRegistry::Global().Find("audit_log");
  ASSERT_NE(f, nullptr);
  FieldRegistry fields;
  ASSERT_TRUE(f->DeclareFields(fields).ok());
  EXPECT_TRUE(fields.Find("vigil.auditd.serial"));
  EXPECT_TRUE(fields.Find("vigil.access.reason"));
  {
    Diagnostics diags;  // path defaults to /var/log/audit/audit.log
    ConfigSection section(YAML::Load("{event_timeout: 5s, max_pending_events: 64}"), "t.yaml", diags);
    EXPECT_TRUE(f->Create(section, CollectorEnv{"a", "", RunMode::kLive}).ok()) << diags.FormatText();
  }
  Diagnostics diags;
  ConfigSection section(YAML::Load("{event_timeout: 0s, max_pending_events: 0, colour: red}"), "t.yaml", diags);
  EXPECT_FALSE(f->Create(section, CollectorEnv{"a", "", RunMode::kLive}).ok());
  const std::string text = diags.FormatText();
  EXPECT_NE(text.find("event_timeout"), std::string::npos) << text;
  EXPECT_NE(text.find("max_pending_events"), std::string::npos) << text;
  EXPECT_NE(text.find("colour"), std::string::npos) << text;
}

TEST(AuditLogCollector, ReplaysAMixedLog) {
  TempDir dir;
  std::string text;
  for (const auto& l : ExecEvent("1764000300.250:4400", true)) text += l + "\n";
  text += kSshdAuthFailed + "\n";
  text += "garbage that is no audit record\n";
  text += "type=USER_AUTH msg=audit(1764000000.123:4102): pid=1 uid=0 msg='op=PAM:authentication acct=\"bo\n";
  text += "\n";
  text += kSudoCmd + "\n";
  const auto late = ExecEvent("1764000400.000:4800", false);
  text += late[0] + "\n" + late[1] + "\n";  // the file ends before the EOE
  text += kAddUser;                          // and without a newline
  const std::string path = dir.Write("audit.log", text);
  ReplayResult r = Replay(path);
  ASSERT_TRUE(r.status.ok()) << r.status.ToString();
  ASSERT_EQ(r.skips.size(), 2u);
  EXPECT_NE(r.skips[0].find("no type="), std::string::npos) << r.skips[0];
  EXPECT_NE(r.skips[1].find("unterminated quote"), std::string::npos) << r.skips[1];
  EXPECT_EQ(r.skips[0].substr(0, path.size() + 1), path + "@");
  std::vector<std::string> actions;
  for (const Event& e : r.events) {
    actions.push_back(Str(e, ecs::kEventAction));
    EXPECT_FALSE(EventToJson(e).empty());
  }
  EXPECT_EQ(actions, (std::vector<std::string>{"process_started", "user_authentication", "sudo_command",
                                               "user_created", "process_started"}));
  const Event& partial = r.events.back();
  ASSERT_NE(partial.Get(TheIds().audit.complete), nullptr);
  EXPECT_EQ(EventToJson(partial).find("\"complete\":false") != std::string::npos, true) << EventToJson(partial);
  EXPECT_EQ(Str(r.events[0], ecs::kUserName), "alice");
}

TEST(AuditLogCollector, HostileInput) {
  TempDir dir;
  std::string text;
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) text.push_back(static_cast<char>(rng() % 256));
  text += "\n";
  text += "type=USER_AUTH msg=audit(1.000:1): " + std::string(200000, 'A') + "\n";
  text += "type=EXECVE msg=audit(1.000:2): argc=99999999 a99999999=\"x\" a4095[999999999999]=41\n";
  text += "type=USER_CMD msg=audit(1.000:3): msg='cmd=" + std::string(64, 'F') + " res=success'\n";
  text += std::string("type=USER_LOGIN msg=audit(1.000:4): msg='acct=\"") + '\0' + "\xff\" addr=? res=failed'\n";
  for (int i = 0; i < 2000; ++i) {  // many events that never end
    text += "type=SYSCALL msg=audit(2." + std::to_string(100 + i % 900) + ":" + std::to_string(10 + i) +
            "): arch=c000003e syscall=2 success=no exit=-13 pid=1\n";
  }
  const std::string path = dir.Write("audit.log", text);
  ReplayResult r = Replay(path);
  ASSERT_TRUE(r.status.ok());
  bool overlong = false;
  for (const auto& s : r.skips) overlong = overlong || s.find("longer than") != std::string::npos;
  EXPECT_TRUE(overlong);
  size_t syscalls = 0;
  for (const Event& e : r.events) {
    EXPECT_FALSE(EventToJson(e).empty());
    if (Str(e, ecs::kEventAction) == "syscall") ++syscalls;
  }
  EXPECT_EQ(syscalls, 2000u);  // evicted or flushed, none lost
}

// Live: the tailer follows the file as auditd writes it; an event whose EOE is written
// later is emitted then, one whose EOE never comes once it waited event_timeout.
TEST(AuditLogCollector, FollowsTheLogLive) {
  TempDir dir;
  const std::string path = dir.Write("audit.log", "");
  auto append = [&](const std::string& text) {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << text;
  };
  Diagnostics diags;
  ConfigSection section(YAML::Load("{path: " + path + ", start_at: beginning, poll_interval: 10ms, "
                                   "event_timeout: 200ms}"),
                        "t.yaml", diags);
  auto c = CollectorRegistry::Global().Find("audit_log")->Create(section, CollectorEnv{"audit", "", RunMode::kLive});
  ASSERT_TRUE(c.ok()) << diags.FormatText();
  CapturingSink sink;
  CollectorContext ctx("audit", sink, RunMode::kLive, [](std::string_view, std::string_view) {});
  Status status;
  std::thread t([&] { status = (*c)->Run(ctx); });
  const auto x = ExecEvent("1764000300.250:4400", true);
  append(x[0] + "\n" + x[1] + "\n" + x[2].substr(0, 20));  // a line cut in the middle
  append(x[2].substr(20) + "\n" + x[3] + "\n" + x[4] + "\n" + x[5] + "\n");
  // x's PROCTITLE came: x leaves complete at the next Expire, without waiting for its EOE.
  EXPECT_TRUE(testing::Eventually([&] { return sink.size() >= 1; }));
  append(x[6] + "\n");  // its EOE, late: nothing more
  append(kSshdAuthFailed + "\n");
  EXPECT_TRUE(testing::Eventually([&] { return sink.size() >= 2; }));
  const auto y = ExecEvent("1764000310.000:4410", false);
  append(y[0] + "\n" + y[1] + "\n");  // no EOE: emitted after event_timeout
  EXPECT_TRUE(testing::Eventually([&] { return sink.size() >= 3; }));
  ctx.RequestStop();
  t.join();
  EXPECT_TRUE(status.ok()) << status.ToString();
  const std::vector<Event> events = sink.Take();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(Str(events[0], ecs::kEventAction), "process_started");
  EXPECT_EQ(Str(events[0], ecs::kProcessWorkingDirectory), "/tmp/my dir");
  EXPECT_EQ(*events[0].GetList(TheIds().audit.record_types),
            (StringList{"SYSCALL", "EXECVE", "CWD", "PATH", "PROCTITLE"}));
  EXPECT_EQ(EventToJson(events[0]).find("\"complete\":true") != std::string::npos, true);
  EXPECT_EQ(Str(events[1], ecs::kEventAction), "user_authentication");
  EXPECT_EQ(Str(events[2], ecs::kEventAction), "process_started");
  EXPECT_EQ(EventToJson(events[2]).find("\"complete\":false") != std::string::npos, true);
}

}  // namespace
}  // namespace vigil::access
