// Text taken off the wire for events, shared by the application parsers (HTTP, SSH, SMB,
// cleartext logins): what an event may hold of bytes a peer sent, and base64 digits.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace vigil::network {

// The first `max` bytes of `s` with printable ASCII (0x20..0x7E) kept and every other byte
// written as `\xNN` (lower-case hex), so an event never carries control bytes or invalid
// UTF-8 from a packet.
std::string EscapedText(std::string_view s, size_t max = std::string_view::npos);

// The value (0..63) of a standard base64 digit, or -1 (also for the padding '=').
int Base64Value(char c);

}  // namespace vigil::network
