// An append-only Merkle tree head with RFC 9162 (Certificate Transparency v2) hashing:
// leaf = SHA-256(0x00 || record), node = SHA-256(0x01 || left || right), empty tree =
// SHA-256(""). The audit log signs these heads in its checkpoints, so an auditor holding a
// checkpoint can prove that no record before it was changed, removed or reordered, even by
// someone who recomputed the hash chain.
//
// Only the right edge of the tree is kept (one hash per perfect subtree, at most 64), so
// appending is O(log n) time and the state is O(log n) memory however long the log grows.
//
// Threading: a plain value; not synchronised.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "audit/digest.h"

namespace vigil::audit {

Hash MerkleLeafHash(std::string_view record);
Hash MerkleNodeHash(const Hash& left, const Hash& right);

class MerkleTree {
 public:
  void AppendLeaf(std::string_view record) { AppendLeafHash(MerkleLeafHash(record)); }
  void AppendLeafHash(const Hash& leaf);
  // The tree head over every leaf appended so far.
  Hash Root() const;
  uint64_t size() const { return size_; }

 private:
  struct Subtree {
    Hash hash;
    uint64_t leaves;
  };
  std::vector<Subtree> edge_;  // perfect subtrees, sizes strictly decreasing left to right
  uint64_t size_ = 0;
};

}  // namespace vigil::audit
