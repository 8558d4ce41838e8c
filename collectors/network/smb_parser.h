// SMB NEGOTIATE parser for the network collector: which SMB versions a client offers and a
// server picks (MS-CIFS 2.2.4.52, MS-SMB2 2.2.3/2.2.4).
//
// Input: one TCP segment's payload on port 445 or 139, starting with a NetBIOS session
// message header (type 0x00, 17-bit length) and an SMB1 ("\xFFSMB", command 0x72) or SMB2/3
// ("\xFESMB", command 0) header. Requests give the offered dialects (SMB1: the dialect
// strings; SMB2: the revision numbers), responses the chosen one. There is no reassembly:
// a message cut by the segment's end is parsed when its dialect list is whole, else
// kTruncated. Lists are cut at kMaxSmbDialects entries, SMB1 dialect strings at
// kMaxSmbDialectName bytes (bytes outside 0x20..0x7E kept as "\xNN").
//
// Threading: pure functions, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vigil::network {

inline constexpr size_t kMaxSmbDialects = 32;
inline constexpr size_t kMaxSmbDialectName = 64;

struct SmbNegotiate {
  int version = 0;      // 1 (SMB1 header) or 2 (SMB2/3 header)
  bool request = true;  // false: the server's response
  // Request: offered dialects ("NT LM 0.12", "SMB 2.002", ... for SMB1; "2.0.2", "2.1",
  // "3.0", "3.0.2", "3.1.1", or "0x02ff" form for SMB2).
  std::vector<std::string> dialects;
  // Response: SMB2 the chosen revision ("3.1.1"); SMB1 "" (the index is in dialect_index).
  std::string dialect;
  int dialect_index = -1;  // SMB1 response: index into the request's list (-1: none)
};

enum class SmbParse : uint8_t {
  kOk,
  kNotSmb,     // not a NetBIOS session message with an SMB NEGOTIATE (other SMB traffic)
  kMalformed,  // an SMB NEGOTIATE whose lengths do not hold
  kTruncated,  // the dialect list continues past the segment
};

SmbParse ParseSmbNegotiate(const uint8_t* data, size_t size, SmbNegotiate& out);

// "2.0.2", "2.1", "3.0", "3.0.2", "3.1.1", "2.???" (0x02ff), else "0x" and 4 hex digits.
std::string SmbDialectName(uint16_t revision);

}  // namespace vigil::network
