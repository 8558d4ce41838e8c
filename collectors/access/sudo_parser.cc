#include "sudo_parser.h"

#include "pam_parser.h"

namespace vigil::access {

void ParseSudo(std::string_view message, AuthRecord* r) {
  std::string_view msg = Trim(message);
  if (IsPamMessage(msg)) {
    ParsePam(msg, r);
    return;
  }
  r->dataset = "access.sudo";
  r->category = "authentication";
  r->action = "other";
  const size_t sep = msg.find(" : ");
  if (sep == std::string_view::npos || sep == 0 || msg.substr(0, sep).find(' ') != std::string_view::npos) {
    return;
  }
  std::string_view rest = msg.substr(sep + 3);
  std::string_view problem;
  bool any_key = false;
  while (!rest.empty()) {
    if (Consume(&rest, "COMMAND=")) {
      r->command = rest;
      any_key = true;
      break;
    }
    const size_t end = rest.find(" ; ");
    const std::string_view item = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 3);
    std::string_view value = item;
    if (Consume(&value, "TTY=")) {
      r->tty = value;
    } else if (Consume(&value, "PWD=")) {
      r->cwd = value;
    } else if (Consume(&value, "USER=")) {
      r->target_user = value;
    } else if (item.find('=') == std::string_view::npos && problem.empty()) {
      problem = item;
      continue;
    } else {
      continue;  // GROUP=, ENV=, TSID=...
    }
    any_key = true;
  }
  if (!any_key) return;
  r->user = msg.substr(0, sep);
  r->has_user = true;
  r->category = "process";
  r->type = "start";
  if (problem.empty()) {
    r->action = "sudo_command";
    r->outcome = Outcome::kSuccess;
    return;
  }
  r->outcome = Outcome::kFailure;
  r->type = "denied";
  r->category = "authentication";
  const size_t sp = problem.find(' ');
  const int64_t n = ParseSmallInt(problem.substr(0, sp));
  if (n >= 0 && sp != std::string_view::npos &&
      StartsWith(problem.substr(sp + 1), "incorrect password attempt")) {
    r->action = "sudo_auth_failure";
    r->reason = "bad_password";
    r->attempts = n;
  } else if (problem == "user NOT in sudoers") {
    r->action = "sudo_denied";
    r->reason = "not_in_sudoers";
  } else if (problem == "command not allowed") {
    r->action = "sudo_denied";
    r->reason = "command_not_allowed";
  } else if (problem == "a password is required") {
    r->action = "sudo_auth_failure";
    r->reason = "password_required";
  } else {
    r->action = "sudo_denied";
    r->reason = "other";
  }
}

}  // namespace vigil::access
