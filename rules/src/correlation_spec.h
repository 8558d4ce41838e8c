// CorrelationSpec and SuppressionSpec: a rule's `correlate:` and `suppress:` maps, checked
// and converted once at load (docs/rules.md, "Correlation" and "Suppression").
//
// ParseCorrelation checks the shape of `correlate:`: keys known (E201), types right (E202),
// `type` known (E221), `timespan` present and within [kMinTimespan, kMaxTimespan] (up to
// kMaxHistory for new_terms) (E222), `condition` a map with exactly one of gte/gt/eq/lt/lte
// and a count the per-group cap can hold and that can hold at all (E223; temporal types and
// new_terms take none), `field` given for value_count and new_terms only (E224), `rules`
// present with at least two ids for temporal types (E225), group_by and field declared
// (E206), `learning` for new_terms only and within [0, timespan] (E228). Rule ids in `rules`
// are resolved by the compiler (unknown, self or correlation: E225), which has every rule.
// ParseSuppression checks `suppress:` likewise (E226).
// `line_offset` is the first line (0-based) of the YAML document the node is in (its marks
// are relative to it; RawRule::yaml_line_offset).
//
// Errors are located at the offending YAML node; both return nullopt on any error.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/diagnostic.h"
#include "vigil/event.h"
#include "vigil/field.h"
#include "vigil/rules/rule_set.h"

namespace vigil::rules {

inline constexpr Duration kMinTimespan = std::chrono::seconds(1);
inline constexpr Duration kMaxTimespan = std::chrono::hours(24 * 30);
// new_terms remembers values for longer than a counting window: up to a year and a day.
inline constexpr Duration kMaxHistory = std::chrono::hours(24 * 366);

// t + d, saturating at the latest Timestamp (event times reach year 2262, near the limit).
inline Timestamp AddClamped(Timestamp t, Duration d) {
  return t > Timestamp::max() - d ? Timestamp::max() : t + d;
}

enum class CorrelationType { kEventCount, kValueCount, kTemporal, kTemporalOrdered, kNewTerms };
std::string_view CorrelationTypeName(CorrelationType t);

enum class CountOp { kGte, kGt, kEq, kLt, kLte };

struct CorrelationSpec {
  CorrelationType type = CorrelationType::kEventCount;
  std::vector<std::string> rule_ids;  // `rules:` as written (empty: the rule's own condition feeds it)
  std::vector<SourceLocation> rule_locations;
  std::vector<FieldId> group_by;
  std::vector<std::string> group_by_names;
  Duration timespan{};
  CountOp op = CountOp::kGte;
  uint64_t threshold = 0;
  std::optional<FieldId> field;  // value_count: the field whose distinct values are counted;
                                 // new_terms: the field whose new values alert
  Duration learning{};           // new_terms: no alert until this much event time has been seen

  bool new_terms() const { return type == CorrelationType::kNewTerms; }
  bool temporal() const { return type == CorrelationType::kTemporal || type == CorrelationType::kTemporalOrdered; }
  // lt/lte: "fewer than" is known only when a window closes, not as it grows.
  bool closes() const { return op == CountOp::kLt || op == CountOp::kLte; }
  // Whether `count` satisfies the condition.
  bool Holds(uint64_t count) const {
    switch (op) {
      case CountOp::kGte: return count >= threshold;
      case CountOp::kGt: return count > threshold;
      case CountOp::kEq: return count == threshold;
      case CountOp::kLt: return count < threshold;
      case CountOp::kLte: return count <= threshold;
    }
    return false;
  }
};

inline constexpr Duration kMinSuppressWindow = std::chrono::seconds(1);
inline constexpr Duration kMaxSuppressWindow = std::chrono::hours(24 * 30);

struct SuppressionSpec {
  Duration window{};
  std::vector<FieldId> by;  // the alert's event's values of these fields key a window
};

std::optional<CorrelationSpec> ParseCorrelation(const YAML::Node& node, const std::string& file, int line_offset,
                                                const FieldRegistry& fields, const RuleOptions& options,
                                                Diagnostics& diags);
std::optional<SuppressionSpec> ParseSuppression(const YAML::Node& node, const std::string& file, int line_offset,
                                                const FieldRegistry& fields, Diagnostics& diags);

}  // namespace vigil::rules
