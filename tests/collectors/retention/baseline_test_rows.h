// Baseline rows for the store's tests: a sample row with every column set, and a comparison
// of two rows column by column.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>

#include "baseline_store.h"

namespace vigil::retention {

inline constexpr const char* kSampleHash = "00ff10e2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e";

// A row of file `ino` at `path`: key, size and every other column set (the size and the key's
// birth time from `ino`).
inline BaselineRecord SampleRow(uint64_t ino, std::string path) {
  BaselineRecord r;
  r.key = {7, ino, 1000 + static_cast<int64_t>(ino)};
  r.path = std::move(path);
  r.size = static_cast<int64_t>(ino) * 10;
  r.mtime_ns = 1700000000123456789;
  r.ctime_ns = 1700000001000000000;
  r.mode = 0100640;
  r.uid = 1001;
  r.gid = 1002;
  r.sha256 = kSampleHash;
  r.first_seen = 1795392000;
  r.changed_at = 1795392100;
  r.class_id = "records";
  r.clock = "birth";
  r.reported = kReportedOverdue;
  r.hash_pending = HashPending::kNone;
  return r;
}

// Every column of `a` equals `b`'s; `what` names the case in a failure.
inline void ExpectSameRow(const BaselineRecord& a, const BaselineRecord& b, const std::string& what = {}) {
  EXPECT_EQ(a.key, b.key) << what;
  EXPECT_EQ(a.path, b.path) << what;
  EXPECT_EQ(a.size, b.size) << what;
  EXPECT_EQ(a.mtime_ns, b.mtime_ns) << what;
  EXPECT_EQ(a.ctime_ns, b.ctime_ns) << what;
  EXPECT_EQ(a.mode, b.mode) << what;
  EXPECT_EQ(a.uid, b.uid) << what;
  EXPECT_EQ(a.gid, b.gid) << what;
  EXPECT_EQ(a.sha256, b.sha256) << what;
  EXPECT_EQ(a.first_seen, b.first_seen) << what;
  EXPECT_EQ(a.changed_at, b.changed_at) << what;
  EXPECT_EQ(a.class_id, b.class_id) << what;
  EXPECT_EQ(a.clock, b.clock) << what;
  EXPECT_EQ(a.reported, b.reported) << what;
  EXPECT_EQ(a.hash_pending, b.hash_pending) << what;
}

}  // namespace vigil::retention
