// CompiledRule: one rule ready to evaluate: its compiled condition, the exceptions that
// veto it, its output template, correlation and suppression specs, and metadata.
// Immutable after loading (the mutable window state lives in RuleSet::Impl::state).
#pragma once

#include <memory>
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
  std::string text;  // the condition's normal form (CompiledCondition::text)
};

struct CompiledRule {
  // What building an alert reads (Refresh), first: one cache line rather than three.
  std::shared_ptr<const RuleMeta> meta;  // info's id, name, ...: what its alerts share
  std::optional<OutputTemplate> output;  // nullopt: the output is the rule's name
  RuleInfo info;
  NodePtr condition;
  KindConstraint kinds;
  std::vector<CompiledException> exceptions;
  std::vector<RawTest> tests;
  std::optional<CorrelationSpec> correlation;
  std::optional<SuppressionSpec> suppression;
  std::vector<uint32_t> sources;  // indices of the rules in correlation->rule_ids
  std::string condition_text;     // the condition's normal form ("" for a correlation fed by `rules`)
  // A hash of what decides the rule's correlation and suppression state: its condition and
  // exceptions (normal forms), its correlation (type, group_by, timespan, count condition,
  // field, and the conditions and exceptions of the rules that feed it) and its suppression
  // (window, by). Not its name, severity, output, tags or `enabled`. Equal fingerprints
  // under the same id let a reload keep the rule's windows (RuleSet::AdoptState).
  uint64_t fingerprint = 0;

  // The condition holds and no exception does.
  bool Matches(const Event& event) const {
    if (!condition->Eval(event)) return false;
    for (const auto& ex : exceptions) {
      if (ex.condition->Eval(event)) return false;
    }
    return true;
  }
  // An alert of this rule for `event` (shared, not copied).
  Alert MakeAlert(std::shared_ptr<const Event> event) const;
  // Makes `a` (a default-constructed alert) an alert of this rule for `event`, whose
  // @timestamp (Event::time) is `time`: MakeAlert in place.
  void Fill(Alert& a, std::shared_ptr<const Event> event, Timestamp time) const;
  // The same for an alert whose event is already set.
  void Fill(Alert& a, Timestamp time) const;
  // Sets the rule's metadata and output (rendered from a.event) on an alert made earlier,
  // possibly by an older definition of this rule.
  void Refresh(Alert& a) const;
};

}  // namespace vigil::rules
