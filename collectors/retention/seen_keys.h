// SeenKeys: the keys of the files a scan saw, appended in walk order and sorted once the
// walk is done, when the deletion pass needs them (24 bytes a file, no allocation per file); files with several hard links are
// also kept in a set, so that each is evaluated once (at its first path in walk order).
// A scan that cannot miss a file (a first scan into an empty baseline: no deletion pass)
// keeps only that set (KeepLinksOnly), not the 24 bytes of every file.
#pragma once

#include <algorithm>
#include <cstdint>
#include <unordered_set>
#include <vector>

#include "baseline_store.h"

namespace vigil::retention {

class SeenKeys {
 public:
  void Reserve(size_t n) { keys_.reserve(n); }
  // Before the first Add: from then on Contains must not be called.
  void KeepLinksOnly() { links_only_ = true; }
  bool links_only() const { return links_only_; }
  // False when the key was added before (another link of a file seen).
  bool Add(const FileKey& k, uint32_t nlink) {
    if (nlink > 1 && !linked_.insert(k).second) return false;
    if (!links_only_) keys_.push_back(k);
    return true;
  }
  void Seal() {
    std::sort(keys_.begin(), keys_.end(), Less);
    linked_.clear();
  }
  // After Seal().
  bool Contains(const FileKey& k) const { return std::binary_search(keys_.begin(), keys_.end(), k, Less); }

 private:
  static bool Less(const FileKey& a, const FileKey& b) {
    if (a.dev != b.dev) return a.dev < b.dev;
    if (a.ino != b.ino) return a.ino < b.ino;
    return a.birth_ns < b.birth_ns;
  }
  std::vector<FileKey> keys_;
  std::unordered_set<FileKey, FileKeyHash> linked_;
  bool links_only_ = false;
};

}  // namespace vigil::retention
