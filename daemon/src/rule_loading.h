// Loading the rules a configuration names: the shipped packs of `rules.packs`, then the
// `rules.paths` globs expanded in sorted order, into one RuleSet with the config's enable/disable lists. Used by `vigil run` (start and
// SIGHUP) and `vigil check`, so both accept exactly the same rules.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config.h"
#include "vigil/diagnostic.h"
#include "vigil/rules/rule_set.h"
#include "vigil/status.h"

namespace vigil {

// Files matched by `patterns`, sorted and without repeats. A glob that matches nothing
// gives nothing; a plain path that does not exist is an error (E203-like, reported in diags
// at the config's rules.paths).
Result<std::vector<std::string>> ExpandRulePaths(const std::vector<std::string>& patterns,
                                                 const std::string& config_file, Diagnostics& diags);

// The config's enable/disable lists and state limits as RuleOptions.
RuleOptions RuleOptionsFor(const DaemonConfig& config);

// The rule files a configuration names, in load order: the packs (site-lists first, then
// `rules.packs` in order; rule_packs.h), then the files of `rules.paths`.
Result<std::vector<std::string>> ConfiguredRuleFiles(const DaemonConfig& config, Diagnostics& diags);

// Loads the configured rule files (an empty set when there are none).
Result<std::unique_ptr<RuleSet>> LoadConfiguredRules(const DaemonConfig& config, Diagnostics& diags);

}  // namespace vigil
