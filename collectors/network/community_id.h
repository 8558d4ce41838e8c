// Community ID v1: a flow hash that other tools (Zeek, Suricata, Wireshark, Elastic) compute
// the same way, so that a flow can be looked up across them.
//
// Defined by the Community ID specification (corelight/community-id-spec): SHA-1 over
// seed (2 bytes), the two addresses, protocol, a zero pad byte and the two ports, all in
// network byte order, endpoints in a canonical order; the result is "1:" + base64. For
// ICMP and ICMPv6 the "ports" are the type and the code, or the type and the type of its
// answer (echo request/reply and friends), which makes such pairs one flow.
#pragma once

#include <cstdint>
#include <string>

#include "packet_decoder.h"

namespace vigil::network {

struct CommunityIdInput {
  uint8_t ip_version = 4;  // 4 or 6
  RawIp src, dst;
  uint8_t protocol = 0;
  bool has_ports = false;  // TCP, UDP, SCTP ports; ICMP type (src_port) and code (dst_port)
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
};

// "1:<base64 of SHA-1>". Deterministic; never fails.
std::string CommunityIdV1(const CommunityIdInput& in, uint16_t seed = 0);

}  // namespace vigil::network

namespace vigil::network {

// For ICMP (protocol 1) and ICMPv6 (58): the message type that answers or asks `type`
// (echo request 8 <-> reply 0, ...), as the Community ID specification pairs them.
bool IcmpCounterpartType(uint8_t protocol, uint16_t type, uint16_t& other);

}  // namespace vigil::network
