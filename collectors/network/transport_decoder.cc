// Transport headers: TCP (data offset checked), UDP (length checked), ICMP and ICMPv6.
#include "decoder_internal.h"

namespace vigil::network::detail {
namespace {

void SetPayload(const Span& s, size_t header, DecodedPacket& out) {
  out.payload = s.p + header;
  out.payload_captured = static_cast<uint32_t>(s.cap - header);
  out.payload_length = static_cast<uint32_t>(s.wire - header);
}

// A header that the enclosing fragment cuts short is not malformed: the rest is in the
// next fragment. Elsewhere it is.
Malformed Short(const Span& s, size_t need, const DecodedPacket& out) {
  if (out.fragment && s.wire < need) return Malformed::kNone;
  return Malformed::kTruncatedTransport;
}

Malformed DecodeTcp(const Span& s, DecodedPacket& out) {
  if (!s.Has(20)) return Short(s, 20, out);
  const size_t offset = static_cast<size_t>(s.U8(12) >> 4) * 4;
  if (offset < 20) return Malformed::kBadTcpOffset;
  if (offset > s.wire) return out.fragment ? Malformed::kNone : Malformed::kBadTcpOffset;
  if (offset > s.cap) return Malformed::kTruncatedTransport;
  out.src_port = s.U16(0);
  out.dst_port = s.U16(2);
  out.tcp_seq = s.U32(4);
  out.tcp_ack = s.U32(8);
  out.tcp_flags = s.U8(13);
  out.has_ports = true;
  SetPayload(s, offset, out);
  return Malformed::kNone;
}

Malformed DecodeUdp(Span s, DecodedPacket& out) {
  if (!s.Has(8)) return Short(s, 8, out);
  const size_t length = s.U16(4);
  if (length < 8) return Malformed::kBadTransportLength;
  // The first fragment's UDP length covers the whole datagram, not this fragment.
  if (!out.fragment) {
    if (length > s.wire) return Malformed::kBadTransportLength;
    s.Limit(length);
  }
  out.src_port = s.U16(0);
  out.dst_port = s.U16(2);
  out.has_ports = true;
  SetPayload(s, 8, out);
  return Malformed::kNone;
}

Malformed DecodeIcmp(const Span& s, DecodedPacket& out) {
  if (!s.Has(4)) return Short(s, 4, out);
  out.src_port = s.U8(0);  // type
  out.dst_port = s.U8(1);  // code
  out.has_ports = true;
  SetPayload(s, 4, out);
  return Malformed::kNone;
}

}  // namespace

Malformed DecodeTransport(uint8_t protocol, Span s, DecodedPacket& out) {
  out.has_ports = false;
  out.src_port = out.dst_port = 0;
  out.tcp_flags = 0;
  out.payload = nullptr;
  out.payload_captured = out.payload_length = 0;
  if (out.later_fragment) return Malformed::kNone;
  switch (protocol) {
    case kProtoTcp: return DecodeTcp(s, out);
    case kProtoUdp: return DecodeUdp(s, out);
    case kProtoIcmp:
    case kProtoIcmpv6: return DecodeIcmp(s, out);
    default:
      SetPayload(s, 0, out);
      return Malformed::kNone;
  }
}

}  // namespace vigil::network::detail
