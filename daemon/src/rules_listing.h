// `vigil rules list`: every loaded rule with its id, name, severity, tags, controls, pack
// (or file) and whether it is enabled, as an aligned table, JSON, or the Markdown of
// docs/rules-catalog.md. The rules are those `vigil check` would load: the -r files when
// given, else the configuration's packs and rule paths (with its enable/disable lists).
//
// Threading: called once from main's thread.
#pragma once

#include <string>
#include <vector>

#include "vigil/rules/rule_set.h"

namespace vigil {

// The pack a rule comes from: its file name without directory and `.yaml`.
std::string RulePackName(const RuleInfo& rule);

std::string FormatRulesTable(const std::vector<RuleInfo>& rules);
std::string FormatRulesJson(const std::vector<RuleInfo>& rules);
// Markdown: a summary, then one section per pack (in load order) with a table of its rules.
std::string FormatRulesMarkdown(const std::vector<RuleInfo>& rules);

// The subcommand: loads the rules and prints them in `format` (table, json, markdown).
// Exit 0, or 1 when the configuration or the rules do not load (problems on stderr).
int RunRulesList(const std::string& config_path, const std::vector<std::string>& rule_files,
                 const std::string& format);

}  // namespace vigil
