#include "rule_loading.h"

#include <glob.h>

#include <algorithm>

#include <cerrno>
#include <system_error>

#include "rule_packs.h"

namespace vigil {
namespace {

// glob(3)'s error callback has no user pointer: the first unreadable directory of the
// current expansion is kept here (expansion happens on one thread at a time).
thread_local std::string g_glob_error;

int OnGlobError(const char* path, int err) {
  // A directory that does not exist simply matches nothing (e.g. no rules.d yet).
  if (err == ENOENT || err == ENOTDIR) return 0;
  if (g_glob_error.empty()) g_glob_error = std::string(path) + ": " + std::generic_category().message(err);
  return 0;
}

}  // namespace

Result<std::vector<std::string>> ExpandRulePaths(const std::vector<std::string>& patterns,
                                                 const std::string& config_file, Diagnostics& diags) {
  std::vector<std::string> files;
  bool ok = true;
  for (const std::string& pattern : patterns) {
    bool is_glob = pattern.find_first_of("*?[") != std::string::npos;
    glob_t g{};
    g_glob_error.clear();
    int rc = glob(pattern.c_str(), GLOB_NOSORT, OnGlobError, &g);
    if (rc == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) files.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
    std::string problem;
    if (!g_glob_error.empty()) {
      problem = g_glob_error;
    } else if (rc == GLOB_NOMATCH && !is_glob) {
      problem = "no such file";
    } else if (rc != 0 && rc != GLOB_NOMATCH) {
      problem = "cannot be expanded";
    }
    if (!problem.empty()) {
      ok = false;
      diags.Error({config_file, 0, 0}, "E103", "rules path '" + pattern + "': " + problem);
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  if (!ok) return Status::InvalidArgument("rule paths cannot be read");
  return files;
}

RuleOptions RuleOptionsFor(const DaemonConfig& config) {
  RuleOptions o;
  o.enable = config.rules_enable;
  o.disable = config.rules_disable;
  o.max_groups = config.rules_max_groups;
  o.max_window_entries = config.rules_max_window_entries;
  o.max_suppression_keys = config.rules_max_suppression_keys;
  return o;
}

Result<std::vector<std::string>> ConfiguredRuleFiles(const DaemonConfig& config, Diagnostics& diags) {
  std::vector<std::string> files;
  if (!config.rule_packs.empty()) {
    const std::string dir = config.rule_packs_dir.empty() ? DefaultPacksDir() : config.rule_packs_dir;
    files.push_back(PackFile(dir, kSiteListsPack));
    for (const std::string& name : config.rule_packs) files.push_back(PackFile(dir, name));
  }
  auto paths = ExpandRulePaths(config.rule_paths, config.source_file, diags);
  if (!paths.ok()) return paths.status();
  for (std::string& f : *paths) {
    if (std::find(files.begin(), files.end(), f) == files.end()) files.push_back(std::move(f));
  }
  return files;
}

Result<std::unique_ptr<RuleSet>> LoadConfiguredRules(const DaemonConfig& config,
                                                     Diagnostics& diags) {
  auto files = ConfiguredRuleFiles(config, diags);
  if (!files.ok()) return files.status();
  return LoadRules(*files, RuleOptionsFor(config), diags);
}

}  // namespace vigil
