// The TLS hello parser and the JA3/JA3S/JA4 fingerprints on hand-built hellos, and hostile
// input (lengths past their enclosing block, hellos cut by the segment).
//
// Expected fingerprints were worked out by hand from the JA3 and FoxIO JA4 definitions:
// the JA3 string is written out below, and the hashes are the MD5 / truncated SHA-256 of the
// strings shown next to them (computed independently with Python's hashlib).
#include "tls_parser.h"

#include <gtest/gtest.h>

#include "collector_harness.h"
#include "network_options.h"
#include "packet_builder.h"
#include "packet_processor.h"
#include "vigil/ecs_fields.h"

#include <string>
#include <vector>

namespace vigil::network {
namespace {

using Bytes = std::vector<uint8_t>;

void U8(Bytes& b, uint8_t v) { b.push_back(v); }
void U16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void U24(Bytes& b, size_t v) {
  b.push_back(static_cast<uint8_t>(v >> 16));
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
void Ext(Bytes& b, uint16_t type, const Bytes& body) {
  U16(b, type);
  U16(b, static_cast<uint16_t>(body.size()));
  b.insert(b.end(), body.begin(), body.end());
}
Bytes U16ListBody(std::initializer_list<uint16_t> values, int prefix = 2) {
  Bytes b;
  if (prefix == 2) {
    U16(b, static_cast<uint16_t>(values.size() * 2));
  } else {
    U8(b, static_cast<uint8_t>(values.size() * 2));
  }
  for (uint16_t v : values) U16(b, v);
  return b;
}
Bytes SniBody(const std::string& name) {
  Bytes b;
  U16(b, static_cast<uint16_t>(name.size() + 3));
  U8(b, 0);
  U16(b, static_cast<uint16_t>(name.size()));
  b.insert(b.end(), name.begin(), name.end());
  return b;
}
Bytes AlpnBody(std::initializer_list<std::string> protos) {
  Bytes list;
  for (const std::string& p : protos) {
    U8(list, static_cast<uint8_t>(p.size()));
    list.insert(list.end(), p.begin(), p.end());
  }
  Bytes b;
  U16(b, static_cast<uint16_t>(list.size()));
  b.insert(b.end(), list.begin(), list.end());
  return b;
}

// Record header + handshake header around a hello body.
Bytes Record(uint8_t hs_type, const Bytes& body) {
  Bytes b;
  U8(b, 0x16);
  U16(b, 0x0301);
  U16(b, static_cast<uint16_t>(body.size() + 4));
  U8(b, hs_type);
  U24(b, body.size());
  b.insert(b.end(), body.begin(), body.end());
  return b;
}

Bytes ClientBody(std::initializer_list<uint16_t> ciphers, const Bytes& extensions) {
  Bytes b;
  U16(b, 0x0303);
  for (int i = 0; i < 32; ++i) U8(b, static_cast<uint8_t>(i));
  U8(b, 0);  // session id
  U16(b, static_cast<uint16_t>(ciphers.size() * 2));
  for (uint16_t c : ciphers) U16(b, c);
  U8(b, 1);
  U8(b, 0);  // null compression
  U16(b, static_cast<uint16_t>(extensions.size()));
  b.insert(b.end(), extensions.begin(), extensions.end());
  return b;
}

// GREASE cipher, extension, group and version; SNI example.com; ALPN h2, http/1.1.
Bytes SampleClientHello() {
  Bytes ext;
  Ext(ext, 0x1a1a, {});
  Ext(ext, 0, SniBody("example.com"));
  Ext(ext, 23, {});
  Ext(ext, 10, U16ListBody({0x2a2a, 0x001d, 0x0017}));
  Ext(ext, 11, {1, 0});
  Ext(ext, 13, U16ListBody({0x0403, 0x0804, 0x0401}));
  Ext(ext, 16, AlpnBody({"h2", "http/1.1"}));
  Ext(ext, 43, U16ListBody({0x3a3a, 0x0304, 0x0303}, 1));
  Ext(ext, 0xff01, {0});
  return Record(1, ClientBody({0x0a0a, 0x1301, 0x1302, 0xc02f, 0x002f}, ext));
}

TEST(TlsParser, ClientHelloFields) {
  const Bytes b = SampleClientHello();
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  EXPECT_TRUE(h.client);
  EXPECT_EQ(h.legacy_version, 0x0303);
  EXPECT_EQ(h.ciphers, (std::vector<uint16_t>{0x0a0a, 0x1301, 0x1302, 0xc02f, 0x002f}));
  EXPECT_EQ(h.extensions,
            (std::vector<uint16_t>{0x1a1a, 0, 23, 10, 11, 13, 16, 43, 0xff01}));
  EXPECT_TRUE(h.has_sni);
  EXPECT_EQ(h.server_name, "example.com");
  EXPECT_EQ(h.alpn, (std::vector<std::string>{"h2", "http/1.1"}));
  EXPECT_EQ(h.groups, (std::vector<uint16_t>{0x2a2a, 0x001d, 0x0017}));
  EXPECT_EQ(h.point_formats, (std::vector<uint8_t>{0}));
  EXPECT_EQ(h.sig_algs, (std::vector<uint16_t>{0x0403, 0x0804, 0x0401}));
  EXPECT_EQ(h.supported_versions, (std::vector<uint16_t>{0x3a3a, 0x0304, 0x0303}));
  EXPECT_EQ(TlsEffectiveVersion(h), 0x0304);
  EXPECT_EQ(TlsVersionNumber(TlsEffectiveVersion(h)), "1.3");
}

TEST(TlsParser, Ja3LeavesOutGrease) {
  const Bytes b = SampleClientHello();
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  EXPECT_EQ(Ja3String(h), "771,4865-4866-49199-47,0-23-10-11-13-16-43-65281,29-23,0");
  EXPECT_EQ(Md5Hex(Ja3String(h)), "1ca858d1d8043f0d8ae407d0ef90db65");
}

TEST(TlsParser, Ja4ByHand) {
  const Bytes b = SampleClientHello();
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  // a: t, 13 (highest supported_versions, GREASE ignored), d (SNI), 04 ciphers, 08
  //    extensions (GREASE ignored, SNI and ALPN counted), h2.
  // b: sha256("002f,1301,1302,c02f")[:12]
  // c: sha256("000a,000b,000d,0017,002b,ff01_0403,0804,0401")[:12]
  EXPECT_EQ(Ja4(h), "t13d0408h2_f0ee03a69c40_5e5676343554");
}

// The cipher and extension lists of FoxIO's JA4 example (a Chrome hello), in wire order:
// its published hashes are 8daaf6152771 and e5627efa2ab1.
TEST(TlsParser, Ja4MatchesTheSpecificationExample) {
  Bytes ext;
  Ext(ext, 0x4a4a, {});
  for (uint16_t e : {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005,
                     0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015}) {
    if (e == 0x0000) {
      Ext(ext, e, SniBody("example.org"));
    } else if (e == 0x0010) {
      Ext(ext, e, AlpnBody({"h2", "http/1.1"}));
    } else if (e == 0x000d) {
      Ext(ext, e, U16ListBody({0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601}));
    } else if (e == 0x000a) {
      Ext(ext, e, U16ListBody({0xdada, 0x001d, 0x0017, 0x0018}));
    } else if (e == 0x000b) {
      Ext(ext, e, {1, 0});
    } else if (e == 0x002b) {
      Ext(ext, e, U16ListBody({0xdada, 0x0304, 0x0303}, 1));
    } else {
      Ext(ext, e, {});
    }
  }
  const Bytes b = Record(1, ClientBody({0x8a8a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c,
                                        0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d,
                                        0x002f, 0x0035},
                                       ext));
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  EXPECT_EQ(Ja4(h), "t13d1516h2_8daaf6152771_e5627efa2ab1");
}

TEST(TlsParser, Ja4WithoutSniAlpnOrSignatureAlgorithms) {
  Bytes ext;
  Ext(ext, 10, U16ListBody({0x001d}));
  const Bytes b = Record(1, ClientBody({0x002f}, ext));
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  EXPECT_FALSE(h.has_sni);
  // TLS 1.2 from the hello version, no SNI, no ALPN ("00"); b = sha256("002f")[:12];
  // c hashes "000a" alone, without an underscore: sha256("000a")[:12].
  EXPECT_EQ(Ja4(h), "t12i010100_ba72b8082249_a8f3e973773c");
  // No extensions at all: c is twelve zeros.
  const Bytes bare = Record(1, ClientBody({0x002f}, {}));
  ASSERT_EQ(ParseTlsHello(bare.data(), bare.size(), h), TlsParse::kOk);
  EXPECT_EQ(Ja4(h).substr(0, 11), "t12i010000_");
  EXPECT_EQ(Ja4(h).substr(24), "000000000000");
}

TEST(TlsParser, Ja4AlpnNotAlphanumericUsesHex) {
  Bytes ext;
  Ext(ext, 16, AlpnBody({std::string("\xab\x01\xcd", 3)}));
  const Bytes b = Record(1, ClientBody({0x1301}, ext));
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  EXPECT_EQ(Ja4(h).substr(0, 10), "t12i0101ad");
  EXPECT_EQ(h.alpn[0], "???");  // printable form in the event
}

TEST(TlsParser, ServerHelloTls13) {
  Bytes body;
  U16(body, 0x0303);
  for (int i = 0; i < 32; ++i) U8(body, 0);
  U8(body, 0);
  U16(body, 0x1301);
  U8(body, 0);
  Bytes ext;
  Ext(ext, 43, {0x03, 0x04});
  Ext(ext, 16, AlpnBody({"h2"}));
  U16(body, static_cast<uint16_t>(ext.size()));
  body.insert(body.end(), ext.begin(), ext.end());
  Bytes b = Record(2, body);
  // Another handshake message after the hello in the same segment does not matter.
  b.insert(b.end(), {0x14, 0x03, 0x03, 0x00, 0x01, 0x01});
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  EXPECT_FALSE(h.client);
  EXPECT_EQ(TlsEffectiveVersion(h), 0x0304);
  EXPECT_EQ(h.ciphers, (std::vector<uint16_t>{0x1301}));
  EXPECT_EQ(TlsCipherName(h.ciphers[0]), "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(h.alpn, (std::vector<std::string>{"h2"}));
  EXPECT_EQ(Ja3sString(h), "771,4865,43-16");
  EXPECT_EQ(Md5Hex(Ja3sString(h)), "2b83a23dea22815f9c4ffaaeaebdc796");
}

TEST(TlsParser, ServerHelloWithoutExtensionsIsSsl3) {
  Bytes body;
  U16(body, 0x0300);
  for (int i = 0; i < 32; ++i) U8(body, 0);
  U8(body, 0);
  U16(body, 0x000a);
  U8(body, 0);
  const Bytes b = Record(2, body);
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  EXPECT_EQ(TlsVersionNumber(TlsEffectiveVersion(h)), "3.0");
  EXPECT_EQ(TlsVersionProtocol(TlsEffectiveVersion(h)), "ssl");
  EXPECT_EQ(TlsCipherName(0x000a), "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
  EXPECT_EQ(TlsCipherName(0x1234), "0x1234");
}

TEST(TlsParser, NotTls) {
  TlsHello h;
  const std::string http = "GET / HTTP/1.1\r\n\r\n";
  EXPECT_EQ(ParseTlsHello(reinterpret_cast<const uint8_t*>(http.data()), http.size(), h),
            TlsParse::kNotTls);
  const Bytes app = {0x17, 0x03, 0x03, 0x00, 0x10};
  EXPECT_EQ(ParseTlsHello(app.data(), app.size(), h), TlsParse::kNotTls);
  // A handshake record holding a Certificate (a later message) is not a hello.
  const Bytes cert = Record(11, {0, 0, 0});
  EXPECT_EQ(ParseTlsHello(cert.data(), cert.size(), h), TlsParse::kNotTls);
  EXPECT_EQ(ParseTlsHello(nullptr, 0, h), TlsParse::kNotTls);
}

TEST(TlsParser, HelloCutBySegmentIsTruncated) {
  const Bytes b = SampleClientHello();
  TlsHello h;
  for (size_t n = 1; n < b.size(); ++n) {
    EXPECT_EQ(ParseTlsHello(b.data(), n, h), TlsParse::kTruncated) << n;
  }
  // The handshake message claims more than its record: it spans records.
  Bytes spans = b;
  spans[4] = static_cast<uint8_t>(spans[4] - 1);
  EXPECT_EQ(ParseTlsHello(spans.data(), spans.size(), h), TlsParse::kTruncated);
}

TEST(TlsParser, BadLengthsAreMalformed) {
  const Bytes good = SampleClientHello();
  TlsHello h;
  // Session id longer than 32.
  Bytes b = good;
  b[9 + 34] = 33;
  EXPECT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kMalformed);
  // Odd cipher list length.
  b = good;
  b[9 + 35 + 1] = 9;
  EXPECT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kMalformed);
  // Every single-byte change keeps the parser within the buffer (ASan checks) and every
  // outcome is one of the four.
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t v : {0x00, 0x01, 0x7f, 0xff}) {
      b = good;
      b[i] = v;
      const TlsParse r = ParseTlsHello(b.data(), b.size(), h);
      EXPECT_TRUE(r == TlsParse::kOk || r == TlsParse::kMalformed || r == TlsParse::kNotTls ||
                  r == TlsParse::kTruncated);
      if (r == TlsParse::kOk) (void)Ja4(h), (void)Ja3String(h);
    }
  }
  // A record length beyond the TLS bound.
  b = good;
  b[3] = 0xff;
  EXPECT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kMalformed);
}

TEST(TlsParser, ListsAreBounded) {
  Bytes ext;
  for (int i = 0; i < 200; ++i) Ext(ext, static_cast<uint16_t>(0x3000 + i), {});
  Bytes body;
  U16(body, 0x0303);
  for (int i = 0; i < 32; ++i) U8(body, 0);
  U8(body, 0);
  U16(body, 1000 * 2);
  for (int i = 0; i < 1000; ++i) U16(body, static_cast<uint16_t>(i + 1));
  U8(body, 1);
  U8(body, 0);
  U16(body, static_cast<uint16_t>(ext.size()));
  body.insert(body.end(), ext.begin(), ext.end());
  const Bytes b = Record(1, body);
  TlsHello h;
  ASSERT_EQ(ParseTlsHello(b.data(), b.size(), h), TlsParse::kOk);
  EXPECT_EQ(h.ciphers.size(), kMaxTlsCiphers);
  EXPECT_EQ(h.extensions.size(), kMaxTlsExtensions);
  EXPECT_EQ(Ja4(h).substr(0, 10), "t12i999900");
}


// The wiring in PacketProcessor: hellos on any port give events, each direction is looked at
// for its first kTlsSegments data segments only and not again after a hello, and cut or
// broken hellos are counted.
TEST(TlsInspect, BudgetPerFlowDirection) {
  namespace b = vigil::network::testing;
  const auto ids = GlobalNetworkFields();
  ASSERT_TRUE(ids.ok());
  testing::CollectorHarness h;
  PacketProcessor proc(LinkType::kRaw, FlowTableOptions{}, h.ctx(), "test", *ids);
  int64_t ts = 1'700'000'000'000'000'000;
  auto send = [&](const char* src, const char* dst, uint16_t sport, uint16_t dport,
                  const Bytes& payload) {
    const Bytes frame =
        b::Ipv4(src, dst, kProtoTcp, b::Tcp(sport, dport, kTcpAck | kTcpPsh, payload));
    ASSERT_TRUE(proc.Frame(ts += 1000, frame.data(), static_cast<uint32_t>(frame.size()),
                           static_cast<uint32_t>(frame.size())));
  };
  const Bytes hello = SampleClientHello();
  Bytes server_body;
  U16(server_body, 0x0301);
  for (int i = 0; i < 32; ++i) U8(server_body, 0);
  U8(server_body, 0);
  U16(server_body, 0x002f);
  U8(server_body, 0);
  const Bytes server_hello = Record(2, server_body);

  // Flow 1 on port 8443: a hello each way, then the same bytes again: no more events.
  send("10.0.0.7", "10.0.0.5", 40000, 8443, hello);
  send("10.0.0.5", "10.0.0.7", 8443, 40000, server_hello);
  for (int i = 0; i < 20; ++i) {
    send("10.0.0.7", "10.0.0.5", 40000, 8443, hello);
    send("10.0.0.5", "10.0.0.7", 8443, 40000, server_hello);
  }
  EXPECT_EQ(proc.counters().tls_parsed, 2u);
  // Flow 2: kTlsSegments segments of other data first: the hello after them is not looked at.
  for (int i = 0; i < kTlsSegments; ++i) send("10.0.0.8", "10.0.0.5", 40001, 443, b::Text("x"));
  send("10.0.0.8", "10.0.0.5", 40001, 443, hello);
  EXPECT_EQ(proc.counters().tls_parsed, 2u);
  // Flow 3: a STARTTLS-like exchange before the hello is fine.
  send("10.0.0.9", "10.0.0.5", 40002, 25, b::Text("EHLO x\r\n"));
  send("10.0.0.9", "10.0.0.5", 40002, 25, b::Text("STARTTLS\r\n"));
  send("10.0.0.9", "10.0.0.5", 40002, 25, hello);
  EXPECT_EQ(proc.counters().tls_parsed, 3u);
  // Flow 4: a hello cut by its segment (the rest would follow): not inspected, once.
  send("10.0.0.10", "10.0.0.5", 40003, 443, Bytes(hello.begin(), hello.begin() + 60));
  send("10.0.0.10", "10.0.0.5", 40003, 443, hello);
  EXPECT_EQ(proc.counters().tls_not_inspected, 1u);
  // Flow 5: a session id longer than 32: malformed.
  Bytes bad = hello;
  bad[9 + 34] = 40;
  send("10.0.0.11", "10.0.0.5", 40004, 443, bad);
  EXPECT_EQ(proc.counters().tls_malformed, 1u);
  EXPECT_EQ(proc.counters().tls_parsed, 3u);

  const std::vector<Event> events = h.events();
  std::vector<std::string> actions;
  for (const Event& e : events) {
    const std::string* ds = e.GetString(ecs::kEventDataset);
    if (ds && *ds == "network.tls") actions.push_back(*e.GetString(ecs::kEventAction));
  }
  EXPECT_EQ(actions,
            (std::vector<std::string>{"tls_client_hello", "tls_server_hello", "tls_client_hello"}));
  for (const Event& e : events) {
    const std::string* a = e.GetString(ecs::kEventAction);
    if (a && *a == "tls_server_hello") {
      EXPECT_EQ(*e.GetString(ecs::kTlsVersion), "1.0");
      EXPECT_EQ(*e.GetString(ecs::kTlsCipher), "TLS_RSA_WITH_AES_128_CBC_SHA");
      EXPECT_EQ(*e.GetInt(ecs::kSourcePort), 8443);
    }
    if (a && *a == "tls_client_hello") {
      EXPECT_EQ(*e.GetString(ecs::kTlsClientServerName), "example.com");
      EXPECT_EQ(*e.GetString(ecs::kTlsClientJa3), "1ca858d1d8043f0d8ae407d0ef90db65");
      EXPECT_EQ(*e.GetList(ids->tls_client_versions), (StringList{"1.3", "1.2"}));
    }
  }
  EXPECT_NE(proc.Summary().find("tls 3 parsed/1 malformed/1 not inspected"), std::string::npos)
      << proc.Summary();
}

}  // namespace
}  // namespace vigil::network
