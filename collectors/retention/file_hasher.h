// FileHasher: SHA-256 of a file's content (OpenSSL EVP), optionally also of its first N bytes.
//
// The prefix hash is how append-only files are checked: when a file grew from N bytes, the
// hash of its first N bytes must equal the hash the baseline holds for the old content.
// Both hashes come from one read of the file.
//
// The file is opened without following a symlink (O_NOFOLLOW) and with O_NOATIME where the
// caller may; the hash is refused (kChanged) when the opened file is not the (dev, inode)
// the scanner saw. Reads in 1 MiB blocks: bounded memory whatever the file size.
//
// One FileHasher per thread (it owns its buffer and EVP contexts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigil::retention {

struct FileHash {
  std::string sha256;                 // hex, 64 characters
  std::optional<std::string> prefix;  // hex of the first prefix_len bytes, when asked for
  uint64_t bytes = 0;                 // bytes read
};

enum class HashError { kNone, kOpen, kRead, kChanged };

class FileHasher {
 public:
  FileHasher();
  ~FileHasher();
  FileHasher(const FileHasher&) = delete;
  FileHasher& operator=(const FileHasher&) = delete;

  // Hashes `path`, which must be the regular file (dev, ino). With prefix_len > 0, also the
  // hash of its first prefix_len bytes (none when the file is now shorter than that).
  std::optional<FileHash> Hash(const std::string& path, uint64_t dev, uint64_t ino,
                               uint64_t prefix_len, HashError* error);

 private:
  std::vector<unsigned char> buffer_;
  struct Contexts;
  Contexts* ctx_;
};

// Hex SHA-256 of a byte string (tests and fakes).
std::string Sha256Hex(const std::string& data);

}  // namespace vigil::retention
