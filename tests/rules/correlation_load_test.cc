// Correlation rules at load time: located errors (E221-E225 and the E201/E202/E203/E206
// they share with the rest of a rule), inline sequence tests, and state counters per rule.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "rules_test_util.h"

namespace vigil::rules::testing {
namespace {

using ::testing::ElementsAre;

const char* kBrute = R"(
- rule: ssh.brute
  name: SSH brute force
  severity: high
  condition: event.dataset = access.sshd and event.outcome = failure
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
)";

TEST(Correlation, LoadErrorsAreLocated) {
  auto rule = [](const std::string& correlate) {
    return "- rule: a\n  name: A\n  severity: low\n  condition: user.name exists\n  correlate: " + correlate + "\n";
  };
  struct Case {
    std::string yaml;
    const char* want;
  } cases[] = {
      {rule("{type: counting, timespan: 60s, condition: {gte: 2}}"), "5:21 E221"},
      {rule("{timespan: 60s, condition: {gte: 2}}"), "5:14 E221"},
      {rule("{type: event_count, condition: {gte: 2}}"), "5:14 E222"},
      {rule("{type: event_count, timespan: soon, condition: {gte: 2}}"), "5:44 E222"},
      {rule("{type: event_count, timespan: 31d, condition: {gte: 2}}"), "5:44 E222"},
      {rule("{type: event_count, timespan: 60s, condition: {most: 2}}"), "5:61 E223"},
      {rule("{type: event_count, timespan: 60s, condition: {lt: 1}}"), "5:65 E223"},
      {rule("{type: event_count, timespan: 60s, condition: {gte: 1001}}"), "5:66 E223"},
      {rule("{type: event_count, timespan: 60s}"), "5:14 E223"},
      {rule("{type: value_count, timespan: 60s, condition: {gte: 2}}"), "5:14 E224"},
      {rule("{type: event_count, field: user.name, timespan: 60s, condition: {gte: 2}}"), "5:41 E224"},
      {rule("{type: value_count, field: usr.name, timespan: 60s, condition: {gte: 2}}"), "5:41 E206"},
      {rule("{type: event_count, group_by: [src.ip], timespan: 60s, condition: {gte: 2}}"), "5:45 E206"},
      {rule("{type: temporal, rules: [a], timespan: 60s}"), "5:38 E225"},
      {rule("{type: temporal, rules: [a, nosuch], timespan: 60s}"), "5:39 E225"},
      {rule("{type: event_count, timespan: 60s, condition: {gte: 2}, window: 5}"), "5:70 E201"},
      {rule("[event_count]"), "5:14 E202"},
  };
  for (const auto& c : cases) {
    Loaded l = Load(c.yaml);
    EXPECT_FALSE(l.ok()) << c.yaml;
    ASSERT_FALSE(l.Codes().empty()) << c.yaml;
    EXPECT_EQ(l.Codes()[0], c.want) << c.yaml << "\n" << l.Text();
  }
  // A correlation fed by rules may omit its condition; one that is not may not.
  Loaded no_cond = Load("- rule: a\n  name: A\n  severity: low\n  correlate: {type: event_count, timespan: 60s, "
                        "condition: {gte: 2}}\n");
  EXPECT_THAT(no_cond.Codes(), ElementsAre("1:3 E203"));
  // Correlations are fed by plain rules, not by other correlations.
  Loaded chain = Load(std::string(kBrute) + "- rule: b\n  name: B\n  severity: low\n  correlate: {type: temporal, "
                                            "rules: [ssh.brute, ssh.brute2], timespan: 60s}\n");
  EXPECT_TRUE(chain.Has("E225"));
}

TEST(Correlation, InlineSequenceTests) {
  Loaded l = Load(R"(
- rule: ssh.brute
  name: SSH brute force
  severity: high
  condition: event.dataset = access.sshd and event.outcome = failure
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 3}}
  tests:
    - events:
        - {"@timestamp": "2026-03-01T10:00:00Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
        - {"@timestamp": "2026-03-01T10:00:30Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
        - {"@timestamp": "2026-03-01T10:01:00Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
      alerts: 1
    - events:
        - {"@timestamp": "2026-03-01T10:00:00Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
        - {"@timestamp": "2026-03-01T10:00:30Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
        - {"@timestamp": "2026-03-01T10:01:01Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
      match: false
    - events:
        - {"@timestamp": "2026-03-01T10:00:00Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
      alerts: 1
- rule: root
  name: Root
  severity: low
  condition: user.name = root
  tests:
    - events: [{user.name: root}, {user.name: bob}, {user.name: root}]
      alerts: 2
      match: true
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  RuleTestReport r = l.set->RunTests();
  EXPECT_EQ(r.passed, 3u);
  EXPECT_EQ(r.failed, 1u);
  EXPECT_EQ(r.skipped, 0u);
  ASSERT_EQ(r.failures.items().size(), 1u);
  EXPECT_EQ(r.failures.items()[0].location.line, 18);
  EXPECT_NE(r.failures.items()[0].message.find("expected 1 alert, got 0 alerts"), std::string::npos)
      << r.failures.items()[0].message;
  // Evaluation state is untouched by the tests.
  EXPECT_EQ(l.set->state_stats()[0].groups, 0u);
}

TEST(Correlation, StateStatsCoverEveryRule) {
  Loaded l = Load(std::string(kBrute) + "- rule: plain\n  name: P\n  severity: low\n  condition: user.name = x\n");
  ASSERT_TRUE(l.ok());
  auto st = l.set->state_stats();
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].rule_id, "ssh.brute");
  EXPECT_EQ(st[1].rule_id, "plain");
  EXPECT_EQ(st[1].groups + st[1].evicted_groups + st[1].suppressed, 0u);
  EXPECT_TRUE(l.set->rules()[0].has_correlation);
}

}  // namespace
}  // namespace vigil::rules::testing
