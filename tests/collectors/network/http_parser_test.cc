// HTTP/1.x requests, SSH banners and SMB NEGOTIATEs: the parsers on hand-built payloads, and
// PacketProcessor's per-direction budget, counting and events (HttpInspect.*).
#include "http_parser.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "collector_harness.h"
#include "event_json.h"
#include "network_options.h"
#include "packet_builder.h"
#include "packet_processor.h"
#include "smb_parser.h"
#include "ssh_parser.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {
namespace {

using Bytes = std::vector<uint8_t>;

HttpParse Parse(const std::string& s, HttpMessage& m) {
  return ParseHttp(reinterpret_cast<const uint8_t*>(s.data()), s.size(), m);
}

// base64 of "alice:S3cret-Pa55" and of "bob:hunter2:with:colons".
constexpr char kAliceBasic[] = "YWxpY2U6UzNjcmV0LVBhNTU=";
constexpr char kAlicePassword[] = "S3cret-Pa55";
constexpr char kBobBasic[] = "Ym9iOmh1bnRlcjI6d2l0aDpjb2xvbnM=";

TEST(HttpParser, RequestFields) {
  HttpMessage m;
  const std::string req =
      std::string("GET /a/b.html?q=1#f HTTP/1.1\r\nHost: Example.COM:8080\r\n") +
      "User-Agent: curl/8.5.0\r\nAccept: */*\r\nAuthorization: Basic " + kAliceBasic + "\r\n\r\n";
  ASSERT_EQ(Parse(req, m), HttpParse::kOk);
  EXPECT_TRUE(m.request);
  EXPECT_EQ(m.method, "GET");
  EXPECT_EQ(m.target, "/a/b.html?q=1#f");
  EXPECT_EQ(m.version, "1.1");
  EXPECT_EQ(m.host, "Example.COM:8080");
  EXPECT_EQ(HttpHostDomain(m.host), "example.com");
  EXPECT_EQ(HttpTargetPath(m.target), "/a/b.html");
  EXPECT_EQ(m.user_agent, "curl/8.5.0");
  EXPECT_EQ(m.auth_scheme, "basic");
  EXPECT_EQ(m.auth_user, "alice");
  EXPECT_EQ(m.header_count, 4u);
  EXPECT_TRUE(m.headers_complete);
}

TEST(HttpParser, BasicUserStopsAtTheFirstColon) {
  HttpMessage m;
  ASSERT_EQ(Parse(std::string("POST /x HTTP/1.0\r\nauthorization: basic ") + kBobBasic + "\r\n", m),
            HttpParse::kOk);
  EXPECT_EQ(m.version, "1.0");
  EXPECT_EQ(m.auth_scheme, "basic");
  EXPECT_EQ(m.auth_user, "bob");
  EXPECT_FALSE(m.headers_complete);
  // No ':' in the decoded credentials, or broken base64: no user name.
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nAuthorization: Basic Ym9i\r\n\r\n", m), HttpParse::kOk);
  EXPECT_EQ(m.auth_scheme, "basic");
  EXPECT_EQ(m.auth_user, "");
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nAuthorization: Basic !!!!\r\n\r\n", m), HttpParse::kOk);
  EXPECT_EQ(m.auth_user, "");
  // Other schemes: the scheme only.
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nAuthorization: Bearer abc.def.ghi\r\n\r\n", m),
            HttpParse::kOk);
  EXPECT_EQ(m.auth_scheme, "bearer");
  EXPECT_EQ(m.auth_user, "");
}

TEST(HttpParser, PasswordInAbsoluteTargetIsCut) {
  HttpMessage m;
  ASSERT_EQ(Parse("GET http://carol:pw123@proxy.example:3128/p?x HTTP/1.1\r\n\r\n", m),
            HttpParse::kOk);
  EXPECT_EQ(m.target, "http://carol@proxy.example:3128/p?x");
  EXPECT_EQ(HttpTargetPath(m.target), "/p");
  ASSERT_EQ(Parse("CONNECT host.example:443 HTTP/1.1\r\nHost: host.example:443\r\n\r\n", m),
            HttpParse::kOk);
  EXPECT_EQ(m.target, "host.example:443");
  EXPECT_EQ(HttpTargetPath(m.target), "");
  EXPECT_EQ(HttpHostDomain("[2001:db8::1]:80"), "2001:db8::1");
  EXPECT_EQ(HttpHostDomain("2001:db8::1"), "2001:db8::1");
}

TEST(HttpParser, HeaderBlockCutBySegmentKeepsWholeLines) {
  HttpMessage m;
  ASSERT_EQ(Parse("GET / HTTP/1.1\r\nHost: a.example\r\nUser-Agent: Moz", m), HttpParse::kOk);
  EXPECT_EQ(m.host, "a.example");
  EXPECT_FALSE(m.has_user_agent);
  EXPECT_EQ(m.header_count, 1u);
  EXPECT_FALSE(m.headers_complete);
  // The request line itself cut: not inspected.
  EXPECT_EQ(Parse("GET /very/long/path/that/conti", m), HttpParse::kTruncated);
}

TEST(HttpParser, ResponseStatusLine) {
  HttpMessage m;
  ASSERT_EQ(Parse("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic\r\n\r\n", m),
            HttpParse::kOk);
  EXPECT_FALSE(m.request);
  EXPECT_EQ(m.status_code, 401);
  EXPECT_EQ(m.version, "1.1");
  EXPECT_EQ(Parse("HTTP/1.1 4x1 Bad\r\n\r\n", m), HttpParse::kMalformed);
}

TEST(HttpParser, NotHttp) {
  HttpMessage m;
  for (const char* s :
       {"", "GE", "\x16\x03\x01\x02\x00", "SSH-2.0-OpenSSH_9.6\r\n", "USER anonymous\r\n",
        "220 ftp ready\r\n", "get / HTTP/1.1\r\n", "EHLO mail.example\r\n",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA / HTTP/1.1\r\n", "FOO bar baz"}) {
    EXPECT_EQ(Parse(s, m), HttpParse::kNotHttp) << s;
  }
}

TEST(HttpParser, SpacesAroundAndInsideTheTargetAreTaken) {
  HttpMessage m;
  ASSERT_EQ(Parse("GET      /a HTTP/1.1\r\n\r\n", m), HttpParse::kOk);
  EXPECT_EQ(m.target, "/a");
  ASSERT_EQ(Parse("GET /cgi;cat /etc/passwd|?x HTTP/1.1\r\n\r\n", m), HttpParse::kOk);
  EXPECT_EQ(m.target, "/cgi;cat /etc/passwd|?x");
}

TEST(HttpParser, BrokenRequestsAreMalformed) {
  HttpMessage m;
  EXPECT_EQ(Parse("GET / HTTP/2.0\r\n\r\n", m), HttpParse::kMalformed);
  EXPECT_EQ(Parse("GET HTTP/1.1\r\n\r\n", m), HttpParse::kMalformed);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nno colon here\r\n\r\n", m), HttpParse::kMalformed);
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", m), HttpParse::kMalformed);
  // A request line longer than kMaxHttpLine.
  EXPECT_EQ(Parse("GET /" + std::string(kMaxHttpLine, 'a') + " HTTP/1.1\r\n\r\n", m),
            HttpParse::kMalformed);
  // A header line longer than kMaxHttpLine.
  EXPECT_EQ(Parse("GET / HTTP/1.1\r\nX: " + std::string(kMaxHttpLine, 'a') + "\r\n\r\n", m),
            HttpParse::kMalformed);
}

TEST(HttpParser, ValuesAreBoundedAndEscaped) {
  HttpMessage m;
  std::string req = "GET /" + std::string(5000, 'p') + " HTTP/1.1\r\nUser-Agent: a\x01\xff" +
                    std::string(1000, 'u') + "\r\n";
  for (int i = 0; i < 300; ++i) req += "X-" + std::to_string(i) + ": v\r\n";
  req += "Host: late.example\r\n\r\n";
  ASSERT_EQ(Parse(req, m), HttpParse::kOk);
  EXPECT_EQ(m.target.size(), kMaxHttpTarget);
  EXPECT_EQ(m.user_agent.substr(0, 9), "a\\x01\\xff");
  EXPECT_LE(m.user_agent.size(), kMaxHttpValue * 4);
  EXPECT_EQ(m.header_count, kMaxHttpHeaders);
  EXPECT_FALSE(m.has_host);  // past the header bound
  EXPECT_FALSE(m.headers_complete);
}

TEST(SshParser, Banners) {
  auto parse = [](const std::string& s, SshBanner& b) {
    return ParseSshBanner(reinterpret_cast<const uint8_t*>(s.data()), s.size(), b);
  };
  SshBanner b;
  ASSERT_EQ(parse("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n\0\0\x01", b), SshParse::kOk);
  EXPECT_EQ(b.version, "2.0");
  EXPECT_EQ(b.software, "OpenSSH_9.6p1");
  EXPECT_EQ(b.comments, "Ubuntu-3ubuntu13");
  ASSERT_EQ(parse("SSH-1.99-Cisco-1.25\n", b), SshParse::kOk);
  EXPECT_EQ(b.version, "1.99");
  EXPECT_EQ(b.software, "Cisco-1.25");
  ASSERT_EQ(parse("SSH-1.5-dropbear", b), SshParse::kOk);  // cut by the segment
  EXPECT_EQ(b.version, "1.5");
  EXPECT_EQ(b.software, "dropbear");
  ASSERT_EQ(parse("SSH-2.0-" + std::string(400, 'x') + "\r\n", b), SshParse::kOk);
  EXPECT_EQ(b.software.size(), kMaxSshBanner - 8);
  ASSERT_EQ(parse("SSH-2.0-a\x7f\r\n", b), SshParse::kOk);
  EXPECT_EQ(b.software, "a\\x7f");
  EXPECT_EQ(parse("SSH-2.0\r\n", b), SshParse::kMalformed);
  EXPECT_EQ(parse("SSH--x\r\n", b), SshParse::kMalformed);
  EXPECT_EQ(parse("SSH-2.0-\r\n", b), SshParse::kMalformed);
  EXPECT_EQ(parse("SSH", b), SshParse::kNotSsh);
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n", b), SshParse::kNotSsh);
}

void Le16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v));
  b.push_back(static_cast<uint8_t>(v >> 8));
}

Bytes Netbios(const Bytes& smb) {
  Bytes b = {0, 0, static_cast<uint8_t>(smb.size() >> 8), static_cast<uint8_t>(smb.size())};
  b.insert(b.end(), smb.begin(), smb.end());
  return b;
}

// An SMB1 NEGOTIATE request offering `dialects` (or a response choosing `index`).
Bytes Smb1Negotiate(const std::vector<std::string>& dialects, bool reply = false,
                    uint16_t index = 0) {
  Bytes h = {0xFF, 'S', 'M', 'B', 0x72, 0, 0, 0, 0, static_cast<uint8_t>(reply ? 0x98 : 0x18)};
  h.resize(32, 0);
  if (reply) {
    h.push_back(17);  // WordCount
    Le16(h, index);
    h.resize(h.size() + 32, 0);
    Le16(h, 0);  // ByteCount
    return Netbios(h);
  }
  h.push_back(0);  // WordCount
  Bytes data;
  for (const std::string& d : dialects) {
    data.push_back(0x02);
    data.insert(data.end(), d.begin(), d.end());
    data.push_back(0);
  }
  Le16(h, static_cast<uint16_t>(data.size()));
  h.insert(h.end(), data.begin(), data.end());
  return Netbios(h);
}

Bytes Smb2Header(bool response) {
  Bytes h = {0xFE, 'S', 'M', 'B'};
  Le16(h, 64);  // StructureSize
  h.resize(12, 0);
  Le16(h, 0);  // Command: NEGOTIATE
  Le16(h, 1);  // CreditRequest
  h.push_back(response ? 1 : 0);
  h.resize(64, 0);
  return h;
}

Bytes Smb2NegotiateRequest(const std::vector<uint16_t>& dialects) {
  Bytes b = Smb2Header(false);
  Le16(b, 36);
  Le16(b, static_cast<uint16_t>(dialects.size()));
  b.resize(64 + 36, 0);
  for (uint16_t d : dialects) Le16(b, d);
  return Netbios(b);
}

Bytes Smb2NegotiateResponse(uint16_t dialect) {
  Bytes b = Smb2Header(true);
  Le16(b, 65);
  Le16(b, 1);
  Le16(b, dialect);
  b.resize(b.size() + 58, 0);
  return Netbios(b);
}

TEST(SmbParser, Smb1Negotiate) {
  SmbNegotiate m;
  const Bytes req = Smb1Negotiate({"PC NETWORK PROGRAM 1.0", "NT LM 0.12", "SMB 2.002"});
  ASSERT_EQ(ParseSmbNegotiate(req.data(), req.size(), m), SmbParse::kOk);
  EXPECT_EQ(m.version, 1);
  EXPECT_TRUE(m.request);
  EXPECT_EQ(m.dialects,
            (std::vector<std::string>{"PC NETWORK PROGRAM 1.0", "NT LM 0.12", "SMB 2.002"}));
  const Bytes resp = Smb1Negotiate({}, true, 1);
  ASSERT_EQ(ParseSmbNegotiate(resp.data(), resp.size(), m), SmbParse::kOk);
  EXPECT_FALSE(m.request);
  EXPECT_EQ(m.dialect_index, 1);
  // Cut inside the dialect list, a string without its NUL, a bad buffer format.
  EXPECT_EQ(ParseSmbNegotiate(req.data(), req.size() - 5, m), SmbParse::kTruncated);
  Bytes bad = req;
  bad.back() = 'x';
  EXPECT_EQ(ParseSmbNegotiate(bad.data(), bad.size(), m), SmbParse::kMalformed);
  bad = req;
  bad[4 + 32 + 1 + 2] = 0x05;
  EXPECT_EQ(ParseSmbNegotiate(bad.data(), bad.size(), m), SmbParse::kMalformed);
  // Other SMB1 commands are not counted.
  bad = req;
  bad[4 + 4] = 0x73;
  EXPECT_EQ(ParseSmbNegotiate(bad.data(), bad.size(), m), SmbParse::kNotSmb);
}

TEST(SmbParser, Smb2Negotiate) {
  SmbNegotiate m;
  const Bytes req = Smb2NegotiateRequest({0x0202, 0x0210, 0x0300, 0x0302, 0x0311, 0x0999});
  ASSERT_EQ(ParseSmbNegotiate(req.data(), req.size(), m), SmbParse::kOk);
  EXPECT_EQ(m.version, 2);
  EXPECT_TRUE(m.request);
  EXPECT_EQ(m.dialects,
            (std::vector<std::string>{"2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "0x0999"}));
  const Bytes resp = Smb2NegotiateResponse(0x0311);
  ASSERT_EQ(ParseSmbNegotiate(resp.data(), resp.size(), m), SmbParse::kOk);
  EXPECT_FALSE(m.request);
  EXPECT_EQ(m.dialect, "3.1.1");
  EXPECT_EQ(ParseSmbNegotiate(req.data(), req.size() - 3, m), SmbParse::kTruncated);
  Bytes bad = req;
  bad[4 + 64 + 2] = 200;  // DialectCount past the message
  EXPECT_EQ(ParseSmbNegotiate(bad.data(), bad.size(), m), SmbParse::kMalformed);
  const Bytes junk = {0, 0, 0, 8, 'h', 'e', 'l', 'l', 'o', '!', '!', '!'};
  EXPECT_EQ(ParseSmbNegotiate(junk.data(), junk.size(), m), SmbParse::kNotSmb);
  for (size_t n = 0; n < req.size(); ++n) ParseSmbNegotiate(req.data(), n, m);  // no overread
}

struct Inspect {
  Result<NetworkFieldIds> ids = GlobalNetworkFields();
  testing::CollectorHarness h;
  PacketProcessor proc{LinkType::kRaw, FlowTableOptions{}, h.ctx(), "test", *ids};
  int64_t ts = 1'700'000'000'000'000'000;
  void Send(const char* src, const char* dst, uint16_t sport, uint16_t dport,
            const Bytes& payload) {
    namespace b = vigil::network::testing;
    const Bytes frame =
        b::Ipv4(src, dst, kProtoTcp, b::Tcp(sport, dport, kTcpAck | kTcpPsh, payload));
    ASSERT_TRUE(proc.Frame(ts += 1000, frame.data(), static_cast<uint32_t>(frame.size()),
                           static_cast<uint32_t>(frame.size())));
  }
  void Syn(const char* src, const char* dst, uint16_t sport, uint16_t dport) {
    namespace b = vigil::network::testing;
    const Bytes frame = b::Ipv4(src, dst, kProtoTcp, b::Tcp(sport, dport, kTcpSyn));
    ASSERT_TRUE(proc.Frame(ts += 1000, frame.data(), static_cast<uint32_t>(frame.size()),
                           static_cast<uint32_t>(frame.size())));
  }
  std::vector<Event> Of(const std::string& dataset) const {
    std::vector<Event> out;
    for (const Event& e : h.events()) {
      const std::string* ds = e.GetString(ecs::kEventDataset);
      if (ds && *ds == dataset) out.push_back(e);
    }
    return out;
  }
};

TEST(HttpInspect, RequestEventsAndBudget) {
  Inspect t;
  ASSERT_TRUE(t.ids.ok());
  namespace b = vigil::network::testing;
  const std::string req = std::string("GET /index.html?a=b HTTP/1.1\r\nHost: www.example.org\r\n") +
                          "User-Agent: test-agent\r\nAuthorization: Basic " + kAliceBasic +
                          "\r\n\r\n";
  // Flow 1 on port 8080: a request, the response, a keep-alive request.
  t.Send("10.0.0.7", "10.0.0.5", 40000, 8080, b::Text(req));
  t.Send("10.0.0.5", "10.0.0.7", 8080, 40000,
         b::Text("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
  t.Send("10.0.0.7", "10.0.0.5", 40000, 8080, b::Text("HEAD /b HTTP/1.0\r\n\r\n"));
  // Keep-alive: a request after many body segments is still seen in an HTTP direction.
  for (int i = 0; i < 10; ++i) t.Send("10.0.0.7", "10.0.0.5", 40000, 8080, b::Text("body"));
  t.Send("10.0.0.7", "10.0.0.5", 40000, 8080, b::Text("GET /late HTTP/1.1\r\n\r\n"));
  // Past kBannerSegments data segments: not looked at.
  for (int i = 0; i < kBannerSegments; ++i) t.Send("10.0.0.8", "10.0.0.5", 40001, 80, b::Text("x"));
  t.Send("10.0.0.8", "10.0.0.5", 40001, 80, b::Text(req));
  // A cut request line: not inspected, once; a broken one: malformed.
  t.Send("10.0.0.9", "10.0.0.5", 40002, 80, b::Text("GET /cut"));
  t.Send("10.0.0.9", "10.0.0.5", 40002, 80, b::Text(req));
  t.Send("10.0.0.10", "10.0.0.5", 40003, 80, b::Text("GET / HTTP/9.9\r\n\r\n"));

  const PacketCounters& c = t.proc.counters();
  EXPECT_EQ(c.http_parsed, 4u);
  EXPECT_EQ(c.http_not_inspected, 1u);
  EXPECT_EQ(c.http_malformed, 1u);
  const std::vector<Event> events = t.Of("network.http");
  ASSERT_EQ(events.size(), 4u);
  const Event& e = events[0];
  EXPECT_EQ(*e.GetString(ecs::kEventAction), "http_request");
  EXPECT_EQ(*e.GetString(ecs::kNetworkProtocol), "http");
  EXPECT_EQ(*e.GetString(ecs::kHttpRequestMethod), "GET");
  EXPECT_EQ(*e.GetString(ecs::kUrlOriginal), "/index.html?a=b");
  EXPECT_EQ(*e.GetString(t.ids->url_path), "/index.html");
  EXPECT_EQ(*e.GetString(ecs::kUrlDomain), "www.example.org");
  EXPECT_EQ(*e.GetString(t.ids->http_version), "1.1");
  EXPECT_EQ(*e.GetString(ecs::kUserAgentOriginal), "test-agent");
  EXPECT_EQ(*e.GetString(ecs::kUserName), "alice");
  EXPECT_EQ(*e.GetString(t.ids->http_auth_scheme), "basic");
  EXPECT_EQ(*e.GetInt(t.ids->http_header_count), 3);
  EXPECT_EQ(*e.GetInt(ecs::kDestinationPort), 8080);
  EXPECT_EQ(*events[1].GetString(ecs::kEventAction), "http_response");
  EXPECT_EQ(*events[1].GetInt(ecs::kHttpResponseStatusCode), 200);
  EXPECT_EQ(*events[2].GetString(ecs::kHttpRequestMethod), "HEAD");
  EXPECT_EQ(*events[3].GetString(ecs::kUrlOriginal), "/late");
  EXPECT_NE(t.proc.Summary().find("http 4 parsed/1 malformed/1 not inspected"), std::string::npos)
      << t.proc.Summary();
  // The password is in no event.
  for (const Event& ev : t.h.events()) {
    const std::string json = EventToJson(ev);
    EXPECT_EQ(json.find(kAlicePassword), std::string::npos) << json;
    EXPECT_EQ(json.find(kAliceBasic), std::string::npos) << json;
  }
}

TEST(HttpInspect, SshBannersEachDirection) {
  Inspect t;
  ASSERT_TRUE(t.ids.ok());
  namespace b = vigil::network::testing;
  t.Syn("10.0.0.7", "10.0.0.5", 40000, 22);
  t.Send("10.0.0.5", "10.0.0.7", 22, 40000, b::Text("SSH-1.99-OpenSSH_3.9p1\r\n"));
  t.Send("10.0.0.7", "10.0.0.5", 40000, 22, b::Text("SSH-2.0-PuTTY_Release_0.80\r\n"));
  t.Send("10.0.0.5", "10.0.0.7", 22, 40000, b::Text("SSH-2.0-again\r\n"));  // not the first
  t.Send("10.0.0.8", "10.0.0.5", 40001, 2222, b::Text("SSH-\r\n"));
  EXPECT_EQ(t.proc.counters().ssh_parsed, 2u);
  EXPECT_EQ(t.proc.counters().ssh_malformed, 1u);
  const std::vector<Event> events = t.Of("network.ssh");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(*events[0].GetString(ecs::kEventAction), "ssh_server_banner");
  EXPECT_EQ(*events[0].GetString(t.ids->ssh_version), "1.99");
  EXPECT_EQ(*events[0].GetString(t.ids->ssh_software), "OpenSSH_3.9p1");
  EXPECT_EQ(*events[1].GetString(ecs::kEventAction), "ssh_client_banner");
  EXPECT_EQ(*events[1].GetString(t.ids->ssh_software), "PuTTY_Release_0.80");
  EXPECT_EQ(*events[1].GetString(ecs::kNetworkProtocol), "ssh");
}

TEST(HttpInspect, SmbNegotiateOnPort445) {
  Inspect t;
  ASSERT_TRUE(t.ids.ok());
  t.Send("10.0.0.7", "10.0.0.5", 40000, 445, Smb1Negotiate({"NT LM 0.12", "SMB 2.002"}));
  t.Send("10.0.0.5", "10.0.0.7", 445, 40000, Smb1Negotiate({}, true, 0));
  t.Send("10.0.0.8", "10.0.0.5", 40001, 139, Smb2NegotiateRequest({0x0202, 0x0311}));
  t.Send("10.0.0.5", "10.0.0.8", 139, 40001, Smb2NegotiateResponse(0x0311));
  // Not on an SMB port: not looked at.
  t.Send("10.0.0.9", "10.0.0.5", 40002, 4450, Smb2NegotiateRequest({0x0202}));
  EXPECT_EQ(t.proc.counters().smb_parsed, 4u);
  const std::vector<Event> events = t.Of("network.smb");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(*events[0].GetString(ecs::kEventAction), "smb_negotiate_request");
  EXPECT_EQ(*events[0].GetInt(t.ids->smb_version), 1);
  EXPECT_EQ(*events[0].GetList(t.ids->smb_dialects), (StringList{"NT LM 0.12", "SMB 2.002"}));
  EXPECT_EQ(*events[1].GetString(ecs::kEventAction), "smb_negotiate_response");
  EXPECT_EQ(*events[1].GetInt(t.ids->smb_version), 1);
  EXPECT_EQ(*events[1].GetInt(t.ids->smb_dialect_index), 0);
  EXPECT_EQ(*events[2].GetInt(t.ids->smb_version), 2);
  EXPECT_EQ(*events[2].GetList(t.ids->smb_dialects), (StringList{"2.0.2", "3.1.1"}));
  EXPECT_EQ(*events[3].GetString(t.ids->smb_dialect), "3.1.1");
}

// A live capture on lo while curl (a real client) sends Basic credentials to a local HTTP
// server: the network.http events carry the user name, and the password is in none of them.
TEST(HttpInspect, LiveCurlWithBasicAuthOnLoopback) {
  if (geteuid() != 0) GTEST_SKIP() << "live capture needs root (CAP_NET_RAW)";
  if (access("/usr/bin/curl", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/curl";
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ASSERT_EQ(listen(listener, 16), 0);
  const int port = ntohs(addr.sin_port);
  std::atomic<bool> stop{false};
  std::thread server([&] {
    while (!stop) {
      pollfd p{listener, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      const int c = accept(listener, nullptr, nullptr);
      if (c < 0) continue;
      char buf[4096];
      const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
      if (read(c, buf, sizeof buf) > 0 && write(c, reply, sizeof reply - 1) < 0) {
        // the client went away: nothing to do
      }
      close(c);
    }
  });

  const auto ids = GlobalNetworkFields();
  ASSERT_TRUE(ids.ok());
  testing::CollectorHarness h(RunMode::kLive);
  ASSERT_TRUE(h.Create("capture", "{interface: lo, bpf: 'tcp port " + std::to_string(port) +
                                      "', timeout: 20ms}")
                  .ok())
      << h.diags().FormatText();
  h.Start();
  // Requests until the capture is surely up; each is its own connection.
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/secret/area?x=1";
  for (int i = 0; i < 10; ++i) {
    const auto r = vigil::testing::RunCommand({"/usr/bin/curl", "-s", "-u",
                                               std::string("alice:") + kAlicePassword, "-A",
                                               "vigil-live-test", url});
    EXPECT_EQ(r.out, "ok");
    usleep(100'000);
  }
  ASSERT_TRUE(h.Stop().ok());
  stop = true;
  server.join();
  close(listener);

  size_t requests = 0, responses = 0;
  for (const Event& e : h.events()) {
    const std::string json = EventToJson(e);
    EXPECT_EQ(json.find(kAlicePassword), std::string::npos) << json;
    EXPECT_EQ(json.find(kAliceBasic), std::string::npos) << json;
    const std::string* action = e.GetString(ecs::kEventAction);
    if (action && *action == "http_request") {
      ++requests;
      EXPECT_EQ(*e.GetString(ecs::kUserName), "alice");
      EXPECT_EQ(*e.GetString(ids->http_auth_scheme), "basic");
      EXPECT_EQ(*e.GetString(ecs::kUrlOriginal), "/secret/area?x=1");
      EXPECT_EQ(*e.GetString(ecs::kUrlDomain), "127.0.0.1");
      EXPECT_EQ(*e.GetString(ecs::kUserAgentOriginal), "vigil-live-test");
      EXPECT_EQ(*e.GetInt(ecs::kDestinationPort), port);
    }
    if (action && *action == "http_response") {
      ++responses;
      EXPECT_EQ(*e.GetInt(ecs::kHttpResponseStatusCode), 200);
    }
  }
  EXPECT_GE(requests, 1u);
  EXPECT_GE(responses, 1u);
}

}  // namespace
}  // namespace vigil::network
