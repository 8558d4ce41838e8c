// A password typed into a user-name field never reaches an event: user_redaction.h.
#include "user_redaction.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "access_event.h"
#include "auth_line_parser.h"
#include "event_json.h"
#include "journal_json.h"
#include "syslog_header.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"
#include "vigil/time_format.h"

namespace vigil::access {
namespace {

const AccessFieldIds& Ids() {
  static const AccessFieldIds ids = *DeclareAccessFields(FieldRegistry::Global());
  return ids;
}

// The event of one syslog line (the line must give one).
Event FromLine(const std::string& line, const UserRedaction& redaction = UserRedaction::Default()) {
  const YearInference years(*ParseRfc3339("2026-06-30T00:00:00Z"), std::chrono::seconds(0));
  auto h = ParseSyslogHeader(line, years);
  EXPECT_TRUE(h.has_value()) << line;
  AuthLineParser parser;
  AuthRecord r;
  EXPECT_TRUE(parser.Parse(*h, &r)) << line;
  return BuildAccessEvent(*h, r, LineOrigin{"/var/log/auth.log", 0, line}, Ids(), redaction);
}

std::string UserOf(const Event& e) {
  const std::string* u = e.GetString(ecs::kUserName);
  return u ? *u : "<none>";
}

bool Redacted(const Event& e) {
  const Value* v = e.Get(Ids().user_redacted);
  return v != nullptr && std::get<bool>(*v);
}

TEST(UserRedaction, ShapeOfANameThatMayBeASecret) {
  for (const char* name : {"root", "admin", "oracle", "test", "john.smith", "j_doe-2", "www-data",
                           "alice@example.com", "HOST01$", "Administrator", "ubuntu", "pi",
                           "user1", "ADMIN", "a"}) {
    EXPECT_FALSE(NameMayBeSecret(name)) << name;
  }
  for (const char* name : {"Summer2024", "P@ssw0rd!", "hunter2!", "correct horse battery",
                           "test rhost=192.0.2.151", "pass\"word", "p\xc3\xa4ss",
                           "abcdefghijklmnopqrstuvwxyz0123456", "Tr0ub4dor&3", "tab\there"}) {
    EXPECT_TRUE(NameMayBeSecret(name)) << name;
  }
  EXPECT_FALSE(NameMayBeSecret(""));
  EXPECT_TRUE(NameMayBeSecret("$"));  // nothing but the machine-account sign: not a name
}

TEST(UserRedaction, AnInvalidUserShapedLikeAPasswordIsReplacedEverywhere) {
  const std::string secret = "Summer2024";
  const Event e = FromLine("Jun 29 10:00:00 host sshd[100]: Invalid user " + secret +
                           " from 203.0.113.9 port 50000");
  EXPECT_TRUE(Redacted(e));
  const std::string placeholder = UserRedaction::Default().Placeholder(secret);
  EXPECT_EQ(UserOf(e), placeholder);
  EXPECT_EQ(placeholder.size(), std::string("<redacted:0123456789abcdef>").size());
  const std::string json = EventToJson(e);
  EXPECT_EQ(json.find(secret), std::string::npos) << json;
  EXPECT_NE(json.find("Invalid user " + placeholder + " from 203.0.113.9"), std::string::npos)
      << json;
  // The source is still there: a brute force by this address is still seen.
  EXPECT_NE(json.find("\"ip\":\"203.0.113.9\""), std::string::npos) << json;
}

TEST(UserRedaction, EverySshdFormOfAnInvalidUserIsCovered) {
  const std::string secret = "Pa55 w0rd!";
  for (const std::string& msg :
       {"Invalid user " + secret + " from 203.0.113.9 port 50000",
        "Failed password for invalid user " + secret + " from 203.0.113.9 port 50000 ssh2",
        "Failed none for invalid user " + secret + " from 203.0.113.9 port 50000 ssh2",
        "Connection closed by invalid user " + secret + " 203.0.113.9 port 50000 [preauth]",
        "Disconnected from invalid user " + secret + " 203.0.113.9 port 50000 [preauth]",
        "input_userauth_request: invalid user " + secret + " [preauth]",
        "Postponed keyboard-interactive for invalid user " + secret +
            " from 203.0.113.9 port 50000 ssh2 [preauth]"}) {
    const Event e = FromLine("Jun 29 10:00:00 host sshd[100]: " + msg);
    const std::string json = EventToJson(e);
    EXPECT_EQ(json.find("Pa55"), std::string::npos) << msg << "\n" << json;
    EXPECT_EQ(json.find("w0rd"), std::string::npos) << msg << "\n" << json;
    EXPECT_EQ(UserOf(e), UserRedaction::Default().Placeholder(secret)) << msg;
  }
}

TEST(UserRedaction, TheSameNameGivesTheSamePlaceholderAndOthersDiffer) {
  const UserRedaction& r = UserRedaction::Default();
  EXPECT_EQ(r.Placeholder("Summer2024"), r.Placeholder("Summer2024"));
  EXPECT_NE(r.Placeholder("Summer2024"), r.Placeholder("Summer2025"));
  // Keyed: another key gives another placeholder for the same name.
  UserRedaction::Key k1{}, k2{};
  k2[0] = 1;
  EXPECT_NE(UserRedaction(RedactMode::kSuspect, k1).Placeholder("Summer2024"),
            UserRedaction(RedactMode::kSuspect, k2).Placeholder("Summer2024"));
}

TEST(UserRedaction, AccountNamesAndVerifiedUsersAreKept) {
  // A plausible account name of an invalid user: kept (what brute-force reports need).
  Event e = FromLine("Jun 29 10:00:00 host sshd[100]: Invalid user oracle from 203.0.113.9 port 1");
  EXPECT_EQ(UserOf(e), "oracle");
  EXPECT_FALSE(Redacted(e));
  // An existing account, however it looks, is kept: sshd vouches for it.
  e = FromLine("Jun 29 10:00:00 host sshd[100]: Failed password for Svc2024Backup from "
               "203.0.113.9 port 1 ssh2");
  EXPECT_EQ(UserOf(e), "Svc2024Backup");
  EXPECT_FALSE(Redacted(e));
  e = FromLine("Jun 29 10:00:00 host sshd[100]: Accepted publickey for Svc2024Backup from "
               "203.0.113.9 port 1 ssh2: ED25519 SHA256:abc");
  EXPECT_EQ(UserOf(e), "Svc2024Backup");
}

TEST(UserRedaction, AFailedConsoleLoginIsUnverified) {
  const Event e = FromLine(
      "Jun 29 10:00:00 host login[77]: FAILED LOGIN (1) on '/dev/tty1' FOR 'Winter#2024', "
      "Authentication failure");
  EXPECT_TRUE(Redacted(e));
  EXPECT_EQ(EventToJson(e).find("Winter#2024"), std::string::npos);
  EXPECT_EQ(e.GetString(ecs::kUserName) != nullptr, true);
}

TEST(UserRedaction, ModesAllAndNone) {
  const UserRedaction all(RedactMode::kAll, UserRedaction::Key{});
  const UserRedaction none(RedactMode::kNone, UserRedaction::Key{});
  const std::string line = "Jun 29 10:00:00 host sshd[100]: Invalid user admin from 203.0.113.9 port 1";
  Event e = FromLine(line, all);
  EXPECT_EQ(UserOf(e), all.Placeholder("admin"));
  // Replaced at its own place only: "admin" elsewhere in a line would stay.
  EXPECT_EQ(*e.GetString(ecs::kMessage), "Invalid user " + all.Placeholder("admin") +
                                             " from 203.0.113.9 port 1");
  e = FromLine("Jun 29 10:00:00 host sshd[100]: Invalid user Summer2024 from 203.0.113.9 port 1",
               none);
  EXPECT_EQ(UserOf(e), "Summer2024");
  EXPECT_FALSE(Redacted(e));
  // Verified names are kept even in mode all.
  e = FromLine("Jun 29 10:00:00 host sshd[100]: Failed password for root from 203.0.113.9 port 1 ssh2",
               all);
  EXPECT_EQ(UserOf(e), "root");
}

TEST(UserRedaction, AJournalJsonLineLosesTheNameInItsEscapedForm) {
  const std::string secret = "se\"cr\\et 1!";
  const std::string escaped = "se\\\"cr\\\\et 1!";
  const std::string line =
      R"({"__REALTIME_TIMESTAMP":"1751191200000000","_HOSTNAME":"host","SYSLOG_IDENTIFIER":"sshd","_PID":"100","MESSAGE":"Invalid user )" +
      escaped + R"( from 203.0.113.9 port 1"})";
  JournalEntry entry;
  ASSERT_TRUE(ParseJournalJson(line, &entry).ok());
  const SyslogHeader h = entry.Header();
  AuthLineParser parser;
  AuthRecord r;
  ASSERT_TRUE(parser.Parse(h, &r));
  const Event e = BuildAccessEvent(h, r, LineOrigin{"j.json", 0, line}, Ids());
  EXPECT_TRUE(Redacted(e));
  const std::string json = EventToJson(e);
  EXPECT_EQ(json.find("cr"), std::string::npos) << json;
  EXPECT_EQ(e.GetString(ecs::kEventOriginal)->find(escaped), std::string::npos);
}

TEST(UserRedaction, TheKeyLivesInTheStateDirectory) {
  vigil::testing::TempDir dir;
  const UserRedaction a = UserRedaction::ForStateDir(RedactMode::kSuspect, dir.path());
  const std::string key_path = dir.path() + "/redaction.key";
  struct stat st {};
  ASSERT_EQ(::stat(key_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 32);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream in(key_path, std::ios::binary);
  UserRedaction::Key key{};
  in.read(reinterpret_cast<char*>(key.data()), key.size());
  // The placeholder is the one of the key on disk: stable across restarts.
  EXPECT_EQ(a.Placeholder("Summer2024"),
            UserRedaction(RedactMode::kSuspect, key).Placeholder("Summer2024"));
  EXPECT_NE(a.Placeholder("Summer2024"), UserRedaction::Default().Placeholder("Summer2024"));
}

TEST(UserRedaction, ABrokenKeyFileFallsBackToTheProcessKey) {
  vigil::testing::TempDir dir;
  std::ofstream(dir.path() + "/redaction.key") << "short";
  const UserRedaction a = UserRedaction::ForStateDir(RedactMode::kSuspect, dir.path());
  EXPECT_EQ(a.Placeholder("Summer2024"), UserRedaction::Default().Placeholder("Summer2024"));
}

}  // namespace
}  // namespace vigil::access
