#include "sshd_parser.h"

#include "pam_parser.h"
#include "sshd_forms.h"
#include "sshd_scan.h"

namespace vigil::access {

SshdParser::Connection* SshdParser::Find(int64_t pid) {
  if (pid < 0) return nullptr;
  auto it = conns_.find(pid);
  if (it != conns_.end()) return &it->second;
  if (conns_.size() >= kMaxConnections) {
    conns_.clear();
    ++evictions_;
  }
  return &conns_[pid];
}

SshdParser::Role SshdParser::ParseMessage(std::string_view message, AuthRecord* r) {
  r->dataset = "access.sshd";
  r->category = "authentication";
  r->action = "other";
  std::string_view msg = TrimRight(message);
  const bool preauth = EndsWith(msg, " [preauth]");
  if (preauth) msg.remove_suffix(10);
  StripKernelStamp(&msg);
  if (!Consume(&msg, "error: ")) Consume(&msg, "fatal: ");
  if (IsPamMessage(msg)) {
    ParsePam(msg, r);
    return Role::kPlain;
  }
  return Classify(msg, preauth, r);
}

void SshdParser::Apply(int64_t pid, Role role, AuthRecord* r) {
  if (closed_pid_ >= 0) {
    conns_.erase(closed_pid_);
    closed_pid_ = -1;
  }
  Connection* c = Find(pid);
  if (c == nullptr) return;
  ApplyState(*c, role, r);
  if (c->closed) closed_pid_ = pid;
}

void SshdParser::ApplyState(Connection& c, Role role, AuthRecord* r) {
  if (role == Role::kOpen) c = Connection{};  // a new connection under a reused pid
  if (!r->source.empty()) {
    if (c.source != r->source) c.source.assign(r->source.data(), r->source.size());
    if (r->port >= 0) c.port = r->port;
  } else if (!c.source.empty()) {
    r->source = c.source;
    if (r->port < 0) r->port = c.port;
  }
  const bool known = !r->source.empty();
  if (r->outcome == Outcome::kSuccess && r->action == "ssh_login") {
    c.succeeded = true;
    // PAM reports the attempts sshd reports too: count its lines only when sshd's are absent.
    r->prior_failures = c.failures > 0 ? c.failures : c.pam_failures;
  }
  if (role == Role::kMaxTries) {
    if (c.max_tries_reported) {
      r->outcome = Outcome::kUnknown;
    } else {
      c.max_tries_reported = true;
    }
  }
  if (r->outcome == Outcome::kFailure) {
    ++(r->dataset == "access.pam" ? c.pam_failures : c.failures);
    c.pending_failure = !known;
  } else if (role == Role::kDetail && !known) {
    c.pending_failure = true;
  } else if (role == Role::kClose && c.pending_failure && known && !c.succeeded) {
    r->outcome = Outcome::kFailure;
    r->reason = "preauth_disconnect";
    c.pending_failure = false;
  }
  if (role == Role::kClose) c.closed = true;
}

SshdParser::Role SshdParser::Classify(std::string_view msg, bool preauth, AuthRecord* r) {
  Role role = Role::kPlain;
  std::string_view rest = msg;
  FromMatch m;
  if (ParseAttempt(msg, r)) return role;
  if (Consume(&rest, "Invalid user ") || Consume(&rest, "Illegal user ")) {
    const size_t user_start = msg.size() - rest.size();
    if (FindFrom(msg, user_start - 1, {}, &m)) {
      SetUser(msg.substr(user_start, m.at > user_start ? m.at - user_start : 0), r);
      SetFrom(m, r);
    } else {
      SetUser(rest, r);
    }
    r->invalid_user = r->has_invalid_user = true;
    Failure("ssh_invalid_user", "invalid_user", r);
    return role;
  }
  if (Consume(&rest, "User ")) {
    const size_t user_start = msg.size() - rest.size();
    if (FindFrom(msg, user_start - 1, {" not allowed because "}, &m)) {
      SetUser(msg.substr(user_start, m.at > user_start ? m.at - user_start : 0), r);
      SetFrom(m, r);
    } else {
      const size_t na = rest.find(" not allowed because ");
      if (na == std::string_view::npos) return role;
      SetUser(rest.substr(0, na), r);
    }
    Failure("ssh_login_denied", "denied_by_config", r);
    return role;
  }
  if (Consume(&rest, "ROOT LOGIN REFUSED FROM ")) {
    std::string_view user, host;
    int64_t port = -1;
    if (SplitUserHostPort(rest, false, &user, &host, &port)) {
      r->source = host;
      r->port = port;
    }
    SetUser("root", r);
    Failure("ssh_login_denied", "denied_by_config", r);
    return role;
  }
  if (Consume(&rest, "refused connect from ")) {
    const size_t open = rest.rfind(" (");
    if (open != std::string_view::npos && EndsWith(rest, ")")) {
      r->source = rest.substr(open + 2, rest.size() - open - 3);
    }
    Failure("ssh_connection_refused", "denied_by_config", r);
    r->category = "network";
    return role;
  }
  if (Consume(&rest, "PAM: ")) {
    const size_t for_at = rest.find(" for ");
    if (for_at == std::string_view::npos) return role;
    std::string_view user = rest.substr(for_at + 5);
    const bool invalid = ConsumeInvalidUser(&user);
    const size_t user_start = msg.size() - user.size();
    if (FindFrom(msg, user_start - 1, {" via "}, &m)) {
      SetUser(msg.substr(user_start, m.at > user_start ? m.at - user_start : 0), r);
      SetFrom(m, r);
    }
    if (invalid) r->invalid_user = r->has_invalid_user = true;
    r->method = "pam";
    Failure("ssh_login", invalid ? "invalid_user" : "bad_password", r);
    return role;
  }
  if (Consume(&rest, "maximum authentication attempts exceeded for ")) {
    const bool invalid = ConsumeInvalidUser(&rest);
    const size_t user_start = msg.size() - rest.size();
    if (FindFrom(msg, user_start - 1, {}, &m)) {
      SetUser(msg.substr(user_start, m.at > user_start ? m.at - user_start : 0), r);
      SetFrom(m, r);
    }
    if (invalid) r->invalid_user = r->has_invalid_user = true;
    Failure("ssh_max_auth_tries", "max_attempts", r);
    return Role::kMaxTries;
  }
  if (Consume(&rest, "Disconnecting: Too many authentication failures")) {
    if (Consume(&rest, " for ")) {
      if (ConsumeInvalidUser(&rest)) r->invalid_user = r->has_invalid_user = true;
      SetUser(rest, r);
    }
    Failure("ssh_max_auth_tries", "max_attempts", r);
    return Role::kMaxTries;
  }
  if (Consume(&rest, "Disconnecting ")) {
    // "Disconnecting [invalid |authenticating ]user U H port N: REASON"
    const bool invalid = ConsumeInvalidUser(&rest);
    if (!invalid) Consume(&rest, "authenticating user ") || Consume(&rest, "user ");
    const size_t colon = rest.find(": ");
    if (colon == std::string_view::npos) return role;
    std::string_view user, host;
    int64_t port = -1;
    if (SplitUserHostPort(rest.substr(0, colon), true, &user, &host, &port)) {
      SetUser(user, r);
      r->source = host;
      r->port = port;
    }
    if (invalid) r->invalid_user = r->has_invalid_user = true;
    const std::string_view why = rest.substr(colon + 2);
    if (StartsWith(why, "Too many authentication failures")) {
      Failure("ssh_max_auth_tries", "max_attempts", r);
      return Role::kMaxTries;
    }
    if (StartsWith(why, "Change of username or service not allowed")) {
      Failure("ssh_login_denied", "username_change", r);
      return role;
    }
    r->action = "ssh_disconnect";
    return Role::kClose;
  }
  if (Consume(&rest, "Received disconnect from ")) {
    bool closes = false;
    ParseReceivedDisconnect(rest, r, &closes);
    return closes ? Role::kClose : role;
  }
  if (Consume(&rest, "Connection closed by ") || Consume(&rest, "Connection reset by ") ||
      Consume(&rest, "Disconnected from ")) {
    ParseClose(rest, preauth, r);
    return Role::kClose;
  }
  if (Consume(&rest, "Connection from ")) {
    std::string_view user, host;
    int64_t port = -1;
    const size_t on = rest.find(" on ");
    if (SplitUserHostPort(rest.substr(0, on), false, &user, &host, &port)) {
      r->source = host;
      r->port = port;
    }
    r->action = "ssh_connection";
    r->category = "network";
    r->type = "start";
    return Role::kOpen;
  }
  if (ParseProtocolError(msg, r)) return role;
  if (Consume(&rest, "input_userauth_request: invalid user ")) {
    SetUser(rest, r);
    r->invalid_user = r->has_invalid_user = true;
    r->action = "ssh_invalid_user";
    r->reason = "invalid_user";
    return Role::kDetail;
  }
  if (Consume(&rest, "Address ")) {
    const size_t sp = rest.find(' ');
    if (rest.find("POSSIBLE BREAK-IN ATTEMPT") != std::string_view::npos &&
        LooksLikeHost(rest.substr(0, sp))) {
      r->source = rest.substr(0, sp);
      r->action = "ssh_reverse_mapping_mismatch";
      r->category = "network";
    }
    return role;
  }
  if (Consume(&rest, "SSH: Server;Ltype: ")) {
    // Debian/Ubuntu's audit log patch: "...;Remote: HOST-PORT;..."
    const size_t at = rest.find("Remote: ");
    if (at != std::string_view::npos) {
      std::string_view remote = rest.substr(at + 8);
      remote = remote.substr(0, remote.find(';'));
      const size_t dash = remote.rfind('-');
      if (dash != std::string_view::npos && LooksLikeHost(remote.substr(0, dash))) {
        r->source = remote.substr(0, dash);
        r->port = ParseSmallInt(remote.substr(dash + 1));
      }
    }
    return role;
  }
  return role;
}

}  // namespace vigil::access
