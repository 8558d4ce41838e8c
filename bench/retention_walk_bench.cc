// vigil_bench_retention_walk: the retention collector's tree walk alone (statx of every entry,
// symlinks not followed, names sorted per directory), without hashing or baseline — the part
// of a scan that `find DIR -type f -printf '%s %T@ %p\n'` also does. Prints files, directories
// and seconds; retention_bench.sh compares it with find in the same run.
//
// Usage: vigil_bench_retention_walk DIR [RUNS [WORKERS]]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tree_walker.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR [RUNS [WORKERS]]\n", argv[0]);
    return 2;
  }
  const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
  vigil::retention::WalkOptions options;
  options.roots = {argv[1]};
  options.workers = argc > 3 ? std::atoi(argv[3]) : 1;
  double best = 1e300;
  uint64_t files = 0, dirs = 0, bytes = 0;
  for (int i = 0; i < runs; ++i) {
    vigil::retention::TreeWalker walker;
    vigil::retention::WalkStats stats;
    uint64_t size_sum = 0;
    const auto start = std::chrono::steady_clock::now();
    walker.Walk(options, [&](const vigil::retention::FileFacts& f) {
      size_sum += static_cast<uint64_t>(f.size);
      return true;
    }, &stats);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (secs < best) best = secs;
    files = stats.files;
    dirs = stats.dirs;
    bytes = size_sum;
  }
  std::printf("walk %llu files %llu dirs %llu bytes workers %d best_of_%d %.3f s\n",
              static_cast<unsigned long long>(files), static_cast<unsigned long long>(dirs),
              static_cast<unsigned long long>(bytes), options.workers, runs, best);
  return 0;
}
