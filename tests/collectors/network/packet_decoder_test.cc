// DecodePacket over hand-built frames: every link type, VLAN/MPLS/PPPoE, IPv4 and IPv6
// details, tunnels, and one frame for each malformed class.
#include "packet_decoder.h"

#include <gtest/gtest.h>

#include "packet_builder.h"

namespace vigil::network {
namespace {

using namespace testing;  // NOLINT: the builders

struct Decoded {
  DecodeOutcome outcome;
  DecodedPacket p;
};

Decoded Decode(LinkType link, const Bytes& frame, size_t wirelen = 0) {
  Decoded d{};
  d.outcome = DecodePacket(link, frame.data(), frame.size(), wirelen ? wirelen : frame.size(), d.p);
  return d;
}

Malformed MalformedOf(LinkType link, const Bytes& frame) {
  Decoded d = Decode(link, frame);
  EXPECT_EQ(d.outcome, DecodeOutcome::kMalformed) << MalformedName(d.p.malformed);
  return d.p.malformed;
}

const Bytes kSynPacket = Ipv4("10.0.0.1", "10.0.0.2", kProtoTcp, Tcp(40000, 443, kTcpSyn));

void ExpectTcpSyn(const Decoded& d) {
  ASSERT_EQ(d.outcome, DecodeOutcome::kIp) << MalformedName(d.p.malformed);
  EXPECT_EQ(d.p.ip_version, 4);
  EXPECT_EQ(d.p.protocol, kProtoTcp);
  EXPECT_TRUE(d.p.has_ports);
  EXPECT_EQ(d.p.src_port, 40000);
  EXPECT_EQ(d.p.dst_port, 443);
  EXPECT_EQ(d.p.tcp_flags, kTcpSyn);
  EXPECT_EQ(Bytes(d.p.src.b.begin(), d.p.src.b.begin() + 4), Ip4Bytes("10.0.0.1"));
  EXPECT_EQ(Bytes(d.p.dst.b.begin(), d.p.dst.b.begin() + 4), Ip4Bytes("10.0.0.2"));
}

TEST(PacketDecoder, EthernetTcpWithPayload) {
  const Bytes frame = Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoTcp,
                                       Tcp(1234, 80, kTcpPsh | kTcpAck, Text("GET /"), 8)));
  Decoded d = Decode(LinkType::kEthernet, frame);
  ASSERT_EQ(d.outcome, DecodeOutcome::kIp);
  EXPECT_EQ(d.p.payload_length, 5u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.p.payload), 5), "GET /");
}

TEST(PacketDecoder, EveryLinkType) {
  ExpectTcpSyn(Decode(LinkType::kEthernet, Eth(0x0800, kSynPacket)));
  Bytes sll = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
  ExpectTcpSyn(Decode(LinkType::kLinuxSll, Cat(sll, kSynPacket)));
  Bytes sll2 = {0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0};
  ExpectTcpSyn(Decode(LinkType::kLinuxSll2, Cat(sll2, kSynPacket)));
  ExpectTcpSyn(Decode(LinkType::kRaw, kSynPacket));
  ExpectTcpSyn(Decode(LinkType::kIpv4, kSynPacket));
  ExpectTcpSyn(Decode(LinkType::kNull, Cat({2, 0, 0, 0}, kSynPacket)));  // little-endian host
  ExpectTcpSyn(Decode(LinkType::kNull, Cat({0, 0, 0, 2}, kSynPacket)));  // big-endian host
  ExpectTcpSyn(Decode(LinkType::kLoop, Cat({0, 0, 0, 2}, kSynPacket)));

  const Bytes v6 = Ipv6("2001:db8::1", "2001:db8::2", kProtoUdp, Udp(5353, 53));
  for (const Bytes& frame : {v6, Cat({0, 0, 0, 30}, v6), Cat({10, 0, 0, 0}, v6)}) {
    const LinkType link = frame.size() == v6.size() ? LinkType::kRaw : LinkType::kNull;
    Decoded d = Decode(link, frame);
    ASSERT_EQ(d.outcome, DecodeOutcome::kIp);
    EXPECT_EQ(d.p.ip_version, 6);
    EXPECT_EQ(d.p.dst_port, 53);
  }
  EXPECT_EQ(Decode(LinkType::kIpv6, v6).outcome, DecodeOutcome::kIp);

  ExpectTcpSyn(Decode(LinkType::kCiscoHdlc, Cat({0x0f, 0x00, 0x08, 0x00}, kSynPacket)));
  ExpectTcpSyn(Decode(LinkType::kPpp, Cat({0xff, 0x03, 0x00, 0x21}, kSynPacket)));
  ExpectTcpSyn(Decode(LinkType::kPpp, Cat({0x21}, kSynPacket)));  // compressed fields
  ExpectTcpSyn(Decode(LinkType::kPpp, Cat({0x8f, 0x00, 0x08, 0x00}, kSynPacket)));
  EXPECT_EQ(Decode(LinkType::kPpp, Bytes{0xc0, 0x21, 1, 1}).outcome, DecodeOutcome::kNotIp);  // LCP
}

TEST(PacketDecoder, NonIpFramesAreNotMalformed) {
  EXPECT_EQ(Decode(LinkType::kEthernet, Eth(0x0806, Bytes(28, 0))).outcome, DecodeOutcome::kNotIp);
  EXPECT_EQ(Decode(LinkType::kEthernet, Eth(46, Bytes(46, 0))).outcome, DecodeOutcome::kNotIp);
  EXPECT_EQ(Decode(LinkType::kNull, Cat({7, 0, 0, 0}, kSynPacket)).outcome, DecodeOutcome::kNotIp);
}

TEST(PacketDecoder, VlanAndQinQ) {
  Decoded one = Decode(LinkType::kEthernet, Eth(0x0800, kSynPacket, {{0x8100, 0x0064}}));
  ExpectTcpSyn(one);
  EXPECT_EQ(one.p.vlan_count, 1);
  EXPECT_EQ(one.p.vlan_id, 100);
  for (uint16_t outer : {uint16_t{0x88a8}, uint16_t{0x9100}}) {
    Decoded two = Decode(LinkType::kEthernet, Eth(0x0800, kSynPacket, {{outer, 0x2007}, {0x8100, 5}}));
    ExpectTcpSyn(two);
    EXPECT_EQ(two.p.vlan_count, 2);
    EXPECT_EQ(two.p.vlan_id, 7);
  }
  EXPECT_EQ(MalformedOf(LinkType::kEthernet,
                        Eth(0x0800, kSynPacket,
                            {{0x8100, 1}, {0x8100, 2}, {0x8100, 3}, {0x8100, 4}, {0x8100, 5}})),
            Malformed::kTooManyVlans);
}

TEST(PacketDecoder, MplsAndPppoe) {
  Bytes labels = {0x00, 0x01, 0x00, 0x40, 0x00, 0x02, 0x01, 0x40};  // two labels, bottom set
  ExpectTcpSyn(Decode(LinkType::kEthernet, Eth(0x8847, Cat(labels, kSynPacket))));
  Bytes pppoe = {0x11, 0x00, 0x00, 0x01};
  Put16(pppoe, static_cast<uint16_t>(kSynPacket.size() + 2));
  Put16(pppoe, 0x0021);
  ExpectTcpSyn(Decode(LinkType::kEthernet, Eth(0x8864, Cat(pppoe, kSynPacket))));
}

TEST(PacketDecoder, Ipv4OptionsPaddingAndOffload) {
  Ip4Options o;
  o.options = {0x01, 0x01, 0x01, 0x00};  // NOP NOP NOP EOL
  Decoded d = Decode(LinkType::kRaw, Ipv4("10.0.0.1", "10.0.0.2", kProtoTcp, Tcp(40000, 443, kTcpSyn), o));
  ExpectTcpSyn(d);
  // Ethernet padding after a short IP packet is not payload.
  Decoded padded = Decode(LinkType::kEthernet, Cat(Eth(0x0800, kSynPacket), Bytes(6, 0)));
  ExpectTcpSyn(padded);
  EXPECT_EQ(padded.p.payload_length, 0u);
  // Total length 0: segmentation offload on the capturing host.
  Ip4Options tso;
  tso.total_length = 0;
  ExpectTcpSyn(Decode(LinkType::kRaw, Ipv4("10.0.0.1", "10.0.0.2", kProtoTcp, Tcp(40000, 443, kTcpSyn), tso)));
}

TEST(PacketDecoder, SnaplenCutsPayloadNotHeaders) {
  const Bytes frame = Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(1, 2, Bytes(100, 7))));
  const Bytes cut(frame.begin(), frame.begin() + 60);
  Decoded d = Decode(LinkType::kEthernet, cut, frame.size());
  ASSERT_EQ(d.outcome, DecodeOutcome::kIp);
  EXPECT_EQ(d.p.payload_length, 100u);
  EXPECT_EQ(d.p.payload_captured, 60u - 14 - 20 - 8);
}

TEST(PacketDecoder, Ipv4Fragments) {
  Ip4Options first;
  first.frag = 0x2000;  // more fragments, offset 0
  Decoded f = Decode(LinkType::kRaw, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(1000, 53, Bytes(16, 1), 1400), first));
  ASSERT_EQ(f.outcome, DecodeOutcome::kIp);
  EXPECT_TRUE(f.p.fragment);
  EXPECT_FALSE(f.p.later_fragment);
  EXPECT_TRUE(f.p.has_ports);
  EXPECT_EQ(f.p.dst_port, 53);
  Ip4Options later;
  later.frag = 185;  // offset 1480 bytes, last fragment
  Decoded l = Decode(LinkType::kRaw, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Bytes(40, 2), later));
  ASSERT_EQ(l.outcome, DecodeOutcome::kIp);
  EXPECT_TRUE(l.p.later_fragment);
  EXPECT_FALSE(l.p.has_ports);
}

TEST(PacketDecoder, Ipv6ExtensionHeaders) {
  const Bytes tcp = Tcp(40000, 443, kTcpSyn);
  Bytes ah = {kProtoTcp, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1};  // (1 + 2) * 4 = 12 bytes
  Bytes exts = Cat(Cat(Ext6(kProtoRouting), Ext6(kProtoDestOpts)), Ext6(kProtoAh));
  Decoded d = Decode(LinkType::kRaw, Ipv6("2001:db8::1", "2001:db8::2", kProtoHopByHop, Cat(Cat(exts, ah), tcp)));
  ASSERT_EQ(d.outcome, DecodeOutcome::kIp) << MalformedName(d.p.malformed);
  EXPECT_EQ(d.p.protocol, kProtoTcp);
  EXPECT_EQ(d.p.dst_port, 443);

  Bytes frag_first = {kProtoUdp, 0, 0x00, 0x01, 0, 0, 0, 9};  // offset 0, M
  Decoded f = Decode(LinkType::kRaw, Ipv6("2001:db8::1", "2001:db8::2", kProtoFragment, Cat(frag_first, Udp(5, 6))));
  ASSERT_EQ(f.outcome, DecodeOutcome::kIp);
  EXPECT_TRUE(f.p.fragment);
  EXPECT_TRUE(f.p.has_ports);
  Bytes frag_later = {kProtoUdp, 0, 0x05, 0xc8, 0, 0, 0, 9};  // offset 185 * 8
  Decoded l = Decode(LinkType::kRaw, Ipv6("2001:db8::1", "2001:db8::2", kProtoFragment, Cat(frag_later, Bytes(16, 0))));
  ASSERT_EQ(l.outcome, DecodeOutcome::kIp);
  EXPECT_TRUE(l.p.later_fragment);
  EXPECT_FALSE(l.p.has_ports);
}

TEST(PacketDecoder, Tunnels) {
  const Bytes inner = Ipv4("192.168.1.1", "192.168.1.2", kProtoTcp, Tcp(40000, 443, kTcpSyn));
  const Bytes inner6 = Ipv6("2001:db8::1", "2001:db8::2", kProtoTcp, Tcp(40000, 443, kTcpSyn));
  auto check = [](const Bytes& frame, TunnelKind kind, uint8_t inner_version, int depth = 1) {
    Decoded d = Decode(LinkType::kEthernet, frame);
    ASSERT_EQ(d.outcome, DecodeOutcome::kIp) << MalformedName(d.p.malformed);
    EXPECT_EQ(d.p.tunnel_count, depth);
    EXPECT_EQ(d.p.tunnels[depth - 1].kind, kind);
    EXPECT_EQ(d.p.ip_version, inner_version);
    EXPECT_EQ(d.p.dst_port, 443);
  };
  // IP in IP, all four ways.
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoIpv4, inner)), TunnelKind::kIpInIp, 4);
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoIpv6, inner6)), TunnelKind::kIpInIp, 6);
  check(Eth(0x86dd, Ipv6("fd00::1", "fd00::2", kProtoIpv4, inner)), TunnelKind::kIpInIp, 4);
  check(Eth(0x86dd, Ipv6("fd00::1", "fd00::2", kProtoIpv6, inner6)), TunnelKind::kIpInIp, 6);
  // GRE with IP, with a key, with Ethernet, ERSPAN II and III.
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoGre, Cat({0, 0, 0x08, 0x00}, inner))),
        TunnelKind::kGre, 4);
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoGre,
                         Cat({0x20, 0, 0x86, 0xdd, 0, 0, 0, 7}, inner6))),
        TunnelKind::kGre, 6);
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoGre, Cat({0, 0, 0x65, 0x58}, Eth(0x0800, inner)))),
        TunnelKind::kGre, 4);
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoGre,
                         Cat(Cat({0x10, 0, 0x88, 0xbe, 0, 0, 0, 1}, Bytes(8, 0)), Eth(0x0800, inner)))),
        TunnelKind::kErspan, 4);
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoGre,
                         Cat(Cat({0x10, 0, 0x22, 0xeb, 0, 0, 0, 1}, Bytes(12, 0)), Eth(0x0800, inner)))),
        TunnelKind::kErspan, 4);
  // VXLAN, and GRE inside VXLAN.
  const Bytes vxlan_hdr = {0x08, 0, 0, 0, 0, 0, 42, 0};
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(5555, 4789, Cat(vxlan_hdr, Eth(0x0800, inner))))),
        TunnelKind::kVxlan, 4);
  // GTP-U: plain, and with a sequence number and one extension header.
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp,
                         Udp(2152, 2152, Cat({0x30, 0xff, 0, 0, 0, 0, 0, 1}, inner)))),
        TunnelKind::kGtpU, 4);
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp,
                         Udp(2152, 2152, Cat({0x36, 0xff, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0x85,
                                              1, 0x10, 0x05, 0x00}, inner6)))),
        TunnelKind::kGtpU, 6);
  const Bytes gre_in = Ipv4("172.16.0.1", "172.16.0.2", kProtoGre, Cat({0, 0, 0x08, 0x00}, inner));
  check(Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(5555, 4789, Cat(vxlan_hdr, Eth(0x0800, gre_in))))),
        TunnelKind::kGre, 4, 2);
}

TEST(PacketDecoder, TunnelCarryingNonIpIsTheOuterFlow) {
  // GRE carrying ARP in Ethernet: the GRE packet itself is the flow.
  Decoded d = Decode(LinkType::kEthernet,
                     Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoGre, Cat({0, 0, 0x65, 0x58}, Eth(0x0806, Bytes(28, 0))))));
  ASSERT_EQ(d.outcome, DecodeOutcome::kIp);
  EXPECT_EQ(d.p.protocol, kProtoGre);
  EXPECT_EQ(d.p.tunnel_count, 0);
  // A VXLAN port without the I flag is plain UDP.
  Decoded u = Decode(LinkType::kEthernet, Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, Udp(1, 4789, Bytes(8, 0)))));
  ASSERT_EQ(u.outcome, DecodeOutcome::kIp);
  EXPECT_EQ(u.p.tunnel_count, 0);
  // VXLAN and GTP-U are guessed from the port: a payload that does not decode leaves the UDP
  // packet as the flow instead of making it malformed.
  for (const Bytes& udp : {Udp(1, 4789, Bytes{0x08, 0, 0, 0, 0, 0, 1, 0, 0xde, 0xad}),
                           Udp(2152, 2152, Bytes{0x30, 0xff, 0, 4, 0, 0, 0, 1, 0x45, 0, 0, 9})}) {
    Decoded g = Decode(LinkType::kRaw, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp, udp));
    ASSERT_EQ(g.outcome, DecodeOutcome::kIp) << MalformedName(g.p.malformed);
    EXPECT_EQ(g.p.protocol, kProtoUdp);
    EXPECT_EQ(g.p.tunnel_count, 0);
  }
}

TEST(PacketDecoder, EveryMalformedClass) {
  const LinkType eth = LinkType::kEthernet;
  EXPECT_EQ(MalformedOf(eth, Bytes(10, 0)), Malformed::kTruncatedLink);
  EXPECT_EQ(MalformedOf(LinkType::kLinuxSll2, Bytes(19, 0)), Malformed::kTruncatedLink);
  EXPECT_EQ(MalformedOf(LinkType::kUnsupported, kSynPacket), Malformed::kUnsupportedLink);
  EXPECT_EQ(MalformedOf(eth, Eth(0x0800, Bytes(kSynPacket.begin(), kSynPacket.begin() + 12))),
            Malformed::kTruncatedIp);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Bytes{}), Malformed::kTruncatedIp);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Bytes(20, 0x55)), Malformed::kBadIpVersion);
  EXPECT_EQ(MalformedOf(eth, Eth(0x86dd, kSynPacket)), Malformed::kBadIpVersion);
  Ip4Options ihl;
  ihl.ihl = 4;
  EXPECT_EQ(MalformedOf(eth, Eth(0x0800, Ipv4("1.1.1.1", "2.2.2.2", kProtoTcp, Tcp(1, 2, 0), ihl))),
            Malformed::kBadIpHeader);
  Ip4Options short_total;
  short_total.total_length = 12;
  EXPECT_EQ(MalformedOf(eth, Eth(0x0800, Ipv4("1.1.1.1", "2.2.2.2", kProtoTcp, Tcp(1, 2, 0), short_total))),
            Malformed::kBadIpLength);
  Ip4Options long_total;
  long_total.total_length = 1500;
  EXPECT_EQ(MalformedOf(eth, Eth(0x0800, Ipv4("1.1.1.1", "2.2.2.2", kProtoTcp, Tcp(1, 2, 0), long_total))),
            Malformed::kBadIpLength);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv6("::1", "::2", kProtoTcp, Tcp(1, 2, 0), 400)),
            Malformed::kBadIpLength);
  Bytes nine;
  for (int i = 0; i < 9; ++i) nine = Cat(nine, Ext6(kProtoDestOpts));
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv6("::1", "::2", kProtoDestOpts, Cat(nine, Tcp(1, 2, 0)))),
            Malformed::kTooManyHeaders);
  Bytes overrun = {kProtoTcp, 200, 0, 0, 0, 0, 0, 0};  // claims 1608 bytes
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv6("::1", "::2", kProtoHopByHop, Cat(overrun, Tcp(1, 2, 0)))),
            Malformed::kBadIpHeader);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoTcp, Bytes(10, 0))),
            Malformed::kTruncatedTransport);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoUdp, Bytes(4, 0))),
            Malformed::kTruncatedTransport);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoIcmp, Bytes(2, 0))),
            Malformed::kTruncatedTransport);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoUdp, Udp(1, 2, {}, 4))),
            Malformed::kBadTransportLength);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoUdp, Udp(1, 2, {}, 300))),
            Malformed::kBadTransportLength);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoTcp, Tcp(1, 2, 0, {}, 4))),
            Malformed::kBadTcpOffset);
  Bytes long_offset = Tcp(1, 2, 0);
  long_offset[12] = 0xf0;  // claims 60 bytes of header in a 20-byte segment
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoTcp, long_offset)),
            Malformed::kBadTcpOffset);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoGre, Bytes{0x80, 0, 0x08, 0})),
            Malformed::kBadTunnel);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, Ipv4("1.1.1.1", "2.2.2.2", kProtoGre, Bytes{0, 5, 0x08, 0})),
            Malformed::kBadTunnel);
  Bytes nested = Ipv4("9.9.9.9", "8.8.8.8", kProtoTcp, Tcp(1, 2, 0));
  for (int i = 0; i < kMaxTunnelDepth + 1; ++i) nested = Ipv4("1.1.1.1", "2.2.2.2", kProtoIpv4, nested);
  EXPECT_EQ(MalformedOf(LinkType::kRaw, nested), Malformed::kTooManyTunnels);
}

TEST(PacketDecoder, EveryPrefixOfATunnelledFrameIsHandled) {
  const Bytes inner = Ipv6("2001:db8::1", "2001:db8::2", kProtoHopByHop,
                           Cat(Ext6(kProtoTcp), Tcp(1, 2, kTcpAck, Text("data"), 6)));
  const Bytes frame = Eth(0x0800, Ipv4("10.0.0.1", "10.0.0.2", kProtoUdp,
                                       Udp(5, 4789, Cat({0x08, 0, 0, 0, 0, 0, 1, 0},
                                                        Eth(0x86dd, inner, {{0x8100, 3}})))),
                          {{0x88a8, 1}, {0x8100, 2}});
  ASSERT_EQ(Decode(LinkType::kEthernet, frame).outcome, DecodeOutcome::kIp);
  for (size_t n = 0; n < frame.size(); ++n) {
    const Bytes cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
    Decoded as_snap = Decode(LinkType::kEthernet, cut, frame.size());  // snaplen
    Decoded as_wire = Decode(LinkType::kEthernet, cut);                // really that short
    for (const Decoded& d : {as_snap, as_wire}) {
      EXPECT_EQ(d.outcome == DecodeOutcome::kMalformed, d.p.malformed != Malformed::kNone) << n;
      if (n < 14) {
        EXPECT_EQ(d.p.malformed, Malformed::kTruncatedLink);
      }
    }
  }
}

TEST(PacketDecoder, NamesAreStable) {
  EXPECT_EQ(MalformedName(Malformed::kTruncatedLink), "truncated_link");
  EXPECT_EQ(MalformedName(Malformed::kBadTcpOffset), "bad_tcp_offset");
  for (int i = 0; i < static_cast<int>(Malformed::kCount); ++i) {
    EXPECT_NE(MalformedName(static_cast<Malformed>(i)), "unknown");
  }
  EXPECT_EQ(TunnelKindName(TunnelKind::kVxlan), "vxlan");
}

}  // namespace
}  // namespace vigil::network
