// `vigil replay`: recorded input through the same collectors as the daemon, offline.
//
// Each input becomes a collector in RunMode::kReplay (read to the end, never drop). Inputs
// are replayed one after another in command-line order, so the same input always gives
// the same output. Events (with --events) and alerts go to stdout as JSON lines; skipped
// input is reported on stderr with its location; a summary goes to stderr at the end.
#pragma once

#include <string>
#include <vector>

namespace vigil {

struct ReplayOptions {
  std::string config_path;
  std::vector<std::string> rule_files;
  std::vector<std::string> pcaps, auth_logs, journal_jsons, journals, audit_logs, jsonls;
  std::string scan_dir, policy, now, db;
  int workers = 0;  // --scan: the retention collector's workers; --auth-log: auth_log's (0: their default)
  bool events = false;
  bool no_alerts = false;
  std::string log_level;  // empty: warning
};

int RunReplayCommand(const ReplayOptions& options);

}  // namespace vigil
