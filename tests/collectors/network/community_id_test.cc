// Community ID v1 against the example values published with the specification
// (corelight/community-id-spec) and repeated by its implementations.
#include "community_id.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace vigil::network {
namespace {

CommunityIdInput Make(const char* src, const char* dst, uint8_t proto, uint16_t sport,
                      uint16_t dport, bool ports = true) {
  CommunityIdInput in;
  const bool v6 = std::string_view(src).find(':') != std::string_view::npos;
  in.ip_version = v6 ? 6 : 4;
  inet_pton(v6 ? AF_INET6 : AF_INET, src, in.src.b.data());
  inet_pton(v6 ? AF_INET6 : AF_INET, dst, in.dst.b.data());
  in.protocol = proto;
  in.has_ports = ports;
  in.src_port = sport;
  in.dst_port = dport;
  return in;
}

TEST(CommunityId, PublishedVectors) {
  EXPECT_EQ(CommunityIdV1(Make("128.232.110.120", "66.35.250.204", 6, 34855, 80)),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  EXPECT_EQ(CommunityIdV1(Make("192.168.1.52", "8.8.8.8", 17, 54585, 53)),
            "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
  EXPECT_EQ(CommunityIdV1(Make("2001:470:e5bf:dead:4957:2174:e82c:4887", "2607:f8b0:400c:c03::1a",
                               6, 63943, 25)),
            "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=");
  EXPECT_EQ(CommunityIdV1(Make("192.168.170.8", "192.168.170.56", 132, 7, 80)),
            "1:jQgCxbku+pNGw8WPbEc/TS/uTpQ=");
  // ICMP echo request: type 8 pairs with reply type 0.
  EXPECT_EQ(CommunityIdV1(Make("192.168.0.89", "192.168.0.1", 1, 8, 0)),
            "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
  // ICMPv6 time exceeded (type 3): one-way, type and code as given.
  EXPECT_EQ(CommunityIdV1(Make("3ffe:501:0:1802:260:97ff:feb6:7ff0",
                               "3ffe:507:0:1:200:86ff:fe05:80da", 58, 3, 0)),
            "1:bnQKq8A2r//dWnkRW2EYcMhShjc=");
}

TEST(CommunityId, BothDirectionsHashAlike) {
  EXPECT_EQ(CommunityIdV1(Make("66.35.250.204", "128.232.110.120", 6, 80, 34855)),
            "1:LQU9qZlK+B5F3KDmev6m5PMibrg=");
  EXPECT_EQ(CommunityIdV1(Make("8.8.8.8", "192.168.1.52", 17, 53, 54585)),
            "1:d/FP5EW3wiY1vCndhwleRRKHowQ=");
  // The echo reply, seen first from the other side, is the same flow.
  EXPECT_EQ(CommunityIdV1(Make("192.168.0.1", "192.168.0.89", 1, 0, 0)),
            "1:X0snYXpgwiv9TZtqg64sgzUn6Dk=");
  // Same address on both ends: the smaller port goes first.
  EXPECT_EQ(CommunityIdV1(Make("10.0.0.1", "10.0.0.1", 6, 80, 1234)),
            CommunityIdV1(Make("10.0.0.1", "10.0.0.1", 6, 1234, 80)));
}

TEST(CommunityId, SeedAndPortlessProtocolsChangeTheHash) {
  const auto in = Make("128.232.110.120", "66.35.250.204", 6, 34855, 80);
  EXPECT_NE(CommunityIdV1(in, 1), CommunityIdV1(in, 0));
  const auto gre = Make("10.0.0.1", "10.0.0.2", 47, 0, 0, false);
  EXPECT_EQ(CommunityIdV1(gre), CommunityIdV1(Make("10.0.0.2", "10.0.0.1", 47, 0, 0, false)));
  EXPECT_EQ(CommunityIdV1(gre).size(), 30u);  // "1:" + 28 base64 characters
}

}  // namespace
}  // namespace vigil::network
