// vigil_bench_retention_store: the retention baseline's SQLite work alone, on one thread,
// without the walk — what the stat phase's writer thread does for a first scan (a bulk load),
// what a rescan's lookups cost, the deletion pass's read in path order, and the hash phase's
// rewrite of every row with its hash. Prints CPU seconds (this process: one thread) and wall
// seconds per step, and the database's size.
//
// Usage: vigil_bench_retention_store LIST DB
//   LIST  lines `DEV INO SIZE MTIME PATH`, in walk order, e.g.
//         find TREE -type f -printf '%D %i %s %T@ %p\n' | LC_ALL=C sort -t' ' -k5
//   DB    a new database file (removed first, with its -wal and -shm)
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "baseline_store.h"
#include "baseline_writer.h"

namespace {

using vigil::retention::BaselineRecord;
using vigil::retention::BaselineStore;
using vigil::retention::BaselineWriter;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

long long FileSize(const std::string& path) {
  struct stat st{};
  return stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : 0;
}

struct Step {
  const char* name;
  double cpu0;
  std::chrono::steady_clock::time_point wall0;
  Step(const char* n) : name(n), cpu0(CpuSeconds()), wall0(std::chrono::steady_clock::now()) {}
  ~Step() {
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    std::printf("%-12s cpu %6.3f s  wall %6.3f s\n", name, CpuSeconds() - cpu0, wall);
  }
};

bool Check(const vigil::Status& s) {
  if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return s.ok();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s LIST DB\n", argv[0]);
    return 2;
  }
  std::vector<BaselineRecord> rows;
  {
    std::ifstream in(argv[1]);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream ls(line);
      BaselineRecord r;
      double mtime = 0;
      ls >> r.key.dev >> r.key.ino >> r.size >> mtime;
      ls.get();
      std::getline(ls, r.path);
      if (r.path.empty()) continue;
      r.mtime_ns = static_cast<int64_t>(mtime * 1e9);
      r.ctime_ns = r.mtime_ns;
      r.key.birth_ns = r.mtime_ns + 12345;
      r.mode = 0100644;
      r.uid = r.gid = 1000;
      r.first_seen = 1795392000;
      r.class_id = "records";
      r.clock = "birth";
      r.hash_pending = vigil::retention::HashPending::kContent;
      rows.push_back(std::move(r));
    }
  }
  const std::string db = argv[2];
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
  auto store = BaselineStore::Open(db);
  if (!store.ok()) return Check(store.status()) ? 1 : 1;
  BaselineStore& s = **store;
  std::printf("%zu rows\n", rows.size());
  {
    Step step("bulk load");
    {
      Step inserts("- inserts");
      if (!Check(s.Begin()) || !Check(s.BeginBulkLoad())) return 1;
      // As the scan's writer thread does it: a chunk of rows at a time.
      const std::span<const BaselineRecord> all(rows);
      for (size_t i = 0; i < all.size(); i += BaselineWriter::kChunk) {
        const auto chunk = all.subspan(i, std::min(BaselineWriter::kChunk, all.size() - i));
        if (!Check(s.PutMany(chunk)) || !Check(s.Flush())) return 1;
      }
      if (!Check(s.Commit())) return 1;
    }
    Step index("- path index");
    if (!Check(s.Begin()) || !Check(s.EndBulkLoad()) || !Check(s.Commit())) return 1;
  }
  std::printf("db %lld bytes, wal %lld bytes\n", FileSize(db), FileSize(db + "-wal"));
  {
    Step step("lookups");
    size_t found = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i % 64 == 0 && (!Check(s.EndRead()) || !Check(s.BeginRead()))) return 1;
      auto f = s.Find(rows[i].key);
      if (!f.ok()) return Check(f.status()) ? 1 : 1;
      found += f->has_value();
    }
    if (!Check(s.EndRead())) return 1;
    if (found != rows.size()) std::printf("found %zu of %zu\n", found, rows.size());
  }
  {
    Step step("path order");
    size_t n = 0;
    std::string root = rows.empty() ? "/" : rows[0].path.substr(0, rows[0].path.find('/', 1));
    if (!Check(s.ForEachUnder(root, [&](const BaselineRecord&) { return ++n, true; }))) return 1;
    if (n != rows.size()) std::printf("path order: %zu of %zu rows\n", n, rows.size());
  }
  {
    Step step("hash fill");
    if (!Check(s.Begin())) return 1;
    unsigned x = 1;
    for (BaselineRecord& r : rows) {
      r.sha256.clear();
      for (int i = 0; i < 64; ++i) {
        x = x * 1103515245u + 12345u;
        r.sha256 += "0123456789abcdef"[(x >> 16) & 15];
      }
      r.hash_pending = vigil::retention::HashPending::kNone;
      if (!Check(s.Put(r)) || !Check(s.Flush())) return 1;
    }
    if (!Check(s.Commit())) return 1;
  }
  std::printf("db %lld bytes, wal %lld bytes\n", FileSize(db), FileSize(db + "-wal"));
  return 0;
}
