#include "run_recording.h"

#include <unistd.h>

#include "config_source.h"

namespace vigil {

store::RunStart RunStartFor(const std::string& mode, const DaemonConfig& config, Timestamp started) {
  store::RunStart run;
  run.mode = mode;
  run.host = config.host_name;
  run.version = VIGIL_VERSION;
  run.pid = static_cast<int64_t>(getpid());
  run.started = started;
  return run;
}

std::vector<std::string> PolicyFilesOf(const DaemonConfig& config) {
  std::vector<std::string> policies;
  for (const CollectorEntry& e : config.collectors) {
    if (!e.enabled || !e.node.IsMap()) continue;
    const YAML::Node p = e.node["policy"];
    if (p && p.IsScalar()) policies.push_back(p.Scalar());
  }
  return policies;
}

store::RulesetSnapshot RulesetSnapshotFor(const RuleSet& rules, const std::vector<std::string>& rule_files,
                                          const std::vector<std::string>& policy_files,
                                          const DaemonConfig& config, Timestamp at) {
  store::RulesetSnapshot snap;
  snap.at = at;
  snap.rules_sha256 = store::FilesDigest(rule_files);
  snap.policies_sha256 = store::FilesDigest(policy_files);
  snap.config_sha256 = config.source_file.empty() ? store::TextDigest(BuiltinConfigText())
                                                  : store::FilesDigest({config.source_file});
  for (const RuleInfo& r : rules.rules()) {
    if (!r.enabled) continue;
    snap.rules.push_back({r.id, r.name, r.severity, r.datasets, r.controls});
  }
  return snap;
}

std::vector<store::CoverageSample> CoverageOf(const Pipeline& pipeline,
                                              const std::map<std::string, std::string>& types) {
  std::vector<store::CoverageSample> out;
  for (const auto& [name, status] : pipeline.CollectorStatuses()) {
    store::CoverageSample c;
    c.name = name;
    auto t = types.find(name);
    c.type = t != types.end() ? t->second : name;
    c.up = status.state == Pipeline::CollectorState::kRunning;
    c.events = status.totals.events;
    c.dropped = status.totals.dropped;
    c.skipped = status.totals.skipped;
    c.errors = status.totals.errors;
    c.gaps = status.totals.gaps;
    out.push_back(std::move(c));
  }
  return out;
}

void EventTimeSpan::Consume(Event& event) {
  const Timestamp t = event.time();
  if (t.time_since_epoch().count() == 0) return;
  if (!first || t < *first) first = t;
  if (!last || t > *last) last = t;
}

std::map<std::string, std::string> CollectorTypes(const DaemonConfig& config) {
  std::map<std::string, std::string> out;
  for (const CollectorEntry& e : config.collectors) out[e.name] = e.type;
  return out;
}

}  // namespace vigil
