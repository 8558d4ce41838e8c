#include "sshd_forms.h"

#include "sshd_scan.h"

namespace vigil::access {

std::string_view MethodName(std::string_view m) {
  // "keyboard-interactive/pam" and "keyboard-interactive/bsdauth" are keyboard-interactive.
  const size_t slash = m.find('/');
  return slash == std::string_view::npos ? m : m.substr(0, slash);
}

void SetUser(std::string_view user, AuthRecord* r) {
  if (user == "<invalid username>") {
    r->invalid_user = r->has_invalid_user = true;
    return;
  }
  r->user = user;
  r->has_user = true;
}

void SetFrom(const FromMatch& m, AuthRecord* r) {
  r->source = m.host;
  r->port = m.port;
}

void Failure(std::string_view action, std::string_view reason, AuthRecord* r) {
  r->action = action;
  r->reason = reason;
  r->outcome = Outcome::kFailure;
  r->type = "info";
}

bool ParseAttempt(std::string_view msg, AuthRecord* r) {
  std::string_view verb;
  for (std::string_view v : {"Failed ", "Accepted ", "Postponed "}) {
    if (StartsWith(msg, v)) verb = v;
  }
  if (verb.empty()) return false;
  std::string_view rest = msg.substr(verb.size());
  const size_t for_at = rest.find(" for ");
  if (for_at == std::string_view::npos || for_at == 0) return false;
  const std::string_view method = MethodName(rest.substr(0, for_at));
  rest.remove_prefix(for_at + 5);
  const bool invalid = ConsumeInvalidUser(&rest);
  const size_t user_start = msg.size() - rest.size();
  FromMatch m;
  if (!FindFrom(msg, user_start > 0 ? user_start - 1 : 0, {": "}, &m)) return false;
  SetUser(msg.substr(user_start, m.at > user_start ? m.at - user_start : 0), r);
  if (invalid) r->invalid_user = r->has_invalid_user = true;
  SetFrom(m, r);
  r->method = method;
  r->action = "ssh_login";
  if (verb == "Accepted ") {
    r->outcome = Outcome::kSuccess;
    r->type = "start";
    r->has_invalid_user = true;
  } else if (verb == "Failed ") {
    const bool secret = method == "password" || method == "keyboard-interactive";
    Failure("ssh_login", r->invalid_user ? "invalid_user" : secret ? "bad_password" : "bad_credentials", r);
  } else {
    r->action = "ssh_auth_postponed";
    r->type = "info";
  }
  return true;
}

bool ParseReceivedDisconnect(std::string_view rest, AuthRecord* r, bool* closes) {
  std::string_view host = rest;
  int64_t port = -1;
  std::string_view after;
  const size_t p = rest.find(" port ");
  if (p != std::string_view::npos) {
    host = rest.substr(0, p);
    std::string_view t = rest.substr(p + 6);
    const size_t colon = t.find(':');
    if (colon == std::string_view::npos) return false;
    port = ParseSmallInt(t.substr(0, colon));
    after = t.substr(colon + 1);
  } else {
    // The host ends at the first ": " (an IPv6 address has "::" but never ": ").
    const size_t colon = rest.find(": ");
    if (colon == std::string_view::npos) return false;
    host = rest.substr(0, colon);
    after = rest.substr(colon + 1);
  }
  if (!LooksLikeHost(host)) return false;
  after = Trim(after);
  const size_t colon = after.find(':');
  const int64_t code = ParseSmallInt(after.substr(0, colon));
  const std::string_view text = colon == std::string_view::npos ? "" : Trim(after.substr(colon + 1));
  r->source = host;
  r->port = port;
  r->action = "ssh_disconnect";
  r->category = "network";
  r->type = "end";
  *closes = true;
  if (code == 3 && text.find("Auth fail") != std::string_view::npos) {
    Failure("ssh_disconnect", "auth_failed", r);
  } else if (code == 14) {
    Failure("ssh_disconnect", "no_auth_methods", r);
  }
  return true;
}

// "Connection closed by|reset by|Disconnected from [invalid user |authenticating user |user ]U H[ port N]"
void ParseClose(std::string_view rest, bool preauth, AuthRecord* r) {
  const bool invalid = ConsumeInvalidUser(&rest);
  const bool with_user = invalid || Consume(&rest, "authenticating user ") || Consume(&rest, "user ");
  std::string_view user, host;
  int64_t port = -1;
  if (SplitUserHostPort(rest, with_user, &user, &host, &port)) {
    r->source = host;
    r->port = port;
    if (with_user) SetUser(user, r);
    if (invalid) r->invalid_user = r->has_invalid_user = true;
  }
  r->action = preauth ? "ssh_preauth_close" : "ssh_disconnect";
  r->category = "network";
  r->type = "end";
}

bool ParseProtocolError(std::string_view msg, AuthRecord* r) {
  std::string_view rest = msg;
  FromMatch m;
  if (Consume(&rest, "Did not receive identification string") ||
      Consume(&rest, "Bad protocol version identification")) {
    const size_t at = msg.rfind(" from ");
    if (at != std::string_view::npos && FindFrom(msg, at, {}, &m)) SetFrom(m, r);
  } else if (Consume(&rest, "banner exchange: ") || Consume(&rest, "ssh_dispatch_run_fatal: ") ||
             Consume(&rest, "Unable to negotiate with ")) {
    Consume(&rest, "Connection from ");
    const size_t colon = rest.find(": ");
    std::string_view user, host;
    int64_t port = -1;
    if (colon != std::string_view::npos &&
        SplitUserHostPort(rest.substr(0, colon), false, &user, &host, &port)) {
      r->source = host;
      r->port = port;
    }
  } else if (Consume(&rest, "Timeout before authentication for ")) {
    std::string_view user, host;
    int64_t port = -1;
    if (Consume(&rest, "connection from ")) rest = rest.substr(0, rest.find(' '));
    if (SplitUserHostPort(rest, false, &user, &host, &port)) {
      r->source = host;
      r->port = port;
    }
  } else if (!StartsWith(msg, "kex_exchange_identification: ") &&
             !StartsWith(msg, "Unable to negotiate a key exchange method") &&
             !StartsWith(msg, "no matching ") &&
             !StartsWith(msg, "Read from socket failed: Connection reset by peer")) {
    return false;
  }
  Failure("ssh_protocol_error", "protocol_error", r);
  r->category = "network";
  r->type = "connection";
  r->type2 = "denied";
  return true;
}

void StripKernelStamp(std::string_view* msg) {
  std::string_view t = *msg;
  if (!Consume(&t, "kernel:")) return;
  Consume(&t, " ");
  if (!Consume(&t, "[")) return;
  const size_t close = t.find(']');
  if (close == std::string_view::npos) return;
  t.remove_prefix(close + 1);
  Consume(&t, ":");
  Consume(&t, " ");
  *msg = t;
}


}  // namespace vigil::access
