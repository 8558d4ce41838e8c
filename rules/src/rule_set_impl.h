// RuleSet::Impl: what a loaded RuleSet holds (internal to the rule engine).
#pragma once

#include <vector>

#include "compiled_rule.h"
#include "rule_index.h"
#include "vigil/rules/rule_set.h"

namespace vigil {

struct RuleSet::Impl {
  std::vector<rules::CompiledRule> rules;
  std::vector<RuleInfo> infos;  // rules[i].info, in order, for rules()
  rules::RuleIndex index;
};

}  // namespace vigil
