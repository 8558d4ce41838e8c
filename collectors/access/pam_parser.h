// PAM module messages, whichever program logged them: `pam_unix(SERVICE:TYPE): TEXT`, the
// older `(pam_unix) TEXT` and `pam_unix: TEXT`, and other pam_* modules' session lines.
//
//   authentication failure; logname= uid= euid= tty= ruser= rhost= [ user=]
//                                       → pam_auth_failure, failure (source = rhost,
//                                         user = user= or else ruser=)
//   check pass; user unknown            → pam_auth_failure, failure, reason invalid_user
//   auth could not identify password for [U] → pam_auth_failure, failure
//   session opened for user U[(uid=N)] by [L][(uid=M)] → session_opened, success
//   session closed for user U           → session_closed, success
//   password changed for U              → password_changed, success (category iam)
//   anything else                       → other
//
// The rhost= value is one word followed by the end or by `user=`: a ruser= value that
// contains ` rhost=` (the client chose it) does not move the source.
#pragma once

#include <string_view>

#include "auth_record.h"

namespace vigil::access {

// Whether `message` starts like a PAM module's message.
bool IsPamMessage(std::string_view message);

// Fills `r` (dataset access.pam). Call only when IsPamMessage(message).
void ParsePam(std::string_view message, AuthRecord* r);

}  // namespace vigil::access
