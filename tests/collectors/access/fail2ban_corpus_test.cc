// fail2ban's annotated sshd corpus (../shared/corpora/auth/fail2ban): for every line after
// a `# failJSON:` annotation, Vigil's event must agree with fail2ban's verdict — a failure
// (event.outcome failure) from the annotated host, for the annotated user — except on the
// lines listed in kDeliberate (docs/access.md explains each). The whole file is read in
// order through one parser, as fail2ban reads it, so per-connection state carries over.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "access_event.h"
#include "auth_line_parser.h"
#include "journal_json.h"
#include "syslog_header.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"
#include "vigil/time_format.h"

namespace vigil::access {
namespace {

using Json = nlohmann::json;

struct Annotated {
  int line_no = 0;
  Json want;
  std::string line;
  bool normal_mode = false;  // counted by fail2ban's normal mode
};

// Whether one filterOptions set is fail2ban's normal mode.
bool IsNormal(const Json& opts) {
  return !opts.contains("mode") || opts["mode"] == "normal";
}

std::vector<Annotated> ReadCorpus(const std::string& path) {
  std::ifstream in(path);
  std::vector<Annotated> out;
  std::string line;
  bool section_normal = true;
  std::vector<Annotated> waiting;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    if (line.rfind("# filterOptions:", 0) == 0) {
      const Json opts = Json::parse(line.substr(16));
      section_normal = false;
      if (opts.is_array()) {
        for (const Json& o : opts) section_normal = section_normal || IsNormal(o);
      } else {
        section_normal = IsNormal(opts);
      }
      continue;
    }
    if (line.rfind("# failJSON:", 0) == 0) {
      Annotated a;
      a.want = Json::parse(line.substr(11));
      const std::string constraint = a.want.value("constraint", "");
      a.normal_mode = section_normal && constraint.find("== 'aggressive'") == std::string::npos;
      waiting.push_back(std::move(a));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    for (Annotated& a : waiting) {
      a.line = line;
      a.line_no = no;
      out.push_back(a);
    }
    if (waiting.empty()) {
      Annotated a;  // an unannotated line still feeds the parser's state
      a.line = line;
      a.line_no = no;
      out.push_back(a);
    }
    waiting.clear();
  }
  return out;
}

// What Vigil makes of one line: whether it is a failure, and from whom.
struct Verdict {
  bool failure = false;
  std::string host;
  std::string user;
  bool has_user = false;
};

Verdict Judge(const Event& e) {
  Verdict v;
  const std::string* outcome = e.GetString(ecs::kEventOutcome);
  if (const IpAddress* ip = e.GetIp(ecs::kSourceIp)) v.host = ip->ToString();
  if (const std::string* a = e.GetString(ecs::kSourceAddress)) v.host = *a;
  if (const std::string* u = e.GetString(ecs::kUserName)) {
    v.user = *u;
    v.has_user = true;
  }
  v.failure = outcome && *outcome == "failure" && !v.host.empty();
  return v;
}

bool SameHost(const std::string& want, const std::string& got) {
  if (want == got) return true;
  auto a = ParseLoggedAddress(want);
  auto b = ParseLoggedAddress(got);
  return a && b && *a == *b;
}

struct Tally {
  int normal_true = 0, normal_true_ok = 0;
  int normal_false = 0, normal_false_ok = 0;
  int other = 0, other_ok = 0;
  std::vector<std::string> disagreements;  // normal mode only
};

// Lines of the normal-mode sections where Vigil deliberately differs (see docs/access.md).
const char* const kDeliberate[] = {
    // A rejected public key of an existing user is a failed attempt: Vigil reports it
    // (fail2ban ignores it because clients offer several keys; rules can too).
    "Failed publickey for git from 192.0.2.1 port 57904 ssh2: ECDSA 0e:ff:",
    "Failed publickey for git from 192.0.2.1 port 57904 ssh2: RSA 04:bc:",
    "Failed publickey for git from 192.0.2.111 port 57910 ssh2: ECDSA 1e:fe:",
    "Failed publickey for git from 192.0.2.111 port 57910 ssh2: RSA 14:ba:",
    // PAM's own report of a failed password is a failure (access.pam); fail2ban waits for
    // sshd's line or a second user name.
    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.113  user=rda",
    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=rda rhost=192.0.2.113 [preauth]",
    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=root rhost=192.0.2.114",
    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=root rhost=192.0.2.116",
    "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.112  user=root",
    // fail2ban counts a success after several user names as a failure (policy, not
    // content): Vigil reports the success; a correlation rule sees the pattern.
    "Accepted password for known from 192.0.2.114 port 52100 ssh2",
    "Accepted password for known from 192.0.2.116 port 52100 ssh2",
};

bool Deliberate(const std::string& line) {
  for (const char* d : kDeliberate) {
    if (line.find(d) != std::string::npos) return true;
  }
  return false;
}

void Check(const Annotated& a, const Event* e, Tally* t) {
  const Verdict v = e ? Judge(*e) : Verdict{};
  const bool want = a.want.value("match", false);
  bool ok = v.failure == want;
  for (const char* key : {"host", "ip4", "ip6"}) {
    if (ok && want && a.want.contains(key) && a.want[key].is_string()) {
      ok = SameHost(a.want[key].get<std::string>(), v.host);
    }
  }
  if (ok && want && a.want.contains("user") && a.want["user"].is_string()) {
    // An unknown user name shaped like a password ("test rhost=192.0.2.151", an injection
    // attempt) is replaced by its keyed placeholder: that counts as agreeing when it is the
    // placeholder of the annotated name.
    const std::string user = a.want["user"].get<std::string>();
    ok = v.has_user && (v.user == user || (NameMayBeSecret(user) &&
                                           v.user == UserRedaction::Default().Placeholder(user)));
  }
  const std::string detail = std::to_string(a.line_no) + ": want " + a.want.dump() +
                             " got failure=" + (v.failure ? "1" : "0") + " host=" + v.host +
                             " user=" + v.user + "\n    " + a.line;
  if (!ok && std::getenv("VIGIL_FAIL2BAN_VERBOSE")) {
    std::printf("%s %s\n", a.normal_mode ? "normal" : "other-mode", detail.c_str());
  }
  if (!a.normal_mode) {
    ++t->other;
    t->other_ok += ok;
    return;
  }
  (want ? t->normal_true : t->normal_false) += 1;
  (want ? t->normal_true_ok : t->normal_false_ok) += ok;
  if (!ok && !Deliberate(a.line)) {
    t->disagreements.push_back(detail);
  }
}

void Report(const char* name, const Tally& t) {
  std::printf("fail2ban %s: normal mode, failures: %d/%d agree; non-failures: %d/%d agree "
              "(%zu deliberate differences listed in docs/access.md); ddos/extra/aggressive "
              "mode lines: %d/%d agree\n",
              name, t.normal_true_ok, t.normal_true, t.normal_false_ok, t.normal_false,
              static_cast<size_t>(t.normal_true + t.normal_false - t.normal_true_ok -
                                  t.normal_false_ok),
              t.other_ok, t.other);
  for (const auto& d : t.disagreements) ADD_FAILURE() << d;
}

const AccessFieldIds& Ids() {
  static const AccessFieldIds ids = *DeclareAccessFields(FieldRegistry::Global());
  return ids;
}

TEST(Fail2banCorpus, Sshd) {
  const auto corpus = ReadCorpus(testing::SharedDir() + "/corpora/auth/fail2ban/sshd");
  ASSERT_GT(corpus.size(), 100u);
  AuthLineParser parser;
  const YearInference years(*ParseRfc3339("2005-12-31T00:00:00Z"), std::chrono::seconds(0));
  Tally t;
  std::string last;
  Event event;
  bool have = false;
  for (const Annotated& a : corpus) {
    if (a.line != last || a.line_no == 0) {
      // A line annotated twice (per mode) is one line of the log: parse it once.
      have = false;
      auto h = ParseSyslogHeader(a.line, years);
      AuthRecord r;
      if (h && parser.Parse(*h, &r)) {
        event = BuildAccessEvent(*h, r, LineOrigin{"sshd", -1, a.line}, Ids());
        have = true;
      }
      last = a.line;
    }
    if (a.want.is_null()) continue;
    Check(a, have ? &event : nullptr, &t);
  }
  Report("sshd", t);
}

TEST(Fail2banCorpus, SshdJournalThroughJournalJson) {
  const auto corpus = ReadCorpus(testing::SharedDir() + "/corpora/auth/fail2ban/sshd-journal");
  ASSERT_GT(corpus.size(), 100u);
  AuthLineParser parser;
  Tally t;
  std::string last;
  Event event;
  bool have = false;
  JournalEntry entry;
  for (const Annotated& a : corpus) {
    if (a.line != last) {
      have = false;
      // The corpus holds `HOST PROG[PID]: MESSAGE`; make it the JSON journalctl writes.
      SyslogHeader text;
      if (ParseHostAndTag(a.line, &text)) {
        Json j = {{"MESSAGE", std::string(text.message)},
                  {"SYSLOG_IDENTIFIER", std::string(text.program)},
                  {"_HOSTNAME", std::string(text.host)},
                  {"__REALTIME_TIMESTAMP", "1136073600000000"}};
        if (text.pid >= 0) j["_PID"] = std::to_string(text.pid);
        const std::string json = j.dump();
        if (ParseJournalJson(json, &entry).ok()) {
          const SyslogHeader h = entry.Header();
          AuthRecord r;
          if (parser.Parse(h, &r)) {
            event = BuildAccessEvent(h, r, LineOrigin{"journal", -1, json}, Ids());
            have = true;
          }
        }
      }
      last = a.line;
    }
    if (a.want.is_null()) continue;
    Check(a, have ? &event : nullptr, &t);
  }
  Report("sshd-journal", t);
}

TEST(Fail2banCorpus, PamGeneric) {
  const auto corpus = ReadCorpus(testing::SharedDir() + "/corpora/auth/fail2ban/pam-generic");
  ASSERT_GT(corpus.size(), 5u);
  AuthLineParser parser;
  const YearInference years(*ParseRfc3339("2005-12-31T00:00:00Z"), std::chrono::seconds(0));
  Tally t;
  for (const Annotated& a : corpus) {
    if (a.want.is_null()) continue;
    auto h = ParseSyslogHeader(a.line, years);
    AuthRecord r;
    std::optional<Event> e;
    if (h && parser.Parse(*h, &r)) e = BuildAccessEvent(*h, r, LineOrigin{"pam", -1, a.line}, Ids());
    Check(a, e ? &*e : nullptr, &t);
  }
  Report("pam-generic", t);
}

}  // namespace
}  // namespace vigil::access
