// CompiledRule: one rule ready to evaluate: its compiled condition, the exceptions that
// veto it, its output template and metadata. Immutable after loading.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "compiled_condition.h"
#include "condition_compiler.h"
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
