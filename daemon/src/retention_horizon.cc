#include "retention_horizon.h"

#include <memory>

#include "retention_policy.h"
#include "vigil/diagnostic.h"

namespace vigil {

std::vector<std::string> RetentionPolicyFilesOf(const DaemonConfig& config) {
  std::vector<std::string> out;
  for (const CollectorEntry& e : config.collectors) {
    if (!e.enabled || e.type != "retention" || !e.node.IsMap()) continue;
    const YAML::Node p = e.node["policy"];
    if (p && p.IsScalar() && !p.Scalar().empty()) out.push_back(p.Scalar());
  }
  return out;
}

Result<report::RetentionResolver> RetentionResolverFor(const std::vector<std::string>& policy_files) {
  if (policy_files.empty()) return report::RetentionResolver();
  auto policies = std::make_shared<std::vector<retention::RetentionPolicy>>();
  for (const std::string& file : policy_files) {
    Diagnostics diags;
    auto p = retention::LoadPolicyFile(file, diags);
    if (!p.ok()) {
      std::string detail = diags.FormatText();
      std::string message = p.status().message();
      if (message.find(file) == std::string::npos) message = "retention policy " + file + ": " + message;
      while (!detail.empty() && detail.back() == '\n') detail.pop_back();
      return Status::InvalidArgument(detail.empty() ? message : message + "\n" + detail);
    }
    policies->push_back(std::move(*p));
  }
  return report::RetentionResolver([policies](const report::RetentionItem& item, int64_t at) {
    retention::FileClocks clocks;
    clocks.birth = item.birth_ns > 0 ? item.birth_ns / 1000000000 : 0;  // as the scanner counts it
    clocks.first_seen = item.first_seen;
    clocks.mtime = item.mtime_ns / 1000000000;
    clocks.changed_at = item.changed_at;
    report::RetentionHorizon h;
    bool classified = false;
    for (const retention::RetentionPolicy& policy : *policies) {
      if (!policy.ActiveHolds(item.path, at).empty()) h.held = true;
      if (classified) continue;
      const retention::Resolution r = policy.Resolve(item.path, clocks);
      if (r.classes.empty()) continue;
      classified = true;
      h.max_due = r.max_due;
    }
    return h;
  });
}

}  // namespace vigil
