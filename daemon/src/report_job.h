// RunReportJob: one audit report, as `vigil report` and the daemon's scheduled reports write
// it (docs/reports.md):
//   1. open the store and its audit log, apply what the store lacks, and sign a checkpoint
//      over any records not yet signed (so the report's integrity section does not depend
//      on when it was written);
//   2. build the report (reports/include/vigil/report/report_builder.h), with the retention
//      horizon from the retention policies (retention_horizon.h), and write it in each
//      format asked for;
//   3. write the bundle (report files, SHA256SUMS, its signature by the audit key), unless
//      the caller only wants the bytes;
//   4. append one control_evaluation record per control evaluated to the audit log (and so
//      to the store's control_evaluations table), with a signed checkpoint.
//
// Threading: the caller's thread; opens its own store connection and audit-log handle, so it
// may run beside the daemon's router (the audit log is shared through flock).
#pragma once

#include <string>
#include <vector>

#include "config.h"
#include "vigil/report/report.h"
#include "vigil/status.h"

namespace vigil {

struct ReportJob {
  std::string store_path;
  report::Period period;
  std::string framework;             // "" = every framework present
  std::vector<std::string> formats;  // report writer names
  std::string bundle_dir;            // "" = do not write a bundle (only `contents`)
  bool record_evaluations = true;
  // Retention policies for the retention horizon (retention_horizon.h); none: those of the
  // configuration's retention collectors.
  std::vector<std::string> policy_files;
};

struct ReportJobResult {
  report::Report report;
  std::vector<std::string> contents;  // one per format, in order
  uint64_t evaluations_recorded = 0;
};

Result<ReportJobResult> RunReportJob(const DaemonConfig& config, const ReportJob& job);

}  // namespace vigil
