// The DNS parser on hand-built messages: names with compression, answers, TCP framing,
// and hostile input (pointer loops, forward pointers, lengths past the end).
#include "dns_parser.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigil::network {
namespace {

using Bytes = std::vector<uint8_t>;

void Name(Bytes& b, std::initializer_list<const char*> labels) {
  for (const char* l : labels) {
    const std::string s(l);
    b.push_back(static_cast<uint8_t>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
  }
  b.push_back(0);
}

void U16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}

Bytes Header(uint16_t id, bool response, uint8_t rcode, uint16_t qd, uint16_t an) {
  Bytes b;
  U16(b, id);
  b.push_back(response ? 0x81 : 0x01);
  b.push_back(static_cast<uint8_t>(response ? 0x80 | rcode : 0));
  U16(b, qd);
  U16(b, an);
  U16(b, 0);
  U16(b, 0);
  return b;
}

// www.Example.com A; answers: CNAME -> web.example.com (compressed), A 93.184.216.34,
// AAAA 2001:db8::1.
Bytes Response() {
  Bytes b = Header(0x1234, true, 0, 1, 3);
  Name(b, {"www", "Example", "com"});  // at offset 12
  U16(b, 1);
  U16(b, 1);
  // CNAME: owner = pointer to 12; rdata "web" + pointer to "Example.com" (offset 16)
  b.insert(b.end(), {0xC0, 12});
  U16(b, 5);
  U16(b, 1);
  b.insert(b.end(), {0, 0, 0, 60});
  U16(b, 6);
  b.insert(b.end(), {3, 'w', 'e', 'b', 0xC0, 16});
  b.insert(b.end(), {0xC0, 12});
  U16(b, 1);
  U16(b, 1);
  b.insert(b.end(), {0, 0, 0, 60});
  U16(b, 4);
  b.insert(b.end(), {93, 184, 216, 34});
  b.insert(b.end(), {0xC0, 12});
  U16(b, 28);
  U16(b, 1);
  b.insert(b.end(), {0, 0, 0, 60});
  U16(b, 16);
  b.insert(b.end(), {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
  return b;
}

TEST(DnsParser, QueryNameAndType) {
  Bytes b = Header(7, false, 0, 1, 0);
  Name(b, {"mail", "example", "org"});
  U16(b, 28);
  U16(b, 1);
  DnsMessage m;
  ASSERT_EQ(ParseDns(b.data(), b.size(), m), DnsParse::kOk);
  EXPECT_EQ(m.id, 7);
  EXPECT_FALSE(m.response);
  EXPECT_EQ(m.question_name, "mail.example.org");
  EXPECT_EQ(DnsTypeName(m.question_type), "AAAA");
  EXPECT_TRUE(m.answers.empty());
}

TEST(DnsParser, AnswersWithCompression) {
  const Bytes b = Response();
  DnsMessage m;
  ASSERT_EQ(ParseDns(b.data(), b.size(), m), DnsParse::kOk);
  EXPECT_TRUE(m.response);
  EXPECT_EQ(DnsRcodeName(m.rcode), "NOERROR");
  EXPECT_EQ(m.question_name, "www.example.com");  // lower-cased
  ASSERT_EQ(m.answers.size(), 3u);
  EXPECT_EQ(m.answers[0].type, 5);
  EXPECT_EQ(m.answers[0].data, "web.example.com");
  EXPECT_EQ(m.answers[1].data, "93.184.216.34");
  EXPECT_EQ(m.answers[2].data, "2001:db8::1");
}

TEST(DnsParser, TcpLengthPrefix) {
  const Bytes msg = Response();
  Bytes b;
  U16(b, static_cast<uint16_t>(msg.size()));
  b.insert(b.end(), msg.begin(), msg.end());
  DnsMessage m;
  ASSERT_EQ(ParseDnsTcp(b.data(), b.size(), m), DnsParse::kOk);
  EXPECT_EQ(m.question_name, "www.example.com");
  EXPECT_EQ(ParseDnsTcp(b.data(), b.size() - 1, m), DnsParse::kTruncated);
  EXPECT_EQ(ParseDnsTcp(b.data(), 1, m), DnsParse::kMalformed);
}

TEST(DnsParser, NxdomainRcode) {
  Bytes b = Header(9, true, 3, 1, 0);
  Name(b, {"nope", "invalid"});
  U16(b, 1);
  U16(b, 1);
  DnsMessage m;
  ASSERT_EQ(ParseDns(b.data(), b.size(), m), DnsParse::kOk);
  EXPECT_EQ(DnsRcodeName(m.rcode), "NXDOMAIN");
}

TEST(DnsParser, PointerLoopsAndForwardPointersAreMalformed) {
  DnsMessage m;
  Bytes self = Header(1, false, 0, 1, 0);
  self.insert(self.end(), {0xC0, 12});  // points at itself
  U16(self, 1);
  U16(self, 1);
  EXPECT_EQ(ParseDns(self.data(), self.size(), m), DnsParse::kMalformed);
  Bytes fwd = Header(1, false, 0, 1, 0);
  fwd.insert(fwd.end(), {0xC0, 14, 0, 0});  // points forward
  U16(fwd, 1);
  U16(fwd, 1);
  EXPECT_EQ(ParseDns(fwd.data(), fwd.size(), m), DnsParse::kMalformed);
}

TEST(DnsParser, EveryTruncationIsRejectedOrPartialNotRead) {
  const Bytes b = Response();
  const size_t question_end = 12 + 17 + 4;
  DnsMessage m;
  for (size_t n = 0; n < b.size(); ++n) {
    Bytes cut(b.begin(), b.begin() + static_cast<long>(n));  // exact size: ASan sees overreads
    const DnsParse r = ParseDns(cut.data(), cut.size(), m);
    if (n < question_end) {
      EXPECT_EQ(r, DnsParse::kMalformed) << n;
    } else {
      ASSERT_EQ(r, DnsParse::kOk) << n;  // the question stands, the answers are partial
      EXPECT_EQ(m.question_name, "www.example.com");
      EXPECT_FALSE(m.answers_complete) << n;
      EXPECT_LT(m.answers.size(), 3u) << n;
    }
  }
  ASSERT_EQ(ParseDns(b.data(), b.size(), m), DnsParse::kOk);
  EXPECT_TRUE(m.answers_complete);
}

TEST(DnsParser, NonPrintableBytesAreEscaped) {
  Bytes b = Header(1, false, 0, 1, 0);
  b.insert(b.end(), {4, 'a', 0xE4, '.', ' ', 3, 'C', 'o', 'M', 0});
  U16(b, 16);
  U16(b, 1);
  DnsMessage m;
  ASSERT_EQ(ParseDns(b.data(), b.size(), m), DnsParse::kOk);
  EXPECT_EQ(m.question_name, "a\\228\\.\\032.com");
}

TEST(DnsParser, LongNamesAreBounded) {
  Bytes b = Header(1, false, 0, 1, 0);
  const std::string label(63, 'a');
  for (int i = 0; i < 6; ++i) {
    b.push_back(63);
    b.insert(b.end(), label.begin(), label.end());
  }
  b.push_back(0);
  U16(b, 1);
  U16(b, 1);
  DnsMessage m;
  ASSERT_EQ(ParseDns(b.data(), b.size(), m), DnsParse::kOk);
  EXPECT_EQ(m.question_name.size(), 6 * 64 - 1);  // 383 characters kept: within kMaxDnsName
  EXPECT_EQ(m.question_type, 1);
  // 20 labels of 63 non-printable bytes (hostile: over 255 bytes): cut at kMaxDnsName.
  Bytes h = Header(1, false, 0, 1, 0);
  for (int i = 0; i < 20; ++i) {
    h.push_back(63);
    h.insert(h.end(), 63, 0x01);
  }
  h.push_back(0);
  U16(h, 1);
  U16(h, 1);
  ASSERT_EQ(ParseDns(h.data(), h.size(), m), DnsParse::kOk);
  EXPECT_LE(m.question_name.size(), kMaxDnsName);
  EXPECT_GT(m.question_name.size(), 700u);
  EXPECT_EQ(m.question_type, 1);
}

}  // namespace
}  // namespace vigil::network
