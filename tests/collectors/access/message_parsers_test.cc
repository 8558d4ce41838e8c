// Every message form the access parsers know, as whole syslog lines, with the ECS fields
// each must give. One line per case; fields not listed are not checked.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <map>
#include <string>
#include <vector>

#include "access_event.h"
#include "auth_line_parser.h"
#include "syslog_header.h"
#include "vigil/ecs_fields.h"
#include "vigil/time_format.h"

namespace vigil::access {
namespace {

using Fields = std::map<std::string, std::string>;

std::string Render(const Value& v) {
  struct V {
    std::string operator()(std::monostate) const { return "<none>"; }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return std::to_string(d); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const IpAddress& ip) const { return ip.ToString(); }
    std::string operator()(Timestamp t) const { return FormatRfc3339(t); }
    std::string operator()(Duration d) const { return std::to_string(d.count()); }
    std::string operator()(const StringList& l) const {
      std::string out;
      for (const auto& s : l) out += (out.empty() ? "" : ",") + s;
      return out;
    }
  };
  return std::visit(V{}, v);
}

// Parses `lines` in order through one parser; returns the last line's fields (empty when
// the line gave no event).
Fields Parse(const std::vector<std::string>& lines) {
  static const AccessFieldIds ids = *DeclareAccessFields(FieldRegistry::Global());
  AuthLineParser parser;
  const YearInference years(*ParseRfc3339("2026-06-30T00:00:00Z"), std::chrono::seconds(0));
  Fields out;
  for (const std::string& line : lines) {
    out.clear();
    auto h = ParseSyslogHeader(line, years);
    if (!h) continue;
    AuthRecord r;
    if (!parser.Parse(*h, &r)) continue;
    const Event e = BuildAccessEvent(*h, r, LineOrigin{"/var/log/auth.log", 42, line}, ids);
    for (const auto& f : e.fields()) out[FieldRegistry::Global().Info(f.id).name] = Render(f.value);
  }
  return out;
}

void Expect(const std::vector<std::string>& lines, const Fields& want) {
  const Fields got = Parse(lines);
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if (v == "<absent>") {
      EXPECT_TRUE(it == got.end()) << k << " in " << lines.back();
      continue;
    }
    ASSERT_TRUE(it != got.end()) << "no " << k << " in " << lines.back();
    EXPECT_EQ(it->second, v) << k << " in " << lines.back();
  }
}

const char* kP = "Jun 29 10:00:00 web1 ";

std::string L(const std::string& rest) { return kP + rest; }

TEST(SshdParser, FailedPassword) {
  Expect({L("sshd[100]: Failed password for invalid user admin from ::ffff:192.0.2.7 port 4022 ssh2")},
         {{"event.dataset", "access.sshd"}, {"event.action", "ssh_login"},
          {"event.outcome", "failure"}, {"event.category", "authentication"},
          {"user.name", "admin"}, {"source.ip", "192.0.2.7"}, {"source.port", "4022"},
          {"vigil.access.auth_method", "password"}, {"vigil.access.invalid_user", "true"},
          {"vigil.access.reason", "invalid_user"}, {"process.name", "sshd"},
          {"process.pid", "100"}, {"host.name", "web1"}, {"log.offset", "42"},
          {"log.file.path", "/var/log/auth.log"}, {"@timestamp", "2026-06-29T10:00:00Z"},
          {"message", "Failed password for invalid user admin from ::ffff:192.0.2.7 port 4022 ssh2"}});
  Expect({L("sshd[100]: Failed password for root from fe80::1%eth0 port 22 ssh2")},
         {{"source.ip", "fe80::1"}, {"user.name", "root"}, {"vigil.access.reason", "bad_password"}});
  Expect({L("sshd[1]: Failed keyboard-interactive/pam for bob from 198.51.100.2 port 1 ssh2")},
         {{"vigil.access.auth_method", "keyboard-interactive"}, {"user.name", "bob"}});
  Expect({L("sshd[1]: Failed publickey for bob from 198.51.100.2 port 1 ssh2: RSA SHA256:abc")},
         {{"vigil.access.auth_method", "publickey"}, {"vigil.access.reason", "bad_credentials"}});
}

TEST(SshdParser, InjectionInUserName) {
  Expect({L("sshd[2]: Failed password for invalid user test from 10.10.1.2 port 55555 ssh2 from 127.0.0.1 port 58946 ssh2")},
         {{"source.ip", "127.0.0.1"},
          // The injected name is not an account name: redacted (user_redaction.h).
          {"user.name", UserRedaction::Default().Placeholder("test from 10.10.1.2 port 55555 ssh2")},
          {"vigil.access.user_redacted", "true"}});
  Expect({L("sshd[2]: Failed password for invalid user test from 127.0.0.1 port 58946 ssh2: from 10.10.1.2 port 55555 ssh2")},
         {{"source.ip", "127.0.0.1"}, {"user.name", "test"}});
}

TEST(SshdParser, Accepted) {
  Expect({L("sshd-session[7]: Accepted publickey for alice from 2001:db8::5 port 50000 ssh2: ED25519 SHA256:xyz")},
         {{"event.action", "ssh_login"}, {"event.outcome", "success"}, {"event.type", "start"},
          {"user.name", "alice"}, {"source.ip", "2001:db8::5"}, {"vigil.access.invalid_user", "false"},
          {"process.name", "sshd-session"}});
}

TEST(SshdParser, SuccessAfterFailuresCarriesTheirCount) {
  Expect({L("sshd[70]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.4  user=bob"),
          L("sshd[70]: Failed password for bob from 192.0.2.4 port 5 ssh2"),
          L("sshd[70]: Failed password for bob from 192.0.2.4 port 5 ssh2"),
          L("sshd[70]: Accepted password for bob from 192.0.2.4 port 5 ssh2")},
         {{"event.outcome", "success"}, {"vigil.access.prior_failures", "2"}});
  Expect({L("sshd[71]: Accepted publickey for bob from 192.0.2.4 port 5 ssh2")},
         {{"vigil.access.prior_failures", "0"}});
}

TEST(SshdParser, InvalidUserAndDenied) {
  Expect({L("sshd[3]: Invalid user oracle from 203.0.113.9 port 5555")},
         {{"event.action", "ssh_invalid_user"}, {"event.outcome", "failure"}, {"user.name", "oracle"},
          {"source.ip", "203.0.113.9"}, {"vigil.access.reason", "invalid_user"}});
  Expect({L("sshd[3]: Invalid user  from 203.0.113.9 port 5555")}, {{"user.name", ""}});
  Expect({L("sshd[3]: User root from gw.example.com not allowed because listed in DenyUsers")},
         {{"event.action", "ssh_login_denied"}, {"source.address", "gw.example.com"},
          {"source.ip", "<absent>"}, {"vigil.access.reason", "denied_by_config"}});
  Expect({L("sshd[3]: ROOT LOGIN REFUSED FROM 1.2.3.4 port 12345 [preauth]")},
         {{"event.action", "ssh_login_denied"}, {"source.ip", "1.2.3.4"}, {"user.name", "root"}});
  Expect({L("sshd[3]: refused connect from x@::ffff:218.249.210.161 (::ffff:218.249.210.161)")},
         {{"event.action", "ssh_connection_refused"}, {"source.ip", "218.249.210.161"}});
}

TEST(SshdParser, MaxTriesAndPamErrors) {
  Expect({L("sshd[4]: error: maximum authentication attempts exceeded for invalid user xxx from 192.0.2.7 port 49941 ssh2 [preauth]")},
         {{"event.action", "ssh_max_auth_tries"}, {"event.outcome", "failure"},
          {"vigil.access.reason", "max_attempts"}, {"user.name", "xxx"}, {"source.ip", "192.0.2.7"}});
  Expect({L("sshd[4]: error: PAM: Authentication failure for james from 205.186.180.99 via 192.168.1.201")},
         {{"event.action", "ssh_login"}, {"event.outcome", "failure"}, {"user.name", "james"},
          {"source.ip", "205.186.180.99"}, {"vigil.access.auth_method", "pam"}});
}

TEST(SshdParser, ConnectionStateAttachesSource) {
  Expect({L("sshd[5]: Connection from 115.249.163.77 port 51353 on 127.0.0.1 port 22"),
          L("sshd[5]: Disconnecting: Too many authentication failures for root [preauth]")},
         {{"event.action", "ssh_max_auth_tries"}, {"event.outcome", "failure"},
          {"source.ip", "115.249.163.77"}, {"user.name", "root"}});
  // The failure was learnt before the source: the close reports it once, with the source.
  Expect({L("sshd[6]: Disconnecting: Too many authentication failures for root [preauth]"),
          L("sshd[6]: Connection closed by 61.0.0.1 [preauth]")},
         {{"event.action", "ssh_preauth_close"}, {"event.outcome", "failure"},
          {"vigil.access.reason", "preauth_disconnect"}, {"source.ip", "61.0.0.1"}});
  // Already reported with its source: the close is not a second failure.
  Expect({L("sshd[7]: Invalid user a from 192.0.2.1 port 1"),
          L("sshd[7]: Connection closed by invalid user a 192.0.2.1 port 1 [preauth]")},
         {{"event.action", "ssh_preauth_close"}, {"event.outcome", "unknown"}, {"user.name", "a"}});
  // Another pid knows nothing.
  Expect({L("sshd[8]: Disconnecting: Too many authentication failures for root [preauth]"),
          L("sshd[9]: Connection closed by 61.0.0.1")},
         {{"event.outcome", "unknown"}});
}

TEST(SshdParser, DisconnectsAndProtocolErrors) {
  Expect({L("sshd[10]: Received disconnect from 10.0.0.1 port 7736:3: com.jcraft.jsch.JSchException: Auth fail [preauth]")},
         {{"event.action", "ssh_disconnect"}, {"event.outcome", "failure"}, {"source.port", "7736"},
          {"vigil.access.reason", "auth_failed"}});
  Expect({L("sshd[10]: Received disconnect from 2001:db8::1: 11: disconnected by user")},
         {{"event.outcome", "unknown"}, {"source.ip", "2001:db8::1"}});
  Expect({L("sshd[11]: Did not receive identification string from 69.61.56.114")},
         {{"event.action", "ssh_protocol_error"}, {"event.outcome", "failure"}, {"source.ip", "69.61.56.114"}});
  Expect({L("sshd[12]: Unable to negotiate with 192.0.2.2 port 50404: no matching MAC found. Their offer: hmac-sha1 [preauth]")},
         {{"event.action", "ssh_protocol_error"}, {"source.ip", "192.0.2.2"}, {"source.port", "50404"}});
  Expect({L("sshd[13]: fatal: Timeout before authentication for connection from 192.0.2.17 to 127.0.0.1, pid = 29098")},
         {{"event.action", "ssh_protocol_error"}, {"source.ip", "192.0.2.17"}});
  Expect({L("sshd[14]: Address 1.2.3.4 maps to x.com, but this does not map back to the address - POSSIBLE BREAK-IN ATTEMPT!")},
         {{"event.action", "ssh_reverse_mapping_mismatch"}, {"event.outcome", "unknown"}});
  Expect({L("sshd[15]: Server listening on 0.0.0.0 port 22.")},
         {{"event.action", "other"}, {"event.outcome", "unknown"}});
}

TEST(PamParser, Forms) {
  Expect({L("sshd[20]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.3  user=root")},
         {{"event.dataset", "access.pam"}, {"event.action", "pam_auth_failure"},
          {"event.outcome", "failure"}, {"user.name", "root"}, {"source.ip", "192.0.2.3"},
          {"vigil.access.pam_service", "sshd"}, {"vigil.access.tty", "ssh"}});
  Expect({L("daemon: pam_unix(auth): authentication failure; logname= uid=0 euid=0 tty=xxx ruser=test rhost=192.0.2.151 rhost=192.0.2.1")},
         {{"source.ip", "192.0.2.1"}, {"user.name", "test rhost=192.0.2.151"}});
  Expect({L("sshd[21]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)")},
         {{"event.action", "session_opened"}, {"event.category", "session"},
          {"event.outcome", "success"}, {"user.name", "alice"}});
  Expect({L("sudo: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)")},
         {{"user.name", "alice"}, {"user.target.name", "root"}});
  Expect({L("sshd[21]: pam_unix(sshd:session): session closed for user alice")},
         {{"event.action", "session_closed"}, {"event.type", "end"}});
  Expect({L("sshd[22]: pam_unix(sshd:auth): check pass; user unknown")},
         {{"event.action", "pam_auth_failure"}, {"vigil.access.reason", "invalid_user"}});
  Expect({L("cron[5]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)")},
         {{"event.dataset", "access.pam"}, {"process.name", "cron"}});
  EXPECT_TRUE(Parse({L("cron[5]: (root) CMD (run-parts /etc/cron.hourly)")}).empty());
}

TEST(SudoParser, Forms) {
  Expect({L("sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/apt update ; echo x")},
         {{"event.dataset", "access.sudo"}, {"event.action", "sudo_command"},
          {"event.outcome", "success"}, {"user.name", "alice"}, {"user.target.name", "root"},
          {"process.command_line", "/usr/bin/apt update ; echo x"},
          {"process.working_directory", "/home/alice"}, {"vigil.access.tty", "pts/0"}});
  Expect({L("sudo:      bob : 3 incorrect password attempts ; TTY=pts/1 ; PWD=/tmp ; USER=root ; COMMAND=/bin/sh")},
         {{"event.action", "sudo_auth_failure"}, {"event.outcome", "failure"},
          {"vigil.access.attempts", "3"}, {"vigil.access.reason", "bad_password"}});
  Expect({L("sudo:      eve : user NOT in sudoers ; TTY=pts/2 ; PWD=/ ; USER=root ; COMMAND=/bin/id")},
         {{"event.action", "sudo_denied"}, {"vigil.access.reason", "not_in_sudoers"}, {"user.name", "eve"}});
  Expect({L("sudo:      eve : command not allowed ; TTY=pts/2 ; PWD=/ ; USER=root ; COMMAND=/bin/id")},
         {{"vigil.access.reason", "command_not_allowed"}});
}

TEST(SuParser, Forms) {
  Expect({L("su[30]: (to root) alice on pts/0")},
         {{"event.dataset", "access.su"}, {"event.action", "su_session"}, {"event.outcome", "success"},
          {"user.name", "alice"}, {"user.target.name", "root"}, {"vigil.access.tty", "pts/0"}});
  Expect({L("su[30]: FAILED SU (to root) bob on pts/1")},
         {{"event.action", "su_failure"}, {"event.outcome", "failure"}, {"user.name", "bob"}});
  Expect({L("su[31]: Successful su for root by alice")}, {{"event.action", "su_session"}, {"user.name", "alice"}});
  Expect({L("su[31]: FAILED su for root by bob")}, {{"event.action", "su_failure"}, {"user.target.name", "root"}});
  Expect({L("su[31]: - pts/3 bob:root")}, {{"event.action", "su_failure"}, {"vigil.access.tty", "pts/3"}});
}

TEST(AccountParser, Forms) {
  Expect({L("useradd[40]: new user: name=mallory, UID=0, GID=0, home=/root, shell=/bin/bash, from=/dev/pts/0")},
         {{"event.dataset", "access.account"}, {"event.category", "iam"}, {"event.type", "user,creation"},
          {"event.action", "user_created"}, {"user.target.name", "mallory"},
          {"user.target.id", "0"}, {"vigil.access.gid", "0"}});
  Expect({L("groupadd[41]: new group: name=devs, GID=1002")},
         {{"event.action", "group_created"}, {"group.name", "devs"}, {"vigil.access.gid", "1002"}});
  Expect({L("usermod[42]: add 'bob' to group 'sudo'")},
         {{"event.action", "user_added_to_group"}, {"user.target.name", "bob"}, {"group.name", "sudo"}});
  Expect({L("usermod[42]: add 'bob' to shadow group 'sudo'")}, {{"event.action", "other"}});
  Expect({L("userdel[43]: delete user 'bob'")}, {{"event.action", "user_deleted"}, {"user.target.name", "bob"}});
  Expect({L("userdel[43]: removed group 'bob' owned by 'bob'")}, {{"event.action", "group_deleted"}, {"group.name", "bob"}});
  Expect({L("groupdel[44]: group 'devs' removed")}, {{"event.action", "group_deleted"}, {"group.name", "devs"}});
  Expect({L("usermod[45]: change user 'bob' shell from '/bin/sh' to '/bin/bash'")},
         {{"event.action", "user_modified"}, {"user.target.name", "bob"}});
  Expect({L("passwd[46]: pam_unix(passwd:chauthtok): password changed for bob")},
         {{"event.dataset", "access.account"}, {"event.action", "password_changed"}, {"user.target.name", "bob"}});
  Expect({L("passwd[46]: password for 'bob' changed by 'root'")},
         {{"event.action", "password_changed"}, {"user.name", "root"}, {"user.target.name", "bob"}});
  Expect({L("chage[47]: changed password expiry for bob")}, {{"event.action", "user_modified"}});
}

TEST(LoginParser, Forms) {
  Expect({L("login[50]: FAILED LOGIN (1) on '/dev/tty1' FOR 'bob', Authentication failure")},
         {{"event.dataset", "access.login"}, {"event.action", "login_failure"},
          {"event.outcome", "failure"}, {"user.name", "bob"}, {"vigil.access.tty", "/dev/tty1"},
          {"vigil.access.attempts", "1"}});
  Expect({L("login[50]: ROOT LOGIN  on '/dev/tty1'")}, {{"event.action", "login"}, {"user.name", "root"}});
  Expect({L("systemd-logind[60]: New session 12 of user bob.")},
         {{"event.action", "session_opened"}, {"user.name", "bob"}, {"vigil.access.session_id", "12"}});
  Expect({L("systemd-logind[60]: Session 12 logged out. Waiting for processes to exit.")},
         {{"event.action", "session_closed"}, {"vigil.access.session_id", "12"}});
  Expect({L("systemd-logind[60]: Removed session 12.")}, {{"event.action", "session_removed"}});
}

TEST(AuthLineParser, UnknownProgramsAreCounted) {
  AuthLineParser parser;
  const YearInference years(*ParseRfc3339("2026-06-30T00:00:00Z"), std::chrono::seconds(0));
  const std::string line = L("kernel: [1.0] usb 1-1: new device");  // the header views it
  auto h = ParseSyslogHeader(line, years);
  ASSERT_TRUE(h);
  AuthRecord r;
  EXPECT_FALSE(parser.Parse(*h, &r));
  EXPECT_EQ(parser.ignored(), 1u);
}

}  // namespace
}  // namespace vigil::access

namespace vigil::access {
namespace {

// The local hour and weekday of an event, in the zone TZ names (POSIX TZ strings: no tzdata
// needed). Each case uses its own UTC hour (the conversion is cached per UTC hour).
TEST(AccessEvent, LocalHourAndWeekdayFollowTheTimeZone) {
  const char* old = std::getenv("TZ");
  const std::string saved = old ? old : "";
  auto at = [](const char* tz, const char* rfc3339) {
    setenv("TZ", tz, 1);
    tzset();
    return LocalTimeOf(*ParseRfc3339(rfc3339));
  };
  LocalTime t = at("UTC0", "2026-06-29T10:15:00Z");  // a Monday
  EXPECT_EQ(t.hour, 10);
  EXPECT_EQ(t.weekday, 1);
  t = at("IST-5:30", "2026-06-29T18:45:00Z");  // 00:15 on Tuesday in India
  EXPECT_EQ(t.hour, 0);
  EXPECT_EQ(t.weekday, 2);
  t = at("IST-5:30", "2026-06-29T18:10:00Z");  // 23:40 on Monday
  EXPECT_EQ(t.hour, 23);
  EXPECT_EQ(t.weekday, 1);
  t = at("EST5EDT,M3.2.0,M11.1.0", "2026-07-04T03:30:00Z");  // summer: 23:30 Friday, EDT
  EXPECT_EQ(t.hour, 23);
  EXPECT_EQ(t.weekday, 5);
  t = at("EST5EDT,M3.2.0,M11.1.0", "2026-12-05T03:30:00Z");  // winter: 22:30 Friday, EST
  EXPECT_EQ(t.hour, 22);
  EXPECT_EQ(t.weekday, 5);
  if (old) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
}

TEST(AccessEvent, CarriesLocalHourAndWeekday) {
  setenv("TZ", "UTC0", 1);
  tzset();
  const Fields f = Parse({"2026-06-27T22:05:00Z web1 sshd[1]: Accepted password for alice from 192.0.2.1 port 5 ssh2"});
  unsetenv("TZ");
  tzset();
  EXPECT_EQ(f.at("vigil.access.local_hour"), "22");
  EXPECT_EQ(f.at("vigil.access.local_weekday"), "sat");
}

}  // namespace
}  // namespace vigil::access
