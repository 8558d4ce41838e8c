// SSH identification string ("banner") parser for the network collector (RFC 4253 4.2).
//
// Each side of an SSH connection starts with "SSH-protoversion-softwareversion[ comments]"
// and CR LF. The banner is looked for at the start of the first data segment of each
// direction of a TCP flow. It is read up to the CR or LF, the segment's end, or
// kMaxSshBanner bytes (the RFC's limit, 255 with CR LF), whichever comes first. Bytes
// outside 0x20..0x7E are kept as "\xNN". (Lines a server may send before its banner are
// not skipped: such a banner is not seen.)
//
// Threading: pure functions, no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vigil::network {

inline constexpr size_t kMaxSshBanner = 255;

struct SshBanner {
  std::string version;   // protoversion: "2.0", "1.99", "1.5"
  std::string software;  // softwareversion: "OpenSSH_9.6p1"
  std::string comments;  // after the first space, "" when absent
};

enum class SshParse : uint8_t {
  kOk,
  kNotSsh,     // does not start with "SSH-"
  kMalformed,  // "SSH-" without a protoversion and a softwareversion
};

SshParse ParseSshBanner(const uint8_t* data, size_t size, SshBanner& out);

}  // namespace vigil::network
