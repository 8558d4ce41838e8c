// From a parsed line (SyslogHeader + AuthRecord) to an ECS Event.
//
// Fields set: @timestamp (when the header has a time), event.kind=event, event.module=access,
// event.dataset, event.category, event.type, event.action, event.outcome
// (success|failure|unknown), user.name, user.target.name, user.target.id,
// user.effective.name, group.name, source.ip (IPv4-mapped addresses unwrapped, scope ids
// stripped) or source.address (when the host was logged as a name), source.port,
// process.name, process.pid, process.command_line, process.working_directory, host.name,
// message (the message part), event.original (the whole line), log.file.path, log.offset,
// related.ip, related.user, and the vigil.access.* fields of DeclareAccessFields.
// A password typed as a user name is kept out of all of them (BuildAccessEvent below). With a
// time, vigil.access.local_hour and .local_weekday give it in the host's time zone (TZ), for
// business-hours rules.
#pragma once

#include <cstdint>
#include <string_view>

#include "auth_record.h"
#include "syslog_header.h"
#include "user_redaction.h"
#include "vigil/event.h"
#include "vigil/field.h"
#include "vigil/status.h"

namespace vigil::access {

// Ids of the fields the access collectors add beyond ECS.
struct AccessFieldIds {
  FieldId auth_method = 0;   // vigil.access.auth_method (string)
  FieldId invalid_user = 0;  // vigil.access.invalid_user (bool)
  FieldId reason = 0;        // vigil.access.reason (string)
  FieldId tty = 0;           // vigil.access.tty (string)
  FieldId session_id = 0;    // vigil.access.session_id (string)
  FieldId pam_service = 0;   // vigil.access.pam_service (string)
  FieldId attempts = 0;      // vigil.access.attempts (int)
  FieldId gid = 0;           // vigil.access.gid (string)
  FieldId prior_failures = 0;  // vigil.access.prior_failures (int)
  FieldId user_redacted = 0;   // vigil.access.user_redacted (bool)
  FieldId local_hour = 0;      // vigil.access.local_hour (int, 0..23)
  FieldId local_weekday = 0;   // vigil.access.local_weekday (string, mon..sun)
};

// Declares the vigil.access.* fields in `fields` and returns their ids.
Result<AccessFieldIds> DeclareAccessFields(FieldRegistry& fields);

// Where the line came from.
struct LineOrigin {
  std::string_view path;     // log.file.path (empty: not set)
  int64_t offset = -1;       // log.offset (-1: not set)
  std::string_view original; // event.original
};

// The field room BuildAccessEvent reserves at least (Event::Reserve): every access event
// fits, so a recycled event is sized once.
inline constexpr size_t kEventRoom = 32;

// Builds the event. `ids` must come from the registry that Event::Set checks (Global).
// An unverified user name (an invalid user, a failed console login) that `redaction`
// redacts is replaced by its placeholder in user.name, related.user, message and
// event.original, and vigil.access.user_redacted is set (user_redaction.h).
Event BuildAccessEvent(const SyslogHeader& header, const AuthRecord& record,
                       const LineOrigin& origin, const AccessFieldIds& ids,
                       const UserRedaction& redaction = UserRedaction::Default());
// The same, built into `*event`, which must be empty (a new or cleared one: a recycled
// event's buffers are reused, CollectorContext::NewEvent).
void BuildAccessEvent(const SyslogHeader& header, const AuthRecord& record,
                      const LineOrigin& origin, const AccessFieldIds& ids,
                      const UserRedaction& redaction, Event* event);

// The hour (0..23) and weekday (0 = Sunday) of `t` in the process's local time zone (TZ).
// Cached per UTC hour, so a stream of events costs one localtime_r an hour.
struct LocalTime {
  int hour = 0;
  int weekday = 0;
};
LocalTime LocalTimeOf(Timestamp t);

// Whether the record's user name is one the log does not vouch for as an account: sshd's
// invalid users, and the name of a failed console login (login logs unknown names only
// when LOG_UNKFAIL_ENAB is on, and then in the same words as a bad password).
bool UserNameUnverified(const AuthRecord& record);

// The address in `host` as sshd or PAM log it (`::ffff:1.2.3.4`, `fe80::1%eth0`), or
// nullopt when it is a name.
std::optional<IpAddress> ParseLoggedAddress(std::string_view host);

}  // namespace vigil::access
