#include "access_event.h"

#include <string>

#include "vigil/ecs_fields.h"

namespace vigil::access {
namespace {

std::string_view OutcomeName(Outcome o) {
  switch (o) {
    case Outcome::kSuccess:
      return "success";
    case Outcome::kFailure:
      return "failure";
    case Outcome::kUnknown:
      break;
  }
  return "unknown";
}

void SetString(Event& e, FieldId id, std::string_view v) {
  if (!v.empty()) e.Set(id, std::string(v));
}

}  // namespace

Result<AccessFieldIds> DeclareAccessFields(FieldRegistry& fields) {
  AccessFieldIds ids;
  struct Decl {
    FieldId* id;
    std::string_view name;
    FieldType type;
    std::string_view desc;
  };
  const Decl decls[] = {
      {&ids.auth_method, "vigil.access.auth_method", FieldType::kString,
       "Authentication method: password, publickey, keyboard-interactive, hostbased, pam, none."},
      {&ids.invalid_user, "vigil.access.invalid_user", FieldType::kBool,
       "True when the user name does not exist on the host."},
      {&ids.reason, "vigil.access.reason", FieldType::kString,
       "Why an attempt failed: invalid_user, bad_password, denied_by_config, max_attempts, "
       "preauth_disconnect, protocol_error, not_in_sudoers, ..."},
      {&ids.tty, "vigil.access.tty", FieldType::kString, "Terminal of the session or command."},
      {&ids.session_id, "vigil.access.session_id", FieldType::kString, "systemd-logind session id."},
      {&ids.pam_service, "vigil.access.pam_service", FieldType::kString,
       "PAM service that logged the message (sshd, sudo, login, ...)."},
      {&ids.attempts, "vigil.access.attempts", FieldType::kInt,
       "Number of attempts the message reports (sudo, login)."},
      {&ids.gid, "vigil.access.gid", FieldType::kString, "Group id of a created user or group."},
      {&ids.prior_failures, "vigil.access.prior_failures", FieldType::kInt,
       "On a successful SSH login: failed attempts on the same connection before it."},
  };
  for (const Decl& d : decls) {
    Result<FieldId> id = fields.Declare(d.name, d.type, d.desc);
    if (!id.ok()) return id.status();
    *d.id = *id;
  }
  return ids;
}

std::optional<IpAddress> ParseLoggedAddress(std::string_view host) {
  const size_t pct = host.find('%');
  if (pct != std::string_view::npos) host = host.substr(0, pct);
  if (host.size() > 7 && (host.substr(0, 7) == "::ffff:" || host.substr(0, 7) == "::FFFF:") &&
      host.find('.') != std::string_view::npos) {
    host.remove_prefix(7);
  }
  return IpAddress::Parse(host);
}

Event BuildAccessEvent(const SyslogHeader& h, const AuthRecord& r, const LineOrigin& o,
                       const AccessFieldIds& ids) {
  Event e;
  if (h.has_time) e.Set(ecs::kTimestamp, h.time);
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventModule, std::string("access"));
  SetString(e, ecs::kEventDataset, r.dataset);
  if (!r.category.empty()) e.Set(ecs::kEventCategory, StringList{std::string(r.category)});
  if (!r.type.empty()) {
    StringList types{std::string(r.type)};
    if (!r.type2.empty()) types.emplace_back(r.type2);
    e.Set(ecs::kEventType, std::move(types));
  }
  SetString(e, ecs::kEventAction, r.action);
  e.Set(ecs::kEventOutcome, std::string(OutcomeName(r.outcome)));
  StringList related_users;
  if (r.has_user) {
    e.Set(ecs::kUserName, std::string(r.user));
    if (!r.user.empty()) related_users.emplace_back(r.user);
  }
  if (!r.target_user.empty()) {
    e.Set(ecs::kUserTargetName, std::string(r.target_user));
    related_users.emplace_back(r.target_user);
  }
  if (!related_users.empty()) e.Set(ecs::kRelatedUser, std::move(related_users));
  SetString(e, ecs::kUserTargetId, r.target_uid);
  SetString(e, ecs::kUserEffectiveName, r.effective_user);
  SetString(e, ecs::kGroupName, r.group);
  if (!r.source.empty()) {
    if (auto ip = ParseLoggedAddress(r.source)) {
      e.Set(ecs::kSourceIp, *ip);
      e.Set(ecs::kRelatedIp, StringList{ip->ToString()});
    } else {
      e.Set(ecs::kSourceAddress, std::string(r.source));
    }
  }
  if (r.port >= 0) e.Set(ecs::kSourcePort, r.port);
  SetString(e, ecs::kProcessName, h.program);
  if (h.pid >= 0) e.Set(ecs::kProcessPid, h.pid);
  SetString(e, ecs::kProcessCommandLine, r.command);
  SetString(e, ecs::kProcessWorkingDirectory, r.cwd);
  SetString(e, ecs::kHostName, h.host);
  e.Set(ecs::kMessage, std::string(h.message));
  SetString(e, ecs::kEventOriginal, o.original);
  SetString(e, ecs::kLogFilePath, o.path);
  if (o.offset >= 0) e.Set(ecs::kLogOffset, o.offset);
  SetString(e, ids.auth_method, r.method);
  if (r.has_invalid_user) e.Set(ids.invalid_user, r.invalid_user);
  SetString(e, ids.reason, r.reason);
  SetString(e, ids.tty, r.tty);
  SetString(e, ids.session_id, r.session);
  SetString(e, ids.pam_service, r.service);
  if (r.attempts >= 0) e.Set(ids.attempts, r.attempts);
  SetString(e, ids.gid, r.gid);
  if (r.prior_failures >= 0) e.Set(ids.prior_failures, r.prior_failures);
  return e;
}

}  // namespace vigil::access
