// ReconcileStore: applies to the store the audit-log records it has not applied yet (those
// after its audit head), so that a crash between writing the audit log and committing the
// store loses nothing. Called with the audit log locked (AuditLog::Lock), by every writer
// before it writes: the daemon's router and the `vigil alerts` commands.
//
// Threading: as AlertStore (one thread).
#pragma once

#include <cstdint>
#include <string>

#include "store/alert_store.h"
#include "vigil/status.h"

namespace vigil::store {

// Returns the number of records applied.
Result<uint64_t> ReconcileStore(AlertStore& store, const std::string& audit_path);

}  // namespace vigil::store
