// IpAddress: an IPv4 or IPv6 address as a value type, and IpNetwork (CIDR) matching.
//
// IPv4 addresses are stored as IPv4-mapped IPv6 (::ffff:a.b.c.d) so that one 16-byte
// comparison serves both families; family() still reports what was parsed. Parsing never
// throws and accepts only canonical textual forms (inet_pton); a zone index (%eth0) is
// rejected.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

class IpAddress {
 public:
  enum class Family : uint8_t { kV4, kV6 };

  IpAddress() = default;  // 0.0.0.0
  static std::optional<IpAddress> Parse(std::string_view text);
  static IpAddress FromV4(uint32_t host_order);
  static IpAddress FromV6(const uint8_t bytes[16]);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) { return a.bytes_ == b.bytes_; }
  friend auto operator<=>(const IpAddress& a, const IpAddress& b) { return a.bytes_ <=> b.bytes_; }

 private:
  std::array<uint8_t, 16> bytes_{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
  Family family_ = Family::kV4;
};

// A CIDR block such as 10.0.0.0/8 or 2001:db8::/32. A bare address is a /32 or /128.
class IpNetwork {
 public:
  static std::optional<IpNetwork> Parse(std::string_view text);
  bool Contains(const IpAddress& ip) const;
  std::string ToString() const;

 private:
  IpAddress base_;
  int prefix_ = 0;  // in bits of the 128-bit (mapped) form
};

}  // namespace vigil
