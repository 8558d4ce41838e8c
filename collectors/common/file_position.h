// FilePosition: where a followed log file was read up to, persisted across restarts.
//
// Saved as `<state_dir>/offsets/<instance>.json`:
//   {"path": "/var/log/auth.log", "device": 2049, "inode": 1234, "offset": 81920,
//    "fingerprint": "9f3c...", "fingerprint_bytes": 256}
// `offset` is the byte after the last complete line handed on; `fingerprint` is the FNV-1a
// 64-bit hash (hex) of the first `fingerprint_bytes` (at most 256) bytes of the file, so
// that a file that was rotated away and replaced while Vigil was down (same path, maybe
// even the same inode number reused) is recognised as new. Writes are atomic: a temporary
// file in the same directory, fsync, rename.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/status.h"

namespace vigil {

struct FilePosition {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t offset = 0;
  uint64_t fingerprint = 0;
  uint32_t fingerprint_bytes = 0;
};

inline constexpr uint32_t kFingerprintBytes = 256;

// Hashes the first min(kFingerprintBytes, limit) bytes of `fd` (pread; the file position
// is untouched). Sets *bytes to how many were hashed.
Status Fingerprint(int fd, uint32_t limit, uint64_t* hash, uint32_t* bytes);

// nullopt when there is no state file; an error when it exists but cannot be read.
Result<std::optional<FilePosition>> LoadFilePosition(const std::string& state_file);
// Writes `text` to `path` atomically: a temporary file beside it, fsync, rename. Creates
// the parent directories. Also used for the journald collector's cursor.
Status WriteFileAtomic(const std::string& path, std::string_view text);

Status SaveFilePosition(const std::string& state_file, const std::string& log_path,
                        const FilePosition& position);

}  // namespace vigil
