// Typed reads of audit-record data for the store's projections, each failure reported with
// the record it came from ("audit record 42 (alert): missing time "created"").
//
// Threading: free functions without state.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "audit/audit_record.h"
#include "vigil/event.h"
#include "vigil/status.h"

namespace vigil::store {

inline int64_t Ns(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromNs(int64_t ns) { return Timestamp(std::chrono::nanoseconds(ns)); }

// An RFC 3339 time at `key`.
Result<Timestamp> TimeAt(const nlohmann::json& j, const char* key);
// `s` as the error of record `r`.
Status RecordError(const audit::Record& r, const Status& s);
// An integer at `key`: `def` when absent, an error when present with another type.
Result<int64_t> IntField(const audit::Record& r, const char* key, std::optional<int64_t> def);

}  // namespace vigil::store
