#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <sstream>
#include <system_error>

#include "vigil/names.h"
#include "vigil/read_file.h"
#include "vigil/yaml_load.h"
#include "rule_packs.h"
#include "web_auth.h"
#include "vigil/config_section.h"
#include "vigil/ip_address.h"
#include "vigil/report/report_writer.h"

namespace vigil {
namespace {

// The root node of `text`, or nullopt after recording why there is none.
std::optional<YAML::Node> ParseYaml(std::string_view text, const std::string& name,
                                    Diagnostics& diags) {
  YamlLimits limits;
  limits.what = "config";
  limits.max_bytes = kMaxConfigBytes;
  limits.max_nodes = kMaxConfigNodes;
  limits.max_depth = kMaxConfigDepth;
  return LoadBoundedYaml(text, name, limits, diags);
}

// Calls the factory, making sure that a failure is always explained in the diagnostics.
Result<std::unique_ptr<Collector>> RunFactory(const CollectorFactory& factory, ConfigSection& s,
                                              const CollectorEnv& env) {
  Diagnostics& diags = s.diagnostics();
  const size_t before = diags.error_count();
  const std::string what = "collector '" + env.instance + "' (" + std::string(factory.name()) + ")";
  try {
    Result<std::unique_ptr<Collector>> r = factory.Create(s, env);
    if (!r.ok() && diags.error_count() == before) {
      diags.Error(s.Where(), "E103", what + ": " + r.status().message());
    }
    if (r.ok() && diags.error_count() > before) {
      return Status::InvalidArgument(what + ": invalid configuration");
    }
    return r;
  } catch (const std::exception& e) {
    diags.Error(s.Where(), "E103", what + ": " + e.what());
    return Status::Internal(what + ": " + e.what());
  }
}

void ReadCollectors(ConfigSection& root, DaemonConfig& c, const CollectorRegistry& registry) {
  std::map<std::string, int> first_line;  // name -> line of its first entry
  for (ConfigSection& s : root.SectionList("collectors")) {
    CollectorEntry e;
    e.type = s.RequiredString("type");
    e.name = s.String("name", e.type);
    e.enabled = s.Bool("enabled", true);
    e.node = s.node();
    e.file = s.file();
    const std::string_view name_key = s.Has("name") ? "name" : "type";
    if (s.Has("name") && !IsPlainName(e.name, 64)) {
      s.BadValue("name", "'" + e.name +
                             "' is not a valid collector name (1-64 letters, digits, "
                             "'-', '_' or '.')");
    } else if (auto [it, fresh] = first_line.emplace(e.name, s.Where(name_key).line);
               !fresh && !e.name.empty()) {
      s.diagnostics().Error(s.Where(name_key), "E103",
                            "duplicate collector name '" + e.name + "' (first used at line " +
                                std::to_string(it->second) + "); give each entry a unique 'name'");
    }
    const CollectorFactory* factory = e.type.empty() ? nullptr : registry.Find(e.type);
    if (factory != nullptr) {
      // Create() has no side effects: building the collector is how its keys are checked.
      RunFactory(*factory, s, CollectorEnv{e.name, c.state_dir, RunMode::kLive})
          .status()
          .IgnoreError();  // the diagnostics say what was wrong
    } else if (!e.type.empty()) {
      s.diagnostics().Error(s.Where("type"), "E103",
                            "unknown collector type '" + e.type +
                                "'; registered types: " + JoinNames(registry.Names()));
    }
    c.collectors.push_back(std::move(e));
  }
}

// The value of `key` in `map` (undefined when absent).
YAML::Node ValueOf(const YAML::Node& map, std::string_view key) {
  if (map.IsMap()) {
    for (const auto& kv : map) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    }
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

// `rules.packs` and `rules.packs_dir`: every named pack must be a file of the packs
// directory (E103 at the name, listing the packs there).
void ReadRulePacks(ConfigSection& s, DaemonConfig& c) {
  c.rule_packs = s.StringList("packs");
  c.rule_packs_dir = s.String("packs_dir", "");
  std::string dir = c.rule_packs_dir.empty() ? DefaultPacksDir() : c.rule_packs_dir;
  if (size_t slash = s.file().rfind('/'); dir.front() != '/' && slash != std::string::npos) {
    dir = s.file().substr(0, slash + 1) + dir;
  }
  if (!c.rule_packs_dir.empty()) c.rule_packs_dir = dir;
  if (c.rule_packs.empty()) return;
  const YAML::Node list = ValueOf(s.node(), "packs");
  auto where = [&](size_t i) {
    if (list.IsSequence() && i < list.size()) return MarkLocation(s.file(), list[i].Mark());
    return s.Where("packs");
  };
  struct stat st {};
  if (stat(PackFile(dir, kSiteListsPack).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    s.diagnostics().Error(s.Where("packs"), "E103", "the packs directory " + dir + " has no " +
                                                        std::string(kSiteListsPack) + ".yaml (is Vigil installed?)");
    return;
  }
  for (size_t i = 0; i < c.rule_packs.size(); ++i) {
    const std::string& name = c.rule_packs[i];
    if (!ValidPackName(name) || name == kSiteListsPack) {
      s.diagnostics().Error(where(i), "E103", "'" + name + "' is not a rule pack name");
      continue;
    }
    if (std::count(c.rule_packs.begin(), c.rule_packs.begin() + static_cast<std::ptrdiff_t>(i), name) > 0) {
      s.diagnostics().Error(where(i), "E103", "rule pack '" + name + "' is named twice");
      continue;
    }
    if (stat(PackFile(dir, name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      s.diagnostics().Error(where(i), "E103", "no rule pack '" + name + "' in " + dir + " (available: " +
                                                  JoinNames(AvailablePacks(dir)) + ")");
    }
  }
}

void ReadRules(ConfigSection& root, DaemonConfig& c) {
  ConfigSection s = root.Section("rules");
  std::vector<std::string> paths = s.StringList("paths");
  // `paths: []` means no rule files; `paths:` (null) means the default.
  if (!paths.empty() || ValueOf(s.node(), "paths").IsSequence()) c.rule_paths = std::move(paths);
  ReadRulePacks(s, c);
  c.rules_enable = s.StringList("enable");
  c.rules_disable = s.StringList("disable");
  c.rules_max_groups = static_cast<size_t>(s.Int("max_groups", 10000, 1, 10000000));
  c.rules_max_window_entries =
      static_cast<size_t>(s.Int("max_window_entries", 1000, 1, 1000000));
  c.rules_max_suppression_keys =
      static_cast<size_t>(s.Int("max_suppression_keys", 10000, 1, 10000000));
  const std::pair<std::string_view, const std::vector<std::string>*> lists[] = {
      {"paths", &c.rule_paths}, {"packs", &c.rule_packs}, {"enable", &c.rules_enable},
      {"disable", &c.rules_disable}};
  for (const auto& [key, list] : lists) {
    if (std::count(list->begin(), list->end(), "") > 0) s.BadValue(key, "items must not be empty");
  }
  for (const std::string& id : c.rules_disable) {
    if (!id.empty() && std::count(c.rules_enable.begin(), c.rules_enable.end(), id) > 0) {
      s.BadValue("disable", "'" + id + "' is both enabled and disabled");
    }
  }
  s.Finish();
}

void ReadHealth(ConfigSection& root, DaemonConfig& c) {
  ConfigSection s = root.Section("health");
  auto interval = s.DurationValue("interval", c.health_interval);
  if (interval < std::chrono::seconds(1) || interval > std::chrono::hours(1)) {
    s.BadValue("interval", "must be between 1s and 1h");
  } else {
    c.health_interval = interval;
  }
  auto jump = s.DurationValue("clock_jump_threshold", c.health_clock_jump);
  if (jump < std::chrono::milliseconds(100) || jump > std::chrono::hours(24)) {
    s.BadValue("clock_jump_threshold", "must be between 100ms and 24h");
  } else {
    c.health_clock_jump = jump;
  }
  const uint64_t limit = s.ByteSizeValue("memory_limit", c.health_memory_limit);
  if (limit != 0 && limit < (uint64_t{16} << 20)) {
    s.BadValue("memory_limit", "must be 0 (off) or at least 16MiB");
  } else {
    c.health_memory_limit = limit;
  }
  s.Finish();
}

void ReadReports(ConfigSection& root, DaemonConfig& c) {
  ConfigSection s = root.Section("reports");
  c.reports_dir = s.String("dir", "");
  if (!c.reports_dir.empty() && c.reports_dir.front() != '/') s.BadValue("dir", "must be an absolute path");
  auto window = s.DurationValue("status_window", c.report_status_window);
  if (window < std::chrono::hours(1) || window > std::chrono::hours(24 * 366)) {
    s.BadValue("status_window", "must be between 1h and 366d");
  } else {
    c.report_status_window = std::chrono::ceil<std::chrono::seconds>(window);
  }
  const std::vector<std::string> writers = report::ReportWriterRegistry::Global().Names();
  for (ConfigSection& e : s.SectionList("schedules")) {
    ReportSchedule r;
    r.framework = e.String("framework", "");
    if (!r.framework.empty() && !IsPlainName(r.framework, 64)) e.BadValue("framework", "'" + r.framework + "' is not a framework name");
    r.cadence = e.Enum("cadence", "weekly", {"daily", "weekly", "monthly", "quarterly"});
    r.formats = e.StringList("formats");
    if (r.formats.empty()) r.formats = {"html", "json"};
    for (const std::string& f : r.formats) {
      if (std::find(writers.begin(), writers.end(), f) == writers.end()) {
        e.BadValue("formats", "unknown report format '" + f + "' (known: " + JoinNames(writers) + ")");
      }
    }
    r.name = e.String("name", (r.framework.empty() ? std::string("all") : r.framework) + "-" + r.cadence);
    if (!IsPlainName(r.name, 64)) e.BadValue("name", "'" + r.name + "' is not a plain name");
    for (const ReportSchedule& other : c.report_schedules) {
      if (other.name == r.name) e.BadValue("name", "schedule '" + r.name + "' is named twice");
    }
    e.Finish();
    c.report_schedules.push_back(std::move(r));
  }
  for (ConfigSection& e : s.SectionList("not_applicable")) {
    ReportNotApplicable n;
    n.framework = e.RequiredString("framework");
    n.control = e.RequiredString("control");
    n.reason = e.RequiredString("reason");
    if (e.Has("reason") && n.reason.empty()) e.BadValue("reason", "say why the control does not apply");
    e.Finish();
    c.report_not_applicable.push_back(std::move(n));
  }
  s.Finish();
}

void ReadConfig(ConfigSection& root, DaemonConfig& c, const CollectorRegistry& registry) {
  if (auto host = root.OptionalString("host_name")) {
    if (host->empty() || host->size() > 253 || std::any_of(host->begin(), host->end(), [](char ch) {
          return static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f;
        })) {
      root.BadValue("host_name", "must be 1-253 characters without spaces");
    } else {
      c.host_name = *host;
    }
  }
  c.state_dir = root.String("state_dir", c.state_dir);
  if (c.state_dir.empty() || c.state_dir.front() != '/') {
    root.BadValue("state_dir", "must be an absolute path, such as /var/lib/vigil");
  }
  c.user = root.String("user", "");
  if (!c.user.empty() && !IsPlainName(c.user, 32)) {
    root.BadValue("user", "'" + c.user + "' is not a user name");
  }

  ConfigSection log = root.Section("log");
  std::string level = log.Enum("level", "info", {"debug", "info", "notice", "warning", "error"});
  if (!ParseLogLevel(level, &c.log_level)) c.log_level = LogLevel::kInfo;
  c.log_format =
      log.Enum("format", "text", {"text", "json"}) == "json" ? LogFormat::kJson : LogFormat::kText;
  log.Finish();

  ConfigSection queue = root.Section("queue");
  c.queue_capacity = static_cast<size_t>(queue.Int("capacity", 65536, 1, 16777216));
  c.queue_batch = static_cast<size_t>(queue.Int("batch", 256, 1, 65536));
  if (c.queue_batch > c.queue_capacity) {
    if (queue.Has("batch")) {
      queue.BadValue("batch", std::to_string(c.queue_batch) + " is larger than the capacity (" +
                                  std::to_string(c.queue_capacity) + ")");
    }
    c.queue_batch = c.queue_capacity;
  }
  queue.Finish();

  ConfigSection metrics = root.Section("metrics");
  c.metrics_enabled = metrics.Bool("enabled", true);
  c.metrics_listen = metrics.String("listen", c.metrics_listen);
  if (!ParseListenAddress(c.metrics_listen)) {
    metrics.BadValue("listen", "'" + c.metrics_listen + "' is not HOST:PORT (HOST: an IPv4 " +
                                   "address, [IPv6 address] or localhost; PORT: 1-65535)");
  }
  if (std::string web = metrics.String("web_config_file"); !web.empty()) {
    const size_t slash = c.source_file.rfind('/');
    if (web.front() != '/' && slash != std::string::npos) web = c.source_file.substr(0, slash + 1) + web;
    c.metrics_web_config_file = web;
    if (auto wc = LoadWebConfigFile(web, metrics.diagnostics()); wc.ok()) c.metrics_users = std::move(wc->users);
  }
  metrics.Finish();

  ReadRules(root, c);
  ReadHealth(root, c);
  ReadReports(root, c);

  ConfigSection alerts = root.Section("alerts");
  c.alert_queue = static_cast<size_t>(alerts.Int("queue", 65536, 1, 16777216));
  auto keep = alerts.DurationValue("keep", c.alert_keep);
  if (keep < std::chrono::nanoseconds::zero()) {
    alerts.BadValue("keep", "must be 0 (keep forever) or a duration");
  } else {
    c.alert_keep = std::chrono::ceil<std::chrono::seconds>(keep);
  }
  alerts.Finish();

  ConfigSection audit = root.Section("audit_log");
  c.audit_checkpoint_every = static_cast<uint64_t>(audit.Int("checkpoint_every", 1000, 0, 100000000));
  auto interval = audit.DurationValue("checkpoint_interval", c.audit_checkpoint_interval);
  if (interval < std::chrono::nanoseconds::zero() || interval > std::chrono::hours(24)) {
    audit.BadValue("checkpoint_interval", "must be between 0s (only by count) and 24h");
  } else {
    c.audit_checkpoint_interval = std::chrono::ceil<std::chrono::seconds>(interval);
  }
  auto coverage = audit.DurationValue("coverage_interval", c.coverage_interval);
  if (coverage < std::chrono::seconds(1) || coverage > std::chrono::hours(24)) {
    audit.BadValue("coverage_interval", "must be between 1s and 24h");
  } else {
    c.coverage_interval = std::chrono::ceil<std::chrono::seconds>(coverage);
  }
  auto verify = audit.DurationValue("verify_interval", c.audit_verify_interval);
  if (verify != std::chrono::nanoseconds::zero() &&
      (verify < std::chrono::seconds(1) || verify > std::chrono::hours(24 * 7))) {
    audit.BadValue("verify_interval", "must be 0s (off) or between 1s and 7d");
  } else {
    c.audit_verify_interval = std::chrono::ceil<std::chrono::seconds>(verify);
  }
  if (c.audit_checkpoint_every == 0 && c.audit_checkpoint_interval.count() == 0) {
    audit.BadValue("checkpoint_every", "checkpoint_every and checkpoint_interval cannot both be 0");
  }
  audit.Finish();

  auto timeout = root.DurationValue("shutdown_timeout", std::chrono::seconds(10));
  if (timeout <= std::chrono::nanoseconds::zero() || timeout > std::chrono::hours(1)) {
    root.BadValue("shutdown_timeout", "must be more than 0s and at most 1h");
  } else {
    c.shutdown_timeout = std::chrono::ceil<std::chrono::seconds>(timeout);
  }

  ReadCollectors(root, c, registry);
  c.outputs = ReadOutputEntries(root);
  root.Finish();
}

// Appends `local` to `out` in file order, keeping at most kMaxConfigDiagnostics.
void AppendSorted(const Diagnostics& local, const std::string& name, Diagnostics& out) {
  std::vector<Diagnostic> items = local.items();
  std::stable_sort(items.begin(), items.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::pair(a.location.line, a.location.column) <
           std::pair(b.location.line, b.location.column);
  });
  for (size_t i = 0; i < items.size() && i < kMaxConfigDiagnostics; ++i) out.Add(items[i]);
  if (items.size() > kMaxConfigDiagnostics) {
    out.Error({name, 0, 0}, "E103",
              std::to_string(items.size() - kMaxConfigDiagnostics) +
                  " more problems not shown; fix the ones above first");
  }
}

}  // namespace

std::string ReportsDirOf(const DaemonConfig& config) {
  return config.reports_dir.empty() ? config.state_dir + "/reports" : config.reports_dir;
}

DaemonConfig DefaultConfig() {
  DaemonConfig c;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') {
    c.host_name = host;
  } else {
    c.host_name = "localhost";
  }
  return c;
}

std::optional<ListenAddress> ParseListenAddress(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || text.substr(close + 1, 1) != ":") return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (host.find(':') == std::string_view::npos || !IpAddress::Parse(host)) return std::nullopt;
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host != "localhost") {
      auto ip = IpAddress::Parse(host);
      if (!ip || !ip->is_v4()) return std::nullopt;
    }
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value < 1 ||
      value > 65535) {
    return std::nullopt;
  }
  return ListenAddress{std::string(host), static_cast<uint16_t>(value)};
}

Result<DaemonConfig> LoadConfigString(std::string_view yaml, const std::string& name,
                                      Diagnostics& diags, const CollectorRegistry& registry) {
  Diagnostics local;
  DaemonConfig c = DefaultConfig();
  c.source_file = name;
  if (std::optional<YAML::Node> root = ParseYaml(yaml, name, local)) {
    try {
      ConfigSection section(*root, name, local);
      ReadConfig(section, c, registry);
    } catch (const std::exception& e) {  // yaml-cpp on a node we did not expect
      local.Error({name, 0, 0}, "E100", std::string("cannot read the configuration: ") + e.what());
    }
  }
  const size_t errors = local.error_count();
  const size_t first = diags.items().size();
  AppendSorted(local, name, diags);
  if (errors == 0) return c;
  std::string first_error;
  for (size_t i = first; i < diags.items().size(); ++i) {
    if (diags.items()[i].severity == Severity::kError) {
      first_error = FormatDiagnosticHeader(diags.items()[i]);
      break;
    }
  }
  return Status::InvalidArgument("invalid configuration " + name + " (" + std::to_string(errors) +
                                 (errors == 1 ? " error): " : " errors), first: ") + first_error);
}

Result<DaemonConfig> LoadConfigFile(const std::string& path, Diagnostics& diags,
                                    const CollectorRegistry& registry) {
  Result<std::string> text = ReadRegularFile(path, kMaxConfigBytes, NullDevice::kEmpty);
  if (!text.ok()) {
    const bool too_large = text.status().code() == StatusCode::kInvalidArgument;
    diags.Error({path, 0, 0}, too_large ? "E103" : "E100",
                (too_large ? "config file too large: " : "cannot read config file: ") + text.status().message());
    return Status(text.status().code(), "config file " + path + ": " + text.status().message());
  }
  Result<DaemonConfig> r = LoadConfigString(*text, path, diags, registry);
  if (!r.ok()) return r;
  size_t slash = path.rfind('/');
  if (slash != std::string::npos) {
    std::string dir = path.substr(0, slash + 1);
    for (std::string& p : r->rule_paths) {
      if (!p.empty() && p.front() != '/') p = dir + p;
    }
  }
  return r;
}

Result<std::unique_ptr<Collector>> CreateCollector(const CollectorEntry& e, const DaemonConfig& c,
                                                   RunMode mode, Diagnostics& diags,
                                                   const CollectorRegistry& registry) {
  const CollectorFactory* factory = registry.Find(e.type);
  if (factory == nullptr) {
    SourceLocation loc{e.file, 0, 0};
    if (e.node.IsDefined()) loc = MarkLocation(e.file, e.node.Mark());
    diags.Error(loc, "E103",
                "unknown collector type '" + e.type +
                    "'; registered types: " + JoinNames(registry.Names()));
    return Status::NotFound("unknown collector type '" + e.type + "'");
  }
  try {
    ConfigSection s(e.node, e.file, diags);
    // Read by the config loader, not by the factory.
    (void)s.String("type");
    (void)s.String("name");
    (void)s.Bool("enabled", true);
    return RunFactory(*factory, s, CollectorEnv{e.name, c.state_dir, mode});
  } catch (const std::exception& ex) {
    diags.Error({e.file, 0, 0}, "E103", "collector '" + e.name + "': " + ex.what());
    return Status::Internal("collector '" + e.name + "': " + ex.what());
  }
}

}  // namespace vigil
