// AuditSnapshot: what one verification of an audit log checks against, taken at one moment.
//
// A running daemon (and `vigil alerts ack`) appends to the audit log, replaces the exported
// checkpoint and advances the store's audit head, each batch under the log's exclusive flock
// (audit/audit_log.h). A verifier that read the log, then the checkpoint file, then the store
// at three moments could see a checkpoint or a store head newer than the log it read and
// report a truncation that never happened. So the log's size, the checkpoint file's text and
// the store's head are read under a shared flock on the log, and the verifier then reads the
// log only up to that size: the one moment is between two of the writers' batches.
//
// Used by `vigil verify` and by the daemon's periodic verifier (audit_monitor.h).
//
// Threading: no shared state.
#pragma once

#include <optional>
#include <string>

#include "audit/audit_verifier.h"
#include "audit/signed_note.h"
#include "vigil/status.h"

namespace vigil {

struct AuditPaths {
  std::string log;         // the audit log
  std::string store;       // its store, whose audit head is compared ("" or missing: none)
  std::string public_key;  // the verifier key file ("" or missing: signatures not checked)
};

// The verifier key in `path`; nullopt when the file does not exist.
Result<std::optional<audit::NoteVerifier>> LoadVerifierKey(const std::string& path);

// VerifyOptions for `paths`, with the key loaded and the log's size, exported checkpoint and
// store head read at one moment (above). The checkpoint file is `<log>.checkpoint`.
Result<audit::VerifyOptions> SnapshotForVerify(const AuditPaths& paths);

}  // namespace vigil
