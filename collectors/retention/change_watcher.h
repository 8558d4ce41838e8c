// ChangeWatcher: tells the retention collector, between its scheduled scans, which paths of
// its scope changed, so that it rescans just those paths through the same scan logic.
//
// Two implementations. Recursive inotify (MakeInotifyWatcher): a watch on every
// directory of the scope that a scan would enter (symlinks never followed, other filesystems
// only with cross_device, at most max_depth levels), watches added for directories created or
// moved into the scope and dropped for those moved out. Past max_watches (or when the kernel's
// per-user limit refuses a watch) the watcher gives up: limit_reached, and the collector falls
// back to scheduled scans only. A queue overflow (IN_Q_OVERFLOW) loses events: overflow, and
// the collector rescans the whole scope. fanotify (MakeFanotifyWatcher, needs CAP_SYS_ADMIN):
// one FAN_MARK_FILESYSTEM mark per filesystem of the roots with FAN_REPORT_DFID_NAME; each
// event's directory handle is opened (open_by_handle_at, CAP_DAC_READ_SEARCH) and resolved to
// a path, and events outside the roots are dropped. No per-directory watches, no limit; with
// cross_device, the filesystems mounted below a root are marked too (MountsBelow), at start
// and at each change of the mount table, whose new or removed mount points are reported.
//
// Threading: one thread (the collector's) uses a watcher.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/status.h"

namespace vigil::retention {

struct WatchOptions {
  std::vector<std::string> roots;  // absolute; only directories are watched
  bool cross_device = false;
  int max_depth = 256;
  size_t max_watches = 65536;
};

struct ChangeBatch {
  std::vector<std::string> paths;  // changed paths (files or directories), in arrival order
  bool overflow = false;           // events were lost: rescan everything
  bool limit_reached = false;      // a watch could not be added: the watcher stopped
};

class ChangeWatcher {
 public:
  virtual ~ChangeWatcher() = default;
  virtual std::string_view kind() const = 0;
  // Waits up to `timeout` for changes and appends them to `out`.
  virtual Status Poll(std::chrono::milliseconds timeout, ChangeBatch* out) = 0;
  virtual size_t watches() const = 0;
};

// Sets up recursive inotify watches over the scope. limit_reached in `out` when the scope
// needs more than max_watches (the watcher is then returned, but watches nothing).
Result<std::unique_ptr<ChangeWatcher>> MakeInotifyWatcher(const WatchOptions& options, ChangeBatch* out);

// One mark per filesystem of the roots; an error where fanotify or the capability is missing.
Result<std::unique_ptr<ChangeWatcher>> MakeFanotifyWatcher(const WatchOptions& options);

// Test hook: the next Poll of a watcher decodes a queue overflow event, as the kernel queues
// one when more events wait than the queue holds: IN_Q_OVERFLOW (wd -1) for inotify (past
// fs.inotify.max_queued_events), FAN_Q_OVERFLOW (no fd) for fanotify. Once per call.
void InjectWatcherOverflowForTesting();

// The mount points in `mountinfo` (the text of /proc/self/mountinfo) that lie strictly below
// one of `roots`, unescaped, sorted, without duplicates; malformed lines are skipped. fanotify
// marks their filesystems too when cross_device is set.
std::vector<std::string> MountsBelow(std::string_view mountinfo, const std::vector<std::string>& roots);

// Reduces changed paths to the fewest roots for a rescan: sorted, without duplicates and
// without paths that lie below another of them.
std::vector<std::string> CoalescePaths(std::vector<std::string> paths);

}  // namespace vigil::retention
