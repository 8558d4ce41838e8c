// DaemonConfig: the daemon's configuration file (/etc/vigil/vigil.yaml), parsed and checked.
//
// Loading is one pass that reports every problem it finds, each as a located diagnostic
// (FILE:LINE:COL, codes E100-E105, see docs/configuration.md), and returns a value only when
// there was none. Each `collectors:` entry is validated by its factory's Create() (which has no
// side effects), so `vigil check` and `vigil run` accept exactly the same files.
//
// Hostile files are refused before they can cost much: more than kMaxConfigBytes, more than
// kMaxConfigNodes YAML nodes, nesting deeper than kMaxConfigDepth, or more than one document
// is an E103 error, not a crash, a hang or a gigabyte of memory.
//
// Threading: these functions keep no state; call them from any one thread at a time per
// Diagnostics object. They never throw.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/collector.h"
#include "vigil/diagnostic.h"
#include "vigil/log.h"
#include "vigil/output.h"
#include "vigil/status.h"

namespace vigil {

inline constexpr size_t kMaxConfigBytes = size_t{4} << 20;
inline constexpr size_t kMaxConfigNodes = 100000;
inline constexpr int kMaxConfigDepth = 64;
// At most this many diagnostics are kept per file (then one saying how many were left out).
inline constexpr size_t kMaxConfigDiagnostics = 100;

// One item of the `collectors:` list.
struct CollectorEntry {
  std::string type;  // the factory's name
  std::string name;  // unique instance name; defaults to `type`
  bool enabled = true;
  YAML::Node node;   // the whole entry (type, name, enabled and the collector's own keys)
  std::string file;  // the file it was read from, for diagnostics
};

// One scheduled report (`reports.schedules`, docs/reports.md).
struct ReportSchedule {
  std::string name;       // unique; default "<framework or all>-<cadence>"
  std::string framework;  // "" = every framework present
  std::string cadence;    // daily, weekly, monthly, quarterly
  std::vector<std::string> formats;  // report writer names; default html and json
};

// A control the organisation has declared not applicable (`reports.not_applicable`).
struct ReportNotApplicable {
  std::string framework, control, reason;
};

struct DaemonConfig {
  std::string source_file;  // "" for built-in defaults
  std::string host_name;    // default: gethostname()
  std::string state_dir = "/var/lib/vigil";
  std::string user;  // drop privileges to this user after opening sources; "" = stay
  LogLevel log_level = LogLevel::kInfo;
  LogFormat log_format = LogFormat::kText;
  size_t queue_capacity = 65536;
  size_t queue_batch = 256;
  bool metrics_enabled = true;
  std::string metrics_listen = "127.0.0.1:9747";
  // metrics.web_config_file (resolved against the config file's directory) and the users it
  // lists; no users: no authentication (web_auth.h).
  std::string metrics_web_config_file;
  std::map<std::string, std::string> metrics_users;
  // Globs of rule files. Relative ones are resolved against the config file's directory
  // by LoadConfigFile (LoadConfigString keeps them as written).
  std::vector<std::string> rule_paths = {"/etc/vigil/rules.d/*.yaml"};
  // Shipped rule packs to load before rule_paths (rule_packs.h): names, where each was given
  // (for diagnostics), and the directory they are in ("" = DefaultPacksDir()). Relative
  // directories are resolved against the config file's directory.
  std::vector<std::string> rule_packs;
  std::string rule_packs_dir;
  std::vector<std::string> rules_enable, rules_disable;  // rule ids or tags
  // Memory bounds of correlation and suppression state, per rule (docs/rules.md).
  size_t rules_max_groups = 10000;
  size_t rules_max_window_entries = 1000;
  size_t rules_max_suppression_keys = 10000;
  // The alert store and the audit log (in state_dir; docs/alerts.md).
  size_t alert_queue = 65536;
  std::chrono::seconds alert_keep{std::chrono::hours(24 * 400)};  // 0 = forever
  uint64_t audit_checkpoint_every = 1000;
  std::chrono::seconds audit_checkpoint_interval{60};
  std::chrono::seconds coverage_interval{60};  // between coverage records (run_records.h)
  std::chrono::seconds audit_verify_interval{3600};  // the daemon's own verification; 0 = off
  std::chrono::seconds shutdown_timeout{10};
  // The health monitor (docs/health.md): how often it samples, and the clock jump it reports.
  std::chrono::nanoseconds health_interval = std::chrono::seconds(10);
  std::chrono::nanoseconds health_clock_jump = std::chrono::seconds(2);
  uint64_t health_memory_limit = 0;  // bytes of resident memory; 0: not watched
  // Reports (docs/reports.md): where scheduled reports go ("" = <state_dir>/reports), what
  // to write and when, which controls do not apply, and the window of the
  // vigil_compliance_control_status gauge.
  std::string reports_dir;
  std::vector<ReportSchedule> report_schedules;
  std::vector<ReportNotApplicable> report_not_applicable;
  std::chrono::seconds report_status_window{std::chrono::hours(24)};
  std::vector<CollectorEntry> collectors;
  // Where alerts go (docs/outputs.md); each entry validated through its output factory.
  std::vector<OutputEntry> outputs;
};

// reports_dir, or <state_dir>/reports when it is not set.
std::string ReportsDirOf(const DaemonConfig& config);

// The built-in defaults (what an empty file gives), with host_name filled in.
DaemonConfig DefaultConfig();

// Reads and validates `path`. Every problem goes to `diags`, located FILE:LINE:COL. The
// result is an error iff this call added an error to `diags`.
Result<DaemonConfig> LoadConfigFile(
    const std::string& path, Diagnostics& diags,
    const CollectorRegistry& registry = CollectorRegistry::Global());
// The same for text in memory; `name` stands for the file in diagnostics.
Result<DaemonConfig> LoadConfigString(
    std::string_view yaml, const std::string& name, Diagnostics& diags,
    const CollectorRegistry& registry = CollectorRegistry::Global());

// Builds the (not yet started) collector for entry `e` through its factory: the same code
// path that validated it while loading. Problems go to `diags`.
Result<std::unique_ptr<Collector>> CreateCollector(
    const CollectorEntry& e, const DaemonConfig& c, RunMode mode, Diagnostics& diags,
    const CollectorRegistry& registry = CollectorRegistry::Global());

// "HOST:PORT" where HOST is an IPv4 literal, `localhost`, or "[IPv6 literal]"; port 1..65535.
struct ListenAddress {
  std::string host;  // without brackets
  uint16_t port = 0;
};
std::optional<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace vigil
