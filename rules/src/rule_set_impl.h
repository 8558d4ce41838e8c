// RuleSet::Impl: what a loaded RuleSet holds (internal to the rule engine): the compiled
// rules (immutable) and the per-rule window state that Evaluate() updates.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "compiled_rule.h"
#include "correlation_window.h"
#include "rule_index.h"
#include "rule_program.h"
#include "suppression.h"
#include "vigil/rules/rule_set.h"

namespace vigil {

struct RuleSet::Impl {
  // Mutable state of one rule; null members when the rule has no correlation/suppression.
  struct RuleState {
    std::unique_ptr<rules::CorrelationWindows> windows;
    std::unique_ptr<rules::SuppressionWindows> suppression;
    uint64_t fed_event = 0;  // the last event (seq) fed to the windows, to feed each event once
    uint64_t sampled_ns = 0;   // time in its condition on sampled evaluations, scaled (kTimeSampleEvery)
  };

  // What evaluating a candidate rule reads first, packed apart from its CompiledRule (a few
  // hundred bytes over several cache lines) so that a candidate touches one small entry
  // until it matches, and counts its evaluations there (not in RuleState: one cache line
  // fewer per candidate). Parallel to rules; program is null for rules never evaluated.
  //
  // A candidate evaluates its condition as a program of conjuncts (rule_program.h):
  // program[0, size), the last `tagged` skipped when the index proved their field's value.
  // The entry holds a copy of the first conjunct: one cache line for a candidate its first
  // conjunct rejects.
  struct alignas(64) Candidate {
    rules::Conjunct first;
    const rules::Conjunct* program = nullptr;
    uint16_t size = 0;
    uint16_t tagged = 0;
    uint64_t evaluations = 0;  // times the rule's condition was evaluated
    bool exceptions = false;  // the rule has exceptions: CompiledRule::Matches decides
    bool alerts = false;      // enabled, not a correlation: a match raises its own alert
    bool feeds_self = false;  // enabled correlation without `rules`: a match feeds its windows
    bool feeds = false;       // feeds[i] is not empty
    bool suppresses = false;  // the rule has suppression windows (state[i].suppression)
    // What a match's plain alert is built from (rules[i].meta, borrowed, and rules[i].output,
    // null when the output is the rule's name): read here, beside the flags a match reads,
    // rather than from the CompiledRule.
    const RuleMeta* meta = nullptr;
    const rules::OutputTemplate* output = nullptr;
  };

  std::vector<rules::CompiledRule> rules;
  std::vector<Candidate> candidates;  // parallel to rules
  std::vector<rules::Conjunct> programs;  // every candidate's conjuncts, in rule order
  std::vector<RuleInfo> infos;  // rules[i].info, in order, for rules()
  rules::RuleIndex index;
  // feeds[i]: the correlations whose `rules` list rule i, as (rule index, position in the list).
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> feeds;
  RuleOptions options;
  std::vector<RuleState> state;  // parallel to rules
  std::vector<uint32_t> suppressing;  // rules with suppression windows, in order
  std::vector<uint32_t> closing;      // enabled correlations decided at window close (lt/lte)
  std::vector<std::pair<CorrelationInfo, Event>> fired;  // scratch for closing windows
  // Holds every rule's RuleMeta: the engine's shared copy of an event holds this too, so
  // the plain alerts of the event borrow their rule's metadata (RuleRef::Borrowed), alive as
  // long as the alert keeps its event, whatever becomes of this rule set.
  using Metas = std::vector<std::shared_ptr<const RuleMeta>>;
  std::shared_ptr<const Metas> metas;
  Timestamp watermark{};         // latest event time seen (closes suppression windows)
  uint64_t event_seq = 0;
};

}  // namespace vigil
