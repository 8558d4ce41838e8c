// RetentionScan: one scan of the policy's roots compared with the baseline, turned into
// retention events (DESIGN.md "Retention policies"; each action in docs/retention.md).
//
// A scan has two phases.
//
// 1. The stat phase. Per file the walk finds (TreeWalker), in walk order:
//   new key (dev, inode, birth)      -> file_created (not on the very first scan: that one
//                                       records the baseline), its hash pending
//   known key, new path              -> file_renamed
//   mode or owner changed            -> attributes_changed
//   size/mtime/ctime changed         -> hash pending; the row keeps the last hashed content's
//                                       size, times and hash until phase 2
//   then, for files whose content is not in question, once per file until its content
//   changes: unclassified, expiring_soon, overdue (overdue and expiring_soon of a maximum
//   never while a hold is active).
//   Then every baseline file the walk did not see, in path order, unless it lies in a gap:
//   file_deleted, early_deletion (inside the minimum), hold_violation (an active hold), with
//   the last known hash (vigil.retention.hash_pending when the file was never hashed or
//   changed after its last hash). A full re-hash marks every row pending. The baseline is
//   committed with the scan count: this is the "full scan".
// 2. The hash phase. The files of this scan whose hash is pending, in walk order, are read
//   from the baseline, stat'ed again and hashed (by the workers), then evaluated in that order:
//   the hash differs from the last known one -> file_modified, and as the duties say:
//                                       hash_mismatch (size, mtime and ctime unchanged),
//                                       early_modification (worm, inside the minimum),
//                                       append_only_violation (not a pure append, inside
//                                       the minimum), hold_violation (an active hold)
//   then the one-time findings of the files whose metadata had changed. A file gone or
//   replaced since phase 1 stays pending (the next scan sees what became of it); a stopped
//   or crashed hash phase resumes at the next scan from the pending marks, and the row that
//   records a finding clears the mark, so a stopped scan does not raise it twice.
// Then one scan_gap when the walk was incomplete (unreadable directories, limits, files not
// hashed) or, when asked, when the scan started later than expected (how long nothing was
// watched), or when the caller gives reasons (change notification lost events or ran out of
// watches).
// A partial scan (ScanRequest::partial) does the same for just the paths it is given.
//
// Runs on the caller's thread; uses the store and hasher it is given, and with workers > 1 a
// pool of threads for the walk's listing, the lookups and the hash phase, and during the walk
// one more thread that writes the stat phase's rows (BaselineWriter).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "baseline_store.h"
#include "file_hasher.h"
#include "retention_fields.h"
#include "retention_policy.h"
#include "tree_walker.h"
#include "vigil/event.h"

namespace vigil::retention {

// Item states for vigil_retention_items.
enum class ItemState : uint8_t { kOk, kExpiringSoon, kOverdue, kHeld, kUnclassified, kCount };
std::string_view ItemStateName(ItemState s);

struct ScanRequest {
  WalkOptions walk;
  int64_t now = 0;            // Unix seconds: the scan's clock (--now in replay)
  bool full_rehash = false;   // hash every file, not only those whose metadata changed
  // When set: the scan should have started by this time (previous end + interval); a later
  // start raises scan_gap with the time since the previous scan ended.
  std::optional<int64_t> expected_by;
  std::optional<int64_t> previous_end;
  // A rescan of the paths a change notification named (walk.roots, walk.partial): files
  // found are evaluated as by a full scan, baseline files under those paths that are gone
  // are deletions, and nothing else of the baseline is looked at; the scan count, the
  // last-scan and full re-hash times are left alone.
  bool partial = false;
  // More reasons for a scan_gap event (queue_overflow, watch_limit); a scan with reasons
  // raises one even when its walk was complete.
  std::vector<std::string> gap_reasons;
  // false: stop after the stat phase; the pending hashes wait in the baseline for the next
  // scan (tests: a restart between the phases).
  bool hash_phase = true;
};

struct ScanResult {
  WalkStats walk;
  uint64_t hashed = 0;
  uint64_t hashed_bytes = 0;
  uint64_t events = 0;
  bool stopped = false;   // the caller asked to stop (or the sink refused)
  double stat_seconds = 0;  // phase 1: walk, statx, policy, baseline written (hashes pending)
  double hash_seconds = 0;  // phase 2: the pending files hashed, content findings
  // items[class index][state]; the last row is files matching no class.
  std::vector<std::array<int64_t, static_cast<size_t>(ItemState::kCount)>> items;
};

class RetentionScan {
 public:
  // Returns false when no more events are wanted (shutdown).
  using EmitFn = std::function<bool(Event&&)>;

  RetentionScan(const RetentionPolicy& policy, BaselineStore& store, const RetentionFieldIds& ids,
                EmitFn emit)
      : policy_(policy), store_(store), ids_(ids), emit_(std::move(emit)) {}

  Result<ScanResult> Run(const ScanRequest& request, const std::function<bool()>& stopping);

 private:
  const RetentionPolicy& policy_;
  BaselineStore& store_;
  const RetentionFieldIds& ids_;
  EmitFn emit_;
  FileHasher hasher_;
};

}  // namespace vigil::retention
