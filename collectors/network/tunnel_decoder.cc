// Tunnel headers: GRE (v0 with IP, Ethernet or ERSPAN inside; v1 as PPTP carries PPP),
// VXLAN and GTP-U. IP-in-IP needs no header of its own (see packet_decoder.cc).
#include "decoder_internal.h"

namespace vigil::network::detail {
namespace {

constexpr uint16_t kGreEthernet = 0x6558;  // transparent Ethernet bridging
constexpr uint16_t kGreErspan2 = 0x88be;   // ERSPAN type I (no sequence) or II
constexpr uint16_t kGreErspan3 = 0x22eb;
constexpr uint16_t kGrePpp = 0x880b;
constexpr uint16_t kVxlanPort = 4789;
constexpr uint16_t kGtpUPort = 2152;
constexpr uint8_t kGtpGpdu = 0xff;
constexpr int kMaxGtpExtensions = 8;

// PPP inside PPTP's GRE: optional address/control bytes, then a 1- or 2-byte protocol.
Malformed DecodePpp(Span& s, TunnelNext& next) {
  if (s.Has(2) && s.U8(0) == 0xff && s.U8(1) == 0x03) s.Skip(2);
  if (!s.Has(1)) return Malformed::kBadTunnel;
  uint16_t proto = s.U8(0);
  if ((proto & 1) != 0) {  // protocol field compression: one odd byte
    s.Skip(1);
  } else {
    if (!s.Has(2)) return Malformed::kBadTunnel;
    proto = s.U16(0);
    s.Skip(2);
  }
  next.ethertype = proto == 0x21 ? kEtherIpv4 : proto == 0x57 ? kEtherIpv6 : kEtherNone;
  next.kind = next.ethertype == kEtherNone ? TunnelKind::kNone : TunnelKind::kGre;
  return Malformed::kNone;
}

}  // namespace

Malformed DecodeGre(Span& s, TunnelNext& next) {
  next = TunnelNext{};
  if (!s.Has(4)) return Malformed::kBadTunnel;
  const uint8_t flags = s.U8(0);
  const uint8_t version = s.U8(1) & 0x07;
  const uint16_t proto = s.U16(2);
  const bool checksum = (flags & 0x80) != 0;
  const bool routing = (flags & 0x40) != 0;
  const bool key = (flags & 0x20) != 0;
  const bool sequence = (flags & 0x10) != 0;
  size_t len = 4;
  if (version == 0) {
    if (routing) return Malformed::kNone;  // RFC 1701 source routes: not followed
    len += (checksum ? 4 : 0) + (key ? 4 : 0) + (sequence ? 4 : 0);
  } else if (version == 1) {
    const bool ack = (s.U8(1) & 0x80) != 0;
    if (!key || proto != kGrePpp) return Malformed::kBadTunnel;
    len += 4 + (sequence ? 4 : 0) + (ack ? 4 : 0);
  } else {
    return Malformed::kBadTunnel;
  }
  if (!s.Has(len)) return Malformed::kBadTunnel;
  s.Skip(len);

  if (version == 1) return DecodePpp(s, next);
  switch (proto) {
    case kEtherIpv4:
    case kEtherIpv6:
      next.kind = TunnelKind::kGre;
      next.ethertype = proto;
      return Malformed::kNone;
    case kGreEthernet:
      next.kind = TunnelKind::kGre;
      next.ethernet = true;
      return Malformed::kNone;
    case kGreErspan2:
    case kGreErspan3: {
      size_t header = 0;
      if (proto == kGreErspan3) {
        if (!s.Has(12)) return Malformed::kBadTunnel;
        header = 12 + ((s.U8(11) & 0x01) != 0 ? 8 : 0);  // O flag: platform subheader
      } else if (sequence) {
        header = 8;  // type II; type I has no ERSPAN header and no GRE sequence number
      }
      if (!s.Has(header)) return Malformed::kBadTunnel;
      s.Skip(header);
      next.kind = TunnelKind::kErspan;
      next.ethernet = true;
      return Malformed::kNone;
    }
    default:
      return Malformed::kNone;  // another payload (e.g. WCCP, NVGRE keys): not followed
  }
}

bool DecodeVxlan(const DecodedPacket& out, Span& s) {
  if (out.protocol != kProtoUdp || !out.has_ports || out.dst_port != kVxlanPort) return false;
  if (out.payload_captured < 8 || (out.payload[0] & 0x08) == 0) return false;  // I flag
  s.p = out.payload + 8;
  s.cap = out.payload_captured - 8;
  s.wire = out.payload_length - 8;
  return true;
}

bool DecodeGtpU(const DecodedPacket& out, Span& s, uint16_t& ethertype) {
  if (out.protocol != kProtoUdp || !out.has_ports ||
      (out.dst_port != kGtpUPort && out.src_port != kGtpUPort)) {
    return false;
  }
  Span g{out.payload, out.payload_captured, out.payload_length};
  if (!g.Has(8)) return false;
  const uint8_t flags = g.U8(0);
  // Version 1, protocol type GTP, a G-PDU (user data); anything else is signalling.
  if ((flags >> 5) != 1 || (flags & 0x10) == 0 || g.U8(1) != kGtpGpdu) return false;
  size_t len = 8;
  if ((flags & 0x07) != 0) {  // E, S or PN: sequence, N-PDU and next-extension fields
    if (!g.Has(12)) return false;
    len = 12;
    uint8_t next = g.U8(11);
    for (int i = 0; next != 0; ++i) {
      if (i == kMaxGtpExtensions || !g.Has(len + 1)) return false;
      const size_t ext = size_t{g.U8(len)} * 4;  // in 4-byte units, including the next type
      if (ext == 0 || !g.Has(len + ext)) return false;
      next = g.U8(len + ext - 1);
      len += ext;
    }
  }
  g.Skip(len);
  if (!g.Has(1)) return false;
  const uint8_t version = g.U8(0) >> 4;
  if (version != 4 && version != 6) return false;
  ethertype = version == 4 ? kEtherIpv4 : kEtherIpv6;
  s = g;
  return true;
}

}  // namespace vigil::network::detail
