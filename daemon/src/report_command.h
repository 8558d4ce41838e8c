// `vigil report`: writes an audit report for a period (docs/reports.md) as a signed bundle
// directory (-o DIR, default <reports dir>/<report id>-<format>), or only the report's bytes
// on stdout with `-o -` (unsigned: for a quick look or a pipe).
//
// Exit codes: 0 written; 2 bad usage, no store, or the report could not be written.
//
// Threading: runs on the CLI's one thread.
#pragma once

#include <string>
#include <vector>

namespace vigil {

struct ReportCommandOptions {
  std::string config_path;
  std::string from, to, framework, format, output, db;
  std::vector<std::string> policies;  // --policy: retention policies (default: the configured ones)
};

int RunReportCommand(const ReportCommandOptions& options);

}  // namespace vigil
