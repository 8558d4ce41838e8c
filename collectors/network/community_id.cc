#include "community_id.h"

#include <openssl/evp.h>

#include <array>
#include <cstring>

namespace vigil::network {
namespace {

std::string Base64(const uint8_t* data, size_t n);

}  // namespace

bool IcmpCounterpartType(uint8_t protocol, uint16_t type, uint16_t& other) {
  struct Pair {
    uint8_t a, b;
  };
  static constexpr Pair kV4[] = {{8, 0}, {13, 14}, {15, 16}, {10, 9}, {17, 18}};
  static constexpr Pair kV6[] = {{128, 129}, {133, 134}, {135, 136},
                                 {130, 131}, {139, 140}, {144, 145}};
  const Pair* begin = protocol == kProtoIcmp ? kV4 : kV6;
  const size_t n = protocol == kProtoIcmp ? std::size(kV4) : std::size(kV6);
  for (size_t i = 0; i < n; ++i) {
    if (type == begin[i].a) { other = begin[i].b; return true; }
    if (type == begin[i].b) { other = begin[i].a; return true; }
  }
  return false;
}

namespace {

std::string Base64(const uint8_t* data, size_t n) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  for (size_t i = 0; i < n; i += 3) {
    const uint32_t v = uint32_t{data[i]} << 16 | (i + 1 < n ? uint32_t{data[i + 1]} << 8 : 0) |
                       (i + 2 < n ? uint32_t{data[i + 2]} : 0);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += i + 1 < n ? kAlphabet[v >> 6 & 63] : '=';
    out += i + 2 < n ? kAlphabet[v & 63] : '=';
  }
  return out;
}

}  // namespace

std::string CommunityIdV1(const CommunityIdInput& in, uint16_t seed) {
  const size_t alen = in.ip_version == 6 ? 16 : 4;
  const uint8_t* a = in.src.b.data();
  const uint8_t* b = in.dst.b.data();
  uint16_t pa = in.src_port;
  uint16_t pb = in.dst_port;
  bool one_way = false;
  const bool icmp = in.protocol == kProtoIcmp || in.protocol == kProtoIcmpv6;
  if (icmp && in.has_ports) {
    uint16_t other = 0;
    if (IcmpCounterpartType(in.protocol, pa, other)) {
      pb = other;
    } else {
      one_way = true;  // type and code as given, never reordered
    }
  }
  // Canonical order: the smaller address first, on a tie the smaller port.
  const int cmp = std::memcmp(a, b, alen);
  if (!one_way && (cmp > 0 || (cmp == 0 && in.has_ports && pa > pb))) {
    std::swap(a, b);
    std::swap(pa, pb);
  }

  std::array<uint8_t, 2 + 16 + 16 + 2 + 4> buf{};
  size_t n = 0;
  buf[n++] = static_cast<uint8_t>(seed >> 8);
  buf[n++] = static_cast<uint8_t>(seed);
  std::memcpy(buf.data() + n, a, alen);
  n += alen;
  std::memcpy(buf.data() + n, b, alen);
  n += alen;
  buf[n++] = in.protocol;
  buf[n++] = 0;
  if (in.has_ports) {
    buf[n++] = static_cast<uint8_t>(pa >> 8);
    buf[n++] = static_cast<uint8_t>(pa);
    buf[n++] = static_cast<uint8_t>(pb >> 8);
    buf[n++] = static_cast<uint8_t>(pb);
  }
  std::array<uint8_t, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (EVP_Digest(buf.data(), n, md.data(), &md_len, EVP_sha1(), nullptr) != 1) md_len = 0;
  return "1:" + Base64(md.data(), md_len);
}

}  // namespace vigil::network
