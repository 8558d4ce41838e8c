// Throughput of the alert path and the cost of verifying the audit log.
//
// BM_RouterAlerts: alerts/s through AlertRouter — store id, audit record (hash chain),
// SQLite insert, fdatasync of the log at each batch (sync:1), a signed checkpoint every
// 1000 records, delivery — from Submit of the first alert to Stop (which persists the rest
// and signs a final checkpoint). Alerts are built before the timed region; opening the router
// (creating the key, the store and the log) is inside it, as it is part of a run.
//
// BM_VerifyAuditLog: VerifyAuditLog (chain, seq, Merkle tree, checkpoint signatures, the
// exported checkpoint) over a log of realistic alert records (written once, checkpoint
// every 1000), reported as seconds per million records. The named peer is `sha256sum`
// over the same file, the floor for any verifier that must hash every byte; it runs in
// the same benchmark (via popen, best of 3) and the ratio verify/sha256sum is a counter.
// See RESULTS.md.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "alert_router.h"
#include "audit/audit_log.h"
#include "audit/audit_verifier.h"
#include "store/alert_store.h"
#include "vigil/ecs_fields.h"
#include "vigil/event.h"
#include "vigil/log.h"

namespace vigil {
namespace {

class ScratchDir {
 public:
  ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string t = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/vigil-alerts-bench-XXXXXX";
    if (::mkdtemp(t.data()) == nullptr) std::abort();
    path_ = t;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An sshd brute-force alert on a ~10-field event, as the access rules raise them.
Alert MakeAlert(int64_t i) {
  static const std::array<const char*, 4> kUsers = {"alice", "root", "postgres", "svc-payroll"};
  const char* user = kUsers[static_cast<size_t>(i) % kUsers.size()];
  const Timestamp t(std::chrono::milliseconds(1'795'000'000'000LL + i * 7));
  const IpAddress src = IpAddress::FromV4(0xCB007100u + static_cast<uint32_t>(i % 250));
  // One rule: its alerts share its metadata, as the engine's do.
  static const auto kRule = std::make_shared<const RuleMeta>(RuleMeta{
      "access-ssh-failed-login", "SSH authentication failure", "A login over SSH failed.", AlertSeverity::kMedium,
      {"authentication", "ssh"}, {{"pci_dss_4", {"10.2.1.4", "8.3.4"}}, {"cis_v8", {"8.2"}}}});
  Alert a;
  a.rule = kRule;
  a.rendered_output = std::string("Failed SSH login for ") + user + " from " + src.ToString();
  a.timestamp = t;
  Event e;
  e.Set(ecs::kTimestamp, t);
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, std::string("access.sshd"));
  e.Set(ecs::kEventOutcome, std::string("failure"));
  e.Set(ecs::kSourceIp, src);
  e.Set(ecs::kSourcePort, int64_t{30000 + i % 30000});
  e.Set(ecs::kUserName, std::string(user));
  e.Set(ecs::kHostName, std::string("fin-app-01"));
  e.Set(ecs::kProcessName, std::string("sshd"));
  e.Set(ecs::kMessage, std::string("Failed password for ") + user + " from " + src.ToString() + " port " +
                           std::to_string(30000 + i % 30000) + " ssh2");
  a.event = std::make_shared<const Event>(std::move(e));
  return a;
}

// The state directory's layout, as router_setup.h gives it.
std::string StorePath(const std::string& dir) { return dir + "/vigil.db"; }

audit::AuditLogOptions LogOptions(const std::string& dir) {
  audit::AuditLogOptions o;
  o.path = dir + "/vigil.audit.log";
  o.key_path = dir + "/audit.key";
  o.origin = "bench-host/vigil/audit";
  o.checkpoint_every = 1000;
  o.checkpoint_interval = std::chrono::seconds(60);
  o.sync = true;
  return o;
}

void BM_RouterAlerts(benchmark::State& state) {
  SetLogLevel(LogLevel::kError);
  const int64_t n = state.range(0);
  std::vector<Alert> alerts;
  alerts.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) alerts.push_back(MakeAlert(i));
  uint64_t delivered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto dir = std::make_unique<ScratchDir>();
    RouterOptions o;
    o.store_path = StorePath(dir->path());
    o.audit = LogOptions(dir->path());
    o.audit.sync = state.range(1) != 0;
    o.host_name = "bench-host";
    uint64_t got = 0;
    state.ResumeTiming();
    auto router = AlertRouter::Open(o, [&got](uint64_t id, const Alert&, const std::string&) { got += id > 0; });
    if (!router.ok()) {
      state.SkipWithError(router.status().message().c_str());
      break;
    }
    for (const Alert& a : alerts) (*router)->Submit(a);
    (*router)->Stop();
    state.PauseTiming();
    delivered += got;
    router->reset();
    dir.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.counters["delivered_with_id"] = benchmark::Counter(static_cast<double>(delivered) / static_cast<double>(state.iterations()));
}
// sync:1 is the daemon's setting (fdatasync at each batch and checkpoint); sync:0 shows
// what the disk's flushes cost.
BENCHMARK(BM_RouterAlerts)
    ->ArgNames({"alerts", "sync"})
    ->Args({20'000, 1})
    ->Args({20'000, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);

// Seconds for `sha256sum FILE` (best of 3), or a negative value when it cannot run.
double Sha256sumSeconds(const std::string& path) {
  double best = -1;
  for (int i = 0; i < 3; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    std::FILE* p = ::popen(("sha256sum '" + path + "' 2>/dev/null").c_str(), "r");
    if (p == nullptr) return -1;
    char buf[256];
    size_t got = 0;
    while (size_t k = std::fread(buf, 1, sizeof buf, p)) got += k;
    if (::pclose(p) != 0 || got < 64) return -1;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (best < 0 || s < best) best = s;
  }
  return best;
}

void BM_VerifyAuditLog(benchmark::State& state) {
  SetLogLevel(LogLevel::kError);
  const int64_t n = state.range(0);
  ScratchDir dir;
  audit::AuditLogOptions lo = LogOptions(dir.path());
  lo.sync = false;  // writing the input is not what is measured
  {
    auto log = audit::AuditLog::Open(lo);
    if (!log.ok()) {
      state.SkipWithError(log.status().message().c_str());
      return;
    }
    const Timestamp created(std::chrono::seconds(1'795'000'100));
    for (int64_t i = 0; i < n;) {
      if (!(*log)->Lock().ok()) std::abort();
      for (int k = 0; k < 500 && i < n; ++k, ++i) {
        const Alert a = MakeAlert(i);
        const std::string data = store::AlertRecordData(i + 1, a, AlertJsonWithId(a, static_cast<uint64_t>(i + 1)),
                                                        "bench-host", created)
                                     .dump();
        if (!(*log)->Append("alert", data, created).ok()) std::abort();
      }
      if (!(*log)->Commit(created).ok()) std::abort();
    }
  }
  audit::VerifyOptions vo;
  vo.log_path = lo.path;
  {
    std::FILE* f = std::fopen((lo.key_path + ".pub").c_str(), "rb");
    char buf[512] = {};
    const size_t k = f != nullptr ? std::fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f != nullptr) std::fclose(f);
    auto key = audit::NoteVerifier::Parse(std::string(buf, k));
    if (!key.ok()) {
      state.SkipWithError(key.status().message().c_str());
      return;
    }
    vo.key = *key;
  }
  vo.checkpoint_path = lo.path + ".checkpoint";
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(lo.path));
  uint64_t records = 0, checkpoints = 0;
  double seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    const audit::VerifyResult r = audit::VerifyAuditLog(vo);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r.ok) {
      state.SkipWithError(r.problem.c_str());
      break;
    }
    records = r.records;
    checkpoints = r.checkpoints;
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(records));
  state.SetBytesProcessed(state.iterations() * bytes);
  const double mean = state.iterations() > 0 ? seconds / static_cast<double>(state.iterations()) : 0;
  const double peer = Sha256sumSeconds(lo.path);
  state.counters["records"] = static_cast<double>(records);
  state.counters["checkpoints"] = static_cast<double>(checkpoints);
  state.counters["MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["s_per_million"] = records > 0 ? mean / static_cast<double>(records) * 1e6 : 0;
  state.counters["sha256sum_s"] = peer;
  state.counters["sha256sum_s_per_million"] = records > 0 && peer > 0 ? peer / static_cast<double>(records) * 1e6 : -1;
  state.counters["ratio_vs_sha256sum"] = peer > 0 ? mean / peer : -1;
}
BENCHMARK(BM_VerifyAuditLog)->Arg(100'000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
