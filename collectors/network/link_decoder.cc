// Link layers: Ethernet (VLAN, QinQ, MPLS, PPPoE), Linux cooked v1/v2, raw IP, loopback,
// Cisco HDLC and PPP.
#include "decoder_internal.h"

namespace vigil::network::detail {
namespace {

constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88a8;
constexpr uint16_t kEtherQinQOld = 0x9100;
constexpr uint16_t kEtherMpls = 0x8847;
constexpr uint16_t kEtherMplsMulticast = 0x8848;
constexpr uint16_t kEtherPppoeSession = 0x8864;
constexpr uint16_t kPppIpv4 = 0x0021;
constexpr uint16_t kPppIpv6 = 0x0057;

bool IsVlan(uint16_t t) { return t == kEtherVlan || t == kEtherQinQ || t == kEtherQinQOld; }

// Guesses IPv4/IPv6 from the version nibble of what follows (raw IP, MPLS payloads).
uint16_t ByVersionNibble(const Span& s) {
  if (!s.Has(1)) return kEtherNone;
  switch (s.U8(0) >> 4) {
    case 4: return kEtherIpv4;
    case 6: return kEtherIpv6;
    default: return kEtherNone;
  }
}

// A BSD address family value: AF_INET is 2 everywhere; AF_INET6 differs by system.
uint16_t FromAddressFamily(uint32_t family) {
  switch (family) {
    case 2: return kEtherIpv4;
    case 10: case 24: case 28: case 30: return kEtherIpv6;  // Linux, *BSD, FreeBSD, Darwin
    default: return kEtherNone;
  }
}

Malformed DecodeMpls(Span& s, uint16_t& ethertype) {
  for (int i = 0; i < kMaxMplsLabels; ++i) {
    if (!s.Has(4)) return Malformed::kTruncatedLink;
    const bool bottom = (s.U8(2) & 0x01) != 0;
    s.Skip(4);
    if (bottom) {
      ethertype = ByVersionNibble(s);  // a pseudowire (control word) is not decoded
      return Malformed::kNone;
    }
  }
  return Malformed::kTooManyVlans;
}

Malformed DecodePppoe(Span& s, uint16_t& ethertype) {
  if (!s.Has(8)) return Malformed::kTruncatedLink;
  const uint16_t length = s.U16(4);  // PPP protocol + payload
  const uint16_t ppp = s.U16(6);
  s.Skip(8);
  if (length < 2) return Malformed::kTruncatedLink;
  s.Limit(length - 2u);
  ethertype = ppp == kPppIpv4 ? kEtherIpv4 : ppp == kPppIpv6 ? kEtherIpv6 : kEtherNone;
  return Malformed::kNone;
}

// What follows an ethertype: VLAN tags, then MPLS or PPPoE, then the network layer.
Malformed DecodeEthertypeChain(Span& s, DecodedPacket& out, uint16_t& ethertype, bool outer) {
  int tags = 0;
  while (IsVlan(ethertype)) {
    if (++tags > kMaxVlanTags) return Malformed::kTooManyVlans;
    if (!s.Has(4)) return Malformed::kTruncatedLink;
    if (outer) {
      if (out.vlan_count == 0) out.vlan_id = s.U16(0) & 0x0fff;
      ++out.vlan_count;
    }
    ethertype = s.U16(2);
    s.Skip(4);
  }
  if (ethertype == kEtherMpls || ethertype == kEtherMplsMulticast) return DecodeMpls(s, ethertype);
  if (ethertype == kEtherPppoeSession) return DecodePppoe(s, ethertype);
  if (ethertype != kEtherIpv4 && ethertype != kEtherIpv6) ethertype = kEtherNone;
  return Malformed::kNone;
}

// PPP in HDLC-like framing: optional ff 03, then a 1- or 2-byte protocol. Cisco HDLC
// (address 0x0f or 0x8f) shows up under the same link types.
Malformed DecodePppLink(Span& s, DecodedPacket& out, uint16_t& ethertype) {
  if (!s.Has(2)) return Malformed::kTruncatedLink;
  if (s.U8(0) == 0x0f || s.U8(0) == 0x8f) {
    if (!s.Has(4)) return Malformed::kTruncatedLink;
    ethertype = s.U16(2);
    s.Skip(4);
    return DecodeEthertypeChain(s, out, ethertype, true);
  }
  if (s.U8(0) == 0xff && s.U8(1) == 0x03) s.Skip(2);
  if (!s.Has(1)) return Malformed::kTruncatedLink;
  uint16_t proto = s.U8(0);
  if ((proto & 1) != 0) {  // protocol field compression
    s.Skip(1);
  } else {
    if (!s.Has(2)) return Malformed::kTruncatedLink;
    proto = s.U16(0);
    s.Skip(2);
  }
  ethertype = proto == kPppIpv4 ? kEtherIpv4 : proto == kPppIpv6 ? kEtherIpv6 : kEtherNone;
  return Malformed::kNone;
}

}  // namespace

Malformed DecodeEthernet(Span& s, DecodedPacket& out, uint16_t& ethertype, bool outer) {
  if (!s.Has(14)) return Malformed::kTruncatedLink;
  ethertype = s.U16(12);
  s.Skip(14);
  if (ethertype <= 1500) {  // an IEEE 802.3 length: LLC follows, not IP
    ethertype = kEtherNone;
    return Malformed::kNone;
  }
  return DecodeEthertypeChain(s, out, ethertype, outer);
}

Malformed DecodeLink(LinkType link, Span& s, DecodedPacket& out, uint16_t& ethertype) {
  ethertype = kEtherNone;
  switch (link) {
    case LinkType::kEthernet:
      return DecodeEthernet(s, out, ethertype, /*outer=*/true);
    case LinkType::kLinuxSll:
      if (!s.Has(16)) return Malformed::kTruncatedLink;
      ethertype = s.U16(14);
      s.Skip(16);
      return DecodeEthertypeChain(s, out, ethertype, true);
    case LinkType::kLinuxSll2:
      if (!s.Has(20)) return Malformed::kTruncatedLink;
      ethertype = s.U16(0);
      s.Skip(20);
      return DecodeEthertypeChain(s, out, ethertype, true);
    case LinkType::kRaw:
      if (!s.Has(1)) return Malformed::kTruncatedIp;
      ethertype = ByVersionNibble(s);
      return ethertype == kEtherNone ? Malformed::kBadIpVersion : Malformed::kNone;
    case LinkType::kIpv4:
      ethertype = kEtherIpv4;
      return Malformed::kNone;
    case LinkType::kIpv6:
      ethertype = kEtherIpv6;
      return Malformed::kNone;
    case LinkType::kNull:
    case LinkType::kLoop: {
      if (!s.Has(4)) return Malformed::kTruncatedLink;
      // DLT_NULL is in the capturing host's byte order, DLT_LOOP in network order; files
      // from either kind of host exist, so both readings are tried.
      const uint32_t big = s.U32(0);
      const uint32_t little = uint32_t{s.U8(0)} | uint32_t{s.U8(1)} << 8 |
                              uint32_t{s.U8(2)} << 16 | uint32_t{s.U8(3)} << 24;
      s.Skip(4);
      ethertype = FromAddressFamily(big <= 0xffff ? big : little);
      return Malformed::kNone;
    }
    case LinkType::kCiscoHdlc:
      if (!s.Has(4)) return Malformed::kTruncatedLink;
      ethertype = s.U16(2);
      s.Skip(4);
      return DecodeEthertypeChain(s, out, ethertype, true);
    case LinkType::kPpp:
      return DecodePppLink(s, out, ethertype);
    case LinkType::kUnsupported:
      break;
  }
  return Malformed::kUnsupportedLink;
}

}  // namespace vigil::network::detail
