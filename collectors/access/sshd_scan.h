// Scanners for the pieces sshd puts around user names and hosts. User names come from
// the client and may contain anything (` from 10.0.0.1 port 22 ssh2`, `: `), so these look
// for the shape of what sshd itself writes after the user and accept the leftmost place
// where that shape ends the message.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace vigil::access {

struct FromMatch {
  size_t at = 0;          // index of the " from " that introduced the host
  std::string_view host;
  int64_t port = -1;
  std::string_view tail;  // what followed (one of the accepted tails, or empty)
};

// Finds, searching from `start`, the leftmost ` from HOST[ port N][ on ADDR port P]
// [ sshN]` that is followed by the end of `s` or by one of `tails` (e.g. ": ", " via ").
bool FindFrom(std::string_view s, size_t start, std::initializer_list<std::string_view> tails,
              FromMatch* out);

// Splits `[USER ]HOST[ port N]` (the user may contain spaces; the host is the last word
// before the optional port). With `with_user` false, all of `s` up to the port is the host.
bool SplitUserHostPort(std::string_view s, bool with_user, std::string_view* user,
                       std::string_view* host, int64_t* port);

// Removes `invalid user ` or `illegal user ` at the front; true when there was one.
bool ConsumeInvalidUser(std::string_view* s);

}  // namespace vigil::access
