#include "report_scheduler.h"

#include <filesystem>
#include <system_error>

#include "report_job.h"
#include "vigil/log.h"
#include "vigil/report/schedule.h"

namespace vigil {

void ReportScheduler::Tick(const DaemonConfig& config, const std::string& store_path, Timestamp now) {
  if (config.report_schedules.empty()) return;
  const std::string dir = ReportsDirOf(config);
  for (const ReportSchedule& s : config.report_schedules) {
    const auto cadence = report::ParseCadence(s.cadence);
    if (!cadence) continue;  // refused by the config loader
    const report::Period period = report::LastCompletedPeriod(*cadence, now);
    const std::string bundle = dir + "/" + report::ScheduledBundleName(s.name, period);
    std::error_code ec;
    if (std::filesystem::exists(bundle, ec)) continue;
    std::filesystem::create_directories(dir, ec);
    ReportJob job;
    job.store_path = store_path;
    job.period = period;
    job.framework = s.framework;
    job.formats = s.formats;
    job.bundle_dir = bundle;
    auto result = RunReportJob(config, job);
    if (!result.ok()) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      // A half-written bundle would stop the next try; remove it.
      std::filesystem::remove_all(bundle, ec);
      VIGIL_LOG(kError) << "scheduled report '" << s.name << "': " << result.status().message();
      continue;
    }
    written_.fetch_add(1, std::memory_order_relaxed);
    last_success_unix_.store(std::chrono::duration_cast<std::chrono::seconds>(WallNow().time_since_epoch()).count(),
                             std::memory_order_relaxed);
    VIGIL_LOG(kNotice) << "scheduled report '" << s.name << "' written: " << bundle << " ("
                       << result->report.cover.report_id << ", " << result->report.controls.size() << " controls)";
  }
}

void ReportScheduler::WriteMetrics(MetricWriter& out) const {
  out.Counter("vigil_reports_written_total", "Scheduled reports written (bundles).", {},
              static_cast<double>(written_.load(std::memory_order_relaxed)));
  out.Counter("vigil_report_failures_total", "Scheduled reports that could not be written (tried again later).", {},
              static_cast<double>(failures_.load(std::memory_order_relaxed)));
  out.Gauge("vigil_report_last_success_timestamp_seconds",
            "When the last scheduled report was written (Unix time; 0 before the first).", {},
            static_cast<double>(last_success_unix_.load(std::memory_order_relaxed)));
}

}  // namespace vigil
