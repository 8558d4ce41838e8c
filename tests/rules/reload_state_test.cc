// Correlation and suppression state across a reload (RuleSet::AdoptState and the engine
// consumer's swap): kept for rules whose id and definition fingerprint are unchanged,
// dropped for changed, renamed and removed rules; new caps applied; pending summaries carry
// the new rule's metadata.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "rules_test_util.h"
#include "vigil/rules/rule_engine_consumer.h"
#include "vigil/time_format.h"

namespace vigil::rules::testing {
namespace {

using std::chrono::seconds;
using ::testing::ElementsAre;

const Timestamp kT0 = *ParseRfc3339("2026-03-01T10:00:00Z");

Event Ssh(int at_seconds, const std::string& ip = "203.0.113.9", const std::string& action = "ssh_login") {
  return Ev(R"({"@timestamp":")" + FormatRfc3339(kT0 + seconds(at_seconds)) +
            R"(","event":{"dataset":"access.sshd","action":")" + action +
            R"(","outcome":"failure"},"user":{"name":"root"},"source":{"ip":")" + ip + R"("}})");
}

// 10 failures from one address in 60 s.
const std::string kBrute = R"(
- list: sshd_datasets
  items: [access.sshd]
- rule: ssh.brute
  name: SSH brute force
  severity: high
  condition: event.dataset in (sshd_datasets) and event.outcome = failure
  output: "{source.ip} failed 10 times"
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
)";

std::vector<Alert> Feed(RuleSet& set, int from, int to, const std::string& ip = "203.0.113.9") {
  std::vector<Alert> out;
  for (int i = from; i < to; ++i) set.Evaluate(Ssh(i, ip), out);
  return out;
}

size_t Groups(const RuleSet& set, const std::string& id) {
  for (const RuleStateStats& st : set.state_stats()) {
    if (st.rule_id == id) return st.groups;
  }
  return 0;
}

TEST(ReloadState, UnchangedCorrelationKeepsItsWindow) {
  Loaded before = Load(kBrute);
  ASSERT_TRUE(before.ok()) << before.Text();
  EXPECT_TRUE(Feed(*before.set, 0, 9).empty());
  // The same definition written differently (a macro, no list, other spacing and quoting),
  // with a new name, severity and output, and another rule added before it.
  Loaded after = Load(R"(
- rule: other
  name: Other
  severity: low
  condition: user.name = nobody
- macro: sshd_failure
  condition: event.dataset = "access.sshd"   and   event.outcome = 'failure'
- rule: ssh.brute
  name: SSH brute force (renamed)
  severity: critical
  condition: sshd_failure
  output: "brute force from {source.ip}"
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
)");
  ASSERT_TRUE(after.ok()) << after.Text();
  std::vector<Alert> out;
  EXPECT_EQ(after.set->AdoptState(*before.set, out), 1u);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(Groups(*after.set, "ssh.brute"), 1u);
  EXPECT_EQ(Groups(*before.set, "ssh.brute"), 0u);  // moved, not copied
  auto alerts = Feed(*after.set, 9, 10);
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].rule->id, "ssh.brute");
  EXPECT_EQ(alerts[0].rule->severity, AlertSeverity::kCritical);
  EXPECT_EQ(alerts[0].output(), "brute force from 203.0.113.9");
  ASSERT_TRUE(alerts[0].correlation.has_value());
  EXPECT_EQ(alerts[0].correlation->count, 10u);
  EXPECT_EQ(alerts[0].correlation->first, kT0);
  // The old set stays usable, with an empty window.
  EXPECT_TRUE(Feed(*before.set, 10, 11).empty());
}

// Without AdoptState (as before this change) 9 + 1 never fires: the control for the above.
TEST(ReloadState, WithoutAdoptionTheWindowStartsEmpty) {
  Loaded before = Load(kBrute);
  Loaded after = Load(kBrute);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_TRUE(Feed(*before.set, 0, 9).empty());
  EXPECT_TRUE(Feed(*after.set, 9, 10).empty());
}

TEST(ReloadState, ChangedRulesStartFresh) {
  const std::vector<std::pair<std::string, std::string>> changes = {
      {"condition", "event.dataset = access.sshd and event.outcome in (failure, unknown)"},
      {"list item", ""},
      {"timespan", "timespan: 61s"},
      {"threshold", "condition: {gte: 9}"},
      {"group_by", "group_by: [source.ip, user.name]"},
      {"type", "type: value_count, field: user.name"},
      {"exception", ""},
      {"suppression", ""},
  };
  for (const auto& [what, change] : changes) {
    SCOPED_TRACE(what);
    std::string text = kBrute;
    auto replace = [&text](const std::string& from, const std::string& to) {
      const size_t at = text.find(from);
      ASSERT_NE(at, std::string::npos) << from;
      text.replace(at, from.size(), to);
    };
    if (what == "condition") {
      replace("event.dataset in (sshd_datasets) and event.outcome = failure", change);
    } else if (what == "list item") {
      replace("items: [access.sshd]", "items: [access.sshd, access.ssh]");
    } else if (what == "timespan") {
      replace("timespan: 60s", change);
    } else if (what == "threshold") {
      replace("condition: {gte: 10}", change);
    } else if (what == "group_by") {
      replace("group_by: [source.ip]", change);
    } else if (what == "type") {
      replace("type: event_count", change);
    } else if (what == "exception") {
      text += "- exception: scanner\n  rule: ssh.brute\n  condition: source.ip = 192.0.2.1\n";
    } else if (what == "suppression") {
      text += "  suppress: {window: 10m}\n";
    }
    Loaded before = Load(kBrute);
    Loaded after = Load(text);
    ASSERT_TRUE(before.ok()) << before.Text();
    ASSERT_TRUE(after.ok()) << after.Text();
    EXPECT_TRUE(Feed(*before.set, 0, 9).empty());
    std::vector<Alert> out;
    EXPECT_EQ(after.set->AdoptState(*before.set, out), 0u);
    EXPECT_EQ(Groups(*after.set, "ssh.brute"), 0u);
    EXPECT_EQ(Groups(*before.set, "ssh.brute"), 1u);  // left with the old set
    if (what != "threshold") {
      EXPECT_TRUE(Feed(*after.set, 9, 10).empty());
    }
  }
}

TEST(ReloadState, RenamedRuleStartsFresh) {
  Loaded before = Load(kBrute);
  std::string text = kBrute;
  text.replace(text.find("rule: ssh.brute"), 15, "rule: ssh.brute2");
  Loaded after = Load(text);
  ASSERT_TRUE(before.ok() && after.ok()) << after.Text();
  EXPECT_TRUE(Feed(*before.set, 0, 9).empty());
  std::vector<Alert> out;
  EXPECT_EQ(after.set->AdoptState(*before.set, out), 0u);
  EXPECT_TRUE(Feed(*after.set, 9, 10).empty());
}

// A correlation fed by other rules: its state depends on what they match.
TEST(ReloadState, TemporalCorrelationFollowsItsSourceRules) {
  auto rules = [](const std::string& sudo_condition) {
    return R"(
- rule: login
  name: Login
  severity: low
  enabled: false
  condition: event.dataset = access.sshd and event.action = ssh_login
- rule: sudo
  name: Sudo
  severity: low
  enabled: false
  condition: )" + sudo_condition + R"(
- rule: login_then_sudo
  name: Login then sudo
  severity: high
  correlate: {type: temporal_ordered, rules: [login, sudo], group_by: [source.ip], timespan: 5m}
)";
  };
  const std::string sudo = "event.dataset = access.sshd and event.action = sudo_command";
  for (const bool changed : {false, true}) {
    SCOPED_TRACE(changed);
    Loaded before = Load(rules(sudo));
    Loaded after = Load(rules(changed ? sudo + " and user.name = root" : sudo));
    ASSERT_TRUE(before.ok() && after.ok()) << before.Text() << after.Text();
    std::vector<Alert> out;
    before.set->Evaluate(Ssh(0, "203.0.113.9", "ssh_login"), out);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(after.set->AdoptState(*before.set, out), changed ? 0u : 1u);
    after.set->Evaluate(Ssh(10, "203.0.113.9", "sudo_command"), out);
    EXPECT_EQ(out.size(), changed ? 0u : 1u);
  }
}

TEST(ReloadState, SuppressionWindowKeptAndSummaryCarriesTheNewMetadata) {
  const std::string rule = R"(
- rule: ssh.fail
  name: SSH failure
  severity: low
  condition: event.dataset = access.sshd and event.outcome = failure
  output: "old {source.ip}"
  suppress: {window: 10m, by: [source.ip]}
)";
  Loaded before = Load(rule);
  std::string text = rule;
  text.replace(text.find("severity: low"), 13, "severity: high");
  text.replace(text.find("old {source.ip}"), 15, "new {source.ip}");
  Loaded after = Load(text);
  ASSERT_TRUE(before.ok() && after.ok()) << after.Text();
  EXPECT_EQ(Feed(*before.set, 0, 3).size(), 1u);  // one out, two merged
  std::vector<Alert> out;
  EXPECT_EQ(after.set->AdoptState(*before.set, out), 1u);
  before.set->Finish(out);
  EXPECT_TRUE(out.empty());  // the old set has nothing left to summarize
  EXPECT_TRUE(Feed(*after.set, 3, 4).empty());  // merged into the kept window
  after.set->Finish(out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].suppressed_count(), 3u);
  EXPECT_EQ(out[0].rule->severity, AlertSeverity::kHigh);
  EXPECT_EQ(out[0].output(), "new 203.0.113.9");
}

TEST(ReloadState, SmallerCapsEvictOnAdoption) {
  RuleOptions wide;
  wide.max_groups = 100;
  Loaded before = Load(kBrute, wide);
  ASSERT_TRUE(before.ok());
  for (int ip = 1; ip <= 5; ++ip) Feed(*before.set, 0, 3, "192.0.2." + std::to_string(ip));
  EXPECT_EQ(Groups(*before.set, "ssh.brute"), 5u);
  RuleOptions narrow;
  narrow.max_groups = 2;
  Loaded after = Load(kBrute, narrow);
  ASSERT_TRUE(after.ok());
  std::vector<Alert> out;
  EXPECT_EQ(after.set->AdoptState(*before.set, out), 1u);
  const RuleStateStats st = after.set->state_stats()[0];
  EXPECT_EQ(st.groups, 2u);
  EXPECT_EQ(st.evicted_groups, 3u);
  // The two most recently updated groups are kept: .5 fires after 7 more failures.
  EXPECT_EQ(Feed(*after.set, 3, 10, "192.0.2.5").size(), 1u);
}

TEST(ReloadState, SmallerSuppressionCapClosesWindowsEarly) {
  const std::string rule = R"(
- rule: ssh.fail
  name: SSH failure
  severity: low
  condition: event.dataset = access.sshd
  suppress: {window: 10m, by: [source.ip]}
)";
  Loaded before = Load(rule);
  ASSERT_TRUE(before.ok());
  for (int ip = 1; ip <= 3; ++ip) Feed(*before.set, 0, 2, "192.0.2." + std::to_string(ip));
  RuleOptions narrow;
  narrow.max_suppression_keys = 1;
  Loaded after = Load(rule, narrow);
  ASSERT_TRUE(after.ok());
  std::vector<Alert> out;
  EXPECT_EQ(after.set->AdoptState(*before.set, out), 1u);
  ASSERT_EQ(out.size(), 2u);  // two windows closed early, each with its summary
  for (const Alert& a : out) EXPECT_EQ(a.suppressed_count(), 1u);
  EXPECT_EQ(after.set->state_stats()[0].early_closes, 2u);
  EXPECT_EQ(after.set->state_stats()[0].suppression_windows, 1u);
}

// The daemon's reload path: Replace() parks the new set; the engine thread adopts the
// state at the swap, before the next event.
TEST(ReloadState, EngineConsumerKeepsStateAcrossReplace) {
  for (const bool changed : {false, true}) {
    SCOPED_TRACE(changed);
    Diagnostics d;
    auto first = LoadRulesFromString(kBrute, "a.yaml", {}, d);
    ASSERT_TRUE(first.ok()) << d.FormatText();
    std::vector<std::string> got;
    RuleEngineConsumer c(std::move(*first), [&](const Alert& a) { got.push_back(a.rule->id); });
    for (int i = 0; i < 9; ++i) {
      Event e = Ssh(i);
      c.Consume(e);
    }
    std::string text = kBrute;
    if (changed) text.replace(text.find("timespan: 60s"), 13, "timespan: 90s");
    auto second = LoadRulesFromString(text, "b.yaml", {}, d);
    ASSERT_TRUE(second.ok()) << d.FormatText();
    c.Replace(std::move(*second));
    Event last = Ssh(9);
    c.Consume(last);
    if (changed) {
      EXPECT_TRUE(got.empty());
    } else {
      EXPECT_THAT(got, ElementsAre("ssh.brute"));
    }
    // The counters are neither lost nor counted twice across the swap.
    c.Flush();
    const std::vector<RuleStateStats> stats = c.StateStats();
    ASSERT_EQ(stats.size(), 1u);
    EXPECT_EQ(stats[0].evaluations, 10u);
  }
}

}  // namespace
}  // namespace vigil::rules::testing
