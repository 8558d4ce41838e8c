#include "flat_string_map.h"

#include <atomic>
#include <random>

namespace vigil::rules {

uint64_t NewHashSeed() {
  // One random draw per process, then a counter: distinct seeds without a system call per map.
  static const uint64_t base = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }();
  static std::atomic<uint64_t> counter{0};
  uint64_t x = base + 0x9E3779B97F4A7C15ull * (counter.fetch_add(1, std::memory_order_relaxed) + 1);
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  return x;
}

}  // namespace vigil::rules
