// AuditMonitor: the daemon verifies its own audit log, every `audit_log.verify_interval`.
//
// `vigil verify` proves the log to whoever runs it; the monitor makes sure nobody has to
// remember to. Each run takes a snapshot (audit_snapshot.h: the log's size, the exported
// checkpoint and the store's head at one moment between two of the writers' batches) and
// verifies the whole log up to it: hash chain, every checkpoint's Merkle root and Ed25519
// signature against the public key beside the daemon's key, the exported checkpoint and the
// store's head. A failure becomes an `audit_verify_failed` health event (component
// `audit_log`, the first problem as its message), which rule vgl-health-010 turns into a
// critical alert. The event is raised when a run fails after a run that passed (or at the
// first run), and again when the problem found changes; a log that stays broken keeps
// `vigil_audit_verify_failing` at 1 rather than raising the same alert every interval.
//
// The first run is shortly after start (edits made while the daemon was stopped are found
// then); the verification reads the whole log, about 30 s per million records on one core
// (bench/RESULTS.md), on the monitor's own thread at a lowered CPU priority.
//
// Threading: Start/Stop/SetInterval from the daemon's thread; RunOnce on the monitor's thread
// (or directly in tests, when not started); WriteMetrics from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "audit/audit_verifier.h"
#include "audit_snapshot.h"
#include "health_event.h"
#include "periodic_thread.h"
#include "vigil/event.h"
#include "vigil/metric_writer.h"

namespace vigil {

struct AuditMonitorOptions {
  AuditPaths paths;
  std::chrono::nanoseconds interval = std::chrono::hours(1);  // 0: the monitor does not run
  std::chrono::nanoseconds first_delay = std::chrono::seconds(5);
  std::string host_name;
};

class AuditMonitor {
 public:
  using Sink = std::function<void(Event&&)>;

  AuditMonitor(AuditMonitorOptions options, const HealthFields& fields, Sink sink);
  ~AuditMonitor() { Stop(); }
  AuditMonitor(const AuditMonitor&) = delete;
  AuditMonitor& operator=(const AuditMonitor&) = delete;

  void Start();  // no-op when the interval is 0
  void Stop();
  // A new interval (SIGHUP): 0 stops the monitor, anything else (re)starts it.
  void SetInterval(std::chrono::nanoseconds interval);
  // One verification; returns its result (a snapshot that cannot be taken is a failure).
  audit::VerifyResult RunOnce();

  // vigil_audit_verify_runs_total{result}, vigil_audit_verify_failing,
  // vigil_audit_verify_last_run_timestamp_seconds, vigil_audit_verify_last_duration_seconds,
  // vigil_audit_verify_records.
  void WriteMetrics(MetricWriter& out) const;

 private:
  AuditMonitorOptions options_;
  HealthFields fields_;
  Sink sink_;
  PeriodicThread thread_;
  std::string last_problem_;  // the monitor's thread only; "" after a run that passed
  std::atomic<uint64_t> passed_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<bool> failing_{false};
  std::atomic<double> last_run_unix_{0};
  std::atomic<double> last_duration_{0};
  std::atomic<uint64_t> records_{0};
};

}  // namespace vigil
