// login(1) and systemd-logind. Dataset access.login.
//
//   FAILED LOGIN (N) on 'TTY' FOR 'U', REASON  → login_failure, failure, attempts N
//   FAILED LOGIN N FROM HOST FOR U, REASON     → login_failure, failure (older login)
//   TOO MANY LOGIN TRIES (N) on 'TTY' FOR 'U'  → login_failure, failure, reason max_attempts
//   ROOT LOGIN [ ]on 'TTY' / LOGIN ON TTY BY U [FROM HOST] → login, success
//   New session ID of user U.                  → session_opened, success (logind)
//   Session ID logged out. ...                 → session_closed, success (logind)
//   Removed session ID.                        → session_removed, success (logind)
// PAM lines go to pam_parser.h; anything else is action `other`.
#pragma once

#include <string_view>

#include "auth_record.h"

namespace vigil::access {

void ParseLogin(std::string_view message, AuthRecord* r);

}  // namespace vigil::access
