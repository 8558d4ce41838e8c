#include "audit_event.h"

#include <algorithm>
#include <string>

#include "vigil/ecs_fields.h"
#include "vigil/field_decl.h"

namespace vigil::access {
namespace {

// What an event of one record type says, as the other access collectors say it.
struct Kind {
  std::string_view action;
  std::string_view category;
  std::string_view type;
  std::string_view type2;
  enum Who : uint8_t {
    kAccount,  // user.name = acct= (the account authenticating or logging in)
    kSession,  // user.name = the login user (AUID) when it differs from acct=, which is the target
    kActor,    // user.name = the login user (AUID, else UID); user.target = acct=/id=
    kGroup,    // user.name = the actor; group.name = grp=/acct=/ID
  } who = kActor;
};

// A value that names someone or something: not absent, unset or unknown.
bool Meaningful(const std::string* v) {
  if (v == nullptr) return false;
  const std::string& s = *v;
  return !s.empty() && s != "?" && s != "(null)" && s != "(none)" && s != "unset" &&
         s != "4294967295" && s != "-1" && s != "(unknown)" && s != "unknown";
}

std::string_view Or(const std::string* v) {
  return Meaningful(v) ? std::string_view(*v) : std::string_view();
}

Kind KindOf(std::string_view type, const AuditRecord& primary, bool has_execve) {
  using W = Kind::Who;
  if (type == "SYSCALL") {
    if (has_execve) return {"process_started", "process", "start", "", W::kActor};
    return {"syscall", "", "", "", W::kActor};
  }
  if (type == "USER_AUTH") return {"user_authentication", "authentication", "info", "", W::kAccount};
  if (type == "USER_ACCT") return {"account_check", "authentication", "info", "", W::kAccount};
  if (type == "CRED_ACQ") return {"credentials_acquired", "authentication", "info", "", W::kSession};
  if (type == "CRED_REFR") return {"credentials_refreshed", "authentication", "info", "", W::kSession};
  if (type == "CRED_DISP") return {"credentials_disposed", "authentication", "info", "", W::kSession};
  if (type == "USER_LOGIN") return {"login", "authentication", "start", "", W::kAccount};
  if (type == "USER_LOGOUT") return {"logout", "session", "end", "", W::kAccount};
  if (type == "USER_START") return {"session_opened", "session", "start", "", W::kSession};
  if (type == "USER_END") return {"session_closed", "session", "end", "", W::kSession};
  if (type == "USER_ERR") return {"user_error", "authentication", "info", "", W::kAccount};
  if (type == "USER_CMD") {
    const std::string* exe = primary.Find("exe");
    const bool sudo = exe != nullptr && (*exe == "sudo" || (exe->size() >= 5 && exe->substr(exe->size() - 5) == "/sudo"));
    return {sudo ? "sudo_command" : "user_command", "process", "start", "", W::kActor};
  }
  if (type == "ADD_USER") return {"user_created", "iam", "user", "creation", W::kActor};
  if (type == "DEL_USER") return {"user_deleted", "iam", "user", "deletion", W::kActor};
  if (type == "ADD_GROUP") return {"group_created", "iam", "group", "creation", W::kGroup};
  if (type == "DEL_GROUP") return {"group_deleted", "iam", "group", "deletion", W::kGroup};
  if (type == "GRP_MGMT") return {"group_modified", "iam", "group", "change", W::kGroup};
  if (type == "GRP_CHAUTHTOK") return {"group_password_changed", "iam", "group", "change", W::kGroup};
  if (type == "USER_CHAUTHTOK") return {"password_changed", "iam", "user", "change", W::kActor};
  if (type == "ACCT_LOCK") return {"user_locked", "iam", "user", "change", W::kActor};
  if (type == "ACCT_UNLOCK") return {"user_unlocked", "iam", "user", "change", W::kActor};
  if (type == "USER_MGMT") {
    // shadow-utils: op=add-user-to-group / delete-user-from-group (older: "adding user to
    // group", "deleting user from group"), else a change of the account.
    const std::string op = primary.Find("op") != nullptr ? *primary.Find("op") : std::string();
    const bool group = primary.Find("grp") != nullptr;
    if (op.find("add-user-to") != std::string::npos || op.find("adding user to") != std::string::npos ||
        (group && op.find("add") != std::string::npos)) {
      return {"user_added_to_group", "iam", "group", "change", W::kActor};
    }
    if (op.find("delete-user-from") != std::string::npos || op.find("deleting user from") != std::string::npos ||
        (group && (op.find("delete") != std::string::npos || op.find("remov") != std::string::npos))) {
      return {"user_removed_from_group", "iam", "group", "change", W::kActor};
    }
    return {"user_modified", "iam", "user", "change", W::kActor};
  }
  if (type == "ANOM_LOGIN_FAILURES") return {"login_failures_exceeded", "authentication", "info", "", W::kAccount};
  if (type.substr(0, 10) == "ANOM_LOGIN") return {"login_denied", "authentication", "info", "", W::kAccount};
  return {"", "", "", "", W::kActor};
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Adds a string field unless `v` is empty (each field is added once: Event::Add).
void AddString(Event& e, FieldId id, std::string_view v) {
  if (!v.empty()) e.AddString(id, v);
}

// The EXECVE arguments a0 .. a(argc-1), each whole or in parts aN[0], aN[1], ..., joined
// by spaces; arguments may span several EXECVE records.
std::string ExecveCommandLine(const AssembledAuditEvent& e) {
  std::vector<std::string> args;
  for (const AuditRecord& r : e.records) {
    if (r.type != "EXECVE") continue;
    for (const AuditField& f : r.fields) {
      if (f.name.size() < 2 || f.name[0] != 'a' || f.name[1] < '0' || f.name[1] > '9') continue;
      size_t i = 1;
      size_t n = 0;
      while (i < f.name.size() && f.name[i] >= '0' && f.name[i] <= '9' && n < 100000) {
        n = n * 10 + static_cast<size_t>(f.name[i] - '0');
        ++i;
      }
      if (i < f.name.size() && f.name[i] != '[') continue;  // a0_len and the like
      if (n >= 4096) continue;  // bounded: far beyond what one event keeps
      if (args.size() <= n) args.resize(n + 1);
      args[n] += f.value;
    }
  }
  std::string out;
  for (const std::string& a : args) {
    if (!out.empty()) out += ' ';
    out += a;
  }
  return out;
}

Outcome OutcomeOf(const AuditRecord& r) {
  const std::string* res = r.Find("res");
  if (res == nullptr) res = r.Find("success");
  if (res == nullptr) res = r.Find("result");
  if (res == nullptr) return Outcome::kUnknown;
  if (*res == "success" || *res == "yes" || *res == "1") return Outcome::kSuccess;
  if (*res == "failed" || *res == "fail" || *res == "failure" || *res == "no" || *res == "0") {
    return Outcome::kFailure;
  }
  return Outcome::kUnknown;
}

}  // namespace

Result<AuditFieldIds> DeclareAuditFields(FieldRegistry& fields) {
  AuditFieldIds ids;
  const Status declared = DeclareEach(fields, {
      {&ids.serial, "vigil.auditd.serial", FieldType::kInt, "Serial number of the audit event (msg=audit(T:SERIAL))."},
      {&ids.record_types, "vigil.auditd.record_types", FieldType::kList,
       "Types of the records joined into the audit event, e.g. SYSCALL, EXECVE, CWD, PATH, PROCTITLE."},
      {&ids.session, "vigil.auditd.session", FieldType::kString, "Audit session id (ses=)."},
      {&ids.op, "vigil.auditd.op", FieldType::kString, "Operation a user-space audit record reports (op=)."},
      {&ids.syscall, "vigil.auditd.syscall", FieldType::kString,
       "System call of a SYSCALL record: its name when the log is ENRICHED, else its number."},
      {&ids.key, "vigil.auditd.key", FieldType::kString, "Key of the audit rule that matched (key=)."},
      {&ids.complete, "vigil.auditd.complete", FieldType::kBool,
       "False when the event was emitted before its end record (timeout, too many pending events)."},
  });
  if (!declared.ok()) return declared;
  return ids;
}

Event BuildAuditEvent(const AssembledAuditEvent& ev, std::string_view path, const AccessFieldIds& aids,
                      const AuditFieldIds& ids) {
  Event e;
  BuildAuditEvent(ev, path, aids, ids, &e);
  return e;
}

void BuildAuditEvent(const AssembledAuditEvent& ev, std::string_view path, const AccessFieldIds& aids,
                     const AuditFieldIds& ids, Event* event) {
  Event& e = *event;
  if (ev.records.empty()) return;
  const AuditRecord* primary = &ev.records.front();
  const AuditRecord* cwd_record = nullptr;
  const AuditRecord* proctitle = nullptr;
  const AuditRecord* first_path = nullptr;
  bool has_execve = false;
  StringList types;
  for (const AuditRecord& r : ev.records) {
    if (r.type == "SYSCALL" && primary->type != "SYSCALL") primary = &r;
    if (r.type == "EXECVE") has_execve = true;
    if (r.type == "CWD" && cwd_record == nullptr) cwd_record = &r;
    if (r.type == "PROCTITLE" && proctitle == nullptr) proctitle = &r;
    if (r.type == "PATH") {
      const std::string* item = r.Find("item");
      if (first_path == nullptr || (item != nullptr && *item == "0")) first_path = &r;
    }
    if (std::find(types.begin(), types.end(), r.type) == types.end()) types.push_back(r.type);
  }
  const AuditRecord& p = *primary;
  const Kind kind = KindOf(p.type, p, has_execve);

  // Room for every field an audit event may have, so that a recycled event is sized once.
  e.Reserve(kAuditEventRoom);
  const Timestamp when{std::chrono::seconds(p.seconds) + std::chrono::milliseconds(p.millis)};
  e.Add(ecs::kTimestamp, when);
  e.AddString(ecs::kEventKind, "event");
  e.AddString(ecs::kEventModule, "access");
  e.AddString(ecs::kEventDataset, "access.auditd");
  e.AddString(ecs::kEventCode, p.type);
  if (!kind.category.empty()) e.AddList(ecs::kEventCategory, {kind.category});
  if (!kind.type.empty()) {
    if (kind.type2.empty()) {
      e.AddList(ecs::kEventType, {kind.type});
    } else {
      e.AddList(ecs::kEventType, {kind.type, kind.type2});
    }
  }

  // Outcome, and what a failure says about why.
  Outcome outcome = OutcomeOf(p);
  const std::string* acct_v = p.Find("acct");
  const bool invalid_user = acct_v != nullptr && (*acct_v == "(invalid user)" || *acct_v == "(unknown user)");
  if (p.type.substr(0, 10) == "ANOM_LOGIN") {
    outcome = Outcome::kFailure;
    AddString(e, aids.reason, p.type == "ANOM_LOGIN_FAILURES" ? "max_attempts" : "denied_by_config");
  } else if (outcome == Outcome::kFailure && kind.who == Kind::kAccount) {
    AddString(e, aids.reason, invalid_user ? "invalid_user" : "auth_failed");
  }
  if (kind.action == "login" && outcome == Outcome::kFailure) {
    e.AddString(ecs::kEventAction, "login_failure");
  } else if (!kind.action.empty()) {
    e.AddString(ecs::kEventAction, kind.action);
  } else {
    e.AddString(ecs::kEventAction, Lower(p.type));
  }
  e.AddString(ecs::kEventOutcome, OutcomeName(outcome));
  if (invalid_user) e.Add(aids.invalid_user, true);

  // Who: the login user (AUID, translated when ENRICHED), the account a record names
  // (acct=, or id= with its translation ID=).
  const std::string* auid = p.Find("auid");
  const std::string* uid = p.Find("uid");
  std::string_view actor_name, actor_id;
  if (Meaningful(auid)) {
    actor_id = *auid;
    actor_name = Or(p.FindEnriched("AUID"));
  } else if (uid != nullptr) {
    actor_id = *uid;
    actor_name = Or(p.FindEnriched("UID"));
  }
  const std::string_view acct = invalid_user ? std::string_view() : Or(acct_v);
  const std::string_view id = Or(p.Find("id"));
  const std::string_view id_name = Or(p.FindEnriched("ID"));
  const std::string_view account = !acct.empty() ? acct : id_name;

  std::string_view user, user_id, target, target_id, group;
  switch (kind.who) {
    case Kind::kAccount:
      user = account;
      user_id = id;
      break;
    case Kind::kSession:
      if (!actor_name.empty() && !account.empty() && actor_name != account) {
        user = actor_name;
        user_id = actor_id;
        target = account;
        target_id = id;
      } else {
        user = !account.empty() ? account : actor_name;
        user_id = !id.empty() ? id : actor_id;
      }
      break;
    case Kind::kActor:
      user = actor_name;
      user_id = actor_id;
      if (p.type != "SYSCALL" && p.type != "USER_CMD") {
        target = account;
        target_id = id;
      }
      break;
    case Kind::kGroup:
      user = actor_name;
      user_id = actor_id;
      break;
  }
  if (const std::string* grp = p.Find("grp"); Meaningful(grp)) {
    group = *grp;
  } else if (kind.who == Kind::kGroup) {
    group = account;
  }
  AddString(e, ecs::kUserName, user);
  AddString(e, ecs::kUserId, user_id);
  AddString(e, ecs::kUserTargetName, target);
  if (!user.empty() && !target.empty() && target != user) {
    e.AddList(ecs::kRelatedUser, {user, target});
  } else if (!user.empty() || !target.empty()) {
    e.AddList(ecs::kRelatedUser, {!user.empty() ? user : target});
  }
  AddString(e, ecs::kUserTargetId, target_id);
  AddString(e, ecs::kGroupName, group);
  if (kind.who == Kind::kGroup) AddString(e, aids.gid, id);
  if (p.type == "SYSCALL") {
    const std::string_view euid_name = Or(p.FindEnriched("EUID"));
    if (euid_name != user) AddString(e, ecs::kUserEffectiveName, euid_name);
  }

  // Where from.
  if (const std::string* addr = p.Find("addr"); Meaningful(addr)) {
    if (auto ip = ParseLoggedAddress(*addr)) {
      e.Add(ecs::kSourceIp, *ip);
      e.AddList(ecs::kRelatedIp, {ip->ToString()});
    } else {
      e.AddString(ecs::kSourceAddress, *addr);
    }
  }
  const std::string* terminal = p.Find("terminal");
  if (terminal == nullptr) terminal = p.Find("tty");
  AddString(e, aids.tty, Or(terminal));
  if (const std::string* op = p.Find("op"); Meaningful(op)) {
    e.AddString(ids.op, *op);
    if (op->substr(0, 4) == "PAM:" && p.type == "USER_AUTH") e.AddString(aids.auth_method, "pam");
  }

  // The process.
  if (const std::string* pid = p.Find("pid")) {
    if (int64_t n = ParseSmallInt(*pid); n >= 0) e.Add(ecs::kProcessPid, n);
  }
  const std::string_view exe = Or(p.Find("exe"));
  AddString(e, ecs::kProcessExecutable, exe);
  std::string_view comm = Or(p.Find("comm"));
  if (comm.empty() && !exe.empty()) comm = exe.substr(exe.rfind('/') + 1);
  AddString(e, ecs::kProcessName, comm);
  std::string command;
  if (p.type == "USER_CMD") {
    command = std::string(Or(p.Find("cmd")));
  } else if (has_execve) {
    command = ExecveCommandLine(ev);
  }
  if (command.empty() && proctitle != nullptr) {
    if (const std::string* t = proctitle->Find("proctitle")) {
      command = *t;
      std::replace(command.begin(), command.end(), '\0', ' ');
      while (!command.empty() && command.back() == ' ') command.pop_back();
    }
  }
  AddString(e, ecs::kProcessCommandLine, command);
  std::string_view cwd = cwd_record != nullptr ? Or(cwd_record->Find("cwd")) : std::string_view();
  if (cwd.empty()) cwd = Or(p.Find("cwd"));
  AddString(e, ecs::kProcessWorkingDirectory, cwd);
  if (p.type == "SYSCALL" && first_path != nullptr) AddString(e, ecs::kFilePath, Or(first_path->Find("name")));

  // The audit event itself.
  AddString(e, ecs::kHostName, p.node);
  e.AddString(ecs::kMessage, p.text);
  e.AddString(ecs::kEventOriginal, ev.original);
  AddString(e, ecs::kLogFilePath, path);
  e.Add(ecs::kLogOffset, static_cast<int64_t>(ev.offset));
  if (p.serial <= static_cast<uint64_t>(INT64_MAX)) e.Add(ids.serial, static_cast<int64_t>(p.serial));
  e.Add(ids.record_types, Value(std::move(types)));
  AddString(e, ids.session, Or(p.Find("ses")));
  if (p.type == "SYSCALL") {
    std::string_view sc = Or(p.FindEnriched("SYSCALL"));
    if (sc.empty()) sc = Or(p.Find("syscall"));
    AddString(e, ids.syscall, sc);
    AddString(e, ids.key, Or(p.Find("key")));
  }
  e.Add(ids.complete, ev.complete);
}

}  // namespace vigil::access
