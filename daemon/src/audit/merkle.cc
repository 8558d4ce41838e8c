#include "audit/merkle.h"

namespace vigil::audit {

Hash MerkleLeafHash(std::string_view record) { return Sha256(0x00, record); }

Hash MerkleNodeHash(const Hash& left, const Hash& right) { return Sha256(0x01, left, right); }

void MerkleTree::AppendLeafHash(const Hash& leaf) {
  Subtree s{leaf, 1};
  // Two perfect subtrees of the same size merge into one of twice the size.
  while (!edge_.empty() && edge_.back().leaves == s.leaves) {
    s = {MerkleNodeHash(edge_.back().hash, s.hash), s.leaves * 2};
    edge_.pop_back();
  }
  edge_.push_back(s);
  ++size_;
}

Hash MerkleTree::Root() const {
  if (edge_.empty()) return Sha256(std::string_view());
  // RFC 9162 splits at the largest power of two below n, which is exactly this
  // decomposition; folding right to left rebuilds the nodes along the right edge.
  Hash h = edge_.back().hash;
  for (size_t i = edge_.size() - 1; i-- > 0;) h = MerkleNodeHash(edge_[i].hash, h);
  return h;
}

}  // namespace vigil::audit
