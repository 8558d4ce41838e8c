// DecodePacket: link layer, then IP / tunnel / transport, until the innermost IP packet.
#include "packet_decoder.h"

#include "decoder_internal.h"

namespace vigil::network {

using detail::kEtherIpv4;
using detail::kEtherIpv6;
using detail::Span;

std::string_view MalformedName(Malformed m) {
  switch (m) {
    case Malformed::kNone: return "none";
    case Malformed::kTruncatedLink: return "truncated_link";
    case Malformed::kUnsupportedLink: return "unsupported_link";
    case Malformed::kTooManyVlans: return "too_many_vlans";
    case Malformed::kTruncatedIp: return "truncated_ip";
    case Malformed::kBadIpVersion: return "bad_ip_version";
    case Malformed::kBadIpHeader: return "bad_ip_header";
    case Malformed::kBadIpLength: return "bad_ip_length";
    case Malformed::kTooManyHeaders: return "too_many_headers";
    case Malformed::kTruncatedTransport: return "truncated_transport";
    case Malformed::kBadTransportLength: return "bad_transport_length";
    case Malformed::kBadTcpOffset: return "bad_tcp_offset";
    case Malformed::kBadTunnel: return "bad_tunnel";
    case Malformed::kTooManyTunnels: return "too_many_tunnels";
    case Malformed::kCount: break;
  }
  return "unknown";
}

std::string_view TunnelKindName(TunnelKind k) {
  switch (k) {
    case TunnelKind::kGre: return "gre";
    case TunnelKind::kErspan: return "erspan";
    case TunnelKind::kVxlan: return "vxlan";
    case TunnelKind::kIpInIp: return "ipip";
    case TunnelKind::kGtpU: return "gtp";
    case TunnelKind::kNone: break;
  }
  return "none";
}

namespace {

DecodeOutcome Fail(DecodedPacket& out, Malformed m) {
  out.malformed = m;
  out.outcome = DecodeOutcome::kMalformed;
  return out.outcome;
}

DecodeOutcome Done(DecodedPacket& out, DecodeOutcome outcome) {
  out.outcome = outcome;
  return outcome;
}

// Records the current (outer) IP packet as a tunnel layer before the inner one replaces it.
bool PushTunnel(DecodedPacket& out, TunnelKind kind) {
  if (out.tunnel_count >= kMaxTunnelDepth) return false;
  TunnelLayer& t = out.tunnels[out.tunnel_count++];
  t.kind = kind;
  t.ip_version = out.ip_version;
  t.src = out.src;
  t.dst = out.dst;
  return true;
}

}  // namespace

DecodeOutcome DecodePacket(LinkType link, const uint8_t* data, size_t caplen, size_t wirelen,
                           DecodedPacket& out) {
  out = DecodedPacket{};
  Span s{data, caplen, wirelen < caplen ? caplen : wirelen};
  uint16_t ethertype = detail::kEtherNone;
  if (Malformed m = detail::DecodeLink(link, s, out, ethertype); m != Malformed::kNone) {
    return Fail(out, m);
  }
  // The packet as it stood before the last tunnel was entered: what we report when the
  // tunnel carries something other than IP. VXLAN and GTP-U are recognised by UDP port, a
  // guess: when what follows does not decode, the UDP packet itself is the flow, not a
  // malformed packet.
  DecodedPacket outer;
  bool in_tunnel = false;
  bool guessed = false;
  auto fail = [&](Malformed m) {
    if (!guessed) return Fail(out, m);
    out = outer;
    return Done(out, DecodeOutcome::kIp);
  };
  while (true) {
    if (ethertype != kEtherIpv4 && ethertype != kEtherIpv6) {
      if (!in_tunnel) return Done(out, DecodeOutcome::kNotIp);
      out = outer;
      return Done(out, DecodeOutcome::kIp);
    }
    uint8_t next = 0;
    const Malformed ip = ethertype == kEtherIpv4 ? detail::DecodeIpv4(s, out, next)
                                                 : detail::DecodeIpv6(s, out, next);
    if (ip != Malformed::kNone) return fail(ip);
    if (out.later_fragment) {
      (void)detail::DecodeTransport(next, s, out);  // clears the transport fields
      return Done(out, DecodeOutcome::kIp);
    }

    detail::TunnelNext tunnel;
    if (next == kProtoIpv4 || next == kProtoIpv6) {
      tunnel.kind = TunnelKind::kIpInIp;
      tunnel.ethertype = next == kProtoIpv4 ? kEtherIpv4 : kEtherIpv6;
    } else if (next == kProtoGre) {
      Span gre = s;
      if (Malformed m = detail::DecodeGre(gre, tunnel); m != Malformed::kNone) return fail(m);
      if (tunnel.kind != TunnelKind::kNone) s = gre;
    }
    if (tunnel.kind == TunnelKind::kNone) {
      if (Malformed m = detail::DecodeTransport(next, s, out); m != Malformed::kNone) {
        return fail(m);
      }
      Span inner;
      if (detail::DecodeVxlan(out, inner)) {
        tunnel.kind = TunnelKind::kVxlan;
        tunnel.ethernet = true;
      } else if (detail::DecodeGtpU(out, inner, tunnel.ethertype)) {
        tunnel.kind = TunnelKind::kGtpU;
      } else {
        return Done(out, DecodeOutcome::kIp);
      }
      s = inner;
    }

    // Enter the tunnel.
    outer = out;
    outer.outcome = DecodeOutcome::kIp;
    if (tunnel.kind != TunnelKind::kVxlan && tunnel.kind != TunnelKind::kGtpU) {
      // The outer packet as a flow of its own: protocol GRE / IP-in-IP, no ports.
      outer.payload = s.p;
      outer.payload_captured = static_cast<uint32_t>(s.cap);
      outer.payload_length = static_cast<uint32_t>(s.wire);
    }
    in_tunnel = true;
    if (!PushTunnel(out, tunnel.kind)) return Fail(out, Malformed::kTooManyTunnels);
    guessed = tunnel.kind == TunnelKind::kVxlan || tunnel.kind == TunnelKind::kGtpU;
    out.fragment = out.later_fragment = false;
    ethertype = tunnel.ethertype;
    if (tunnel.ethernet) {
      if (Malformed m = detail::DecodeEthernet(s, out, ethertype, false); m != Malformed::kNone) {
        return fail(m);
      }
    }
  }
}

}  // namespace vigil::network
