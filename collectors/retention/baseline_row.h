// A baseline row read back: the columns every query of the table selects, their decoding into
// a BaselineRecord, and the lookup by key. Internal to BaselineStore and its PathCursor
// (baseline_store.cc, baseline_cursor.cc).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "baseline_store.h"
#include "vigil/sqlite.h"
#include "vigil/status.h"

namespace vigil::retention {

// The columns a row is read from, in ReadRow's order.
inline constexpr const char* kBaselineColumns =
    "dev, ino, birth_ns, dir, name, size, mtime_ns, ctime_ns, mode, uid, gid, sha256, first_seen,"
    " changed_at, class, clock, reported, hash_pending";

// The directory part of a path (up to and including its last '/'; empty: none) and its name.
std::pair<std::string_view, std::string_view> SplitDirName(std::string_view path);

// The current row of `s` (kBaselineColumns) into `r`. `dir`: the row's directory path when
// the caller knows it (else looked up by its id).
Status ReadRow(const sqlite::Statement& s, BaselineNames& names, const std::string* dir, BaselineRecord* r);

// The row of `key` through `find` (kBaselineColumns by dev, ino, birth_ns as ?1-?3).
Result<std::optional<BaselineRecord>> FindByKey(sqlite::Statement& find, BaselineNames& names, const FileKey& key);

}  // namespace vigil::retention
