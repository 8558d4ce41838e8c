// Packet decoding: from a captured frame to the innermost IP 5-tuple, without trusting
// any length field and without allocating.
//
// DecodePacket() walks the link layer (Ethernet with VLAN/QinQ, MPLS and PPPoE, Linux
// cooked v1/v2, raw IP, BSD loopback), IPv4 (options skipped, fragments recognised) or
// IPv6 (a bounded extension-header walk), tunnels (GRE incl. ERSPAN and Ethernet over GRE,
// VXLAN, GTP-U, IP-in-IP in all four combinations) down to TCP, UDP, ICMP or ICMPv6. Every step
// checks both the captured bytes (snaplen may cut a frame short) and the length the
// enclosing layer claims (a header may lie); what does not fit is reported as one
// Malformed class and the packet is not used further.
//
// Results are written into a caller-owned DecodedPacket, which is plain data: the payload
// is a pointer into the caller's frame buffer and is valid only as long as that buffer.
// Thread-compatible: the functions keep no state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace vigil::network {

// Link types we decode; values are our own (the collectors map libpcap's DLT_* to them).
enum class LinkType : uint8_t {
  kEthernet,   // DLT_EN10MB
  kLinuxSll,   // DLT_LINUX_SLL (cooked v1)
  kLinuxSll2,  // DLT_LINUX_SLL2 (cooked v2)
  kRaw,        // DLT_RAW / LINKTYPE_RAW: IPv4 or IPv6, chosen by the version nibble
  kIpv4,       // DLT_IPV4
  kIpv6,       // DLT_IPV6
  kNull,       // DLT_NULL: 4-byte address family in the capturing host's byte order
  kLoop,       // DLT_LOOP: 4-byte address family in network byte order
  kCiscoHdlc,  // DLT_C_HDLC: address, control, 2-byte ethertype
  kPpp,        // DLT_PPP, DLT_PPP_SERIAL: PPP in HDLC-like framing (or Cisco HDLC)
  kUnsupported,
};
inline constexpr int kLinkTypeCount = 11;

// Why a packet could not be decoded. Counted per class; kNone means "not malformed".
enum class Malformed : uint8_t {
  kNone = 0,
  kTruncatedLink,       // frame shorter than its link header (or VLAN/MPLS/PPPoE header)
  kUnsupportedLink,     // a link type we do not decode
  kTooManyVlans,        // more VLAN tags (or MPLS labels) than the limit
  kTruncatedIp,         // captured bytes end inside the IP header
  kBadIpVersion,        // version nibble disagrees with the link layer's ethertype
  kBadIpHeader,         // IPv4 IHL < 5, or an IPv6 extension header that overruns
  kBadIpLength,         // total/payload length smaller than the header or beyond the frame
  kTooManyHeaders,      // more IPv6 extension headers than the limit
  kTruncatedTransport,  // captured bytes end inside the TCP/UDP/ICMP header
  kBadTransportLength,  // UDP length field smaller than 8 or beyond the IP payload
  kBadTcpOffset,        // TCP data offset < 5 or beyond the IP payload
  kBadTunnel,           // a GRE/VXLAN/ERSPAN header that is cut short or inconsistent
  kTooManyTunnels,      // more nested tunnels than the limit
  kCount,
};

// Stable lower_snake_case names ("truncated_link", ...), used in skips, metrics and docs.
std::string_view MalformedName(Malformed m);

enum class TunnelKind : uint8_t { kNone, kGre, kErspan, kVxlan, kIpInIp, kGtpU };
// "gre", "erspan", "vxlan", "ipip", "gtp"
std::string_view TunnelKindName(TunnelKind k);

inline constexpr int kMaxVlanTags = 4;     // QinQ is 2; more is hostile or broken
inline constexpr int kMaxMplsLabels = 8;
inline constexpr int kMaxIpv6ExtHeaders = 8;
inline constexpr int kMaxTunnelDepth = 4;

// One IP address as 16 bytes; IPv4 uses the first four.
struct RawIp {
  std::array<uint8_t, 16> b{};
};

// One tunnel crossed on the way in: its kind and the outer IP endpoints that carried it.
struct TunnelLayer {
  TunnelKind kind = TunnelKind::kNone;
  uint8_t ip_version = 0;
  RawIp src, dst;
};

enum class DecodeOutcome : uint8_t {
  kIp,         // an IP packet: the 5-tuple fields below are filled
  kNotIp,      // a well-formed frame that carries no IP (ARP, LLDP, STP, ...)
  kMalformed,  // see DecodedPacket::malformed
};

// TCP flag bits as on the wire.
enum TcpFlag : uint8_t {
  kTcpFin = 0x01, kTcpSyn = 0x02, kTcpRst = 0x04, kTcpPsh = 0x08,
  kTcpAck = 0x10, kTcpUrg = 0x20, kTcpEce = 0x40, kTcpCwr = 0x80,
};

// IP protocol numbers we act on.
enum IpProto : uint8_t {
  kProtoHopByHop = 0, kProtoIcmp = 1, kProtoIpv4 = 4, kProtoTcp = 6, kProtoUdp = 17,
  kProtoIpv6 = 41, kProtoRouting = 43, kProtoFragment = 44, kProtoGre = 47, kProtoAh = 51,
  kProtoIcmpv6 = 58, kProtoNoNext = 59, kProtoDestOpts = 60,
};

struct DecodedPacket {
  DecodeOutcome outcome = DecodeOutcome::kNotIp;
  Malformed malformed = Malformed::kNone;

  uint16_t vlan_count = 0;  // tags on the outermost Ethernet header
  uint16_t vlan_id = 0;     // outermost VLAN id when vlan_count > 0
  uint8_t tunnel_count = 0;
  std::array<TunnelLayer, kMaxTunnelDepth> tunnels{};  // outer to inner

  // The innermost IP packet.
  uint8_t ip_version = 0;  // 4 or 6
  uint8_t protocol = 0;    // transport protocol after any extension headers
  RawIp src, dst;
  bool fragment = false;        // part of a fragmented datagram
  bool later_fragment = false;  // not the first fragment: no transport header
  bool has_ports = false;       // TCP/UDP ports (or ICMP type/code) are valid
  uint16_t src_port = 0;        // for ICMP: the type
  uint16_t dst_port = 0;        // for ICMP: the code
  uint8_t tcp_flags = 0;
  uint32_t tcp_seq = 0;
  uint32_t tcp_ack = 0;
  // The transport payload (captured part) and its length as the headers claim it.
  const uint8_t* payload = nullptr;
  uint32_t payload_captured = 0;
  uint32_t payload_length = 0;
};

// Decodes one frame. `caplen` bytes are readable at `data`; `wirelen` is the frame's length
// on the wire (>= caplen; pass caplen when unknown). Always fills `out` from scratch.
DecodeOutcome DecodePacket(LinkType link, const uint8_t* data, size_t caplen, size_t wirelen,
                           DecodedPacket& out);

}  // namespace vigil::network
