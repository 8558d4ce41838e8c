#include "vigil/ip_address.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace vigil {

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  // inet_pton reads a C string: an embedded NUL would hide whatever follows it.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  IpAddress ip;
  if (text.find(':') == std::string_view::npos) {
    // Dotted quad by hand, accepting exactly what inet_pton(AF_INET) accepts: four decimal
    // parts of 0-255 without leading zeros, nothing else.
    int part = 0, digits = 0;
    unsigned value = 0;
    for (const char c : text) {
      if (c >= '0' && c <= '9') {
        if (digits > 0 && value == 0) return std::nullopt;  // leading zero
        value = value * 10 + static_cast<unsigned>(c - '0');
        if (value > 255) return std::nullopt;
        ++digits;
      } else if (c == '.' && digits > 0 && part < 3) {
        ip.bytes_[12 + part++] = static_cast<uint8_t>(value);
        value = 0;
        digits = 0;
      } else {
        return std::nullopt;
      }
    }
    if (part != 3 || digits == 0) return std::nullopt;
    ip.bytes_[15] = static_cast<uint8_t>(value);
    ip.family_ = Family::kV4;
    return ip;
  }
  char buf[INET6_ADDRSTRLEN];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  in6_addr a6{};
  if (inet_pton(AF_INET6, buf, &a6) != 1) return std::nullopt;
  std::memcpy(ip.bytes_.data(), &a6, 16);
  ip.family_ = Family::kV6;
  return ip;
}

IpAddress IpAddress::FromV4(uint32_t host_order) {
  IpAddress ip;
  ip.bytes_[12] = static_cast<uint8_t>(host_order >> 24);
  ip.bytes_[13] = static_cast<uint8_t>(host_order >> 16);
  ip.bytes_[14] = static_cast<uint8_t>(host_order >> 8);
  ip.bytes_[15] = static_cast<uint8_t>(host_order);
  return ip;
}

IpAddress IpAddress::FromV6(const uint8_t bytes[16]) {
  IpAddress ip;
  std::memcpy(ip.bytes_.data(), bytes, 16);
  ip.family_ = Family::kV6;
  return ip;
}

std::string IpAddress::ToString() const {
  if (family_ == Family::kV4) {
    // Dotted quad by hand: glibc's inet_ntop formats IPv4 through sprintf, which made this
    // a tenth of the cost of an auth.log line's event.
    char buf[16];
    char* p = buf;
    for (int i = 12; i < 16; ++i) {
      if (i > 12) *p++ = '.';
      p = std::to_chars(p, buf + sizeof buf, static_cast<unsigned>(bytes_[i])).ptr;
    }
    return std::string(buf, p);
  }
  // IPv6 by hand too, in the text inet_ntop gives (RFC 5952 for the common cases): groups in
  // lower-case hex without leading zeros; the longest run of two or more zero groups (the
  // first of equal runs) as `::`; `::ffff:a.b.c.d` and `::a.b.c.d` for mapped and
  // compatible IPv4 addresses.
  uint16_t words[8];
  for (int i = 0; i < 8; ++i) words[i] = static_cast<uint16_t>((bytes_[2 * i] << 8) | bytes_[2 * i + 1]);
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  if (best_len < 2) best = -1;
  char buf[INET6_ADDRSTRLEN];
  char* p = buf;
  char* const end = buf + sizeof buf;
  for (int i = 0; i < 8; ++i) {
    if (best >= 0 && i >= best && i < best + best_len) {
      if (i == best) *p++ = ':';
      continue;
    }
    if (i != 0) *p++ = ':';
    if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
      for (int k = 12; k < 16; ++k) {
        if (k > 12) *p++ = '.';
        p = std::to_chars(p, end, static_cast<unsigned>(bytes_[k])).ptr;
      }
      return std::string(buf, p);
    }
    p = std::to_chars(p, end, static_cast<unsigned>(words[i]), 16).ptr;
  }
  if (best >= 0 && best + best_len == 8) *p++ = ':';
  return std::string(buf, p);
}

std::optional<IpNetwork> IpNetwork::Parse(std::string_view text) {
  size_t slash = text.find('/');
  auto ip = IpAddress::Parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  int max_bits = ip->is_v4() ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), bits);
    if (ec != std::errc() || end != p.data() + p.size() || p.empty() || bits < 0 ||
        bits > max_bits) {
      return std::nullopt;
    }
  }
  IpNetwork net;
  net.prefix_ = ip->is_v4() ? bits + 96 : bits;
  // Keep only the network part, so that Contains compares prefixes directly.
  std::array<uint8_t, 16> b = ip->bytes();
  for (int i = 0; i < 16; ++i) {
    int keep = std::min(8, std::max(0, net.prefix_ - i * 8));
    b[i] &= static_cast<uint8_t>(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
  }
  net.base_ = ip->is_v4() ? IpAddress::FromV4((uint32_t{b[12]} << 24) | (uint32_t{b[13]} << 16) |
                                               (uint32_t{b[14]} << 8) | b[15])
                          : IpAddress::FromV6(b.data());
  return net;
}

bool IpNetwork::Contains(const IpAddress& ip) const {
  if (ip.is_v4() != base_.is_v4()) return false;
  const auto& a = ip.bytes();
  const auto& b = base_.bytes();
  int full = prefix_ / 8;
  if (std::memcmp(a.data(), b.data(), full) != 0) return false;
  int rest = prefix_ % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>((0xff << (8 - rest)) & 0xff);
  return (a[full] & mask) == (b[full] & mask);
}

std::string IpNetwork::ToString() const {
  return base_.ToString() + "/" + std::to_string(base_.is_v4() ? prefix_ - 96 : prefix_);
}

}  // namespace vigil
