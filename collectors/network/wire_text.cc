#include "wire_text.h"

#include <cstdint>

namespace vigil::network {

std::string EscapedText(std::string_view s, size_t max) {
  static constexpr char kHex[] = "0123456789abcdef";
  s = s.substr(0, max);
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<uint8_t>(ch);
    if (c >= 0x20 && c <= 0x7E) {
      out.push_back(ch);
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace vigil::network
