// Building blocks of DecodePacket (packet_decoder.h), one file per layer. Internal to the
// network collector; tests reach them only through DecodePacket.
#pragma once

#include <cstddef>
#include <cstdint>

#include "packet_decoder.h"

namespace vigil::network::detail {

inline constexpr uint16_t kEtherIpv4 = 0x0800;
inline constexpr uint16_t kEtherIpv6 = 0x86dd;
inline constexpr uint16_t kEtherNone = 0;  // no IP follows (or not yet known)

// A window on the frame: `cap` bytes are readable, `wire` bytes were on the wire (or are
// claimed by the enclosing header). cap <= wire always holds.
struct Span {
  const uint8_t* p = nullptr;
  size_t cap = 0;
  size_t wire = 0;

  bool Has(size_t n) const { return cap >= n; }
  // Drops the first n bytes; the caller has checked Has(n).
  void Skip(size_t n) {
    p += n;
    cap -= n;
    wire = wire >= n ? wire - n : 0;
  }
  // Keeps at most n bytes (a length field smaller than what follows: padding).
  void Limit(size_t n) {
    if (wire > n) wire = n;
    if (cap > n) cap = n;
  }
  uint8_t U8(size_t at) const { return p[at]; }
  uint16_t U16(size_t at) const { return static_cast<uint16_t>(p[at] << 8 | p[at + 1]); }
  uint32_t U32(size_t at) const {
    return uint32_t{p[at]} << 24 | uint32_t{p[at + 1]} << 16 | uint32_t{p[at + 2]} << 8 |
           uint32_t{p[at + 3]};
  }
};

// Link layer: leaves `s` at the network header and sets `ethertype` (kEtherIpv4,
// kEtherIpv6, or another value / kEtherNone for frames that carry no IP).
Malformed DecodeLink(LinkType link, Span& s, DecodedPacket& out, uint16_t& ethertype);
// An Ethernet header with VLAN tags, MPLS labels and PPPoE sessions behind it. `outer`:
// record VLAN tags in `out` (only the outermost Ethernet header's tags are reported).
Malformed DecodeEthernet(Span& s, DecodedPacket& out, uint16_t& ethertype, bool outer);

// IPv4 / IPv6: fill the addresses, version and fragment fields of `out`, leave `s` at the
// transport header (bounded by the IP length fields) and set `next` to its protocol.
Malformed DecodeIpv4(Span& s, DecodedPacket& out, uint8_t& next);
Malformed DecodeIpv6(Span& s, DecodedPacket& out, uint8_t& next);

// TCP, UDP, ICMP, ICMPv6: ports (or ICMP type/code), flags and payload. Other protocols:
// no ports, the payload is the IP payload.
Malformed DecodeTransport(uint8_t protocol, Span s, DecodedPacket& out);

// What a tunnel header leads to.
struct TunnelNext {
  TunnelKind kind = TunnelKind::kNone;
  bool ethernet = false;         // an Ethernet frame follows (else: `ethertype`)
  uint16_t ethertype = kEtherNone;
};
// GRE (v0, and v1/PPTP carrying PPP) after the IP header; leaves `s` at the payload.
Malformed DecodeGre(Span& s, TunnelNext& next);
// VXLAN in a UDP payload (`out.payload`); true when it is one, with `s` at the inner frame.
bool DecodeVxlan(const DecodedPacket& out, Span& s);
// GTP-U (a G-PDU on UDP port 2152) carrying IPv4/IPv6; true when it is one, with `s` at the
// inner IP header and `ethertype` set from its version nibble.
bool DecodeGtpU(const DecodedPacket& out, Span& s, uint16_t& ethertype);

}  // namespace vigil::network::detail
