#include "pam_parser.h"

namespace vigil::access {
namespace {

// The first word of `s`.
std::string_view Word(std::string_view s) { return s.substr(0, s.find(' ')); }

// "user U(uid=N) by L(uid=M)" → U and L (L may be empty).
void SessionUsers(std::string_view rest, AuthRecord* r) {
  std::string_view who = rest;
  std::string_view by;
  const size_t by_at = rest.find(" by ");
  if (by_at != std::string_view::npos) {
    who = rest.substr(0, by_at);
    by = rest.substr(by_at + 4);
  }
  const auto strip_uid = [](std::string_view v) {
    const size_t paren = v.find('(');
    return Trim(paren == std::string_view::npos ? v : v.substr(0, paren));
  };
  who = strip_uid(who);
  by = strip_uid(by);
  if (!by.empty() && by != who) {
    r->user = by;
    r->target_user = who;
  } else {
    r->user = who;
  }
  r->has_user = !r->user.empty();
}

void AuthFailure(std::string_view kv, AuthRecord* r) {
  r->action = "pam_auth_failure";
  r->outcome = Outcome::kFailure;
  r->type = "info";
  r->reason = "bad_password";
  std::string_view ruser, rhost, user;
  const size_t tty = kv.find("tty=");
  if (tty != std::string_view::npos) r->tty = Word(kv.substr(tty + 4));
  const size_t ru = kv.find("ruser=");
  const size_t search_from = ru == std::string_view::npos ? 0 : ru + 6;
  for (size_t at = kv.find(" rhost=", search_from); at != std::string_view::npos;
       at = kv.find(" rhost=", at + 1)) {
    std::string_view after = kv.substr(at + 7);
    const std::string_view host = Word(after);
    after.remove_prefix(host.size());
    std::string_view rest = Trim(after);
    if (!rest.empty() && !StartsWith(rest, "user=")) continue;
    if (ru != std::string_view::npos) ruser = Trim(kv.substr(ru + 6, at - ru - 6));
    rhost = host;
    if (Consume(&rest, "user=")) user = Trim(rest);
    break;
  }
  if (rhost.empty() && ru != std::string_view::npos) ruser = Word(kv.substr(ru + 6));
  r->source = rhost;
  r->user = user.empty() ? ruser : user;
  r->has_user = !r->user.empty();
}

}  // namespace

bool IsPamMessage(std::string_view message) {
  return StartsWith(message, "pam_") || StartsWith(message, "(pam_");
}

void ParsePam(std::string_view message, AuthRecord* r) {
  r->dataset = "access.pam";
  r->category = "authentication";
  r->action = "other";
  std::string_view msg = TrimRight(message);
  if (msg.empty()) return;
  // Module and service: "pam_unix(sshd:auth): ", "(pam_unix) ", "pam_unix: ".
  std::string_view body;
  if (msg.front() == '(') {
    const size_t close = msg.find(") ");
    if (close == std::string_view::npos) return;
    body = msg.substr(close + 2);
  } else {
    const size_t colon = msg.find(": ");
    if (colon == std::string_view::npos) return;
    std::string_view head = msg.substr(0, colon);
    body = msg.substr(colon + 2);
    const size_t open = head.find('(');
    if (open != std::string_view::npos && head.back() == ')') {
      std::string_view inside = head.substr(open + 1, head.size() - open - 2);
      const size_t c = inside.find(':');
      if (c != std::string_view::npos) r->service = inside.substr(0, c);
    }
  }
  std::string_view rest = body;
  if (Consume(&rest, "authentication failure; ") || Consume(&rest, "authentication failure;")) {
    AuthFailure(rest, r);
  } else if (Consume(&rest, "check pass; user unknown")) {
    r->action = "pam_auth_failure";
    r->outcome = Outcome::kFailure;
    r->reason = "invalid_user";
    r->type = "info";
  } else if (Consume(&rest, "auth could not identify password for [")) {
    r->action = "pam_auth_failure";
    r->outcome = Outcome::kFailure;
    r->reason = "invalid_user";
    r->type = "info";
    r->user = rest.substr(0, rest.find(']'));
    r->has_user = true;
  } else if (Consume(&rest, "session opened for user ")) {
    SessionUsers(rest, r);
    r->action = "session_opened";
    r->outcome = Outcome::kSuccess;
    r->category = "session";
    r->type = "start";
  } else if (Consume(&rest, "session closed for user ")) {
    SessionUsers(rest, r);
    r->action = "session_closed";
    r->outcome = Outcome::kSuccess;
    r->category = "session";
    r->type = "end";
  } else if (Consume(&rest, "password changed for ")) {
    r->target_user = Trim(rest);
    r->action = "password_changed";
    r->outcome = Outcome::kSuccess;
    r->category = "iam";
    r->type = "user";
    r->type2 = "change";
  }
}

}  // namespace vigil::access
