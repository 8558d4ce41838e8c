// RuleSet: the loaded, validated and compiled rules, and the public entry point of the
// rule engine.
//
// LoadRules reads rule files (YAML; docs/rules.md), checks every item and reports every
// problem as a located diagnostic (FILE:LINE:COL, codes E2xx/W2xx). Any error fails the
// load: the caller gets the Status and keeps its old rules (this is how SIGHUP refuses a
// bad reload). Warnings do not fail it.
//
// Evaluate() runs every enabled rule that can apply to the event (rules are indexed by the
// event.dataset and event.category values their condition requires) and appends one Alert
// per matching rule, in rule load order. No rule hides another: two rules that match the
// same event both fire.
//
// Threading: loading is single-threaded. Evaluate() mutates per-set caches (the index's
// memo of candidate rules per event kind), so one RuleSet is used by one thread (the
// pipeline's engine thread); rules() and RunTests() may be called from that thread too.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/diagnostic.h"
#include "vigil/event.h"
#include "vigil/rules/alert.h"
#include "vigil/status.h"

namespace vigil {

// Enable/disable by rule id or tag (from the config's rules.enable / rules.disable), over
// each rule's own `enabled:`. A rule named in both: disable wins.
struct RuleOptions {
  std::vector<std::string> enable;
  std::vector<std::string> disable;
};

// What a loaded rule is, for listings and metrics (every loaded rule, enabled or not).
struct RuleInfo {
  std::string id;
  std::string name;
  std::string description;
  AlertSeverity severity = AlertSeverity::kInfo;
  std::vector<std::string> tags;
  ControlMap controls;
  bool enabled = true;           // effective, after RuleOptions
  bool has_correlation = false;  // `correlate:` given (not evaluated yet, W201)
  size_t test_count = 0;
  SourceLocation location;       // where the rule item starts
};

// The outcome of running the rules' inline tests. Failures are diagnostics located at the
// test (code E220), so they print like load problems.
struct RuleTestReport {
  size_t rules = 0;
  size_t passed = 0;
  size_t failed = 0;
  size_t skipped = 0;  // tests of correlation rules, not run yet
  Diagnostics failures;
};

class RuleSet {
 public:
  struct Impl;
  explicit RuleSet(std::unique_ptr<Impl> impl);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Appends an alert to `out` for each enabled rule that matches `event`.
  void Evaluate(const Event& event, std::vector<Alert>& out);
  // Every loaded rule, in load order.
  const std::vector<RuleInfo>& rules() const;
  // Runs every rule's inline tests (disabled rules too: a test checks the rule's logic).
  RuleTestReport RunTests() const;

 private:
  std::unique_ptr<Impl> impl_;
};

// Loads rule files in order (items of later files may use macros and lists of earlier
// ones, and the other way round: names are resolved after all files are read).
Result<std::unique_ptr<RuleSet>> LoadRules(const std::vector<std::string>& files, const RuleOptions& options,
                                           Diagnostics& diags);
// The same, from text in memory; `name` stands for the file name in diagnostics.
Result<std::unique_ptr<RuleSet>> LoadRulesFromString(std::string_view text, const std::string& name,
                                                     const RuleOptions& options, Diagnostics& diags);

}  // namespace vigil
