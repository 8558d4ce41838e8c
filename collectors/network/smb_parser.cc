#include "smb_parser.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "wire_text.h"

namespace vigil::network {
namespace {

constexpr size_t kNetbiosHeader = 4;
constexpr size_t kSmb1Header = 32;
constexpr size_t kSmb2Header = 64;
constexpr uint8_t kSmb1Negotiate = 0x72;
constexpr uint8_t kSmb1FlagReply = 0x80;
constexpr uint32_t kSmb2FlagResponse = 0x1;

uint16_t Le16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t Le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// SMB1 after the header: WordCount, words, ByteCount, bytes.
SmbParse Smb1(const uint8_t* p, size_t n, size_t declared, SmbNegotiate& out) {
  out.version = 1;
  size_t off = kSmb1Header;
  if (n < off + 1) return declared > n ? SmbParse::kTruncated : SmbParse::kMalformed;
  out.request = (p[9] & kSmb1FlagReply) == 0;
  const size_t words = p[off];
  ++off;
  if (!out.request) {
    // The dialect index is the first word of any response (0xFFFF: none accepted).
    if (words < 1) return SmbParse::kMalformed;
    if (n < off + 2) return declared > n ? SmbParse::kTruncated : SmbParse::kMalformed;
    const uint16_t index = Le16(p + off);
    out.dialect_index = index == 0xFFFF ? -1 : index;
    return SmbParse::kOk;
  }
  off += 2 * words;
  if (n < off + 2) return declared > n ? SmbParse::kTruncated : SmbParse::kMalformed;
  const size_t bytes = Le16(p + off);
  off += 2;
  if (off + bytes > declared) return SmbParse::kMalformed;
  if (off + bytes > n) return SmbParse::kTruncated;
  const uint8_t* b = p + off;
  const uint8_t* end = b + bytes;
  while (b < end) {
    if (*b != 0x02) return SmbParse::kMalformed;  // buffer format: dialect string
    ++b;
    const void* nul = std::memchr(b, 0, static_cast<size_t>(end - b));
    if (nul == nullptr) return SmbParse::kMalformed;
    const auto* z = static_cast<const uint8_t*>(nul);
    if (out.dialects.size() < kMaxSmbDialects) {
      out.dialects.push_back(
          EscapedText(std::string_view(reinterpret_cast<const char*>(b), static_cast<size_t>(z - b)),
                      kMaxSmbDialectName));
    }
    b = z + 1;
  }
  return SmbParse::kOk;
}

SmbParse Smb2(const uint8_t* p, size_t n, size_t declared, SmbNegotiate& out) {
  out.version = 2;
  if (n < kSmb2Header) return declared > n ? SmbParse::kTruncated : SmbParse::kMalformed;
  if (Le16(p + 4) != 64) return SmbParse::kMalformed;  // StructureSize
  out.request = (Le32(p + 16) & kSmb2FlagResponse) == 0;
  const uint8_t* body = p + kSmb2Header;
  const size_t left = n - kSmb2Header;
  const size_t declared_left = declared - kSmb2Header;
  if (!out.request) {
    // StructureSize (65), SecurityMode, DialectRevision
    if (left < 6) return declared_left > left ? SmbParse::kTruncated : SmbParse::kMalformed;
    if (Le16(body) != 65) {
      return Le32(p + 8) != 0 ? SmbParse::kNotSmb : SmbParse::kMalformed;  // an error reply
    }
    out.dialect = SmbDialectName(Le16(body + 4));
    return SmbParse::kOk;
  }
  // StructureSize (36), DialectCount, SecurityMode, Reserved, Capabilities, ClientGuid (16),
  // then 8 bytes, then the dialects.
  constexpr size_t kFixed = 36;
  if (left < 4) return declared_left > left ? SmbParse::kTruncated : SmbParse::kMalformed;
  if (Le16(body) != 36) return SmbParse::kMalformed;
  const size_t count = Le16(body + 2);
  if (count == 0 || kFixed + 2 * count > declared_left) return SmbParse::kMalformed;
  if (kFixed + 2 * count > left) return SmbParse::kTruncated;
  for (size_t i = 0; i < count && i < kMaxSmbDialects; ++i) {
    out.dialects.push_back(SmbDialectName(Le16(body + kFixed + 2 * i)));
  }
  return SmbParse::kOk;
}

}  // namespace

std::string SmbDialectName(uint16_t revision) {
  switch (revision) {
    case 0x0202:
      return "2.0.2";
    case 0x0210:
      return "2.1";
    case 0x02FF:
      return "2.???";
    case 0x0300:
      return "3.0";
    case 0x0302:
      return "3.0.2";
    case 0x0311:
      return "3.1.1";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%04x", revision);
      return buf;
    }
  }
}

SmbParse ParseSmbNegotiate(const uint8_t* data, size_t size, SmbNegotiate& out) {
  out = SmbNegotiate{};
  // NetBIOS session message: type 0, then 7 reserved bits and a 17-bit length.
  if (size < kNetbiosHeader + 5 || data[0] != 0x00 || (data[1] & 0xFE) != 0) {
    return SmbParse::kNotSmb;
  }
  const size_t declared = (size_t{data[1]} & 1) << 16 | size_t{data[2]} << 8 | data[3];
  const uint8_t* p = data + kNetbiosHeader;
  const size_t n = size - kNetbiosHeader;
  if (std::memcmp(p, "\xFFSMB", 4) == 0) {
    if (p[4] != kSmb1Negotiate) return SmbParse::kNotSmb;
    if (declared < kSmb1Header + 1) return SmbParse::kMalformed;
    return Smb1(p, std::min(n, declared), declared, out);
  }
  if (std::memcmp(p, "\xFESMB", 4) == 0) {
    if (n < 14) return SmbParse::kNotSmb;
    if (Le16(p + 12) != 0) return SmbParse::kNotSmb;  // Command: NEGOTIATE
    if (declared < kSmb2Header) return SmbParse::kMalformed;
    return Smb2(p, std::min(n, declared), declared, out);
  }
  return SmbParse::kNotSmb;
}

}  // namespace vigil::network
