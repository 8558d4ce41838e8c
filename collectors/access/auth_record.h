// AuthRecord: what a message parser understood of one log message, before it becomes an
// Event. Message parsers (sshd_parser.h, sudo_parser.h, ...) fill it with views into the
// line; access_event.h turns it into ECS fields. Each view points into the line or at a
// constant (a string literal), except `source`, which sshd's parser may point at the
// source it remembers for the connection (AccessBuildPool copies that one, since later lines
// change it). Keeping parsers free of field ids and Event
// building makes each of them a plain scanner that tests can check field by field.
#pragma once

#include <cstdint>
#include <string_view>

namespace vigil::access {

enum class Outcome : uint8_t { kUnknown, kSuccess, kFailure };

// event.outcome's value: "success", "failure" or "unknown".
inline std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kSuccess: return "success";
    case Outcome::kFailure: return "failure";
    case Outcome::kUnknown: break;
  }
  return "unknown";
}

struct AuthRecord {
  std::string_view dataset;   // event.dataset, e.g. "access.sshd"
  std::string_view action;    // event.action, e.g. "ssh_login"; "other" when not understood
  Outcome outcome = Outcome::kUnknown;
  std::string_view category;  // event.category (one value)
  std::string_view type;      // event.type: first value
  std::string_view type2;     // event.type: second value, or empty
  std::string_view user;      // user.name: who acted
  bool has_user = false;      // user.name present even when empty (`Invalid user  from`)
  std::string_view target_user;  // user.target.name
  std::string_view target_uid;   // user.target.id
  std::string_view effective_user;  // user.effective.name
  std::string_view group;        // group.name
  std::string_view gid;          // vigil.access.gid
  std::string_view source;    // the remote host as logged (address or name)
  int64_t port = -1;          // source.port
  std::string_view method;    // vigil.access.auth_method
  std::string_view reason;    // vigil.access.reason, e.g. invalid_user, bad_password
  std::string_view tty;       // vigil.access.tty
  std::string_view command;   // process.command_line
  std::string_view cwd;       // process.working_directory
  std::string_view session;   // vigil.access.session_id
  std::string_view service;   // vigil.access.pam_service (the PAM service, e.g. sshd)
  int64_t attempts = -1;      // vigil.access.attempts
  int64_t prior_failures = -1;  // vigil.access.prior_failures (sshd success: failures before it)
  bool invalid_user = false;  // vigil.access.invalid_user (set only when known)
  bool has_invalid_user = false;
};

// Small scanning helpers shared by the parsers.
inline bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
inline bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
// Removes `p` from the front of `*s` if it is there.
inline bool Consume(std::string_view* s, std::string_view p) {
  if (!StartsWith(*s, p)) return false;
  s->remove_prefix(p.size());
  return true;
}
inline std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}
inline std::string_view Trim(std::string_view s) {
  s = TrimRight(s);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}
// A decimal number of 1..9 digits, or -1.
inline int64_t ParseSmallInt(std::string_view s) {
  if (s.empty() || s.size() > 9) return -1;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}
// Whether `s` could be a host as sshd or PAM logs it: an address or a DNS name.
inline bool LooksLikeHost(std::string_view s) {
  if (s.empty() || s.size() > 255) return false;
  for (char c : s) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    c == '.' || c == ':' || c == '-' || c == '_' || c == '%';
    if (!ok) return false;
  }
  return true;
}

}  // namespace vigil::access
