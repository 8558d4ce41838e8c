// Helpers for the rule engine tests: load rules from inline YAML, build events from JSON.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "event_json.h"
#include "vigil/rules/rule_set.h"

namespace vigil::rules::testing {

// Two events of different kinds, for tests of which rules meet which events.
inline constexpr const char* kSshFail =
    R"({"event":{"dataset":"access.sshd","category":["authentication"],"outcome":"failure"},
  "user":{"name":"root"},"source":{"ip":"203.0.113.9"},"@timestamp":"2026-03-01T10:00:00Z"})";
inline constexpr const char* kDns = R"({"event":{"dataset":"network.dns","category":["network"]},
  "dns":{"question":{"name":"evil.example"}},"source":{"ip":"10.0.0.5"}})";

inline Event Ev(const std::string& json) {
  auto e = EventFromJson(json);
  EXPECT_TRUE(e.ok()) << e.status().ToString() << " in " << json;
  return e.ok() ? std::move(*e) : Event();
}

struct Loaded {
  std::unique_ptr<RuleSet> set;
  Diagnostics diags;
  bool ok() const { return set != nullptr; }
  // "LINE:COL CODE" of each diagnostic, for compact assertions.
  std::vector<std::string> Codes() const {
    std::vector<std::string> out;
    for (const auto& d : diags.items()) {
      out.push_back(std::to_string(d.location.line) + ":" + std::to_string(d.location.column) + " " + d.code);
    }
    return out;
  }
  bool Has(const std::string& code) const {
    for (const auto& d : diags.items()) if (d.code == code) return true;
    return false;
  }
  std::string Text() const { return diags.FormatText(); }
  // How many times each rule's condition was evaluated (state_stats), by rule id.
  std::map<std::string, uint64_t> Evaluations() const {
    std::map<std::string, uint64_t> out;
    for (const RuleStateStats& st : set->state_stats()) out[st.rule_id] = st.evaluations;
    return out;
  }
  // Ids of the rules that fire on the event, in order.
  std::vector<std::string> Fire(const Event& e) {
    std::vector<Alert> alerts;
    set->Evaluate(e, alerts);
    std::vector<std::string> ids;
    for (const auto& a : alerts) ids.push_back(a.rule->id);
    return ids;
  }
};

inline Loaded Load(const std::string& yaml, const RuleOptions& opts = {}) {
  Loaded l;
  auto r = LoadRulesFromString(yaml, "rules.yaml", opts, l.diags);
  if (r.ok()) l.set = std::move(*r);
  return l;
}

// A file with one rule `r` whose condition is `cond` (on one line, plain scalar at column 14).
inline std::string OneRule(const std::string& cond) {
  return "- rule: r\n  name: R\n  severity: low\n  condition: " + cond + "\n";
}

}  // namespace vigil::rules::testing
