// CompiledRule: one rule ready to evaluate: its compiled condition, the exceptions that
// veto it, its output template, correlation and suppression specs, and metadata.
// Immutable after loading (the mutable window state lives in RuleSet::Impl::state).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiled_condition.h"
#include "condition_compiler.h"
#include "correlation_spec.h"
#include "output_template.h"
#include "rule_reader.h"
#include "vigil/rules/rule_set.h"

namespace vigil::rules {

struct CompiledException {
  std::string id;
  NodePtr condition;
};

struct CompiledRule {
  RuleInfo info;
  NodePtr condition;
  KindConstraint kinds;
  std::vector<CompiledException> exceptions;
  std::optional<OutputTemplate> output;  // nullopt: the output is the rule's name
  std::vector<RawTest> tests;
  std::optional<CorrelationSpec> correlation;
  std::optional<SuppressionSpec> suppression;
  std::vector<uint32_t> sources;  // indices of the rules in correlation->rule_ids

  // The condition holds and no exception does.
  bool Matches(const Event& event) const {
    if (!condition->Eval(event)) return false;
    for (const auto& ex : exceptions) {
      if (ex.condition->Eval(event)) return false;
    }
    return true;
  }
  Alert MakeAlert(const Event& event) const;
};

}  // namespace vigil::rules
