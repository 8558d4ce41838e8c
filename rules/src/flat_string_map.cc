#include "flat_string_map.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <random>

namespace vigil::rules {

uint64_t NewHashSeed() {
  // One random draw per process, then a counter: distinct seeds without a system call per map.
  // Without a random source (std::random_device throws), the clock and an address serve:
  // the seed only has to be unknown to whoever writes the events.
  static const uint64_t base = [] {
    try {
      std::random_device rd;
      return (static_cast<uint64_t>(rd()) << 32) ^ rd();
    } catch (const std::exception&) {
      static const int anchor = 0;
      return static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
             reinterpret_cast<uintptr_t>(&anchor);
    }
  }();
  static std::atomic<uint64_t> counter{0};
  uint64_t x = base + 0x9E3779B97F4A7C15ull * (counter.fetch_add(1, std::memory_order_relaxed) + 1);
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  return x;
}

}  // namespace vigil::rules
