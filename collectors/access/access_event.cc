#include "access_event.h"

#include <chrono>
#include <climits>
#include <cstdint>
#include <ctime>
#include <string>

#include "vigil/ecs_fields.h"
#include "vigil/field_decl.h"

namespace vigil::access {
namespace {

void SetString(Event& e, FieldId id, std::string_view v) {
  if (!v.empty()) e.Set(id, std::string(v));
}

// Whether `part` is a view into `whole`.
bool Within(std::string_view whole, std::string_view part) {
  const auto w = reinterpret_cast<uintptr_t>(whole.data());
  const auto p = reinterpret_cast<uintptr_t>(part.data());
  return w <= p && p + part.size() <= w + whole.size();
}

// Replaces every occurrence of `needle` in `*out`, left to right.
void ReplaceAll(std::string* out, std::string_view needle, std::string_view with) {
  if (needle.empty()) return;
  for (size_t at = out->find(needle); at != std::string::npos;
       at = out->find(needle, at + with.size())) {
    out->replace(at, needle.size(), with);
  }
}

// `text` with the user name `name` replaced by `placeholder`: at the name's own place when
// `name` is a view into `text`; otherwise (a journal_json line, whose message was decoded
// from JSON) at every occurrence, raw and JSON-escaped. A name shaped like a secret is also
// replaced wherever else it occurs: over-redaction rather than a leak is the failure mode.
std::string Redacted(std::string_view text, std::string_view name, std::string_view placeholder) {
  std::string out(text);
  const bool positional = Within(text, name);
  if (positional) out.replace(static_cast<size_t>(name.data() - text.data()), name.size(), placeholder);
  if (positional && !NameMayBeSecret(name)) return out;
  std::string escaped;  // as a JSON string holds it
  for (const char c : name) {
    static constexpr char kHex[] = "0123456789abcdef";
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      escaped += '\\';
      escaped += c;
    } else if (c == '\n') {
      escaped += "\\n";
    } else if (c == '\t') {
      escaped += "\\t";
    } else if (c == '\r') {
      escaped += "\\r";
    } else if (u < 0x20) {
      escaped += "\\u00";
      escaped += kHex[u >> 4];
      escaped += kHex[u & 15];
    } else {
      escaped += c;
    }
  }
  ReplaceAll(&out, name, placeholder);
  if (escaped != name) ReplaceAll(&out, escaped, placeholder);
  return out;
}

}  // namespace

Result<AccessFieldIds> DeclareAccessFields(FieldRegistry& fields) {
  AccessFieldIds ids;
  const Status declared = DeclareEach(fields, {
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
      {&ids.local_hour, "vigil.access.local_hour", FieldType::kInt,
       "Hour of the event (0-23) in the host's time zone (TZ): for business-hours rules."},
      {&ids.local_weekday, "vigil.access.local_weekday", FieldType::kString,
       "Day of the week of the event in the host's time zone: mon, tue, wed, thu, fri, sat, sun."},
      {&ids.user_redacted, "vigil.access.user_redacted", FieldType::kBool,
       "True when an unknown user name that may be a password was replaced by a keyed "
       "placeholder `<redacted:...>` in user.name, related.user, message and event.original."},
  });
  if (!declared.ok()) return declared;
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

LocalTime LocalTimeOf(Timestamp t) {
  // The zone's offset only changes at whole hours here (every zone in use changes on an hour
  // or half hour boundary, and half-hour zones keep half-hour offsets year round): one
  // conversion per UTC hour, kept per thread.
  const int64_t secs = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  const int64_t hour_start = secs - ((secs % 3600) + 3600) % 3600;
  thread_local int64_t cached_hour_start = INT64_MIN;
  thread_local int cached_minute_offset = 0;  // local minutes past the UTC hour start
  thread_local int cached_hour = 0, cached_weekday = 0;
  if (hour_start != cached_hour_start) {
    const time_t tt = static_cast<time_t>(hour_start);
    struct tm tm {};
    if (localtime_r(&tt, &tm) == nullptr) return {};
    cached_hour_start = hour_start;
    cached_minute_offset = tm.tm_min;
    cached_hour = tm.tm_hour;
    cached_weekday = tm.tm_wday;
  }
  // Within the hour: past the local hour's end (a half-hour zone), the next hour.
  const int minutes = static_cast<int>((secs - hour_start) / 60) + cached_minute_offset;
  LocalTime lt{cached_hour, cached_weekday};
  if (minutes >= 60) {
    lt.hour = (cached_hour + 1) % 24;
    if (lt.hour == 0) lt.weekday = (cached_weekday + 1) % 7;
  }
  return lt;
}

bool UserNameUnverified(const AuthRecord& r) {
  return r.invalid_user || (r.dataset == "access.login" && r.outcome == Outcome::kFailure);
}

Event BuildAccessEvent(const SyslogHeader& h, const AuthRecord& r, const LineOrigin& o,
                       const AccessFieldIds& ids, const UserRedaction& redaction) {
  Event e;
  if (h.has_time) {
    e.Set(ecs::kTimestamp, h.time);
    static constexpr const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    const LocalTime lt = LocalTimeOf(h.time);
    e.Set(ids.local_hour, int64_t{lt.hour});
    e.Set(ids.local_weekday, std::string(kDays[lt.weekday % 7]));
  }
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
  std::string placeholder;
  if (r.has_user && UserNameUnverified(r) && redaction.Redacts(r.user)) {
    placeholder = redaction.Placeholder(r.user);
    e.Set(ids.user_redacted, true);
  }
  const std::string_view user = placeholder.empty() ? r.user : std::string_view(placeholder);
  StringList related_users;
  if (r.has_user) {
    e.Set(ecs::kUserName, std::string(user));
    if (!user.empty()) related_users.emplace_back(user);
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
  if (placeholder.empty()) {
    e.Set(ecs::kMessage, std::string(h.message));
    SetString(e, ecs::kEventOriginal, o.original);
  } else {
    e.Set(ecs::kMessage, Redacted(h.message, r.user, placeholder));
    SetString(e, ecs::kEventOriginal, Redacted(o.original, r.user, placeholder));
  }
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
