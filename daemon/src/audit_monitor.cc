#include "audit_monitor.h"

#include <sys/resource.h>
#include <unistd.h>

#include "vigil/ecs_fields.h"
#include "vigil/log.h"

namespace vigil {

AuditMonitor::AuditMonitor(AuditMonitorOptions options, const HealthFields& fields, Sink sink)
    : options_(std::move(options)), fields_(fields), sink_(std::move(sink)) {}

void AuditMonitor::Start() {
  if (options_.interval.count() <= 0) return;
  thread_.Start(options_.interval, [this] {
    // A verification of a large log takes seconds of CPU: let detection go first. On Linux
    // the nice value of a thread is its own (PRIO_PROCESS with the thread id).
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
    RunOnce();
  }, options_.first_delay);
}

void AuditMonitor::Stop() { thread_.Stop(); }

void AuditMonitor::SetInterval(std::chrono::nanoseconds interval) {
  if (interval.count() <= 0) {
    thread_.Stop();
    options_.interval = interval;
    return;
  }
  const bool was_stopped = options_.interval.count() <= 0;
  options_.interval = interval;
  if (was_stopped) {
    Start();
  } else {
    thread_.SetInterval(interval);
  }
}

audit::VerifyResult AuditMonitor::RunOnce() {
  const auto started = std::chrono::steady_clock::now();
  audit::VerifyResult r;
  auto snapshot = SnapshotForVerify(options_.paths);
  if (snapshot.ok()) {
    r = audit::VerifyAuditLog(*snapshot);
  } else {
    r.ok = false;
    r.problem = "cannot take a snapshot of the audit log: " + snapshot.status().message();
  }
  last_duration_.store(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                       std::memory_order_relaxed);
  last_run_unix_.store(std::chrono::duration<double>(WallNow().time_since_epoch()).count(),
                       std::memory_order_relaxed);
  records_.store(r.records, std::memory_order_relaxed);
  failing_.store(!r.ok, std::memory_order_relaxed);
  if (r.ok) {
    passed_.fetch_add(1, std::memory_order_relaxed);
    if (!last_problem_.empty()) {
      VIGIL_LOG(kNotice) << "audit log " << options_.paths.log << " verifies again (" << r.records << " records)";
    }
    last_problem_.clear();
    return r;
  }
  failed_.fetch_add(1, std::memory_order_relaxed);
  if (r.problem != last_problem_) {
    last_problem_ = r.problem;
    Event e = MakeHealthEvent(HealthAction::kAuditVerifyFailed, WallNow(), options_.host_name,
                              "audit log " + options_.paths.log + " does not verify: " + r.problem);
    e.Set(fields_.component, std::string("audit_log"));
    sink_(std::move(e));
  }
  return r;
}

void AuditMonitor::WriteMetrics(MetricWriter& out) const {
  constexpr std::string_view kRunsHelp = "Verifications of the audit log by the daemon, by result.";
  out.Counter("vigil_audit_verify_runs_total", kRunsHelp, {{"result", "passed"}},
              static_cast<double>(passed_.load(std::memory_order_relaxed)));
  out.Counter("vigil_audit_verify_runs_total", kRunsHelp, {{"result", "failed"}},
              static_cast<double>(failed_.load(std::memory_order_relaxed)));
  out.Gauge("vigil_audit_verify_failing", "1 when the last verification of the audit log failed, else 0.", {},
            failing_.load(std::memory_order_relaxed) ? 1 : 0);
  out.Gauge("vigil_audit_verify_last_run_timestamp_seconds",
            "Unix time of the last verification of the audit log (0: none yet).", {},
            last_run_unix_.load(std::memory_order_relaxed));
  out.Gauge("vigil_audit_verify_last_duration_seconds", "How long the last verification of the audit log took.",
            {}, last_duration_.load(std::memory_order_relaxed));
  out.Gauge("vigil_audit_verify_records", "Records the last verification of the audit log read and checked.", {},
            static_cast<double>(records_.load(std::memory_order_relaxed)));
}

}  // namespace vigil
