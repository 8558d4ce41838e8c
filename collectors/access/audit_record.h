// AuditRecord: one line of a Linux audit log (/var/log/audit/audit.log), parsed.
//
//   [node=HOST ]type=TYPE msg=audit(SECONDS.MILLIS:SERIAL): k=v k="v" k=HEX ... [msg='k=v ...']
//   [\x1d UID="root" AUID="bob" ...]     (log_format=ENRICHED)
//
// Values are quoted ("..."), unquoted (numbers, `?`, `(null)`), braced (`{ ... }`, in
// enriched SADDR) or hex-encoded: auditd writes a value of an "untrusted string" field as
// an even-length run of [0-9A-F] when it holds a space, a quote, a control character or a
// byte above 0x7e. Such a value is decoded when the field is one auditd encodes (see
// IsEncodedAuditField) and the value is unquoted hex; anything else is kept as written.
// The `msg='...'` of user-space records (USER_AUTH, USER_CMD, ADD_USER, ...) holds further
// k=v pairs; they are appended to `fields` with `nested` set. After a GS byte (0x1d) come
// the enriched fields auditd adds with log_format=ENRICHED: upper-case names, quoted values
// (UID="root", AUID="bob", ID="alice", SYSCALL="execve"), kept in `enriched`.
// Words that are not k=v (the `avc:  denied  { read } for` of AVC records) are skipped.
//
// Bounded: a line longer than max_line_bytes or with more than max_fields fields is an
// error, as is a line without the `type=... msg=audit(...):` header or with an unterminated
// quote (a truncated line). Errors carry a short reason; the caller counts the line as a
// skip. Never throws; the parser holds no state between lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/status.h"

namespace vigil::access {

struct AuditField {
  std::string name;
  std::string value;    // decoded when it was hex-encoded
  bool nested = false;  // from inside msg='...'
};

struct AuditRecord {
  std::string node;     // node= prefix, empty when absent
  std::string type;     // SYSCALL, USER_AUTH, UNKNOWN[1334], ...
  int64_t seconds = 0;  // msg=audit(SECONDS.MILLIS:SERIAL)
  int32_t millis = 0;
  uint64_t serial = 0;
  std::vector<AuditField> fields;    // in the order of the line, nested ones after `msg`
  std::vector<AuditField> enriched;  // after GS: UID, AUID, ID, SYSCALL, ...
  std::string text;  // what follows `msg=audit(...): ` up to the GS byte (for `message`)

  // The value of the first field called `name` (outer fields first), or null.
  const std::string* Find(std::string_view name) const;
  // The value of enriched field `name` (UID, AUID, ...), or null.
  const std::string* FindEnriched(std::string_view name) const;
};

struct AuditLimits {
  size_t max_line_bytes = 64 * 1024;
  size_t max_fields = 1024;
};

// Whether auditd hex-encodes field `name` of a `type` record when its value needs it:
// acct, cmd, comm, cwd, data, dir, exe, file, grp, key, name, new_group, ocomm, path,
// proctitle, root_dir, vm, watch, old-/new- disk, fs, chardev and rng, and in EXECVE
// records the arguments a0, a1, ... and their parts aN[i].
bool IsEncodedAuditField(std::string_view type, std::string_view name);

// Decodes an even-length, non-empty run of upper-case hex digits; false when `s` is not one.
bool DecodeAuditHex(std::string_view s, std::string* out);

// Parses one line (without its newline). On error *out is unspecified.
Status ParseAuditRecord(std::string_view line, AuditRecord* out, const AuditLimits& limits = {});

}  // namespace vigil::access
