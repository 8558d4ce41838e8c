#include "access_event.h"

#include <cassert>
#include <chrono>
#include <algorithm>
#include <climits>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "vigil/ecs_fields.h"
#include "vigil/field_decl.h"

namespace vigil::access {
namespace {

// Adds a string field unless `v` is empty.
void AddString(Event& e, FieldId id, std::string_view v) {
  if (!v.empty()) e.AddString(id, v);
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

namespace {

// ParseLoggedAddress; `*text` is set to the part of `host` that was parsed (the scope id and
// an IPv4-mapped prefix removed).
std::optional<IpAddress> ParseLoggedAddress(std::string_view host, std::string_view* text) {
  const size_t pct = host.find('%');
  if (pct != std::string_view::npos) host = host.substr(0, pct);
  if (host.size() > 7 && (host.substr(0, 7) == "::ffff:" || host.substr(0, 7) == "::FFFF:") &&
      host.find('.') != std::string_view::npos) {
    host.remove_prefix(7);
  }
  *text = host;
  return IpAddress::Parse(host);
}

}  // namespace

std::optional<IpAddress> ParseLoggedAddress(std::string_view host) {
  std::string_view text;
  return ParseLoggedAddress(host, &text);
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
  BuildAccessEvent(h, r, o, ids, redaction, &e);
  return e;
}

void BuildAccessEvent(const SyslogHeader& h, const AuthRecord& r, const LineOrigin& o,
                      const AccessFieldIds& ids, const UserRedaction& redaction, Event* event) {
  assert(event->size() == 0);
  Event& e = *event;
  // Each field is added once, in a fixed order (the order of the JSON output), into a field
  // vector sized for them all plus observer.name (CollectorContext::Emit adds it).
  std::string placeholder;
  const bool redact = r.has_user && UserNameUnverified(r) && redaction.Redacts(r.user);
  if (redact) placeholder = redaction.Placeholder(r.user);
  const std::string_view user = placeholder.empty() ? r.user : std::string_view(placeholder);
  std::optional<IpAddress> ip;
  std::string_view ip_text;  // what was parsed: an IPv4 address's text is its canonical form
  if (!r.source.empty()) ip = ParseLoggedAddress(r.source, &ip_text);
  const auto n = [](bool b) { return static_cast<size_t>(b); };
  const auto s = [](std::string_view v) { return static_cast<size_t>(!v.empty()); };
  const size_t fields =
      3 * n(h.has_time) + 3 /* kind, module, outcome */ + s(r.dataset) + s(r.category) +
      s(r.type) + s(r.action) + n(redact) + n(r.has_user) + s(r.target_user) +
      n((r.has_user && !user.empty()) || !r.target_user.empty()) + s(r.target_uid) +
      s(r.effective_user) + s(r.group) + (r.source.empty() ? 0 : ip ? 2 : 1) + n(r.port >= 0) +
      s(h.program) + n(h.pid >= 0) + s(r.command) + s(r.cwd) + s(h.host) + 1 /* message */ +
      s(o.original) + s(o.path) + n(o.offset >= 0) + s(r.method) + n(r.has_invalid_user) +
      s(r.reason) + s(r.tty) + s(r.session) + s(r.service) + n(r.attempts >= 0) + s(r.gid) +
      n(r.prior_failures >= 0) + 1 /* observer.name */;
  // At least kEventRoom: a recycled event (CollectorContext::NewEvent) sized by a smaller
  // predecessor would otherwise grow, moving every field.
  e.Reserve(std::max(fields, kEventRoom));
  if (h.has_time) {
    e.Add(ecs::kTimestamp, h.time);
    static constexpr std::string_view kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    const LocalTime lt = LocalTimeOf(h.time);
    e.Add(ids.local_hour, int64_t{lt.hour});
    e.AddString(ids.local_weekday, kDays[lt.weekday % 7]);
  }
  e.AddString(ecs::kEventKind, "event");
  e.AddString(ecs::kEventModule, "access");
  AddString(e, ecs::kEventDataset, r.dataset);
  if (!r.category.empty()) e.AddList(ecs::kEventCategory, {r.category});
  if (!r.type.empty()) {
    if (r.type2.empty()) {
      e.AddList(ecs::kEventType, {r.type});
    } else {
      e.AddList(ecs::kEventType, {r.type, r.type2});
    }
  }
  AddString(e, ecs::kEventAction, r.action);
  e.AddString(ecs::kEventOutcome, OutcomeName(r.outcome));
  if (redact) e.Add(ids.user_redacted, true);
  if (r.has_user) e.AddString(ecs::kUserName, user);
  AddString(e, ecs::kUserTargetName, r.target_user);
  const bool user_related = r.has_user && !user.empty();
  if (user_related && !r.target_user.empty()) {
    e.AddList(ecs::kRelatedUser, {user, r.target_user});
  } else if (user_related) {
    e.AddList(ecs::kRelatedUser, {user});
  } else if (!r.target_user.empty()) {
    e.AddList(ecs::kRelatedUser, {r.target_user});
  }
  AddString(e, ecs::kUserTargetId, r.target_uid);
  AddString(e, ecs::kUserEffectiveName, r.effective_user);
  AddString(e, ecs::kGroupName, r.group);
  if (ip) {
    e.Add(ecs::kSourceIp, *ip);
    // IpAddress::Parse takes a dotted quad only without leading zeros, as ToString writes
    // it: the text itself, without formatting it again.
    if (ip->is_v4()) {
      e.AddList(ecs::kRelatedIp, {ip_text});
    } else {
      e.AddList(ecs::kRelatedIp, {ip->ToString()});
    }
  } else if (!r.source.empty()) {
    e.AddString(ecs::kSourceAddress, r.source);
  }
  if (r.port >= 0) e.Add(ecs::kSourcePort, r.port);
  AddString(e, ecs::kProcessName, h.program);
  if (h.pid >= 0) e.Add(ecs::kProcessPid, h.pid);
  AddString(e, ecs::kProcessCommandLine, r.command);
  AddString(e, ecs::kProcessWorkingDirectory, r.cwd);
  AddString(e, ecs::kHostName, h.host);
  if (placeholder.empty()) {
    e.AddString(ecs::kMessage, h.message);
    AddString(e, ecs::kEventOriginal, o.original);
  } else {
    e.Add(ecs::kMessage, Redacted(h.message, r.user, placeholder));
    if (!o.original.empty()) e.Add(ecs::kEventOriginal, Redacted(o.original, r.user, placeholder));
  }
  AddString(e, ecs::kLogFilePath, o.path);
  if (o.offset >= 0) e.Add(ecs::kLogOffset, o.offset);
  AddString(e, ids.auth_method, r.method);
  if (r.has_invalid_user) e.Add(ids.invalid_user, r.invalid_user);
  AddString(e, ids.reason, r.reason);
  AddString(e, ids.tty, r.tty);
  AddString(e, ids.session_id, r.session);
  AddString(e, ids.pam_service, r.service);
  if (r.attempts >= 0) e.Add(ids.attempts, r.attempts);
  AddString(e, ids.gid, r.gid);
  if (r.prior_failures >= 0) e.Add(ids.prior_failures, r.prior_failures);
  assert(e.size() + 1 == fields);
}

}  // namespace vigil::access
