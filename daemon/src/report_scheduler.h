// ReportScheduler: the daemon's scheduled reports (`reports.schedules`, docs/reports.md).
// At each Tick it writes, for every schedule, the last whole period of its cadence
// (report/schedule.h) that has no bundle yet in the reports directory, through the same
// RunReportJob as `vigil report`: a signed bundle with each configured format, and the
// control evaluations appended to the audit log. A failed report is logged, counted and
// tried again at the next tick.
//
// Metrics: vigil_reports_written_total, vigil_report_failures_total,
// vigil_report_last_success_timestamp_seconds (the wall-clock time the last report was
// written; 0 before the first).
//
// Threading: Tick on the daemon's main thread; WriteMetrics from any thread.
#pragma once

#include <atomic>
#include <string>

#include "config.h"
#include "vigil/metric_writer.h"

namespace vigil {

class ReportScheduler {
 public:
  void Tick(const DaemonConfig& config, const std::string& store_path, Timestamp now);
  void WriteMetrics(MetricWriter& out) const;

 private:
  std::atomic<uint64_t> written_{0}, failures_{0};
  std::atomic<int64_t> last_success_unix_{0};
};

}  // namespace vigil
