// Hand-built frames for the network collector tests: each function returns the bytes of
// one layer wrapped around its payload. Checksums are left zero (nothing checks them).
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace vigil::network::testing {

using Bytes = std::vector<uint8_t>;

inline void Put16(Bytes& b, uint16_t v) {
  b.push_back(static_cast<uint8_t>(v >> 8));
  b.push_back(static_cast<uint8_t>(v));
}
inline void Put32(Bytes& b, uint32_t v) {
  Put16(b, static_cast<uint16_t>(v >> 16));
  Put16(b, static_cast<uint16_t>(v));
}
inline Bytes Cat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}
inline Bytes Ip4Bytes(const char* text) {
  Bytes b(4);
  inet_pton(AF_INET, text, b.data());
  return b;
}
inline Bytes Ip6Bytes(const char* text) {
  Bytes b(16);
  inet_pton(AF_INET6, text, b.data());
  return b;
}

// Ethernet with optional VLAN tags given as (TPID, TCI) pairs, outermost first.
inline Bytes Eth(uint16_t ethertype, const Bytes& payload,
                 std::initializer_list<std::pair<uint16_t, uint16_t>> tags = {}) {
  Bytes b = {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb};
  for (const auto& [tpid, tci] : tags) {
    Put16(b, tpid);
    Put16(b, tci);
  }
  Put16(b, ethertype);
  return Cat(b, payload);
}

struct Ip4Options {
  Bytes options;          // appended to the 20-byte header (multiple of 4)
  uint16_t frag = 0;      // flags + fragment offset field
  int total_length = -1;  // override of the computed total length
  int ihl = -1;           // override of the computed header length (in 32-bit words)
  uint8_t version = 4;
};

inline Bytes Ipv4(const char* src, const char* dst, uint8_t proto, const Bytes& payload,
                  const Ip4Options& o = {}) {
  const size_t header = 20 + o.options.size();
  Bytes b;
  b.push_back(static_cast<uint8_t>(o.version << 4 | (o.ihl >= 0 ? o.ihl : header / 4)));
  b.push_back(0);
  Put16(b, static_cast<uint16_t>(o.total_length >= 0 ? o.total_length : header + payload.size()));
  Put16(b, 0x1234);
  Put16(b, o.frag);
  b.push_back(64);
  b.push_back(proto);
  Put16(b, 0);
  b = Cat(b, Ip4Bytes(src));
  b = Cat(b, Ip4Bytes(dst));
  b = Cat(b, o.options);
  return Cat(b, payload);
}

// IPv6; `payload` may begin with extension headers (their chain starts at `next`).
inline Bytes Ipv6(const char* src, const char* dst, uint8_t next, const Bytes& payload,
                  int payload_length = -1) {
  Bytes b = {0x60, 0, 0, 0};
  Put16(b, static_cast<uint16_t>(payload_length >= 0 ? payload_length : payload.size()));
  b.push_back(next);
  b.push_back(64);
  b = Cat(b, Ip6Bytes(src));
  b = Cat(b, Ip6Bytes(dst));
  return Cat(b, payload);
}

// A generic IPv6 extension header of 8 bytes (hop-by-hop, routing, destination options).
inline Bytes Ext6(uint8_t next) { return {next, 0, 0, 0, 0, 0, 0, 0}; }

inline Bytes Tcp(uint16_t sport, uint16_t dport, uint8_t flags, const Bytes& payload = {},
                 int data_offset_words = 5, uint32_t seq = 1000, uint32_t ack = 0) {
  Bytes b;
  Put16(b, sport);
  Put16(b, dport);
  Put32(b, seq);
  Put32(b, ack);
  b.push_back(static_cast<uint8_t>(data_offset_words << 4));
  b.push_back(flags);
  Put16(b, 65535);
  Put32(b, 0);
  for (int i = 5; i < data_offset_words && b.size() < 60; ++i) Put32(b, 0x01010101);  // NOPs
  return Cat(b, payload);
}

inline Bytes Udp(uint16_t sport, uint16_t dport, const Bytes& payload = {}, int length = -1) {
  Bytes b;
  Put16(b, sport);
  Put16(b, dport);
  Put16(b, static_cast<uint16_t>(length >= 0 ? length : 8 + payload.size()));
  Put16(b, 0);
  return Cat(b, payload);
}

inline Bytes Icmp(uint8_t type, uint8_t code, const Bytes& payload = {0, 1, 0, 1}) {
  Bytes b = {type, code, 0, 0};
  return Cat(b, payload);
}

inline Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace vigil::network::testing
