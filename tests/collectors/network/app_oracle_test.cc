// The application metadata of the network collector over nDPI's captures, against tshark's
// dissection of the same files: DNS query names, TLS hellos (SNI, JA3, JA3S), HTTP hosts,
// SSH banners and SMB negotiation, cleartext-login user names; and no password tshark sees
// reaching any event. Differences are printed and explained in docs/network.md.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "collector_harness.h"
#include "corpus_support.h"
#include "event_json.h"
#include "network_options.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"

namespace vigil::network {
namespace {

using testing::CollectorHarness;

// How many times each value was seen.
using Counts = std::map<std::string, int>;

// Totals of a comparison with tshark: its values, those Vigil gave too, and Vigil's extra ones.
struct Tally {
  size_t reference = 0, same = 0, extra = 0;
};

// Compares Vigil's values of one capture (`got`) with tshark's (`want`) as multisets, adds
// to `t`, and prints each difference as "<what> <capture>: missing|extra Nx <prefix><value>".
void Compare(const char* what, const std::string& capture, const std::string& prefix,
             const Counts& want, const Counts& got, Tally* t) {
  for (const auto& [v, k] : want) {
    const auto it = got.find(v);
    const int n = it == got.end() ? 0 : it->second;
    t->reference += static_cast<size_t>(k);
    t->same += static_cast<size_t>(std::min(k, n));
    if (n < k) std::printf("%s %s: missing %dx %s%s\n", what, capture.c_str(), k - n, prefix.c_str(), v.c_str());
  }
  for (const auto& [v, n] : got) {
    const auto it = want.find(v);
    const int k = it == want.end() ? 0 : it->second;
    if (n > k) {
      t->extra += static_cast<size_t>(n - k);
      std::printf("%s %s: extra %dx %s%s\n", what, capture.c_str(), n - k, prefix.c_str(), v.c_str());
    }
  }
}

// A name in a form both sides can produce: Vigil escapes bytes >= 0x80 as \DDD, tshark
// prints them as UTF-8 (U+FFFD when invalid); both are dropped, the ASCII rest compared.
std::string ComparableDnsName(const std::string& in, bool vigil) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(in[i]);
    auto digit = [&](size_t k) { return k < in.size() && in[k] >= '0' && in[k] <= '9'; };
    if (vigil && c == '\\' && digit(i + 1) && digit(i + 2) && digit(i + 3)) {
      const int v = (in[i + 1] - '0') * 100 + (in[i + 2] - '0') * 10 + (in[i + 3] - '0');
      if (v < 0x21) out.append(in, i, 4);  // control bytes: tshark prints \DDD too
      if (v >= 0x21 && v < 0x80) out.push_back(static_cast<char>(v));
      i += 3;
    } else if (vigil && c == '\\' && i + 1 < in.size()) {
      out.push_back(in[++i]);  // \. or \\ inside a label
    } else if (!vigil && c >= 0x80) {
      // dropped, as Vigil's escapes of bytes >= 0x80 are
    } else {
      out.push_back(static_cast<char>(std::tolower(c)));
    }
  }
  return out;
}

// DNS query names: Vigil's network.dns events against tshark's dns.qry.name over the DNS
// captures of the nDPI corpus (port 53 only; names compared case-insensitively, as a
// multiset per file). Disagreement classes are explained in docs/network.md.
TEST(NetworkCorpus, DnsNamesAgreeWithTshark) {
  const std::string tshark = FindProgram("tshark");
  if (tshark.empty()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  const std::string dir = CorpusDir("ndpi-4.2");
  std::vector<std::string> names;
  for (const std::string& name : Files(dir, true)) {
    if (name.find("dns") != std::string::npos) names.push_back(name);
  }
  for (const char* extra : {"1kxun.pcap", "alexa-app.pcapng", "whatsapp_login_call.pcap",
                            "bad-dns-traffic.pcap", "malformed_dns.pcap"}) {
    names.push_back(extra);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  size_t reference = 0, same = 0, extra = 0;
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    const auto out = vigil::testing::RunCommand(
        {tshark, "-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-Y",
         "dns && !icmp && !icmpv6 && (udp.port == 53 || tcp.port == 53)", "-T", "fields", "-e",
         "dns.qry.name"});
    if (out.exit_code != 0 && out.out.empty()) continue;
    Counts want;
    size_t start = 0;
    while (start < out.out.size()) {
      size_t end = out.out.find('\n', start);
      if (end == std::string::npos) end = out.out.size();
      std::string line = out.out.substr(start, end - start);
      start = end + 1;
      line = line.substr(0, line.find(','));  // the first question
      if (line.empty()) continue;
      if (line == "<Root>") line.clear();
      ++want[ComparableDnsName(line, false)];
    }
    CollectorHarness h;
    ASSERT_TRUE(h.Create("pcap", "path: '" + path + "'").ok());
    ASSERT_TRUE(h.Run().ok()) << path;
    Counts got;
    for (const Event& e : h.events()) {
      const std::string* ds = e.GetString(ecs::kEventDataset);
      const std::string* q = e.GetString(ecs::kDnsQuestionName);
      if (ds && *ds == "network.dns" && q) ++got[ComparableDnsName(*q, true)];
    }
    Tally t;
    Compare("dns", name, "", want, got, &t);
    reference += t.reference;
    same += t.same;
    extra += t.extra;
  }
  if (reference == 0) GTEST_SKIP() << "no DNS captures in " << dir;
  std::printf("dns: %zu query names from tshark in %zu captures, %zu equal (%.2f%%), %zu extra\n",
              reference, names.size(), same, 100.0 * same / reference, extra);
  EXPECT_GE(100.0 * same / reference, 99.0);
  EXPECT_LE(100.0 * extra / reference, 1.0);
}


// Counts of each value, per kind ("sni", "ja3", "ja3s").
using Multiset = std::map<std::string, Counts>;

// Compares one capture's values; prints each difference; adds to the totals per kind.
void CompareMultisets(const std::string& file, const Multiset& want, const Multiset& got,
                      std::map<std::string, Tally>* totals) {
  for (const char* kind : {"sni", "ja3", "ja3s"}) {
    const auto w = want.find(kind);
    const auto g = got.find(kind);
    const Counts none;
    Compare("tls", file, std::string(kind) + " ", w == want.end() ? none : w->second,
            g == got.end() ? none : g->second, &(*totals)[kind]);
  }
}

// TLS hellos: the SNI, JA3 and JA3S of Vigil's network.tls events against tshark's
// tls.handshake.extensions_server_name / .ja3 / .ja3s (TCP desegmentation off, as Vigil does
// not reassemble) over the nDPI captures with TLS in their names and a few others with TLS
// traffic; as multisets per file. Disagreement classes are explained in docs/network.md.
TEST(NetworkCorpus, TlsHellosAgreeWithTshark) {
  const std::string tshark = FindProgram("tshark");
  if (tshark.empty()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  const auto ids = GlobalNetworkFields();
  ASSERT_TRUE(ids.ok());
  const std::string dir = CorpusDir("ndpi-4.2");
  std::vector<std::string> names;
  for (const std::string& name : Files(dir, true)) {
    if ((name.find("tls") != std::string::npos || name.find("ssl") != std::string::npos ||
         name.starts_with("443-")) &&
        name.find("dtls") == std::string::npos) {
      names.push_back(name);
    }
  }
  for (const char* extra : {"1kxun.pcap", "alexa-app.pcapng", "whatsapp_login_call.pcap",
                            "facebook.pcap", "instagram.pcap", "teams.pcap", "telegram.pcap",
                            "tor.pcap", "wechat.pcap", "youtubeupload.pcap", "zoom.pcap",
                            "smtp-starttls.pcap", "imap-starttls.pcap"}) {
    names.push_back(extra);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::map<std::string, Tally> totals;
  size_t files = 0, flagged = 0;
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    const auto out = vigil::testing::RunCommand(
        {tshark, "-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-Y",
         "tcp && !tcp.analysis.retransmission && !tcp.analysis.spurious_retransmission && "
         "(tls.handshake.type == 1 || tls.handshake.type == 2)",
         "-T", "fields", "-E",
         "occurrence=f", "-e", "tls.handshake.extensions_server_name", "-e",
         "tls.handshake.ja3", "-e", "tls.handshake.ja3s", "-e", "_ws.expert.group"});
    if (out.exit_code != 0 && out.out.empty()) continue;
    ++files;
    Multiset want;
    size_t start = 0;
    while (start < out.out.size()) {
      size_t end = out.out.find('\n', start);
      if (end == std::string::npos) end = out.out.size();
      const std::string line = out.out.substr(start, end - start);
      start = end + 1;
      const size_t t1 = line.find('\t');
      const size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
      if (t2 == std::string::npos) continue;
      const std::string sni = line.substr(0, t1);
      const std::string ja3 = line.substr(t1 + 1, t2 - t1 - 1);
      const size_t t3 = line.find('\t', t2 + 1);
      if (t3 == std::string::npos) continue;
      const std::string ja3s = line.substr(t2 + 1, t3 - t2 - 1);
      // Hellos tshark itself reports as breaking the protocol (PI_PROTOCOL, 0x09000000:
      // "Vector length 0 is smaller than minimum 1") or malformed (PI_MALFORMED,
      // 0x07000000) are not in the reference: tshark fingerprints what it could read of
      // them, Vigil counts them as malformed.
      const std::string groups = line.substr(t3 + 1);
      if (groups.find("150994944") != std::string::npos ||
          groups.find("117440512") != std::string::npos) {
        ++flagged;
        continue;
      }
      if (!sni.empty()) ++want["sni"][sni];
      if (!ja3.empty()) ++want["ja3"][ja3];
      if (!ja3s.empty()) ++want["ja3s"][ja3s];
    }
    CollectorHarness h;
    ASSERT_TRUE(h.Create("pcap", "path: '" + path + "'").ok());
    ASSERT_TRUE(h.Run().ok()) << path;
    Multiset got;
    for (const Event& e : h.events()) {
      const std::string* ds = e.GetString(ecs::kEventDataset);
      if (ds == nullptr || *ds != "network.tls") continue;
      if (const std::string* v = e.GetString(ecs::kTlsClientServerName)) ++got["sni"][*v];
      if (const std::string* v = e.GetString(ecs::kTlsClientJa3)) ++got["ja3"][*v];
      if (const std::string* v = e.GetString(ids->tls_ja3s)) ++got["ja3s"][*v];
    }
    CompareMultisets(name, want, got, &totals);
  }
  if (files == 0) GTEST_SKIP() << "no TLS captures in " << dir;
  size_t reference = 0, same = 0, extra = 0;
  for (const auto& [kind, t] : totals) {
    std::printf("tls %s: %zu values from tshark in %zu captures, %zu equal (%.2f%%), %zu extra\n",
                kind.c_str(), t.reference, files, t.same,
                t.reference ? 100.0 * t.same / t.reference : 100.0, t.extra);
    reference += t.reference;
    same += t.same;
    extra += t.extra;
  }
  ASSERT_GT(reference, 0u);
  std::printf("tls: %zu values, %zu equal (%.2f%%), %zu extra; %zu hellos tshark flags as "
              "malformed or against the protocol left out\n",
              reference, same, 100.0 * same / reference, extra, flagged);
  EXPECT_GE(100.0 * same / reference, 99.0);
}


// An HTTP host as both sides can give it: lower case, without a port, IPv6 brackets
// removed, bytes outside printable ASCII dropped (Vigil escapes them, tshark prints UTF-8).
std::string ComparableHttpHost(std::string h) {
  std::string out;
  for (char c : h) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) out.push_back(static_cast<char>(std::tolower(u)));
  }
  if (!out.empty() && out.front() == '[') {
    const size_t close = out.find(']');
    return out.substr(1, close == std::string::npos ? std::string::npos : close - 1);
  }
  const size_t colon = out.rfind(':');
  if (colon != std::string::npos && out.find(':') == colon) out.resize(colon);
  return out;
}

// The nDPI captures with HTTP requests: those named http and those tshark finds requests in
// (-Y http.request over the whole corpus).
std::vector<std::string> HttpCaptures(const std::string& dir) {
  std::vector<std::string> names;
  for (const std::string& name : Files(dir, true)) {
    if (name.find("http") != std::string::npos) names.push_back(name);
  }
  for (const char* extra :
       {"1kxun.pcap", "6in4tunnel.pcap", "EAQ.pcap", "KakaoTalk_chat.pcap", "KakaoTalk_talk.pcap",
        "WebattackRCE.pcap", "WebattackSQLinj.pcap", "android.pcap", "anyconnect-vpn.pcap",
        "exe_download.pcap", "exe_download_as_png.pcap", "instagram.pcap", "iphone.pcap",
        "log4j-webapp-exploit.pcap", "malware.pcap", "mpeg.pcap", "ocs.pcap", "pps.pcap",
        "fuzz-2006-09-29-28586.pcap", "quickplay.pcap", "skype.pcap", "skype_no_unknown.pcap",
        "starcraft_battle.pcap", "telegram.pcap", "tls_certificate_too_long.pcap",
        "trickbot.pcap", "wa_video.pcap", "wa_voice.pcap", "waze.pcap", "webex.pcap",
        "weibo.pcap", "zattoo.pcap", "zoom.pcap", "alexa-app.pcapng",
        "ndpi_match_string_subprotocol__error.pcapng", "ocsp.pcapng"}) {
    names.push_back(extra);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

// HTTP hosts: url.domain of Vigil's http_request events against tshark's http.host of
// http.request packets (TCP desegmentation off, as Vigil does not reassemble; retransmissions
// left out) over the nDPI captures with HTTP requests; as multisets per file. Disagreement
// classes are explained in docs/network.md.
TEST(NetworkCorpus, HttpHostsAgreeWithTshark) {
  const std::string tshark = FindProgram("tshark");
  if (tshark.empty()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  const std::string dir = CorpusDir("ndpi-4.2");
  const std::vector<std::string> names = HttpCaptures(dir);
  size_t reference = 0, same = 0, extra = 0, files = 0;
  for (const std::string& name : names) {
    const std::string path = dir + "/" + name;
    if (access(path.c_str(), R_OK) != 0) continue;
    const auto out = vigil::testing::RunCommand(
        {tshark, "-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-Y",
         "http.request && tcp && !tcp.analysis.retransmission && "
         "!tcp.analysis.spurious_retransmission",
         "-T", "fields", "-E", "occurrence=f", "-e", "http.host"});
    if (out.exit_code != 0 && out.out.empty()) continue;
    ++files;
    Counts want;
    size_t start = 0;
    while (start < out.out.size()) {
      size_t end = out.out.find('\n', start);
      if (end == std::string::npos) end = out.out.size();
      const std::string line = out.out.substr(start, end - start);
      start = end + 1;
      if (!line.empty()) ++want[ComparableHttpHost(line)];
    }
    CollectorHarness h;
    ASSERT_TRUE(h.Create("pcap", "path: '" + path + "'").ok());
    ASSERT_TRUE(h.Run().ok()) << path;
    Counts got;
    for (const Event& e : h.events()) {
      const std::string* a = e.GetString(ecs::kEventAction);
      const std::string* d = e.GetString(ecs::kUrlDomain);
      if (a && *a == "http_request" && d) ++got[ComparableHttpHost(*d)];
    }
    Tally t;
    Compare("http", name, "", want, got, &t);
    reference += t.reference;
    same += t.same;
    extra += t.extra;
  }
  if (reference == 0) GTEST_SKIP() << "no HTTP captures in " << dir;
  std::printf("http: %zu hosts from tshark in %zu captures, %zu equal (%.2f%%), %zu extra\n",
              reference, files, same, 100.0 * same / reference, extra);
  EXPECT_GE(100.0 * same / reference, 99.0);
}


// HTTP Basic credentials in the captures (tshark's http.authbasic, "user:password"): the
// user name reaches user.name, the password and the base64 credentials reach no event.
TEST(NetworkCorpus, HttpBasicPasswordsNeverReachEvents) {
  const std::string tshark = FindProgram("tshark");
  if (tshark.empty()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  const std::string dir = CorpusDir("ndpi-4.2");
  size_t credentials = 0;
  for (const std::string& name : HttpCaptures(dir)) {
    const std::string path = dir + "/" + name;
    if (access(path.c_str(), R_OK) != 0) continue;
    const auto out = vigil::testing::RunCommand(
        {tshark, "-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-Y",
         "http.authbasic", "-T", "fields", "-e", "http.authbasic", "-e", "http.authorization"});
    if (out.out.empty()) continue;
    CollectorHarness h;
    ASSERT_TRUE(h.Create("pcap", "path: '" + path + "'").ok());
    ASSERT_TRUE(h.Run().ok()) << path;
    std::vector<std::string> json;
    std::vector<std::string> users;
    for (const Event& e : h.events()) {
      json.push_back(EventToJson(e));
      if (const std::string* u = e.GetString(ecs::kUserName)) users.push_back(*u);
    }
    size_t start = 0;
    while (start < out.out.size()) {
      size_t end = out.out.find('\n', start);
      if (end == std::string::npos) end = out.out.size();
      const std::string line = out.out.substr(start, end - start);
      start = end + 1;
      const size_t tab = line.find('\t');
      const std::string plain = line.substr(0, tab);
      const size_t colon = plain.find(':');
      if (colon == std::string::npos || tab == std::string::npos) continue;
      const std::string user = plain.substr(0, colon);
      const std::string password = plain.substr(colon + 1);
      const std::string encoded = line.substr(line.rfind(' ') + 1);
      ++credentials;
      std::printf("http %s: Basic credentials of %s\n", name.c_str(), user.c_str());
      EXPECT_NE(std::find(users.begin(), users.end(), user), users.end()) << name;
      for (const std::string& j : json) {
        if (password.size() >= 4) {
          EXPECT_EQ(j.find(password), std::string::npos) << j;
        }
        EXPECT_EQ(j.find(encoded), std::string::npos) << j;
      }
    }
  }
  if (credentials == 0) GTEST_SKIP() << "no HTTP Basic credentials in " << dir;
}

// The SSH banners and SMB NEGOTIATEs of the nDPI captures, against tshark's dissection of
// the same packets (ssh.protocol; smb.dialect and smb.dialect.index).
TEST(NetworkCorpus, SshBannersAndSmbNegotiation) {
  const auto ids = GlobalNetworkFields();
  ASSERT_TRUE(ids.ok());
  const std::string dir = CorpusDir("ndpi-4.2");
  auto run = [&](const std::string& name, const std::string& dataset) {
    std::vector<Event> out;
    const std::string path = dir + "/" + name;
    if (access(path.c_str(), R_OK) != 0) return out;
    CollectorHarness h;
    EXPECT_TRUE(h.Create("pcap", "path: '" + path + "'").ok());
    EXPECT_TRUE(h.Run().ok()) << path;
    for (const Event& e : h.events()) {
      const std::string* ds = e.GetString(ecs::kEventDataset);
      if (ds && *ds == dataset) out.push_back(e);
    }
    return out;
  };
  const std::vector<Event> ssh = run("ssh.pcap", "network.ssh");
  if (ssh.empty()) GTEST_SKIP() << "no " << dir << "/ssh.pcap";
  ASSERT_EQ(ssh.size(), 2u);
  for (const Event& e : ssh) {
    EXPECT_EQ(*e.GetString(ids->ssh_version), "2.0");
    const bool server = *e.GetInt(ecs::kSourcePort) == 22;
    EXPECT_EQ(*e.GetString(ecs::kEventAction), server ? "ssh_server_banner" : "ssh_client_banner");
    EXPECT_EQ(*e.GetString(ids->ssh_software), server ? "OpenSSH_5.3" : "OpenSSH_5.6");
  }
  const std::vector<Event> smb = run("smbv1.pcap", "network.smb");
  ASSERT_EQ(smb.size(), 2u);
  EXPECT_EQ(*smb[0].GetString(ecs::kEventAction), "smb_negotiate_request");
  EXPECT_EQ(*smb[0].GetInt(ids->smb_version), 1);
  EXPECT_EQ(*smb[0].GetList(ids->smb_dialects),
            (StringList{"PC NETWORK PROGRAM 1.0", "LANMAN1.0", "Windows for Workgroups 3.1a",
                        "LM1.2X002", "LANMAN2.1", "NT LM 0.12"}));
  EXPECT_EQ(*smb[1].GetString(ecs::kEventAction), "smb_negotiate_response");
  EXPECT_EQ(*smb[1].GetInt(ids->smb_version), 1);
  EXPECT_EQ(*smb[1].GetInt(ids->smb_dialect_index), 5);
}

// The network.tls events of one real connection (curl to www.ntop.org): every field, the
// expected values read off tshark's dissection of the same hellos; JA4 worked out by hand
// from them (67 ciphers, 7 extensions, ALPN h2; b = sha256 of the 67 sorted hex codes,
// c = sha256("000a,000b,000d,0015,3374_0601,0602,...,0203")).
TEST(NetworkCorpus, TlsEventsOfACurlConnection) {
  const std::string path = CorpusDir("ndpi-4.2") + "/443-curl.pcap";
  if (access(path.c_str(), R_OK) != 0) GTEST_SKIP() << "no " << path;
  const auto ids = GlobalNetworkFields();
  ASSERT_TRUE(ids.ok());
  CollectorHarness h;
  ASSERT_TRUE(h.Create("pcap", "path: '" + path + "'").ok());
  ASSERT_TRUE(h.Run().ok());
  const std::vector<Event> events = h.events();  // a copy: keep it alive
  const Event* client = nullptr;
  const Event* server = nullptr;
  for (const Event& e : events) {
    const std::string* action = e.GetString(ecs::kEventAction);
    if (action && *action == "tls_client_hello") client = &e;
    if (action && *action == "tls_server_hello") server = &e;
  }
  ASSERT_NE(client, nullptr);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(*client->GetString(ecs::kEventDataset), "network.tls");
  EXPECT_EQ(*client->GetString(ecs::kNetworkProtocol), "tls");
  EXPECT_EQ(*client->GetString(ecs::kTlsClientServerName), "www.ntop.org");
  EXPECT_EQ(*client->GetString(ecs::kTlsClientJa3), "2a26b1a62e40d25d4de3babc9d532f30");
  EXPECT_EQ(*client->GetString(ids->tls_ja4), "t12d6707h2_2955a3196ffa_c83f907a73d3");
  EXPECT_EQ(*client->GetInt(ecs::kDestinationPort), 443);
  EXPECT_EQ(*client->GetInt(ecs::kSourcePort), 55523);
  ASSERT_NE(client->GetList(ids->tls_supported_ciphers), nullptr);
  EXPECT_EQ(client->GetList(ids->tls_supported_ciphers)->size(), 67u);
  EXPECT_EQ(client->GetList(ids->tls_supported_ciphers)->front(), "0xcc14");
  EXPECT_EQ(*client->GetList(ids->tls_client_versions), StringList{"1.2"});
  EXPECT_EQ(*client->GetList(ids->tls_client_alpn), (StringList{"h2", "http/1.1"}));
  EXPECT_NE(client->GetString(ecs::kNetworkCommunityId), nullptr);
  EXPECT_EQ(*server->GetString(ecs::kTlsVersion), "1.2");
  EXPECT_EQ(*server->GetString(ecs::kTlsVersionProtocol), "tls");
  EXPECT_EQ(*server->GetString(ecs::kTlsCipher), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  EXPECT_EQ(*server->GetString(ids->tls_ja3s), "ae53107a2e47ea20c72ac44821a728bf");
  EXPECT_EQ(*server->GetString(ids->tls_next_protocol), "h2");
  EXPECT_EQ(*server->GetInt(ecs::kSourcePort), 443);
  EXPECT_EQ(*server->GetString(ecs::kNetworkCommunityId),
            *client->GetString(ecs::kNetworkCommunityId));
}


// The cleartext-login captures of the nDPI corpus: every capture Vigil finds a login in or
// a flow to a login port in, and those named after a login protocol. tshark reads the same
// files (TCP desegmentation off: Vigil does not reassemble, retransmissions left out).
struct LoginCapture {
  std::string name;
  std::vector<Event> events;
};

std::vector<LoginCapture> LoginCaptures(const std::string& dir) {
  std::vector<LoginCapture> out;
  for (const std::string& name : Files(dir, true)) {
    CollectorHarness h;
    EXPECT_TRUE(h.Create("pcap", "path: '" + dir + "/" + name + "'").ok());
    if (!h.Run().ok()) continue;
    bool login = false;
    for (const char* word : {"ftp", "pop", "imap", "smtp", "mail", "telnet"}) {
      if (name.find(word) != std::string::npos) login = true;
    }
    std::vector<Event> events = h.events();
    for (const Event& e : events) {
      const std::string* ds = e.GetString(ecs::kEventDataset);
      const int64_t* port = e.GetInt(ecs::kDestinationPort);
      if (ds != nullptr && *ds == "network.login") login = true;
      if (ds != nullptr && *ds == "network.flow" && port != nullptr &&
          (*port == 21 || *port == 23 || *port == 25 || *port == 110 || *port == 143 ||
           *port == 587)) {
        login = true;
      }
    }
    if (login) out.push_back({name, std::move(events)});
  }
  return out;
}

// tshark's reading of one capture: user names (FTP USER, POP3 USER/APOP, IMAP LOGIN) and
// every cleartext password it can see (FTP PASS, POP3 PASS, IMAP LOGIN, SMTP AUTH).
struct TsharkLogins {
  bool ok = false;
  Counts users;  // "protocol user"
  std::vector<std::string> passwords;
};

TsharkLogins TsharkLoginsOf(const std::string& tshark, const std::string& path) {
  TsharkLogins r;
  const auto out = vigil::testing::RunCommand(
      {tshark, "-n", "-r", path, "-o", "tcp.desegment_tcp_streams:FALSE", "-Y",
       "!tcp.analysis.retransmission && (ftp.request.command || pop.request.command || "
       "imap.request.username || imap.request.password || smtp.auth.password)",
       "-T", "fields", "-E", "occurrence=f", "-e", "ftp.request.command", "-e",
       "ftp.request.arg", "-e", "pop.request.command", "-e", "pop.request.parameter", "-e",
       "imap.request.username", "-e", "imap.request.password", "-e", "smtp.auth.password"});
  if (out.exit_code != 0 && out.out.empty()) return r;
  r.ok = true;
  auto upper = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  };
  size_t start = 0;
  while (start < out.out.size()) {
    size_t end = out.out.find('\n', start);
    if (end == std::string::npos) end = out.out.size();
    const std::string line = out.out.substr(start, end - start);
    start = end + 1;
    std::vector<std::string> f;
    size_t a = 0;
    while (true) {
      const size_t t = line.find('\t', a);
      f.push_back(line.substr(a, t == std::string::npos ? std::string::npos : t - a));
      if (t == std::string::npos) break;
      a = t + 1;
    }
    f.resize(7);
    const std::string ftp = upper(f[0]), pop = upper(f[2]);
    if (ftp == "USER" && !f[1].empty()) ++r.users["ftp " + f[1]];
    if (ftp == "PASS" && !f[1].empty()) r.passwords.push_back(f[1]);
    if (pop == "USER" && !f[3].empty()) ++r.users["pop3 " + f[3]];
    if (pop == "APOP" && !f[3].empty()) ++r.users["pop3 " + f[3].substr(0, f[3].find(' '))];
    if (pop == "PASS" && !f[3].empty()) r.passwords.push_back(f[3]);
    if (!f[4].empty()) ++r.users["imap " + f[4]];
    if (!f[5].empty()) r.passwords.push_back(f[5]);
    if (!f[6].empty()) r.passwords.push_back(f[6]);
  }
  return r;
}

// FTP, POP3 and IMAP user names: Vigil's network.login events against tshark's
// ftp.request.arg of USER, pop.request.parameter of USER/APOP and imap.request.username, as
// multisets per capture. Differences are listed (see docs/network.md).
TEST(NetworkCorpus, LoginUserNamesAgreeWithTshark) {
  const std::string tshark = FindProgram("tshark");
  if (tshark.empty()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  const std::string dir = CorpusDir("ndpi-4.2");
  size_t reference = 0, same = 0, extra = 0, files = 0;
  for (const LoginCapture& c : LoginCaptures(dir)) {
    const TsharkLogins want = TsharkLoginsOf(tshark, dir + "/" + c.name);
    if (!want.ok) continue;
    ++files;
    Counts got;
    for (const Event& e : c.events) {
      const std::string* ds = e.GetString(ecs::kEventDataset);
      const std::string* proto = e.GetString(ecs::kNetworkProtocol);
      const std::string* user = e.GetString(ecs::kUserName);
      if (ds == nullptr || *ds != "network.login" || proto == nullptr || user == nullptr) continue;
      if (*proto == "ftp" || *proto == "pop3" || *proto == "imap") ++got[*proto + " " + *user];
    }
    Tally t;
    Compare("login", c.name, "", want.users, got, &t);
    reference += t.reference;
    same += t.same;
    extra += t.extra;
  }
  if (files == 0) GTEST_SKIP() << "no login captures in " << dir;
  ASSERT_GT(reference, 0u);
  std::printf("login: %zu FTP/POP3/IMAP user names from tshark in %zu captures, %zu equal "
              "(%.2f%%), %zu extra\n",
              reference, files, same, 100.0 * same / reference, extra);
  EXPECT_GE(100.0 * same / reference, 99.0);
}

// No password tshark finds in the nDPI captures appears in any event Vigil makes of them.
TEST(NetworkCorpus, LoginPasswordsAppearInNoEvent) {
  const std::string tshark = FindProgram("tshark");
  if (tshark.empty()) GTEST_SKIP() << "tshark is not installed (Debian package tshark)";
  const std::string dir = CorpusDir("ndpi-4.2");
  size_t passwords = 0, logins = 0;
  for (const LoginCapture& c : LoginCaptures(dir)) {
    const TsharkLogins want = TsharkLoginsOf(tshark, dir + "/" + c.name);
    for (const Event& e : c.events) {
      const std::string* ds = e.GetString(ecs::kEventDataset);
      if (ds != nullptr && *ds == "network.login") ++logins;
      const std::string json = EventToJson(e);
      for (const std::string& pw : want.passwords) {
        EXPECT_EQ(json.find(pw), std::string::npos) << c.name << ": password " << pw << " in "
                                                    << json;
      }
    }
    passwords += want.passwords.size();
  }
  std::printf("login: %zu passwords from tshark, %zu network.login events, none with a "
              "password\n",
              passwords, logins);
  if (passwords == 0) GTEST_SKIP() << "no cleartext passwords in " << dir;
  EXPECT_GT(logins, 0u);
}

}  // namespace
}  // namespace vigil::network
