// su's messages, util-linux and the older shadow-utils forms:
//
//   (to TARGET) USER on TTY              → su_session, success   (util-linux)
//   FAILED SU (to TARGET) USER on TTY    → su_failure, failure   (util-linux)
//   Successful su for TARGET by USER     → su_session, success   (shadow-utils)
//   FAILED su for TARGET by USER         → su_failure, failure   (shadow-utils)
//   + TTY USER:TARGET / - TTY USER:TARGET → su_session success / su_failure failure
// PAM lines go to pam_parser.h; anything else is action `other`.
#pragma once

#include <string_view>

#include "auth_record.h"

namespace vigil::access {

void ParseSu(std::string_view message, AuthRecord* r);

}  // namespace vigil::access
