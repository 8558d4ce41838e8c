// RuleSet: the loaded, validated and compiled rules, and the public entry point of the
// rule engine.
//
// LoadRules reads rule files (YAML; docs/rules.md), checks every item and reports every
// problem as a located diagnostic (FILE:LINE:COL, codes E2xx/W2xx). Any error fails the
// load: the caller gets the Status and keeps its old rules (this is how SIGHUP refuses a
// bad reload). Warnings do not fail it.
//
// Evaluate() runs every enabled rule that can apply to the event (rules are indexed by the
// event.dataset, event.category and event.action values their condition requires) and
// appends one Alert per matching rule, in rule load order. No rule hides another: two rules
// that match the same event both fire. Correlation rules (`correlate:`) keep sliding
// windows per group and fire when their condition first holds; rules with `suppress:` merge
// repeats inside their window into one summary alert (docs/rules.md, "Correlation",
// "Suppression"). Both run on event time (@timestamp), never the wall clock, so the same
// events give the same alerts.
// Finish() ends the stream: it emits the summaries of suppression windows still open.
//
// State is bounded: per rule at most RuleOptions::max_groups correlation groups (the least
// recently updated one is evicted) and max_suppression_keys open suppression windows (the
// oldest is closed early, its summary emitted). state_stats() counts what was evicted.
//
// Threading: loading is single-threaded. Evaluate() mutates per-set state (the index's
// memo of candidate rules per event kind, correlation windows, suppression windows), so one
// RuleSet is used by one thread (the pipeline's engine thread); rules(), state_stats() and
// RunTests() may be called from that thread too.
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
// The limits bound the memory of correlation and suppression state (docs/rules.md).
struct RuleOptions {
  std::vector<std::string> enable;
  std::vector<std::string> disable;
  size_t max_groups = 10000;            // correlation groups per rule
  size_t max_window_entries = 1000;     // timestamps/values kept per group
  size_t max_suppression_keys = 10000;  // open suppression windows per rule
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
  bool has_correlation = false;  // `correlate:` given
  bool has_suppression = false;  // `suppress:` given
  size_t test_count = 0;
  // The event.dataset values the rule can match, sorted: exact names, and prefixes written
  // with a trailing '*' (from `startswith`). Empty: any dataset. A correlation fed by other
  // rules can match what they match.
  std::vector<std::string> datasets;
  SourceLocation location;       // where the rule item starts
};

// The outcome of running the rules' inline tests. Failures are diagnostics located at the
// test (code E220), so they print like load problems.
struct RuleTestReport {
  size_t rules = 0;
  size_t passed = 0;
  size_t failed = 0;
  size_t skipped = 0;  // tests not run: none since correlations run (kept for the JSON shape)
  Diagnostics failures;
};

// Counters of one rule's state, for metrics. Every loaded rule has one (zeros when it has
// no correlation or suppression), in load order.
struct RuleStateStats {
  std::string rule_id;
  size_t groups = 0;               // correlation groups held now
  uint64_t evicted_groups = 0;     // groups dropped for the max_groups cap
  uint64_t evicted_entries = 0;    // entries dropped for the max_window_entries cap
  uint64_t late_events = 0;        // events older than their group's window, not counted
  size_t suppression_windows = 0;  // suppression windows open now
  uint64_t suppressed = 0;         // alerts merged into a summary instead of sent alone
  uint64_t summaries = 0;          // summary alerts emitted
  uint64_t early_closes = 0;       // suppression windows closed early for the cap
  uint64_t evaluations = 0;        // events the rule's condition was evaluated on (index candidates)
  uint64_t evaluation_ns = 0;      // time in the condition, estimated from 1 evaluation in kTimeSampleEvery
};

// A rule's evaluation time is measured on one in this many of its evaluations (the 64th,
// the 128th, ...) and scaled up.
inline constexpr uint64_t kTimeSampleEvery = 64;

class RuleSet {
 public:
  struct Impl;
  explicit RuleSet(std::unique_ptr<Impl> impl);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  // Appends an alert to `out` for each enabled rule that matches `event`. The alerts of one
  // event share one copy of it, made at the first alert (no copy when no rule fires).
  void Evaluate(const Event& event, std::vector<Alert>& out);
  // The same, taking the event: when a rule fires, the event is moved (not copied) into the
  // copy its alerts share, and `event` is left moved-from; when none fires it is untouched.
  void Evaluate(Event&& event, std::vector<Alert>& out);
  // A reload: takes over the correlation windows and suppression windows of `old` (the set
  // this one replaces) for every rule present in both with the same id and the same
  // definition fingerprint (its condition and exceptions after macro and list expansion,
  // its correlation and suppression specs, and the conditions of the rules that feed its
  // correlation; not its name, severity, output or tags). Rules changed, renamed or new
  // start empty; `old` keeps the state of the rest (Finish() it to send its suppression
  // summaries). Adopted windows follow this set's RuleOptions limits: groups, entries or
  // suppression windows over a smaller cap are evicted as usual (counted; a suppression
  // window closed early appends its summary to `out`), and summaries still pending carry
  // this set's name, severity and output. Returns the number of rules whose state was kept.
  // Call on the thread that evaluates both sets, before this one evaluates any event.
  size_t AdoptState(RuleSet& old, std::vector<Alert>& out);
  // End of the event stream (end of a replay, daemon shutdown): appends the summary alerts
  // of every open suppression window and closes them. Correlation windows are kept.
  void Finish(std::vector<Alert>& out);
  // State counters per rule, in load order.
  std::vector<RuleStateStats> state_stats() const;
  // Every loaded rule, in load order.
  const std::vector<RuleInfo>& rules() const;
  // Runs every rule's inline tests (disabled rules too: a test checks the rule's logic).
  RuleTestReport RunTests() const;

 private:
  friend class TermHistoryStore;  // saves and restores new_terms history
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
