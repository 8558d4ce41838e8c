// Cleartext login dialogues (collectors/network/login_parser.h, login_tracker.h) and the
// network.login events of hand-built captures, whose passwords must appear in no event.
#include "login_parser.h"

#include <gtest/gtest.h>
#include <pcap/dlt.h>

#include <string>
#include <vector>

#include "collector_harness.h"
#include "event_json.h"
#include "http_event.h"
#include "login_event.h"
#include "login_tracker.h"
#include "network_options.h"
#include "packet_builder.h"
#include "pcap_writer.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {
namespace {

using testing::Bytes;
using testing::Text;
using namespace std::string_literals;

// One segment of a dialogue: who sent it and its bytes.
struct Seg {
  bool client;
  std::string text;
};

struct Fed {
  std::vector<LoginAttempt> attempts;
  LoginFeedCounts counts;
  bool done = false;
  LoginAttempt pending;
  bool has_pending = false;
};

Fed Play(LoginProtocol protocol, const std::vector<Seg>& segments) {
  LoginDialogue d(protocol);
  Fed f;
  for (const Seg& s : segments) {
    LoginFeedCounts c;
    d.Feed(s.client, reinterpret_cast<const uint8_t*>(s.text.data()), s.text.size(), f.attempts, c);
    f.counts.malformed += c.malformed;
    f.counts.not_inspected += c.not_inspected;
  }
  f.done = d.done();
  f.has_pending = d.TakePending(&f.pending);
  return f;
}

TEST(LoginParser, Base64) {
  uint8_t buf[16];
  EXPECT_EQ(DecodeBase64("dXNlcg==", buf, sizeof buf), 4);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 4), "user");
  EXPECT_EQ(DecodeBase64("dXNlcg", buf, sizeof buf), 4);
  EXPECT_EQ(DecodeBase64("", buf, sizeof buf), 0);
  EXPECT_EQ(DecodeBase64("d", buf, sizeof buf), -1);
  EXPECT_EQ(DecodeBase64("dX!l", buf, sizeof buf), -1);
  EXPECT_EQ(DecodeBase64("dXNlcnVzZXJ1c2VydXNlcnVzZXI=", buf, 4), -1);  // does not fit
  std::string authcid;
  // "\0tim\0tanstaaftanstaaf" (RFC 4616's example)
  EXPECT_TRUE(PlainAuthcid("AHRpbQB0YW5zdGFhZnRhbnN0YWFm", &authcid));
  EXPECT_EQ(authcid, "tim");
  EXPECT_FALSE(PlainAuthcid("dGlt", &authcid));  // "tim": no NULs
  EXPECT_FALSE(PlainAuthcid("not base64!", &authcid));
}

TEST(LoginParser, PortsAndNames) {
  LoginProtocol p;
  ASSERT_TRUE(LoginProtocolForPort(587, &p));
  EXPECT_EQ(LoginProtocolName(p), "smtp");
  ASSERT_TRUE(LoginProtocolForPort(143, &p));
  EXPECT_EQ(LoginProtocolName(p), "imap");
  EXPECT_FALSE(LoginProtocolForPort(80, &p));
  EXPECT_EQ(LoginMechanismName(LoginMechanism::kApop), "apop");
  EXPECT_EQ(LoginOutcomeName(LoginOutcome::kFailure), "failure");
}

TEST(LoginParser, FtpUserPassSuccessAndFailure) {
  Fed f = Play(LoginProtocol::kFtp, {{false, "220 (vsFTPd 3.0.3)\r\n"},
                                     {true, "USER alice\r\n"},
                                     {false, "331 Please specify the password.\r\n"},
                                     {true, "PASS s3cret\r\n"},
                                     {false, "530 Login incorrect.\r\n"},
                                     {true, "user bob\r\n"},
                                     {false, "331 Password please\r\n"},
                                     {true, "pass hunter2\r\n"},
                                     {false, "230-Welcome\r\n230 Login successful.\r\n"},
                                     {true, "USER carol\r\n"}});
  ASSERT_EQ(f.attempts.size(), 2u);
  EXPECT_EQ(f.attempts[0].user, "alice");
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kFailure);
  EXPECT_EQ(f.attempts[0].mechanism, LoginMechanism::kPassword);
  EXPECT_EQ(f.attempts[1].user, "bob");
  EXPECT_EQ(f.attempts[1].outcome, LoginOutcome::kSuccess);
  EXPECT_TRUE(f.done);  // nothing looked at after a success
  EXPECT_FALSE(f.has_pending);
}

TEST(LoginParser, FtpUserRefusedAndAuthTls) {
  Fed f = Play(LoginProtocol::kFtp,
               {{true, "USER hello\r\n"}, {false, "530 This FTP server is anonymous only.\r\n"}});
  ASSERT_EQ(f.attempts.size(), 1u);
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kFailure);
  f = Play(LoginProtocol::kFtp, {{true, "AUTH TLS\r\n"}, {true, "USER x\r\n"}});
  EXPECT_TRUE(f.done);
  EXPECT_TRUE(f.attempts.empty());
  f = Play(LoginProtocol::kFtp, {{true, "USER dave\r\nPASS pw\r\n"}});  // no answer seen
  EXPECT_TRUE(f.attempts.empty());
  ASSERT_TRUE(f.has_pending);
  EXPECT_EQ(f.pending.user, "dave");
  EXPECT_EQ(f.pending.outcome, LoginOutcome::kUnknown);
}

TEST(LoginParser, Pop3UserApopAuthPlainStls) {
  Fed f = Play(LoginProtocol::kPop3, {{false, "+OK POP server ready\r\n"},
                                      {true, "user cicciopernacchio@mail.com\r\n"},
                                      {false, "+OK password required\r\n"},
                                      {true, "pass pippozzo\r\n"},
                                      {false, "+OK mailbox has 2 messages\r\n"}});
  ASSERT_EQ(f.attempts.size(), 1u);
  EXPECT_EQ(f.attempts[0].user, "cicciopernacchio@mail.com");
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kSuccess);

  f = Play(LoginProtocol::kPop3, {{true, "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n"},
                                  {false, "-ERR permission denied\r\n"}});
  ASSERT_EQ(f.attempts.size(), 1u);
  EXPECT_EQ(f.attempts[0].user, "mrose");
  EXPECT_EQ(f.attempts[0].mechanism, LoginMechanism::kApop);
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kFailure);

  f = Play(LoginProtocol::kPop3, {{true, "AUTH PLAIN\r\n"},
                                  {false, "+ \r\n"},
                                  {true, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"},
                                  {false, "+OK Maildrop locked and ready\r\n"}});
  ASSERT_EQ(f.attempts.size(), 1u);
  EXPECT_EQ(f.attempts[0].user, "tim");
  EXPECT_EQ(f.attempts[0].mechanism, LoginMechanism::kPlain);
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kSuccess);

  f = Play(LoginProtocol::kPop3,
           {{true, "AUTH\r\n"}, {true, "APOP mrose\r\n"}, {true, "STLS\r\n"}});
  EXPECT_EQ(f.counts.not_inspected, 0u);  // AUTH alone lists the mechanisms
  EXPECT_EQ(f.counts.malformed, 1u);
  EXPECT_TRUE(f.done);
}

TEST(LoginParser, ImapLoginQuotedLiteralAndAuthenticate) {
  Fed f = Play(LoginProtocol::kImap,
               {{false, "* OK IMAP4rev1 ready\r\n"},
                {true, "C00001 LOGIN samir pfres\r\n"},
                {false, "* CAPABILITY IMAP4rev1\r\nC00001 OK LOGIN completed\r\n"}});
  ASSERT_EQ(f.attempts.size(), 1u);
  EXPECT_EQ(f.attempts[0].user, "samir");
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kSuccess);

  f = Play(LoginProtocol::kImap,
           {{true, "a1 login \"jo \\\"q\\\" \\\\x\" \"pw\"\r\n"},
            {false, "a2 OK other tag\r\na1 NO [AUTHENTICATIONFAILED] no\r\n"}});
  ASSERT_EQ(f.attempts.size(), 1u);
  EXPECT_EQ(f.attempts[0].user, "jo \"q\" \\x");
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kFailure);

  f = Play(LoginProtocol::kImap, {{true, "a1 LOGIN {5}\r\n"},
                                  {true, "a2 LOGIN onlyuser\r\n"},
                                  {true, "a3 LOGIN \"unterminated pw\r\n"}});
  EXPECT_EQ(f.counts.not_inspected, 1u);
  EXPECT_EQ(f.counts.malformed, 2u);
  EXPECT_TRUE(f.attempts.empty());
  EXPECT_FALSE(f.has_pending);

  f = Play(LoginProtocol::kImap, {{true, "x AUTHENTICATE PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"},
                                  {false, "x OK done\r\n"}});
  ASSERT_EQ(f.attempts.size(), 1u);
  EXPECT_EQ(f.attempts[0].user, "tim");
  EXPECT_EQ(f.attempts[0].mechanism, LoginMechanism::kPlain);

  f = Play(LoginProtocol::kImap, {{true, ". STARTTLS\r\n"}, {true, "a LOGIN u p\r\n"}});
  EXPECT_TRUE(f.done);
  EXPECT_TRUE(f.attempts.empty());
}

TEST(LoginParser, SmtpAuthLoginAndPlain) {
  // AUTH LOGIN: user "smtpuser", then the password line (never decoded).
  Fed f = Play(LoginProtocol::kSmtp, {{false, "220 mail ESMTP\r\n"},
                                      {true, "EHLO client\r\n"},
                                      {false, "250-mail\r\n250 AUTH LOGIN PLAIN\r\n"},
                                      {true, "AUTH LOGIN\r\n"},
                                      {false, "334 VXNlcm5hbWU6\r\n"},
                                      {true, "c210cHVzZXI=\r\n"},
                                      {false, "334 UGFzc3dvcmQ6\r\n"},
                                      {true, "c2VjcmV0\r\n"},
                                      {false, "535 5.7.8 Authentication credentials invalid\r\n"},
                                      {true, "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n"},
                                      {false, "235 2.7.0 Authentication successful\r\n"}});
  ASSERT_EQ(f.attempts.size(), 2u);
  EXPECT_EQ(f.attempts[0].user, "smtpuser");
  EXPECT_EQ(f.attempts[0].mechanism, LoginMechanism::kLogin);
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kFailure);
  EXPECT_EQ(f.attempts[1].user, "tim");
  EXPECT_EQ(f.attempts[1].outcome, LoginOutcome::kSuccess);

  f = Play(LoginProtocol::kSmtp, {{true, "AUTH CRAM-MD5\r\n"},
                                  {true, "AUTH PLAIN !!!\r\n"},
                                  {true, "AUTH LOGIN\r\n"},
                                  {true, "*\r\n"},
                                  {true, "STARTTLS\r\n"}});
  EXPECT_EQ(f.counts.not_inspected, 1u);
  EXPECT_EQ(f.counts.malformed, 1u);
  EXPECT_TRUE(f.done);
  EXPECT_TRUE(f.attempts.empty());
}

TEST(LoginParser, TelnetOneCharacterPerSegment) {
  const std::string iac_do_echo = "\xff\xfd\x01";
  const std::string iac_sb = "\xff\xfa\x18\x01\xff\xf0";  // terminal type subnegotiation
  std::vector<Seg> segs = {
      {false, iac_do_echo + "Ubuntu 22.04\r\n"}, {true, iac_sb}, {false, "myhost LOGIN: "}};
  for (char c : std::string("rooX\x7ft")) {  // a typo fixed with DEL
    segs.push_back({true, std::string(1, c)});
    segs.push_back({false, std::string(1, c)});  // the server's echo
  }
  segs.push_back({true, "\r\0"s});
  segs.push_back({false, "\r\nPassword: "});
  for (char c : std::string("topsecret")) segs.push_back({true, std::string(1, c)});
  segs.push_back({true, "\r\n"});
  segs.push_back({false, "\r\nLogin incorrect\r\n"});
  segs.push_back({false, "myhost login: "});
  for (char c : std::string("admin\r")) segs.push_back({true, std::string(1, c)});
  segs.push_back({false, "\r\nPassword: "});
  segs.push_back({true, "pw\r"});
  segs.push_back({false, "\r\nLast login: Mon Nov 23 on pts/1\r\n"});
  Fed f = Play(LoginProtocol::kTelnet, segs);
  ASSERT_EQ(f.attempts.size(), 2u);
  EXPECT_EQ(f.attempts[0].user, "root");
  EXPECT_EQ(f.attempts[0].outcome, LoginOutcome::kFailure);
  EXPECT_EQ(f.attempts[1].user, "admin");
  EXPECT_EQ(f.attempts[1].outcome, LoginOutcome::kSuccess);
  EXPECT_TRUE(f.done);
}

TEST(LoginParser, BoundsAndHostileInput) {
  const std::string long_user(kMaxLoginUser + 1, 'a');
  Fed f = Play(LoginProtocol::kFtp, {{true, "USER " + long_user + "\r\n"},
                                     {true, "USER " + std::string(kMaxLoginLine + 10, 'b')},
                                     {true,
                                      "USER a\x01\xff"
                                      "b\r\n"}});
  EXPECT_EQ(f.counts.malformed, 2u);
  ASSERT_TRUE(f.has_pending);
  EXPECT_EQ(f.pending.user, "a??b");
  // Telnet: an endless user name is cut at kMaxLoginUser.
  f = Play(LoginProtocol::kTelnet, {{false, "login:"}, {true, std::string(1000, 'x') + "\r"}});
  ASSERT_TRUE(f.has_pending);
  EXPECT_EQ(f.pending.user.size(), kMaxLoginUser);
}

// The tracker: budget, eviction, end of flow.
DecodedPacket Segment(uint16_t sport, uint16_t dport, const std::string& text) {
  DecodedPacket p;
  p.outcome = DecodeOutcome::kIp;
  p.ip_version = 4;
  p.protocol = kProtoTcp;
  p.has_ports = true;
  p.src_port = sport;
  p.dst_port = dport;
  p.payload = reinterpret_cast<const uint8_t*>(text.data());
  p.payload_captured = static_cast<uint32_t>(text.size());
  p.payload_length = p.payload_captured;
  return p;
}

TEST(LoginTracker, SidesBudgetEvictionAndEnd) {
  LoginTrackerOptions o;
  o.max_entries = 2;
  o.max_segments = 3;
  LoginTracker t(o);
  std::vector<LoginAttempt> out;
  bool from_client = false;
  const std::string web = "GET / HTTP/1.1\r\n", user = "USER u1\r\n", noop = "NOOP\r\n",
                    ok = "230 ok\r\n";
  t.Segment(1, Segment(40000, 80, web), out, &from_client);
  EXPECT_EQ(t.size(), 0u);  // not a login port
  t.Segment(2, Segment(40001, 21, user), out, &from_client);
  EXPECT_TRUE(from_client);
  t.Segment(2, Segment(21, 40001, "331 pw\r\n"), out, &from_client);
  EXPECT_FALSE(from_client);
  t.Segment(2, Segment(40001, 21, noop), out, &from_client);  // 3rd segment: budget spent
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].user, "u1");
  EXPECT_EQ(out[0].outcome, LoginOutcome::kUnknown);
  t.Segment(2, Segment(21, 40001, ok), out, &from_client);
  EXPECT_EQ(out.size(), 1u);  // no longer looked at
  t.Segment(3, Segment(40002, 110, "USER u3\r\n"), out, &from_client);
  t.Segment(4, Segment(40003, 143, "a LOGIN u4 p\r\n"), out, &from_client);  // evicts flow 2
  EXPECT_EQ(t.counters().evicted, 1u);
  EXPECT_EQ(t.size(), 2u);
  LoginAttempt a;
  uint16_t port = 0;
  ASSERT_TRUE(t.End(3, &a, &port));
  EXPECT_EQ(a.user, "u3");
  EXPECT_EQ(port, 110);
  EXPECT_FALSE(t.End(2, &a, &port));  // evicted already
  ASSERT_TRUE(t.End(4, &a, &port));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.counters().parsed[static_cast<size_t>(LoginProtocol::kFtp)], 1u);
  EXPECT_EQ(t.counters().parsed[static_cast<size_t>(LoginProtocol::kImap)], 1u);
}

// Captures built here, one connection per protocol, replayed through the pcap collector:
// the network.login events carry the right fields, and no password appears in any event.
struct Dialogue {
  uint16_t port;
  std::vector<Seg> segments;
  std::string user;
  std::string protocol;
  std::string mechanism;
  std::string outcome;
};

std::vector<testing::TimedFrame> Connection(const Dialogue& d, uint16_t client_port, double* t) {
  using namespace testing;
  std::vector<TimedFrame> frames;
  const char* c = "10.0.0.1";
  const char* s = "10.0.0.2";
  auto add = [&](bool client, uint8_t flags, const Bytes& payload, uint32_t seq, uint32_t ack) {
    const Bytes tcp = client ? Tcp(client_port, d.port, flags, payload, 5, seq, ack)
                             : Tcp(d.port, client_port, flags, payload, 5, seq, ack);
    frames.push_back({*t, Eth(0x0800, Ipv4(client ? c : s, client ? s : c, kProtoTcp, tcp))});
    *t += 0.001;
  };
  uint32_t cseq = 100, sseq = 900;
  add(true, kTcpSyn, {}, cseq++, 0);
  add(false, kTcpSyn | kTcpAck, {}, sseq++, cseq);
  add(true, kTcpAck, {}, cseq, sseq);
  for (const Seg& seg : d.segments) {
    const Bytes b = Text(seg.text);
    add(seg.client, kTcpAck | kTcpPsh, b, seg.client ? cseq : sseq, seg.client ? sseq : cseq);
    (seg.client ? cseq : sseq) += static_cast<uint32_t>(b.size());
  }
  add(true, kTcpFin | kTcpAck, {}, cseq++, sseq);
  add(false, kTcpFin | kTcpAck, {}, sseq++, cseq);
  add(true, kTcpAck, {}, cseq, sseq);
  return frames;
}

TEST(LoginEvents, BuiltCapturesGiveEventsWithoutPasswords) {
  const std::vector<std::string> passwords = {"Ftp-Pa55",  "Pop-Pa55", "Imap-Pa55",
                                              "Smtp-Pa55", "Tel-Pa55", "Plain-Pa55"};
  // "\0" "plainuser" "\0" "Plain-Pa55" and "smtpuser" / "Smtp-Pa55" in base64
  const std::string plain = "AHBsYWludXNlcgBQbGFpbi1QYTU1";
  const std::vector<Dialogue> dialogues = {
      {21,
       {{false, "220 ready\r\n"},
        {true, "USER ftpuser\r\n"},
        {false, "331 pw\r\n"},
        {true, "PASS Ftp-Pa55\r\n"},
        {false, "230 ok\r\n"}},
       "ftpuser",
       "ftp",
       "password",
       "success"},
      {110,
       {{true, "USER popuser\r\n"},
        {false, "+OK\r\n"},
        {true, "PASS Pop-Pa55\r\n"},
        {false, "-ERR no\r\n"}},
       "popuser",
       "pop3",
       "password",
       "failure"},
      {143,
       {{true, "a1 LOGIN \"imapuser\" Imap-Pa55\r\n"}},
       "imapuser",
       "imap",
       "password",
       "unknown"},
      {587,
       {{true, "AUTH LOGIN c210cHVzZXI=\r\n"},
        {false, "334 UGFzc3dvcmQ6\r\n"},
        {true, "U210cC1QYTU1\r\n"},
        {false, "235 ok\r\n"}},
       "smtpuser",
       "smtp",
       "login",
       "success"},
      {25,
       {{true, "AUTH PLAIN\r\n"},
        {false, "334 \r\n"},
        {true, plain + "\r\n"},
        {false, "535 no\r\n"}},
       "plainuser",
       "smtp",
       "plain",
       "failure"},
      {23,
       {{false, "\xff\xfd\x18login: "},
        {true, "t"},
        {true, "e"},
        {true, "l"},
        {true, "\r\n"},
        {false, "Password: "},
        {true, "T"},
        {true, "el-Pa55"},
        {true, "\r\n"},
        {false, "\r\n$ "}},
       "tel",
       "telnet",
       "password",
       "success"},
  };
  std::vector<testing::TimedFrame> frames;
  double t = 1'700'000'000.0;
  uint16_t client_port = 50000;
  for (const Dialogue& d : dialogues) {
    for (auto& f : Connection(d, client_port++, &t)) frames.push_back(std::move(f));
  }
  vigil::testing::TempDir dir;
  const std::string path = dir.File("logins.pcap");
  ASSERT_TRUE(testing::WritePcap(path, DLT_EN10MB, frames));
  testing::CollectorHarness h;
  ASSERT_TRUE(h.Create("pcap", "path: '" + path + "'").ok());
  ASSERT_TRUE(h.Run().ok());
  const auto ids = GlobalNetworkFields();
  ASSERT_TRUE(ids.ok());
  std::vector<const Event*> logins;
  const std::vector<Event> events = h.events();
  for (const Event& e : events) {
    const std::string json = EventToJson(e);
    for (const std::string& pw : passwords) {
      EXPECT_EQ(json.find(pw), std::string::npos) << pw << " in " << json;
    }
    const std::string* ds = e.GetString(ecs::kEventDataset);
    if (ds != nullptr && *ds == "network.login") logins.push_back(&e);
  }
  ASSERT_EQ(logins.size(), dialogues.size());
  for (const Dialogue& d : dialogues) {
    SCOPED_TRACE(d.protocol + " " + d.user);
    // An attempt without an answer is reported when its flow ends: match by user name.
    const Event* found = nullptr;
    for (const Event* e : logins) {
      const std::string* user = e->GetString(ecs::kUserName);
      if (user != nullptr && *user == d.user) found = e;
    }
    ASSERT_NE(found, nullptr);
    const Event& e = *found;
    EXPECT_EQ(*e.GetString(ecs::kNetworkProtocol), d.protocol);
    EXPECT_EQ(*e.GetString(ecs::kEventOutcome), d.outcome);
    EXPECT_EQ(*e.GetString(ecs::kEventAction), "cleartext_login");
    ASSERT_NE(e.GetString(ids->auth_mechanism), nullptr);
    EXPECT_EQ(*e.GetString(ids->auth_mechanism), d.mechanism);
    const std::string json = EventToJson(e);
    // The client is the source, whichever side's segment decided the outcome.
    EXPECT_NE(json.find("\"source\":{\"ip\":\"10.0.0.1\""), std::string::npos) << json;
    EXPECT_NE(json.find("\"port\":" + std::to_string(d.port)), std::string::npos) << json;
    EXPECT_NE(json.find("\"category\":[\"authentication\",\"network\"]"), std::string::npos)
        << json;
  }
}

}  // namespace
}  // namespace vigil::network

namespace vigil::network {
namespace {

// A password typed as the user name of a failed cleartext login, or of an HTTP Basic request,
// is replaced by its keyed placeholder (user_redaction.h); a successful login's name is kept.
TEST(LoginEvents, AUserNameThatMayBeAPasswordIsRedactedUnlessTheLoginSucceeded) {
  const NetworkFieldIds ids = *GlobalNetworkFields();
  const UserRedaction& redaction = UserRedaction::Default();
  DecodedPacket p;
  p.outcome = DecodeOutcome::kIp;
  p.ip_version = 4;
  p.protocol = kProtoTcp;
  p.has_ports = true;
  p.src.b = {192, 0, 2, 1};
  p.dst.b = {192, 0, 2, 2};
  p.src_port = 40000;
  p.dst_port = 21;
  LoginAttempt a;
  a.user = "Winter#2026";
  for (LoginOutcome o : {LoginOutcome::kFailure, LoginOutcome::kUnknown}) {
    a.outcome = o;
    const Event e = LoginEvent(a, p, 1, ids, redaction);
    const std::string json = EventToJson(e);
    EXPECT_EQ(json.find("Winter"), std::string::npos) << json;
    EXPECT_EQ(*e.GetString(ecs::kUserName), redaction.Placeholder("Winter#2026"));
    EXPECT_NE(e.Get(ids.user_redacted), nullptr);
  }
  a.outcome = LoginOutcome::kSuccess;  // the server accepted it: an account
  EXPECT_EQ(*LoginEvent(a, p, 1, ids, redaction).GetString(ecs::kUserName), "Winter#2026");
  a.outcome = LoginOutcome::kFailure;
  a.user = "alice";  // an account-shaped name stays
  EXPECT_EQ(*LoginEvent(a, p, 1, ids, redaction).GetString(ecs::kUserName), "alice");

  HttpMessage m;
  m.request = true;
  m.method = "GET";
  m.target = "/";
  m.auth_scheme = "basic";
  m.auth_user = "correct horse";
  Event h = HttpEvent(m, p, 1, ids, redaction);
  EXPECT_EQ(*h.GetString(ecs::kUserName), redaction.Placeholder("correct horse"));
  EXPECT_EQ(EventToJson(h).find("horse"), std::string::npos);
  m.auth_user = "alice";
  h = HttpEvent(m, p, 1, ids, redaction);
  EXPECT_EQ(*h.GetString(ecs::kUserName), "alice");
  EXPECT_EQ(h.Get(ids.user_redacted), nullptr);
}

}  // namespace
}  // namespace vigil::network
