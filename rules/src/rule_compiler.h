// RuleCompiler: the second stage of loading. Takes every item read from every file and
// builds the RuleSet: applies redefinitions of lists and macros in load order (a later
// file replaces, `append: true` extends; the same name twice in one file is E204, append
// with nothing to extend E217), expands lists (E210 recursive lists), checks macros
// once each, compiles rule and exception conditions and output templates, checks
// `correlate:` and `suppress:` (correlation_spec.h) and links correlations to the rules that
// feed them (E225), applies RuleOptions, builds the index and the per-rule window state. Warnings: W202 rule never applies, W203 unused macro,
// W204 unused list, W205 shadowed name, W206 enable/disable entry matching no rule.
#pragma once

#include <memory>

#include "rule_reader.h"
#include "rule_set_impl.h"
#include "vigil/diagnostic.h"
#include "vigil/field.h"
#include "vigil/rules/rule_set.h"

namespace vigil::rules {

// Fills `impl` from `raw`. Problems go to `diags`; the caller fails the load on any error.
void CompileRules(RawRuleFile& raw, const RuleOptions& options, const FieldRegistry& fields,
                  RuleSet::Impl& impl, Diagnostics& diags);

}  // namespace vigil::rules
