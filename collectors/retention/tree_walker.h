// TreeWalker: a bounded walk of directory trees that yields every regular file with its
// statx facts (birth time where the filesystem keeps one).
//
// - Symlinks are never followed (neither to files nor to directories); a root that is a
//   symlink is skipped and counted. Only regular files are reported.
// - Without cross_device, directories on another filesystem than their root are skipped
//   and counted (reason other_device).
// - A directory that cannot be opened or read is a gap: counted by reason and remembered
//   (up to kMaxGaps paths), so that files under it are not taken for deleted. A directory
//   replaced between listing and opening (different dev/inode) is a gap too.
// - At most max_files files and max_depth levels: beyond that the walk stops (or skips the
//   subtree) and counts it; the walk is then incomplete.
// - Entries of each directory are visited in byte order of their names, so the same tree
//   always gives the same sequence (replay determinism).
//
// - With workers > 1, directories are opened, listed and statx'd by that many threads, a
//   bounded window of directories ahead of the one being reported (at most kWindowPerWorker
//   per worker listed and not yet reported). Files, gaps, issue counts and limits are still
//   applied on the calling thread in exactly the order of a one-thread walk, so the result
//   does not depend on the number of workers.
//
// on_file runs on the calling thread; one walk at a time per TreeWalker.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vigil::retention {

struct FileFacts {
  std::string path;
  uint64_t dev = 0;
  uint64_t ino = 0;
  int64_t birth_ns = 0;  // 0: the filesystem reports no birth time
  int64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  uint32_t mode = 0;  // permission bits and type (st_mode)
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint32_t nlink = 1;  // hard links (the scan dedups files with more than one)
};

enum class WalkIssue : uint8_t {
  kOpenDir,      // a directory could not be opened (permissions, vanished)
  kReadDir,      // reading a directory's entries failed
  kStat,         // statx of an entry failed
  kOtherDevice,  // a directory on another filesystem (cross_device off)
  kSymlinkRoot,  // a root is a symlink (not followed)
  kMissingRoot,  // a root does not exist
  kTooDeep,      // deeper than max_depth
  kMaxFiles,     // more files than max_files: the walk stopped
  kChanged,      // a directory was replaced while the walk reached it
  kHash,         // (used by the scanner) a file could not be read to hash it
  kCount
};
std::string_view WalkIssueName(WalkIssue issue);

struct WalkOptions {
  std::vector<std::string> roots;  // absolute paths (files or directories)
  bool cross_device = false;
  uint64_t max_files = 10'000'000;
  int max_depth = 256;
  int workers = 1;  // threads listing directories (1: the calling thread alone)
  // Partial walks (a live rescan of the paths a change notification named): for roots[i],
  // the depth it has below its scope root and the device of that scope root (0: its own).
  // A root that is a symlink is then skipped without being counted (it is not a scan gap).
  std::vector<int> root_depth;
  std::vector<uint64_t> root_dev;
  bool partial = false;
};

inline constexpr int kMaxWorkers = 64;
inline constexpr size_t kWindowPerWorker = 8;

struct WalkStats {
  uint64_t files = 0;
  uint64_t dirs = 0;
  std::array<uint64_t, static_cast<size_t>(WalkIssue::kCount)> issues{};
  std::vector<std::string> gaps;  // directories not (fully) read, up to kMaxGaps
  bool gaps_overflowed = false;   // more gaps than kMaxGaps: treat every path as uncertain
  bool truncated = false;         // max_files reached
  void Count(WalkIssue i) { ++issues[static_cast<size_t>(i)]; }
  uint64_t issue(WalkIssue i) const { return issues[static_cast<size_t>(i)]; }
  // True when `path` lies in (or is) a directory that was not fully read.
  bool InGap(const std::string& path) const;
};

inline constexpr size_t kMaxGaps = 10000;

class TreeWalker {
 public:
  // Called for each regular file; returning false stops the walk (as when stopping). The
  // facts are the walk's and not used by it again: the callee may move from them (the path).
  using FileFn = std::function<bool(FileFacts&)>;

  // Walks every root. Returns false when `on_file` stopped it.
  bool Walk(const WalkOptions& options, const FileFn& on_file, WalkStats* stats);
};

// statx of one path as the walk does it (symlinks not followed): false when it cannot be
// stat'ed or is not a regular file. The scan's hash phase uses it to see a file again.
bool StatFile(const std::string& path, FileFacts* facts);

// Whether `path` is `dir` or lies below it.
bool PathUnder(const std::string& path, const std::string& dir);

}  // namespace vigil::retention
