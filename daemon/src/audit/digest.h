// SHA-256, hex and base64 helpers for the audit log (OpenSSL EVP underneath).
//
// Threading: free functions with no shared state; call from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::audit {

using Hash = std::array<uint8_t, 32>;

Hash Sha256(std::string_view data);
// SHA-256 of the concatenation of `prefix` (one byte) and `data`, without copying.
Hash Sha256(uint8_t prefix, std::string_view data);
Hash Sha256(uint8_t prefix, const Hash& left, const Hash& right);

std::string Hex(std::string_view bytes);
std::string Hex(const Hash& h);
std::optional<Hash> HashFromHex(std::string_view hex);

std::string Base64(std::string_view bytes);
// Strict standard base64 with padding; nullopt on any other character or bad length.
std::optional<std::string> FromBase64(std::string_view text);

inline std::string_view AsBytes(const Hash& h) {
  return {reinterpret_cast<const char*>(h.data()), h.size()};
}

}  // namespace vigil::audit
