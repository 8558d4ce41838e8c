// FileWatch: inotify for one followed path, so that a FileTailer wakes when its file grows,
// is truncated, renamed or deleted, or when a file of that name is created or moved into
// the directory, instead of checking every poll interval.
//
// Two watches on one inotify descriptor:
//   the directory   IN_CREATE, IN_MOVED_TO, IN_MOVED_FROM, IN_DELETE, filtered to the
//                   path's own name (a busy /var/log wakes nobody else's tailer);
//   the open file   IN_MODIFY (growth and truncation), IN_MOVE_SELF, IN_DELETE_SELF,
//                   IN_ATTRIB; watched through /proc/self/fd/N, so the watch is on the
//                   file the tailer holds even if the name was already replaced.
// A wake-up only says "look now": the tailer decides what happened with fstat/stat, as when
// polling. IN_Q_OVERFLOW (events lost) is one more wake-up and is counted; nothing else is
// needed, because the tailer's stat check finds whatever the lost events described.
//
// Threading: one thread (the collector's).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "vigil/collector.h"
#include "vigil/status.h"

namespace vigil {

class FileWatch {
 public:
  // Watches the directory of `path`. An error when inotify cannot be used (no directory,
  // out of watches or instances): the caller polls instead.
  static Result<std::unique_ptr<FileWatch>> Create(const std::string& path);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Watches the file open as `fd` (regular files only), replacing the previous file's
  // watch. On failure the directory watch still wakes on renames and creations, and the
  // caller's timeout covers growth.
  Status Follow(int fd);

  // Returns when something happened to the file or to its name, after `timeout`, or when
  // ctx is stopping; false only when stopping.
  bool Wait(const CollectorContext& ctx, std::chrono::milliseconds timeout);

  uint64_t overflows() const { return overflows_; }

 private:
  FileWatch(int fd, int dir_wd, std::string name) : fd_(fd), dir_wd_(dir_wd), name_(std::move(name)) {}
  // Reads the queued events; true if one of them concerns us.
  bool Drain();

  int fd_ = -1;
  int dir_wd_ = -1;
  int file_wd_ = -1;
  std::string name_;  // the path's last component
  uint64_t overflows_ = 0;
};

}  // namespace vigil
