// From an assembled audit event (audit_assembler.h) to an ECS Event, dataset
// `access.auditd`. The fields mean what they mean in the other access collectors
// (access_event.h), so rules read both alike: user.name, user.target.name, source.ip,
// event.action (login, session_opened, user_created, password_changed, ...), event.outcome,
// vigil.access.tty, vigil.access.invalid_user, vigil.access.reason. docs/access.md has the
// mapping of record types to actions.
//
// Names come from the records (acct=, cmd=, exe=) and, with log_format=ENRICHED, from the
// translations auditd appended (AUID="bob", ID="alice"); raw logs give ids only
// (user.id, user.target.id).
#pragma once

#include <cstddef>
#include <string_view>

#include "access_event.h"
#include "audit_assembler.h"
#include "vigil/event.h"
#include "vigil/field.h"
#include "vigil/status.h"

namespace vigil::access {

// Ids of the vigil.auditd.* fields.
struct AuditFieldIds {
  FieldId serial = 0;        // vigil.auditd.serial (int)
  FieldId record_types = 0;  // vigil.auditd.record_types (list)
  FieldId session = 0;       // vigil.auditd.session (string): the audit session, ses=
  FieldId op = 0;            // vigil.auditd.op (string)
  FieldId syscall = 0;       // vigil.auditd.syscall (string)
  FieldId key = 0;           // vigil.auditd.key (string): the audit rule's key
  FieldId complete = 0;      // vigil.auditd.complete (bool)
};

Result<AuditFieldIds> DeclareAuditFields(FieldRegistry& fields);

// The field room BuildAuditEvent reserves (Event::Reserve): every audit event fits.
inline constexpr size_t kAuditEventRoom = 48;

// Builds the event; `path` is log.file.path (empty: not set).
Event BuildAuditEvent(const AssembledAuditEvent& event, std::string_view path,
                      const AccessFieldIds& access_ids, const AuditFieldIds& audit_ids);
// The same, built into `*out`, which must be empty (a new or cleared one: a recycled event's
// buffers are reused, CollectorContext::NewEvent).
void BuildAuditEvent(const AssembledAuditEvent& event, std::string_view path,
                     const AccessFieldIds& access_ids, const AuditFieldIds& audit_ids, Event* out);

}  // namespace vigil::access
