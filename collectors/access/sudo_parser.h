// sudo's syslog messages: `USER : [PROBLEM ; ]TTY=T ; PWD=D ; USER=TARGET ; COMMAND=CMD`.
//
//   no PROBLEM                          → sudo_command, success
//   N incorrect password attempt(s)     → sudo_auth_failure, failure, attempts N
//   user NOT in sudoers                 → sudo_denied, failure, reason not_in_sudoers
//   command not allowed                 → sudo_denied, failure, reason command_not_allowed
//   a password is required              → sudo_auth_failure, failure, reason password_required
//   any other PROBLEM                   → sudo_denied, failure, reason other
// COMMAND= is last and runs to the end of the line (a command may contain ` ; `). PAM lines
// that sudo logs go to pam_parser.h. Anything else is action `other`.
#pragma once

#include <string_view>

#include "auth_record.h"

namespace vigil::access {

void ParseSudo(std::string_view message, AuthRecord* r);

}  // namespace vigil::access
