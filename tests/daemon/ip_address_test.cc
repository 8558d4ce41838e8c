// IpAddress and IpNetwork: parsing, formatting, ordering and CIDR containment for both
// families, including the inputs a hostile log line could carry.
#include "vigil/ip_address.h"

#include <arpa/inet.h>

#include <gtest/gtest.h>

#include <algorithm>
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
