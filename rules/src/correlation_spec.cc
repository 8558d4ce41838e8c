#include "correlation_spec.h"

#include <charconv>
#include <iterator>
#include <set>

#include "vigil/config_section.h"

namespace vigil::rules {
namespace {

constexpr std::string_view kTypeNames[] = {"event_count", "value_count", "temporal", "temporal_ordered", "new_terms"};
constexpr int kTypeCount = static_cast<int>(std::size(kTypeNames));
constexpr std::string_view kTypeList = "event_count, value_count, temporal, temporal_ordered, new_terms";

// Reads one YAML map item by item, reporting located problems.
class MapReader {
 public:
  MapReader(const YAML::Node& node, const std::string& file, int line_offset, const FieldRegistry& fields,
            Diagnostics& diags)
      : node_(node), file_(file), line_offset_(line_offset), fields_(fields), diags_(diags) {}

  SourceLocation Loc(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    if (m.line < 0) return {file_, 0, 0};
    return {file_, m.line + 1 + line_offset_, m.column + 1};
  }
  void Error(const YAML::Node& n, const char* code, std::string message) {
    diags_.Error(Loc(n), code, std::move(message));
    ok_ = false;
  }
  bool ok() const { return ok_; }

  // E201 for keys not in `allowed` or given twice; E202 for keys that are not scalars.
  void Keys(std::string_view what, std::initializer_list<std::string_view> allowed) {
    std::set<std::string> seen;
    for (const auto& kv : node_) {
      if (!kv.first.IsScalar()) {
        Error(kv.first, "E202", "a key must be a plain name");
        continue;
      }
      const std::string& k = kv.first.Scalar();
      bool known = false;
      std::string list;
      for (auto a : allowed) {
        known = known || a == k;
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      if (!known) {
        Error(kv.first, "E201", "unknown key '" + k + "' in " + std::string(what) + " (expected " + list + ")");
      } else if (!seen.insert(k).second) {
        Error(kv.first, "E201", "key '" + k + "' given twice");
      }
    }
  }

  YAML::Node Get(std::string_view key) const {
    for (const auto& kv : node_) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    }
    return YAML::Node(YAML::NodeType::Undefined);
  }

  // A list of declared field names (E202 shape, E206 unknown field).
  bool FieldList(const YAML::Node& n, std::string_view key, std::vector<FieldId>* ids,
                 std::vector<std::string>* names) {
    if (!n.IsSequence()) {
      Error(n, "E202", std::string(key) + " must be a list of field names");
      return false;
    }
    if (n.size() > 32) {
      Error(n, "E214", std::string(key) + " has more than 32 fields");
      return false;
    }
    for (const auto& e : n) {
      if (!e.IsScalar()) {
        Error(e, "E202", std::string(key) + " must be a list of field names");
        continue;
      }
      auto id = fields_.Find(e.Scalar());
      if (!id) {
        Error(e, "E206", "unknown field '" + e.Scalar() + "' in " + std::string(key));
        continue;
      }
      ids->push_back(*id);
      if (names) names->push_back(e.Scalar());
    }
    return true;
  }

  // A duration within [lo, hi] (`code` for a missing, malformed or out-of-range one).
  std::optional<Duration> Span(std::string_view key, const char* code, Duration lo, Duration hi,
                               const char* range) {
    YAML::Node n = Get(key);
    if (!n.IsDefined()) {
      Error(node_, code, "missing key '" + std::string(key) + "' (a duration such as 60s, 10m, 1h)");
      return std::nullopt;
    }
    auto d = n.IsScalar() ? ParseDuration(n.Scalar()) : std::nullopt;
    if (!d) {
      Error(n, code, std::string(key) + " must be a duration such as 60s, 10m, 1h");
      return std::nullopt;
    }
    if (*d < lo || *d > hi) {
      Error(n, code, std::string(key) + " '" + n.Scalar() + "' is out of range (" + range + ")");
      return std::nullopt;
    }
    return d;
  }

  const FieldRegistry& fields() const { return fields_; }

 private:
  const YAML::Node& node_;
  const std::string& file_;
  int line_offset_;
  const FieldRegistry& fields_;
  Diagnostics& diags_;
  bool ok_ = true;
};

std::optional<uint64_t> ParseCount(const std::string& s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

void ReadCondition(MapReader& m, const YAML::Node& cond, const RuleOptions& options, CorrelationSpec& spec) {
  YAML::Node key, value;
  if (cond.IsMap() && cond.size() == 1) {
    for (const auto& kv : cond) {
      key = kv.first;
      value = kv.second;
    }
  }
  if (!key.IsDefined() || !key.IsScalar()) {
    m.Error(cond, "E223", "condition must be a map with one of gte, gt, eq, lt, lte, e.g. {gte: 10}");
    return;
  }
  const std::string op = key.Scalar();
  if (op == "gte") {
    spec.op = CountOp::kGte;
  } else if (op == "gt") {
    spec.op = CountOp::kGt;
  } else if (op == "eq") {
    spec.op = CountOp::kEq;
  } else if (op == "lt") {
    spec.op = CountOp::kLt;
  } else if (op == "lte") {
    spec.op = CountOp::kLte;
  } else {
    m.Error(key, "E223", "unknown condition '" + op + "' (expected gte, gt, eq, lt or lte)");
    return;
  }
  auto n = value.IsScalar() ? ParseCount(value.Scalar()) : std::nullopt;
  if (!n) {
    m.Error(value, "E223", "the count must be a non-negative integer");
    return;
  }
  spec.threshold = *n;
  // A window holds at least one event, so lt 1 and lte 0 never hold.
  if ((spec.op == CountOp::kLt && *n < 2) || (spec.op == CountOp::kLte && *n < 1)) {
    m.Error(value, "E223", "'" + op + ": " + value.Scalar() + "' can never hold: a window has at least one event");
    return;
  }
  // The window must be able to hold the count that decides (gt N fires at N + 1 entries).
  const uint64_t needed = spec.op == CountOp::kGt ? *n + 1 : *n;
  if (needed == 0 || needed > options.max_window_entries) {
    m.Error(value, "E223", "the count must make the window hold between 1 and " +
                               std::to_string(options.max_window_entries) + " entries (max_window_entries)");
  }
}

}  // namespace

std::string_view CorrelationTypeName(CorrelationType t) { return kTypeNames[static_cast<int>(t)]; }

std::optional<CorrelationSpec> ParseCorrelation(const YAML::Node& node, const std::string& file, int line_offset,
                                                const FieldRegistry& fields, const RuleOptions& options,
                                                Diagnostics& diags) {
  MapReader m(node, file, line_offset, fields, diags);
  m.Keys("correlate", {"type", "rules", "group_by", "timespan", "condition", "field", "learning"});
  CorrelationSpec spec;
  YAML::Node type = m.Get("type");
  bool type_ok = false;
  if (!type.IsDefined()) {
    m.Error(node, "E221", "missing key 'type' (" + std::string(kTypeList) + ")");
  } else if (!type.IsScalar()) {
    m.Error(type, "E221", "type must be one of " + std::string(kTypeList));
  } else {
    for (int i = 0; i < kTypeCount; ++i) {
      if (type.Scalar() == kTypeNames[i]) {
        spec.type = static_cast<CorrelationType>(i);
        type_ok = true;
      }
    }
    if (!type_ok) {
      m.Error(type, "E221", "unknown correlation type '" + type.Scalar() + "' (expected " + std::string(kTypeList) + ")");
    }
  }
  const bool history = type_ok && spec.new_terms();
  if (auto span = m.Span("timespan", "E222", kMinTimespan, history ? kMaxHistory : kMaxTimespan,
                         history ? "1s to 366d for new_terms" : "1s to 30d")) {
    spec.timespan = *span;
  }
  if (YAML::Node g = m.Get("group_by"); g.IsDefined()) m.FieldList(g, "group_by", &spec.group_by, &spec.group_by_names);

  YAML::Node rules = m.Get("rules");
  if (rules.IsDefined()) {
    if (!rules.IsSequence()) {
      m.Error(rules, "E202", "rules must be a list of rule ids");
    } else {
      std::set<std::string> seen;
      for (const auto& r : rules) {
        if (!r.IsScalar()) {
          m.Error(r, "E202", "rules must be a list of rule ids");
        } else if (!seen.insert(r.Scalar()).second) {
          m.Error(r, "E225", "rule '" + r.Scalar() + "' is listed twice");
        } else {
          spec.rule_ids.push_back(r.Scalar());
          spec.rule_locations.push_back(m.Loc(r));
        }
      }
    }
  }
  if (!type_ok) return std::nullopt;

  YAML::Node cond = m.Get("condition");
  if (spec.temporal()) {
    if (spec.rule_ids.size() < 2 && m.ok()) {
      m.Error(rules.IsDefined() ? rules : node, "E225",
              std::string(CorrelationTypeName(spec.type)) + " needs 'rules' with at least two rule ids");
    }
    if (cond.IsDefined()) {
      m.Error(cond, "E223", std::string(CorrelationTypeName(spec.type)) +
                                " takes no condition: it fires when every listed rule has matched");
    }
    spec.threshold = spec.rule_ids.size();
  } else if (spec.new_terms()) {
    if (cond.IsDefined()) {
      m.Error(cond, "E223", "new_terms takes no condition: it fires on a value not seen within its timespan");
    }
  } else if (!cond.IsDefined()) {
    m.Error(node, "E223", "missing key 'condition' (e.g. {gte: 10})");
  } else {
    ReadCondition(m, cond, options, spec);
  }

  YAML::Node field = m.Get("field");
  if (spec.type == CorrelationType::kValueCount || spec.new_terms()) {
    if (!field.IsDefined()) {
      m.Error(node, "E224", spec.new_terms()
                                ? "new_terms needs 'field': the field whose new values alert"
                                : "value_count needs 'field': the field whose distinct values are counted");
    } else if (!field.IsScalar()) {
      m.Error(field, "E202", "field must be a field name");
    } else if (auto id = fields.Find(field.Scalar())) {
      spec.field = *id;
    } else {
      m.Error(field, "E206", "unknown field '" + field.Scalar() + "'");
    }
  } else if (field.IsDefined()) {
    m.Error(field, "E224", "'field' is only for value_count and new_terms");
  }

  YAML::Node learning = m.Get("learning");
  if (learning.IsDefined() && !spec.new_terms()) {
    m.Error(learning, "E228", "'learning' is only for new_terms");
  } else if (learning.IsDefined()) {
    auto d = learning.IsScalar() ? ParseDuration(learning.Scalar()) : std::nullopt;
    if (!d || *d < Duration::zero()) {
      m.Error(learning, "E228", "learning must be a duration such as 7d (0 for none)");
    } else if (*d > spec.timespan && spec.timespan > Duration::zero()) {
      m.Error(learning, "E228", "learning '" + learning.Scalar() +
                                    "' is longer than the timespan: values learnt first would be forgotten before it ends");
    } else {
      spec.learning = *d;
    }
  }
  if (!m.ok()) return std::nullopt;
  return spec;
}

std::optional<SuppressionSpec> ParseSuppression(const YAML::Node& node, const std::string& file, int line_offset,
                                                const FieldRegistry& fields, Diagnostics& diags) {
  MapReader m(node, file, line_offset, fields, diags);
  if (!node.IsMap()) {
    m.Error(node, "E226", "suppress must be a map {window: 10m, by: [fields]}");
    return std::nullopt;
  }
  m.Keys("suppress", {"window", "by"});
  SuppressionSpec spec;
  if (auto w = m.Span("window", "E226", kMinSuppressWindow, kMaxSuppressWindow, "1s to 30d")) spec.window = *w;
  if (YAML::Node by = m.Get("by"); by.IsDefined()) m.FieldList(by, "by", &spec.by, nullptr);
  if (!m.ok()) return std::nullopt;
  return spec;
}

}  // namespace vigil::rules
