// The retention baseline's tables: their schema, the migrations that bring an older baseline
// up to date (MigrateRetention), and the row insert the store and migration 3 share (PutSql,
// BindRow). Internal to BaselineStore (baseline_store.cc); the layout is described in
// docs/retention.md, "The baseline".
#pragma once

#include <string>

#include "baseline_store.h"
#include "vigil/sqlite.h"
#include "vigil/status.h"

namespace vigil::retention {

// The lookup by key (Find, Remove, the replace of a renamed file's row): schema 5's unique
// index, dropped during a bulk load.
inline constexpr const char* kKeyIndexName = "retention_baseline_by_key";
inline constexpr const char* kKeyIndex =
    "CREATE UNIQUE INDEX IF NOT EXISTS retention_baseline_by_key ON retention_baseline(dev, ino, birth_ns)";

// Creates the retention tables or migrates them to the latest schema, one transaction per
// step; an error for a schema newer than this build's.
Status MigrateRetention(sqlite::Database& db);

inline constexpr int kPutColumns = 18;

// The insert (or replace) of `rows` rows: row r's parameters are ?(r*18+1) to ?(r*18+18).
std::string PutSql(int rows);

// Binds the parameters of one row of PutSql, the `base`-th parameter onward (`put` reset: no
// reset here, one per run is enough). The name and a text hash are bound uncopied: the caller
// runs and resets `put` while `r` lives.
Status BindRow(sqlite::Statement& put, BaselineNames& names, const BaselineRecord& r, int base = 0);

}  // namespace vigil::retention
