// The `retention` collector: scans the trees a retention policy covers, keeps a baseline of
// every file in SQLite, and emits retention events (docs/retention.md).
//
// Config keys (a `collectors:` entry of type retention):
//   policy                required; the policy file (its own format, see docs/retention.md)
//   roots                 directories (or files) to scan; default: the fixed prefixes of the
//                         policy's path patterns
//   interval              time between scans (default 1h); the first scan starts at once
//   full_rehash_interval  how often every file is re-hashed even when its size, mtime and
//                         ctime did not change (default 7d; 0: every scan)
//   max_files             stop a scan after this many files (default 10000000; counted)
//   max_depth             directory levels below a root (default 256; deeper is counted)
//   cross_device          descend into other filesystems below a root (default false)
//   workers               threads listing directories and hashing files (default 2, 1..64);
//                         events and baseline do not depend on it
//   watch                 live: watch the scope (inotify) and rescan changed paths between
//                         scans (default true)
//   watcher               auto (fanotify where it can be used, else inotify) | fanotify |
//                         inotify
//   max_watches           inotify directory watches at most (default 65536); past it, scans only
//   db                    the baseline database (default <state_dir>/vigil.db)
//   now                   an RFC 3339 time used as the clock (replay; default: wall clock)
//
// Create() reads and validates the policy file (its problems are located diagnostics) but
// opens no database and starts nothing. Run() scans once in replay mode, and every
// `interval` in live mode until stopping, rescanning changed paths in between. Metrics: see docs/metrics.md (vigil_retention_*).
//
// Threading: Run on the collector thread; WriteMetrics reads atomics from the metrics thread.
#pragma once

#include <memory>
#include <string>

#include "vigil/collector.h"

namespace vigil::retention {

class RetentionCollectorFactory : public CollectorFactory {
 public:
  std::string_view name() const override { return "retention"; }
  std::string_view description() const override {
    return "Document retention: scans file trees against a retention policy (early deletion, "
           "WORM changes, overdue records, legal holds)";
  }
  Status DeclareFields(FieldRegistry& fields) const override;
  Result<std::unique_ptr<Collector>> Create(ConfigSection& section,
                                            const CollectorEnv& env) const override;
};

}  // namespace vigil::retention
