#include "report_command.h"

#include <cstdio>

#include "config_source.h"
#include "report_job.h"
#include "router_setup.h"
#include "vigil/log.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "vigil report: %s\n", message.c_str());
  return 2;
}

}  // namespace

int RunReportCommand(const ReportCommandOptions& o) {
  SetLogLevel(LogLevel::kWarning);
  Diagnostics diags;
  auto config = LoadEffectiveConfig(o.config_path, diags);
  if (!config.ok()) {
    std::fputs(diags.FormatText().c_str(), stderr);
    return Fail("invalid configuration");
  }
  ReportJob job;
  auto from = ParseTimeOrDate(o.from);
  auto to = ParseTimeOrDate(o.to);
  if (!from) return Fail("--from '" + o.from + "' is not a time (RFC 3339 or YYYY-MM-DD)");
  if (!to) return Fail("--to '" + o.to + "' is not a time (RFC 3339 or YYYY-MM-DD)");
  if (*to <= *from) return Fail("--to must be after --from");
  job.period = {*from, *to};
  job.framework = o.framework;
  job.formats = {o.format};
  job.store_path = o.db.empty() ? StorePathIn(config->state_dir) : o.db;
  job.policy_files = o.policies;
  const bool to_stdout = o.output == "-";
  // With -o DIR, one pass; without -o, a first pass finds the report id that names the
  // default directory.
  job.record_evaluations = !to_stdout && !o.output.empty();
  if (job.record_evaluations) job.bundle_dir = o.output;
  auto result = RunReportJob(*config, job);
  if (!result.ok()) return Fail(result.status().message());
  if (to_stdout) {
    std::fwrite(result->contents[0].data(), 1, result->contents[0].size(), stdout);
    return 0;
  }
  if (o.output.empty()) {
    job.bundle_dir = ReportsDirOf(*config) + "/" + result->report.cover.report_id + "-" + o.format;
    job.record_evaluations = true;
    result = RunReportJob(*config, job);
    if (!result.ok()) return Fail(result.status().message());
  }
  std::printf("%s\n", job.bundle_dir.c_str());
  std::fprintf(stderr, "vigil report: %s: %zu control%s evaluated, %zu finding%s; check it with: vigil verify --report %s\n",
               result->report.cover.report_id.c_str(), result->report.controls.size(),
               result->report.controls.size() == 1 ? "" : "s", result->report.findings.size(),
               result->report.findings.size() == 1 ? "" : "s", job.bundle_dir.c_str());
  return 0;
}

}  // namespace vigil
