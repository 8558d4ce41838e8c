// FlatStringMap (the rule index's string tables) and the hash and comparison under it.
#include "flat_string_map.h"

#include <gtest/gtest.h>

#include <string>

namespace vigil::rules {
namespace {

// Every byte of a key counts, whatever its length (the tail is read in overlapping words).
TEST(FlatStringMap, HashAndCompareReadEveryByte) {
  const uint64_t seed = NewHashSeed();
  for (size_t n = 1; n <= 40; ++n) {
    const std::string base(n, 'a');
    for (size_t i = 0; i < n; ++i) {
      std::string other = base;
      other[i] = 'b';
      EXPECT_NE(HashString(base, seed), HashString(other, seed)) << n << " " << i;
      EXPECT_FALSE(SameBytes(base.data(), other.data(), n)) << n << " " << i;
      EXPECT_TRUE(SameBytes(other.data(), std::string(other).data(), n));
    }
  }
  EXPECT_TRUE(SameBytes("", "", 0));
  EXPECT_NE(HashString("", seed), HashString(std::string_view("\0", 1), seed));  // the length counts
}

TEST(FlatStringMap, FindsWhatWasInsertedAndNothingElse) {
  FlatStringMap<int> m;
  EXPECT_EQ(m.Find("x"), nullptr);  // empty: no table yet
  for (int i = 0; i < 1000; ++i) {
    auto [value, inserted] = m.Emplace("key" + std::to_string(i), int{i});
    EXPECT_TRUE(inserted);
    EXPECT_EQ(*value, i);
  }
  EXPECT_EQ(m.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    const int* v = m.Find("key" + std::to_string(i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(*v, i);
  }
  EXPECT_EQ(m.Find("key1000"), nullptr);
  EXPECT_EQ(m.Find("key"), nullptr);
  EXPECT_EQ(m.Find(""), nullptr);
  auto [again, inserted] = m.Emplace("key7", 70);
  EXPECT_FALSE(inserted);  // present: kept as it was
  EXPECT_EQ(*again, 7);
  m["key7"] = 77;
  EXPECT_EQ(*m.Find("key7"), 77);
  m[""] = 5;  // the empty key is a key like any other
  EXPECT_EQ(*m.Find(""), 5);
  int visited = 0;
  for (const auto& [key, value] : m) visited += key == "key0" ? 1 : 0;
  EXPECT_EQ(visited, 1);
}

}  // namespace
}  // namespace vigil::rules
