// IpAddress and IpNetwork: parsing, formatting, ordering and CIDR containment for both
// families, including the inputs a hostile log line could carry.
#include "vigil/ip_address.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace vigil {
namespace {

IpAddress Ip(std::string_view text) {
  auto ip = IpAddress::Parse(text);
  EXPECT_TRUE(ip.has_value()) << text;
  return ip.value_or(IpAddress());
}

IpNetwork Net(std::string_view text) {
  auto net = IpNetwork::Parse(text);
  EXPECT_TRUE(net.has_value()) << text;
  return net.value_or(IpNetwork());
}

TEST(IpAddressTest, DefaultIsV4Zero) {
  IpAddress ip;
  EXPECT_TRUE(ip.is_v4());
  EXPECT_EQ(ip.ToString(), "0.0.0.0");
}

TEST(IpAddressTest, ParsesV4) {
  IpAddress ip = Ip("192.168.1.20");
  EXPECT_TRUE(ip.is_v4());
  EXPECT_EQ(ip.family(), IpAddress::Family::kV4);
  EXPECT_EQ(ip.ToString(), "192.168.1.20");
  // Stored IPv4-mapped: ::ffff:192.168.1.20.
  const auto& b = ip.bytes();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(b[i], 0) << i;
  EXPECT_EQ(b[10], 0xff);
  EXPECT_EQ(b[11], 0xff);
  EXPECT_EQ(b[12], 192);
  EXPECT_EQ(b[13], 168);
  EXPECT_EQ(b[14], 1);
  EXPECT_EQ(b[15], 20);
}

TEST(IpAddressTest, V4RoundTrips) {
  for (const char* text : {"0.0.0.0", "255.255.255.255", "10.0.0.1", "127.0.0.1", "1.2.3.4"}) {
    EXPECT_EQ(Ip(text).ToString(), text);
  }
}

// ToString formats IPv4 by hand; it must agree with inet_ntop on every octet value in
// every position.
TEST(IpAddressTest, V4ToStringAgreesWithInetNtop) {
  for (uint32_t octet = 0; octet < 256; ++octet) {
    for (int shift : {0, 8, 16, 24}) {
      const uint32_t host = (octet << shift) | (shift == 0 ? 0x0A000000u : 0x00000001u);
      char want[INET_ADDRSTRLEN];
      const uint32_t net = htonl(host);
      ASSERT_NE(inet_ntop(AF_INET, &net, want, sizeof want), nullptr);
      EXPECT_EQ(IpAddress::FromV4(host).ToString(), want);
    }
  }
}

// Parse reads IPv4 by hand; it must accept exactly what inet_pton(AF_INET) accepts, with
// the same address: tricky forms, then pseudo-random strings over digits and dots.
TEST(IpAddressTest, V4ParseAgreesWithInetPton) {
  const auto check = [](const std::string& text) {
    in_addr a{};
    const bool want = inet_pton(AF_INET, text.c_str(), &a) == 1;
    const std::optional<IpAddress> got = IpAddress::Parse(text);
    ASSERT_EQ(got.has_value(), want) << text;
    if (!want) return;
    EXPECT_TRUE(got->is_v4()) << text;
    EXPECT_EQ(got->bytes()[12], reinterpret_cast<const uint8_t*>(&a)[0]) << text;
    EXPECT_EQ(got->bytes()[15], reinterpret_cast<const uint8_t*>(&a)[3]) << text;
    char back[INET_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET, &a, back, sizeof back), nullptr);
    EXPECT_EQ(got->ToString(), back) << text;
  };
  for (const char* text :
       {"0.0.0.0", "1.2.3.4", "255.255.255.255", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.04",
        "1.2.3.0", "00.1.2.3", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1.2.3.4 ",
        " 1.2.3.4", "1.2.3.-4", "1.2.3.4a", "0x1.2.3.4", "1000.2.3.4", "12.34.56.78", "199.255.0.10",
        "", ".", "...", "1", "4294967295"}) {
    check(text);
  }
  uint32_t state = 99;
  for (int i = 0; i < 50000; ++i) {
    std::string text;
    state = state * 1103515245u + 12345u;
    const size_t len = 1 + (state >> 16) % 16;
    for (size_t k = 0; k < len; ++k) {
      state = state * 1103515245u + 12345u;
      const unsigned r = (state >> 16) % 14;
      text += r < 10 ? static_cast<char>('0' + r) : r < 13 ? '.' : 'x';
    }
    check(text);
  }
}

TEST(IpAddressTest, FromV4UsesHostOrder) {
  IpAddress ip = IpAddress::FromV4(0x0A000102);
  EXPECT_TRUE(ip.is_v4());
  EXPECT_EQ(ip.ToString(), "10.0.1.2");
  EXPECT_EQ(ip, Ip("10.0.1.2"));
}

TEST(IpAddressTest, ParsesV6AndFormatsCanonically) {
  IpAddress ip = Ip("2001:db8::1");
  EXPECT_FALSE(ip.is_v4());
  EXPECT_EQ(ip.family(), IpAddress::Family::kV6);
  EXPECT_EQ(ip.ToString(), "2001:db8::1");
  // Non-canonical input comes out canonical (RFC 5952: lowercase, zeros compressed).
  EXPECT_EQ(Ip("2001:0DB8:0000:0000:0000:0000:0000:0001").ToString(), "2001:db8::1");
  EXPECT_EQ(Ip("::").ToString(), "::");
  EXPECT_EQ(Ip("::1").ToString(), "::1");
  EXPECT_EQ(Ip("fe80::1:2").ToString(), "fe80::1:2");
  EXPECT_EQ(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff").ToString(),
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

// ToString formats IPv6 by hand as well; it must agree with inet_ntop for every pattern of
// zero and non-zero groups (which run is compressed, ties, runs at either end), for the
// embedded IPv4 forms (::ffff:a.b.c.d, ::a.b.c.d and their near misses), and for
// pseudo-random addresses with hex groups of every width.
TEST(IpAddressTest, V6ToStringAgreesWithInetNtop) {
  const auto check = [](const uint8_t raw[16]) {
    char want[INET6_ADDRSTRLEN];
    ASSERT_NE(inet_ntop(AF_INET6, raw, want, sizeof want), nullptr);
    EXPECT_EQ(IpAddress::FromV6(raw).ToString(), want);
  };
  static constexpr uint16_t kValues[] = {0x1, 0xab, 0xfff, 0xffff, 0x1000, 0x20};
  for (unsigned mask = 0; mask < 256; ++mask) {
    for (size_t v = 0; v < std::size(kValues); ++v) {
      uint8_t raw[16] = {};
      for (int w = 0; w < 8; ++w) {
        if ((mask >> w & 1) == 0) continue;
        const uint16_t word = kValues[(v + static_cast<size_t>(w)) % std::size(kValues)];
        raw[2 * w] = static_cast<uint8_t>(word >> 8);
        raw[2 * w + 1] = static_cast<uint8_t>(word);
      }
      check(raw);
    }
  }
  // Embedded IPv4: words 6 and 7 behind five zero words and ffff, or six zero words.
  for (uint16_t word5 : {0x0000, 0xffff, 0xfffe, 0x0001}) {
    for (uint8_t last : {0, 1, 4, 255}) {
      uint8_t raw[16] = {};
      raw[10] = static_cast<uint8_t>(word5 >> 8);
      raw[11] = static_cast<uint8_t>(word5);
      raw[12] = 192;
      raw[13] = 0;
      raw[14] = 2;
      raw[15] = last;
      check(raw);
      raw[12] = raw[13] = 0;
      check(raw);
    }
  }
  uint32_t state = 12345;
  for (int i = 0; i < 20000; ++i) {
    uint8_t raw[16];
    for (uint8_t& b : raw) {
      state = state * 1103515245u + 12345u;
      const uint8_t r = static_cast<uint8_t>(state >> 16);
      b = (r & 3) == 0 ? 0 : r;  // plenty of zero bytes, so zero groups and short groups
    }
    check(raw);
  }
}

TEST(IpAddressTest, FromV6) {
  uint8_t raw[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
  IpAddress ip = IpAddress::FromV6(raw);
  EXPECT_FALSE(ip.is_v4());
  EXPECT_EQ(ip.ToString(), "2001:db8::42");
  EXPECT_EQ(ip, Ip("2001:db8::42"));
}

TEST(IpAddressTest, RejectsInvalidForms) {
  const std::vector<std::string> bad = {
      "",
      " ",
      "1.2.3",
      "1.2.3.4.5",
      "256.1.1.1",
      "1.2.3.256",
      "1.2.3.-1",
      "01.2.3.4x",
      "1.2.3.4 ",
      " 1.2.3.4",
      "1..2.3",
      "a.b.c.d",
      "0x7f.0.0.1",
      "localhost",
      "1.2.3.4/24",
      "fe80::1%eth0",
      "fe80::1%1",
      "%eth0",
      "2001:db8:::1",
      "2001:db8::1::2",
      "1:2:3:4:5:6:7:8:9",
      "12345::1",
      "g::1",
      ":",
      ":::",
      "[::1]",
      "::1]",
      std::string(46, '1'),
      std::string(100, ':'),
      std::string(4096, 'a'),
      "1.2.3.4" + std::string(60, ' '),
      std::string("1.2.3.4\0junk", 12),
  };
  for (const std::string& text : bad) {
    EXPECT_FALSE(IpAddress::Parse(text).has_value()) << "'" << text << "'";
  }
}

TEST(IpAddressTest, LongestValidV6Text) {
  // 45 characters: the longest textual IPv6 form (an IPv4-suffixed address).
  std::string longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
  ASSERT_EQ(longest.size(), 45u);
  auto ip = IpAddress::Parse(longest);
  ASSERT_TRUE(ip.has_value());
  EXPECT_FALSE(ip->is_v4());
}

TEST(IpAddressTest, ParseReadsOnlyTheView) {
  // A view into a longer buffer: only the viewed characters count.
  std::string buffer = "10.1.2.3456";
  std::string_view view(buffer.data(), 8);  // "10.1.2.3"
  auto ip = IpAddress::Parse(view);
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->ToString(), "10.1.2.3");
}

TEST(IpAddressTest, EqualityAndOrdering) {
  EXPECT_EQ(Ip("10.0.0.1"), Ip("10.0.0.1"));
  EXPECT_NE(Ip("10.0.0.1"), Ip("10.0.0.2"));
  EXPECT_LT(Ip("10.0.0.1"), Ip("10.0.0.2"));
  EXPECT_LT(Ip("9.255.255.255"), Ip("10.0.0.0"));
  EXPECT_LT(Ip("10.0.0.255"), Ip("10.0.1.0"));  // byte order, not text order
  EXPECT_GT(Ip("192.168.0.1"), Ip("10.255.255.255"));
  EXPECT_EQ(Ip("2001:db8::1"), Ip("2001:DB8:0::1"));
  EXPECT_LT(Ip("2001:db8::1"), Ip("2001:db8::2"));
  EXPECT_LE(Ip("::1"), Ip("::1"));
  // v6 and v4 addresses are different values.
  EXPECT_NE(Ip("::1"), Ip("0.0.0.1"));
  EXPECT_NE(Ip("2001:db8::1"), Ip("1.2.3.4"));
}

TEST(IpAddressTest, SortsAndDeduplicates) {
  std::vector<IpAddress> ips = {Ip("10.0.0.2"), Ip("2001:db8::1"), Ip("10.0.0.1"),
                                Ip("10.0.0.2"), Ip("1.1.1.1"),     Ip("::1")};
  std::sort(ips.begin(), ips.end());
  ips.erase(std::unique(ips.begin(), ips.end()), ips.end());
  std::vector<std::string> text;
  for (const auto& ip : ips) text.push_back(ip.ToString());
  // Mapped IPv4 (::ffff:a.b.c.d) sorts after ::1 and before 2001:db8::/32.
  EXPECT_EQ(text,
            (std::vector<std::string>{"::1", "1.1.1.1", "10.0.0.1", "10.0.0.2", "2001:db8::1"}));
}

// ---------------------------------------------------------------------------------------
// IpNetwork

TEST(IpNetworkTest, ParsesAndFormats) {
  EXPECT_EQ(Net("10.0.0.0/8").ToString(), "10.0.0.0/8");
  EXPECT_EQ(Net("192.168.1.0/24").ToString(), "192.168.1.0/24");
  EXPECT_EQ(Net("0.0.0.0/0").ToString(), "0.0.0.0/0");
  EXPECT_EQ(Net("1.2.3.4/32").ToString(), "1.2.3.4/32");
  EXPECT_EQ(Net("2001:db8::/32").ToString(), "2001:db8::/32");
  EXPECT_EQ(Net("::/0").ToString(), "::/0");
  EXPECT_EQ(Net("::1/128").ToString(), "::1/128");
}

TEST(IpNetworkTest, BareAddressIsHostNetwork) {
  EXPECT_EQ(Net("10.1.2.3").ToString(), "10.1.2.3/32");
  EXPECT_EQ(Net("2001:db8::7").ToString(), "2001:db8::7/128");
  EXPECT_TRUE(Net("10.1.2.3").Contains(Ip("10.1.2.3")));
  EXPECT_FALSE(Net("10.1.2.3").Contains(Ip("10.1.2.4")));
}

TEST(IpNetworkTest, MasksHostBits) {
  EXPECT_EQ(Net("10.1.2.3/8").ToString(), "10.0.0.0/8");
  EXPECT_EQ(Net("192.168.1.77/26").ToString(), "192.168.1.64/26");
  EXPECT_EQ(Net("255.255.255.255/0").ToString(), "0.0.0.0/0");
  EXPECT_EQ(Net("172.31.255.255/12").ToString(), "172.16.0.0/12");
  EXPECT_EQ(Net("2001:db8:abcd:1234::1/48").ToString(), "2001:db8:abcd::/48");
  EXPECT_EQ(Net("2001:db8::ffff/127").ToString(), "2001:db8::fffe/127");
  EXPECT_EQ(Net("ffff::1/0").ToString(), "::/0");
  // Masking does not change what is contained.
  EXPECT_TRUE(Net("10.1.2.3/8").Contains(Ip("10.200.0.1")));
}

TEST(IpNetworkTest, RejectsBadPrefixes) {
  const std::vector<std::string> bad = {
      "10.0.0.0/33",
      "10.0.0.0/-1",
      "10.0.0.0/",
      "10.0.0.0/8x",
      "10.0.0.0/x8",
      "10.0.0.0/ 8",
      "10.0.0.0/8 ",
      "10.0.0.0/+8",
      "10.0.0.0/8/8",
      "10.0.0.0//8",
      "10.0.0.0/1e1",
      "10.0.0.0/99999999999999999999",
      "::/129",
      "::/-0x1",
      "2001:db8::/",
      "2001:db8::/64x",
      "/8",
      "",
      "/",
      "10.0.0/8",
      "256.0.0.0/8",
      "fe80::%eth0/64",
  };
  for (const std::string& text : bad) {
    EXPECT_FALSE(IpNetwork::Parse(text).has_value()) << "'" << text << "'";
  }
}

TEST(IpNetworkTest, PrefixZeroContainsWholeFamily) {
  IpNetwork all4 = Net("0.0.0.0/0");
  EXPECT_TRUE(all4.Contains(Ip("0.0.0.0")));
  EXPECT_TRUE(all4.Contains(Ip("255.255.255.255")));
  EXPECT_TRUE(all4.Contains(Ip("8.8.8.8")));
  EXPECT_FALSE(all4.Contains(Ip("::1")));
  EXPECT_FALSE(all4.Contains(Ip("2001:db8::1")));

  IpNetwork all6 = Net("::/0");
  EXPECT_TRUE(all6.Contains(Ip("::")));
  EXPECT_TRUE(all6.Contains(Ip("2001:db8::1")));
  EXPECT_TRUE(all6.Contains(Ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(all6.Contains(Ip("8.8.8.8")));
  EXPECT_FALSE(all6.Contains(Ip("0.0.0.0")));
}

TEST(IpNetworkTest, ContainsAtBoundariesV4) {
  IpNetwork n = Net("192.168.1.0/24");
  EXPECT_FALSE(n.Contains(Ip("192.168.0.255")));
  EXPECT_TRUE(n.Contains(Ip("192.168.1.0")));
  EXPECT_TRUE(n.Contains(Ip("192.168.1.255")));
  EXPECT_FALSE(n.Contains(Ip("192.168.2.0")));

  // Prefixes that are not byte-aligned.
  IpNetwork n26 = Net("10.0.0.64/26");
  EXPECT_FALSE(n26.Contains(Ip("10.0.0.63")));
  EXPECT_TRUE(n26.Contains(Ip("10.0.0.64")));
  EXPECT_TRUE(n26.Contains(Ip("10.0.0.127")));
  EXPECT_FALSE(n26.Contains(Ip("10.0.0.128")));

  IpNetwork n12 = Net("172.16.0.0/12");
  EXPECT_FALSE(n12.Contains(Ip("172.15.255.255")));
  EXPECT_TRUE(n12.Contains(Ip("172.16.0.0")));
  EXPECT_TRUE(n12.Contains(Ip("172.31.255.255")));
  EXPECT_FALSE(n12.Contains(Ip("172.32.0.0")));

  IpNetwork n1 = Net("128.0.0.0/1");
  EXPECT_FALSE(n1.Contains(Ip("127.255.255.255")));
  EXPECT_TRUE(n1.Contains(Ip("128.0.0.0")));
  EXPECT_TRUE(n1.Contains(Ip("255.255.255.255")));

  IpNetwork n31 = Net("10.0.0.2/31");
  EXPECT_FALSE(n31.Contains(Ip("10.0.0.1")));
  EXPECT_TRUE(n31.Contains(Ip("10.0.0.2")));
  EXPECT_TRUE(n31.Contains(Ip("10.0.0.3")));
  EXPECT_FALSE(n31.Contains(Ip("10.0.0.4")));

  IpNetwork host = Net("10.0.0.5/32");
  EXPECT_TRUE(host.Contains(Ip("10.0.0.5")));
  EXPECT_FALSE(host.Contains(Ip("10.0.0.4")));
  EXPECT_FALSE(host.Contains(Ip("10.0.0.6")));
}

TEST(IpNetworkTest, ContainsAtBoundariesV6) {
  IpNetwork n = Net("2001:db8::/32");
  EXPECT_FALSE(n.Contains(Ip("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_TRUE(n.Contains(Ip("2001:db8::")));
  EXPECT_TRUE(n.Contains(Ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(n.Contains(Ip("2001:db9::")));

  IpNetwork n65 = Net("2001:db8:0:0:8000::/65");
  EXPECT_FALSE(n65.Contains(Ip("2001:db8::7fff:ffff:ffff:ffff")));
  EXPECT_TRUE(n65.Contains(Ip("2001:db8::8000:0:0:0")));
  EXPECT_TRUE(n65.Contains(Ip("2001:db8::ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(n65.Contains(Ip("2001:db8:0:1::")));

  IpNetwork host = Net("::1/128");
  EXPECT_TRUE(host.Contains(Ip("::1")));
  EXPECT_FALSE(host.Contains(Ip("::2")));
  EXPECT_FALSE(host.Contains(Ip("::")));

  IpNetwork link_local = Net("fe80::/10");
  EXPECT_TRUE(link_local.Contains(Ip("fe80::1")));
  EXPECT_TRUE(link_local.Contains(Ip("febf:ffff::1")));
  EXPECT_FALSE(link_local.Contains(Ip("fec0::1")));
}

TEST(IpNetworkTest, FamiliesNeverMix) {
  // The stored form of 10.0.0.1 is ::ffff:10.0.0.1; a v6 network covering those bytes still
  // must not match a v4 address, and a v4 network never matches a v6 address.
  EXPECT_FALSE(Net("::/0").Contains(Ip("10.0.0.1")));
  EXPECT_FALSE(Net("::ffff:0:0/96").Contains(Ip("10.0.0.1")));
  EXPECT_FALSE(Net("0.0.0.0/0").Contains(Ip("::ffff:10.0.0.1")));
  EXPECT_FALSE(Net("10.0.0.0/8").Contains(Ip("::ffff:10.0.0.1")));
  EXPECT_FALSE(Net("0.0.0.0/0").Contains(Ip("::")));
  EXPECT_FALSE(Net("10.0.0.0/8").Contains(Ip("a00::")));  // same leading bits as 10/8
}

TEST(IpNetworkTest, ParsesMappedV6Network) {
  IpNetwork mapped = Net("::ffff:10.0.0.0/104");
  EXPECT_TRUE(mapped.Contains(Ip("::ffff:10.1.2.3")));
  EXPECT_FALSE(mapped.Contains(Ip("::ffff:11.0.0.0")));
}

}  // namespace
}  // namespace vigil
