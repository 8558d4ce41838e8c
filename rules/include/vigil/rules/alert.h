// Alert: what a rule raises when an event matches it.
//
// An Alert is cheap to build and to copy: what it says about its rule (RuleMeta: id, name,
// description, severity, tags, controls) is built once per loaded rule and shared by all
// its alerts, and the triggering event is shared by all the alerts it raised (one copy of
// the event, or none when the engine may take it: RuleSet::Evaluate). Both are shared
// read-only and owned jointly, so an alert outlives a rule reload (SIGHUP) and the event's
// trip through the pipeline: the engine's copy of an event also keeps the rule set's
// metadata alive, so its plain alerts borrow their rule's metadata without a reference
// count of their own (RuleRef). Its own are the rendered output text (none when the rule
// has no `output:`: output() then gives the rule's name) and the times. A
// correlation alert also carries its group key, count and first/last time (`correlation`);
// the triggering event is then the one that made the correlation's condition true. A
// suppression summary (docs/rules.md, "Suppression") carries the number of repeats merged
// into it (`suppression`: suppressed_count() > 0), and an alert that opened a suppression
// window its key.
//
// AlertToJson writes the one JSON form of an alert (docs/rules.md, "Alert JSON"): the
// triggering event's fields, overlaid with `@timestamp`, `event.kind: "alert"`,
// `rule.{id,name,description}`, `vigil.{severity,controls,output,tags}`, and when set
// `vigil.correlation.{type,group,count,first,last}` and
// `vigil.{suppressed_count,suppressed_first,suppressed_last}`.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vigil/event.h"

namespace vigil {

enum class AlertSeverity { kInfo, kLow, kMedium, kHigh, kCritical };

std::string_view AlertSeverityName(AlertSeverity s);  // "info" ... "critical"
std::optional<AlertSeverity> ParseAlertSeverity(std::string_view text);

// framework → control ids, e.g. {"pci_dss_4": {"10.2.1.4"}}; ordered for stable output.
using ControlMap = std::map<std::string, std::vector<std::string>>;

// What a correlation alert adds: the group it fired for and the window that fired.
struct CorrelationInfo {
  std::string type;  // event_count, value_count, temporal, temporal_ordered, new_terms
  // group_by field → value as text (`<NA>` when the event lacks it), in group_by order.
  std::vector<std::pair<std::string, std::string>> group;
  uint64_t count = 0;  // events (event_count), distinct values (value_count), rules (temporal*),
                       // values the group remembers (new_terms)
  Timestamp first;     // earliest event time in the window that fired
  Timestamp last;      // latest event time in the window that fired
};

// What a rule with `suppress` adds to its alerts (docs/rules.md, "Suppression").
struct SuppressionInfo {
  // On a suppression summary: how many repeats were merged (> 0), their first and last time.
  uint64_t count = 0;
  Timestamp first{};
  Timestamp last{};
  // The window's key (the `by` values), on the alert that opened the window and on its
  // summary, and on the summary the opening alert's time. The store merges a summary into
  // the alert that opened its window with these. Not part of the JSON.
  std::string key;
  Timestamp opened{};
};

// A part of an alert that most alerts lack (CorrelationInfo, SuppressionInfo), or none: what
// std::optional<T> offers an alert (has_value, `*`, `->`, assigning a T or std::nullopt,
// copies), held on the heap behind one pointer, so that a plain alert (most alerts) is a few
// words smaller and builds and frees without touching it.
template <typename T>
class HeapOptional {
 public:
  HeapOptional() = default;
  HeapOptional(const HeapOptional& o) : value_(o.value_ ? std::make_unique<T>(*o.value_) : nullptr) {}
  HeapOptional(HeapOptional&&) noexcept = default;
  HeapOptional& operator=(const HeapOptional& o) {
    if (this != &o) value_ = o.value_ ? std::make_unique<T>(*o.value_) : nullptr;
    return *this;
  }
  HeapOptional& operator=(HeapOptional&&) noexcept = default;
  ~HeapOptional() = default;
  HeapOptional& operator=(T value) {
    if (value_) {
      *value_ = std::move(value);
    } else {
      value_ = std::make_unique<T>(std::move(value));
    }
    return *this;
  }
  HeapOptional& operator=(std::nullopt_t) {
    value_.reset();
    return *this;
  }
  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return value_ != nullptr; }
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return value_.get(); }
  T* operator->() { return value_.get(); }

 private:
  std::unique_ptr<T> value_;
};

using OptionalCorrelation = HeapOptional<CorrelationInfo>;
using OptionalSuppression = HeapOptional<SuppressionInfo>;

// What an alert says about the rule that raised it. Built once per loaded rule; immutable.
struct RuleMeta {
  std::string id;
  std::string name;
  std::string description;
  AlertSeverity severity = AlertSeverity::kInfo;
  std::vector<std::string> tags;
  ControlMap controls;
  // The rule has no `output:`: its alerts' output is its name (Alert::output()), which the
  // engine then leaves unrendered in the alert rather than copying it there.
  bool output_is_name = false;
};

// An alert's reference to the RuleMeta of the rule that raised it: read it as a pointer
// (`alert.rule->id`, `*alert.rule`; equal when it is the same rule's metadata). It either
// holds the metadata itself (a reference count of its own: as an alert built by hand sets
// it, `a.rule = std::make_shared<const RuleMeta>(...)`, and as the engine sets it on a
// suppression, correlation or reloaded alert) or borrows it: the engine's plain alerts point
// at their rule's metadata without a count, and what keeps it alive is the alert's `event`,
// whose shared copy (made by the engine) also holds the metadata of every rule of the rule
// set that evaluated it. So a borrowed reference is valid as long as its alert, or a copy of
// it, keeps that same `event` (even past a reload and the rule set's end); do not keep a
// RuleRef apart from its alert, nor give an engine-made alert another event.
class RuleRef {
 public:
  RuleRef() = default;
  RuleRef(std::shared_ptr<const RuleMeta> held)  // NOLINT(google-explicit-constructor): a.rule = make_shared
      : held_(std::move(held)), meta_(held_.get()) {}
  // A reference without a count, to metadata that the alert's event keeps alive.
  static RuleRef Borrowed(const RuleMeta* meta) {
    RuleRef r;
    r.meta_ = meta;
    return r;
  }
  const RuleMeta* get() const { return meta_; }
  const RuleMeta& operator*() const { return *meta_; }
  const RuleMeta* operator->() const { return meta_; }
  explicit operator bool() const { return meta_ != nullptr; }
  bool borrowed() const { return meta_ != nullptr && !held_; }
  friend bool operator==(const RuleRef& a, const RuleRef& b) { return a.meta_ == b.meta_; }

 private:
  std::shared_ptr<const RuleMeta> held_;  // empty when borrowed
  const RuleMeta* meta_ = nullptr;
};

// An alert always has its rule and its event (`rule` and `event` are never null on an
// alert the engine makes; code that builds one by hand sets both).
struct Alert {
  // Provided, not defaulted: `Alert()` (as in out.emplace_back()) then initializes each member
  // rather than zero-filling the whole object first and then initializing the members.
  Alert() {}  // NOLINT(modernize-use-equals-default)
  RuleRef rule;                          // the rule's metadata, shared by every alert of the rule
  // The rule's output template rendered for the event; left empty when the rule has none
  // (RuleMeta::output_is_name). Read the alert's output through output().
  std::string rendered_output;
  Timestamp timestamp;                   // the triggering event's @timestamp
  std::shared_ptr<const Event> event;    // the triggering event, shared by the alerts it raised
  OptionalCorrelation correlation;       // set for correlation rules
  // Set for rules with `suppress`, on the alert that opened a window and on its summary.
  OptionalSuppression suppression;

  // On a suppression summary, how many repeats were merged into it; 0 on any other alert.
  uint64_t suppressed_count() const { return suppression ? suppression->count : 0; }

  // The alert's output text (`vigil.output` in its JSON): the rendered template, or the
  // rule's name when the rule has no `output:`.
  const std::string& output() const { return rule->output_is_name ? rule->name : rendered_output; }
};

// One compact JSON object on one line (no newline); same alert, same bytes.
std::string AlertToJson(const Alert& alert, const FieldRegistry& fields = FieldRegistry::Global());

}  // namespace vigil
