#include "login_parser.h"

#include "pam_parser.h"

namespace vigil::access {
namespace {

std::string_view Unquote(std::string_view v) {
  v = Trim(v);
  if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') v = v.substr(1, v.size() - 2);
  return v;
}

// "... on 'TTY' FOR 'U', REASON" or "... FROM HOST FOR U, REASON".
void TtyAndUser(std::string_view rest, AuthRecord* r) {
  const size_t for_at = rest.find(" FOR ");
  if (for_at == std::string_view::npos) return;
  std::string_view head = rest.substr(0, for_at);
  std::string_view user = rest.substr(for_at + 5);
  user = user.substr(0, user.rfind(", "));
  r->user = Unquote(user);
  r->has_user = true;
  const size_t on = head.find(" on ");
  if (on != std::string_view::npos) r->tty = Unquote(head.substr(on + 4));
  const size_t from = head.find(" FROM ");
  if (from != std::string_view::npos) r->source = Trim(head.substr(from + 6));
}

void Session(std::string_view action, std::string_view type, std::string_view id, AuthRecord* r) {
  r->action = action;
  r->outcome = Outcome::kSuccess;
  r->category = "session";
  r->type = type;
  r->session = id;
}

}  // namespace

void ParseLogin(std::string_view message, AuthRecord* r) {
  std::string_view msg = Trim(message);
  if (IsPamMessage(msg)) {
    ParsePam(msg, r);
    return;
  }
  r->dataset = "access.login";
  r->category = "authentication";
  r->action = "other";
  std::string_view rest = msg;
  if (Consume(&rest, "FAILED LOGIN ") || Consume(&rest, "TOO MANY LOGIN TRIES ")) {
    const bool too_many = StartsWith(msg, "TOO MANY");
    std::string_view count = rest.substr(0, rest.find(' '));
    if (!count.empty() && count.front() == '(' && count.back() == ')') {
      count = count.substr(1, count.size() - 2);
    }
    r->attempts = ParseSmallInt(count);
    TtyAndUser(rest, r);
    r->action = "login_failure";
    r->outcome = Outcome::kFailure;
    r->type = "info";
    r->reason = too_many ? "max_attempts" : "bad_password";
  } else if (Consume(&rest, "ROOT LOGIN ")) {
    const size_t on = rest.find("on ");
    if (on != std::string_view::npos) r->tty = Unquote(rest.substr(on + 3));
    r->user = "root";
    r->has_user = true;
    r->action = "login";
    r->outcome = Outcome::kSuccess;
    r->type = "start";
  } else if (Consume(&rest, "LOGIN ON ")) {
    const size_t by = rest.find(" BY ");
    r->tty = rest.substr(0, by);
    if (by != std::string_view::npos) {
      std::string_view user = rest.substr(by + 4);
      const size_t from = user.find(" FROM ");
      if (from != std::string_view::npos) r->source = Trim(user.substr(from + 6));
      r->user = user.substr(0, from);
      r->has_user = true;
    }
    r->action = "login";
    r->outcome = Outcome::kSuccess;
    r->type = "start";
  } else if (Consume(&rest, "New session ")) {
    const size_t of = rest.find(" of user ");
    if (of == std::string_view::npos) return;
    std::string_view user = rest.substr(of + 9);
    if (EndsWith(user, ".")) user.remove_suffix(1);
    r->user = user;
    r->has_user = true;
    Session("session_opened", "start", rest.substr(0, of), r);
  } else if (Consume(&rest, "Session ")) {
    const size_t sp = rest.find(" logged out.");
    if (sp == std::string_view::npos) return;
    Session("session_closed", "end", rest.substr(0, sp), r);
  } else if (Consume(&rest, "Removed session ")) {
    if (EndsWith(rest, ".")) rest.remove_suffix(1);
    Session("session_removed", "end", rest, r);
  }
}

}  // namespace vigil::access
