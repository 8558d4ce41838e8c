// Tests for daemon/src/audit/merkle.{h,cc}: the incremental tree head against a plain
// recursive RFC 9162 (section 2.1.1) MTH written here on OpenSSL's one-shot SHA256(), for
// every size 0..70 and a few larger ones, and against the published Certificate
// Transparency test vectors (the eight leaves of RFC 6962's reference tests).
#include "audit/merkle.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>

#include <string>
#include <vector>

namespace vigil::audit {
namespace {

Hash RefSha(const std::string& bytes) {
  Hash h{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), h.data());
  return h;
}

// MTH(D[n]) exactly as RFC 9162 2.1.1 states it.
Hash RefMth(const std::vector<std::string>& d, size_t begin, size_t end) {
  const size_t n = end - begin;
  if (n == 0) return RefSha("");
  if (n == 1) return RefSha(std::string(1, '\0') + d[begin]);
  size_t k = 1;
  while (k * 2 < n) k *= 2;  // the largest power of two smaller than n
  const Hash l = RefMth(d, begin, begin + k);
  const Hash r = RefMth(d, begin + k, end);
  std::string buf(1, '\x01');
  buf.append(reinterpret_cast<const char*>(l.data()), l.size());
  buf.append(reinterpret_cast<const char*>(r.data()), r.size());
  return RefSha(buf);
}

std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> d;
  for (size_t i = 0; i < n; ++i) d.push_back("{\"seq\":" + std::to_string(i + 1) + ",\"x\":\"" + std::string(i % 7, 'a') + "\"}");
  return d;
}

TEST(MerkleTest, EmptyTreeIsSha256OfNothing) {
  MerkleTree t;
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(Hex(t.Root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MerkleTest, LeafAndNodeHashesUseTheDomainPrefixes) {
  EXPECT_EQ(MerkleLeafHash("abc"), RefSha(std::string("\0abc", 4)));
  const Hash a = RefSha("a"), b = RefSha("b");
  std::string buf(1, '\x01');
  buf.append(reinterpret_cast<const char*>(a.data()), 32);
  buf.append(reinterpret_cast<const char*>(b.data()), 32);
  EXPECT_EQ(MerkleNodeHash(a, b), RefSha(buf));
}

TEST(MerkleTest, EverySizeUpTo70MatchesTheRecursiveDefinition) {
  const auto d = Leaves(70);
  MerkleTree t;
  EXPECT_EQ(t.Root(), RefMth(d, 0, 0));
  for (size_t n = 1; n <= d.size(); ++n) {
    t.AppendLeaf(d[n - 1]);
    ASSERT_EQ(t.size(), n);
    ASSERT_EQ(Hex(t.Root()), Hex(RefMth(d, 0, n))) << "size " << n;
    // Root() must not disturb the state: asking twice gives the same answer.
    ASSERT_EQ(t.Root(), t.Root());
  }
}

TEST(MerkleTest, LargerSizesMatchTheRecursiveDefinition) {
  const auto d = Leaves(1100);
  MerkleTree t;
  size_t n = 0;
  for (size_t target : {127u, 128u, 129u, 255u, 256u, 257u, 511u, 1000u, 1023u, 1024u, 1025u, 1100u}) {
    for (; n < target; ++n) t.AppendLeaf(d[n]);
    EXPECT_EQ(Hex(t.Root()), Hex(RefMth(d, 0, target))) << "size " << target;
  }
}

TEST(MerkleTest, AppendLeafHashEqualsAppendLeaf) {
  const auto d = Leaves(33);
  MerkleTree a, b;
  for (const auto& s : d) {
    a.AppendLeaf(s);
    b.AppendLeafHash(MerkleLeafHash(s));
  }
  EXPECT_EQ(a.Root(), b.Root());
}

TEST(MerkleTest, OrderAndContentChangeTheRoot) {
  auto d = Leaves(9);
  MerkleTree t1, t2, t3;
  for (const auto& s : d) t1.AppendLeaf(s);
  std::swap(d[3], d[4]);
  for (const auto& s : d) t2.AppendLeaf(s);
  std::swap(d[3], d[4]);
  d[8][2] = 'X';
  for (const auto& s : d) t3.AppendLeaf(s);
  EXPECT_NE(t1.Root(), t2.Root());
  EXPECT_NE(t1.Root(), t3.Root());
}

// The reference leaves of the Certificate Transparency test suite (RFC 6962 trees) and the
// published roots of their first 1..8 leaves; RFC 9162 hashes trees the same way.
TEST(MerkleTest, CertificateTransparencyKnownRoots) {
  const std::vector<std::string> leaves = {
      "", std::string(1, '\0'), "\x10", "\x20\x21", "\x30\x31", "\x40\x41\x42\x43",
      "\x50\x51\x52\x53\x54\x55\x56\x57", "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  const char* roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
  };
  MerkleTree t;
  for (size_t i = 0; i < leaves.size(); ++i) {
    t.AppendLeaf(leaves[i]);
    EXPECT_EQ(Hex(t.Root()), roots[i]) << "size " << i + 1;
  }
}

}  // namespace
}  // namespace vigil::audit
