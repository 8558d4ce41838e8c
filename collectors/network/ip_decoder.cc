// IPv4 (options skipped, fragments recognised) and IPv6 (bounded extension-header walk).
#include <cstring>

#include "decoder_internal.h"

namespace vigil::network::detail {
namespace {

constexpr uint8_t kProtoMobility = 135;
constexpr uint8_t kProtoHip = 139;
constexpr uint8_t kProtoShim6 = 140;

bool IsGenericExtension(uint8_t next) {
  return next == kProtoHopByHop || next == kProtoRouting || next == kProtoDestOpts ||
         next == kProtoMobility || next == kProtoHip || next == kProtoShim6;
}

// Checks that an extension header of `len` bytes fits, first as claimed, then as captured.
Malformed FitExtension(const Span& s, size_t len) {
  if (len > s.wire) return Malformed::kBadIpHeader;
  if (len > s.cap) return Malformed::kTruncatedIp;
  return Malformed::kNone;
}

}  // namespace

Malformed DecodeIpv4(Span& s, DecodedPacket& out, uint8_t& next) {
  if (!s.Has(20)) return Malformed::kTruncatedIp;
  if (s.U8(0) >> 4 != 4) return Malformed::kBadIpVersion;
  const size_t header = size_t{s.U8(0) & 0x0fu} * 4;
  if (header < 20) return Malformed::kBadIpHeader;
  if (!s.Has(header)) return Malformed::kTruncatedIp;
  size_t total = s.U16(2);
  // A total length of 0 is what segmentation offload leaves in locally captured packets:
  // the frame's own length is the only one there is.
  if (total == 0) total = s.wire;
  if (total < header || total > s.wire) return Malformed::kBadIpLength;

  const uint16_t frag = s.U16(6);
  const uint16_t offset = frag & 0x1fff;
  const bool more = (frag & 0x2000) != 0;
  out.ip_version = 4;
  out.fragment = more || offset != 0;
  out.later_fragment = offset != 0;
  out.src = RawIp{};
  out.dst = RawIp{};
  std::memcpy(out.src.b.data(), s.p + 12, 4);
  std::memcpy(out.dst.b.data(), s.p + 16, 4);
  next = s.U8(9);
  out.protocol = next;
  s.Limit(total);
  s.Skip(header);
  return Malformed::kNone;
}

Malformed DecodeIpv6(Span& s, DecodedPacket& out, uint8_t& next) {
  if (!s.Has(40)) return Malformed::kTruncatedIp;
  if (s.U8(0) >> 4 != 6) return Malformed::kBadIpVersion;
  const size_t payload = s.U16(4);
  next = s.U8(6);
  // Payload length 0 with a hop-by-hop header is a jumbogram: the frame bounds it.
  if (!(payload == 0 && next == kProtoHopByHop)) {
    if (40 + payload > s.wire) return Malformed::kBadIpLength;
    s.Limit(40 + payload);
  }
  out.ip_version = 6;
  out.fragment = false;
  out.later_fragment = false;
  std::memcpy(out.src.b.data(), s.p + 8, 16);
  std::memcpy(out.dst.b.data(), s.p + 24, 16);
  s.Skip(40);

  for (int count = 0;; ++count) {
    const bool generic = IsGenericExtension(next);
    if (!generic && next != kProtoFragment && next != kProtoAh) break;
    if (count == kMaxIpv6ExtHeaders) return Malformed::kTooManyHeaders;
    if (Malformed m = FitExtension(s, 8); m != Malformed::kNone) return m;
    const uint8_t following = s.U8(0);
    size_t len = 8;
    if (generic) {
      len = (size_t{s.U8(1)} + 1) * 8;
    } else if (next == kProtoAh) {
      len = (size_t{s.U8(1)} + 2) * 4;
    } else {  // fragment header: fixed 8 bytes
      const uint16_t frag = s.U16(2);
      const uint16_t offset = frag >> 3;
      out.fragment = out.fragment || offset != 0 || (frag & 1) != 0;
      out.later_fragment = offset != 0;
    }
    if (Malformed m = FitExtension(s, len); m != Malformed::kNone) return m;
    s.Skip(len);
    next = following;
    if (out.later_fragment) break;
  }
  out.protocol = next;
  return Malformed::kNone;
}

}  // namespace vigil::network::detail
