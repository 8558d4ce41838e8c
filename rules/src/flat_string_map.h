// FlatStringMap: a string-keyed map for the rule index's per-event lookups (an event's
// dataset/categories key, its event.action, the value of a split field).
//
// Entries sit in one vector, in insertion order; a power-of-two table of (hash, entry
// position) slots, probed linearly and never more than half full, finds them. A lookup hashes
// the key once (a short multiply-mix hash, seeded per map so that event-supplied keys cannot
// be chosen to collide: the memo of event kinds takes such keys), scans contiguous slots
// comparing full 64-bit hashes, and compares key bytes only on a hash match: usually one
// table cache line and one entry, where std::unordered_map walks a bucket, a node before the
// node, and the node.
//
// Insertion may move entries (the vector grows): hold no pointer or reference to a value
// across an insert. There is no erase. Not thread-safe; const lookups may run concurrently.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::rules {

// A 64-bit hash of `s` under `seed`: eight bytes at a time through a multiply and xor-shift,
// then a final mix (splitmix64's). Fast on the few-byte values events carry. Not a keyed
// PRF: the seed only keeps collisions from being precomputed.
inline uint64_t HashString(std::string_view s, uint64_t seed) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = seed ^ (s.size() * kMul);
  const char* p = s.data();
  size_t n = s.size();
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  // The last 1..7 bytes, read without a variable-length copy (whose byte stores stall the
  // word load that follows): two overlapping 4-byte reads, or the first, middle and last
  // byte. Either way every byte is read, so equal-length keys that differ hash apart.
  if (n >= 4) {
    uint32_t a;
    uint32_t b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    h = (h ^ ((static_cast<uint64_t>(a) << 32) | b)) * kMul;
    h ^= h >> 29;
  } else if (n > 0) {
    const auto byte = [p](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(p[i])); };
    h = (h ^ ((byte(0) << 16) | (byte(n >> 1) << 8) | byte(n - 1))) * kMul;
    h ^= h >> 29;
  }
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 31;
  return h;
}

// Whether the `n` bytes at `a` and `b` are equal. Keys of up to 16 bytes (most event values)
// are compared with two overlapping word loads each, not through a call to memcmp.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  const auto load8 = [](const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  };
  const auto load4 = [](const char* p) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  };
  if (n >= 8) {
    if (n > 16) return std::memcmp(a, b, n) == 0;
    return ((load8(a) ^ load8(b)) | (load8(a + n - 8) ^ load8(b + n - 8))) == 0;
  }
  if (n >= 4) return ((load4(a) ^ load4(b)) | (load4(a + n - 4) ^ load4(b + n - 4))) == 0;
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// A seed for one map: differs between maps and between runs (address bits and a counter).
uint64_t NewHashSeed();

template <typename T>
class FlatStringMap {
 public:
  using value_type = std::pair<std::string, T>;
  using const_iterator = typename std::vector<value_type>::const_iterator;
  using iterator = typename std::vector<value_type>::iterator;

  FlatStringMap() : seed_(NewHashSeed()) {}

  // The value under `key`, or null.
  const T* Find(std::string_view key) const {
    if (slots_.empty()) return nullptr;
    const uint64_t h = HashString(key, seed_);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.entry == kEmpty) return nullptr;
      if (s.hash == h) {
        const value_type& e = entries_[s.entry];
        if (e.first.size() == key.size() && SameBytes(e.first.data(), key.data(), key.size())) {
          return &e.second;
        }
      }
    }
  }
  T* Find(std::string_view key) { return const_cast<T*>(std::as_const(*this).Find(key)); }

  // The value under `key`, default-constructed and inserted when absent.
  T& operator[](std::string_view key) { return *Emplace(key, T{}).first; }
  // Inserts `value` under `key` unless the key is present; the value under the key, and
  // whether it was inserted.
  std::pair<T*, bool> Emplace(std::string_view key, T&& value) {
    if (T* found = Find(key)) return {found, false};
    if ((entries_.size() + 1) * 2 > slots_.size()) Rehash(slots_.empty() ? 8 : slots_.size() * 2);
    entries_.emplace_back(std::string(key), std::move(value));
    Place(HashString(key, seed_), static_cast<uint32_t>(entries_.size() - 1));
    return {&entries_.back().second, true};
  }

  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  void clear() {
    entries_.clear();
    slots_.clear();
  }
  // Entries in insertion order.
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  iterator begin() { return entries_.begin(); }
  iterator end() { return entries_.end(); }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint64_t hash = 0;
    uint32_t entry = kEmpty;  // position in entries_
  };

  void Place(uint64_t h, uint32_t entry) {
    const size_t mask = slots_.size() - 1;
    size_t i = h & mask;
    while (slots_[i].entry != kEmpty) i = (i + 1) & mask;
    slots_[i] = {h, entry};
  }
  void Rehash(size_t capacity) {
    slots_.assign(capacity, Slot{});
    for (uint32_t e = 0; e < entries_.size(); ++e) Place(HashString(entries_[e].first, seed_), e);
  }

  uint64_t seed_;
  std::vector<Slot> slots_;
  std::vector<value_type> entries_;
};

}  // namespace vigil::rules
