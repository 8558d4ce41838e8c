// Suppression: repeats inside a rule's window merge into one summary alert with a count;
// windows close on event time and at Finish(); the key cap closes windows early, never
// silently; errors (E226).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "rules_test_util.h"
#include "vigil/rules/rule_engine_consumer.h"
#include "vigil/time_format.h"

namespace vigil::rules::testing {
namespace {

using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

const Timestamp kT0 = *ParseRfc3339("2026-03-01T10:00:00Z");

Event Root(nanoseconds at, const std::string& ip) {
  return Ev(R"({"@timestamp":")" + FormatRfc3339(kT0 + at) +
            R"(","event":{"dataset":"access.sshd"},"user":{"name":"root"},"source":{"ip":")" + ip + R"("}})");
}

const char* kRoot = R"(
- rule: ssh.root
  name: Root login
  severity: high
  condition: user.name = root
  suppress: {window: 10m, by: [source.ip]}
)";

std::vector<Alert> FeedAll(Loaded& l, const std::vector<Event>& events) {
  std::vector<Alert> out;
  for (const Event& e : events) l.set->Evaluate(e, out);
  return out;
}

TEST(Suppression, RepeatsMergeIntoOneSummaryWhenTheWindowCloses) {
  Loaded l = Load(kRoot);
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_TRUE(l.diags.empty()) << l.Text();
  EXPECT_TRUE(l.set->rules()[0].has_suppression);
  // First goes out at once; four repeats within 10 min are merged.
  auto a = FeedAll(l, {Root(seconds(0), "10.0.0.1"), Root(seconds(60), "10.0.0.1"), Root(seconds(120), "10.0.0.1"),
                   Root(seconds(300), "10.0.0.1"), Root(minutes(10), "10.0.0.1")});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].suppressed_count(), 0u);
  EXPECT_EQ(a[0].timestamp, kT0);
  auto st = l.set->state_stats()[0];
  EXPECT_EQ(st.suppressed, 4u);
  EXPECT_EQ(st.suppression_windows, 1u);
  // Event time passes the end (10 min): the summary goes out before the new alert.
  auto b = FeedAll(l, {Root(minutes(10) + nanoseconds(1), "10.0.0.1")});
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[0].suppressed_count(), 4u);
  EXPECT_EQ(b[0].suppression->first, kT0 + seconds(60));
  EXPECT_EQ(b[0].suppression->last, kT0 + minutes(10));
  EXPECT_EQ(b[0].timestamp, kT0 + minutes(10));  // the last merged repeat
  EXPECT_EQ(b[1].suppressed_count(), 0u);       // opens the next window
  EXPECT_EQ(b[1].timestamp, kT0 + minutes(10) + nanoseconds(1));
  EXPECT_EQ(l.set->state_stats()[0].summaries, 1u);
}

// Only alerts of rules with `suppress` carry suppression info: the alert that opens a window
// its key (no count), the summary its count, times, key and opening time. Other alerts carry
// none, and their JSON no suppressed_* member.
TEST(Suppression, OnlyOpenersAndSummariesCarrySuppressionInfo) {
  Loaded l = Load(std::string(kRoot) + R"(
- rule: ssh.root.plain
  name: Root login, every one
  severity: high
  condition: user.name = root
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  auto a = FeedAll(l, {Root(seconds(0), "10.0.0.1"), Root(seconds(1), "10.0.0.1")});
  ASSERT_EQ(a.size(), 3u);  // the opener and two plain alerts; the repeat is merged
  ASSERT_TRUE(a[0].suppression.has_value());
  EXPECT_EQ(a[0].suppression->key, "8:10.0.0.1");
  EXPECT_EQ(a[0].suppressed_count(), 0u);
  for (const Alert* plain : {&a[1], &a[2]}) {
    EXPECT_EQ(plain->rule->id, "ssh.root.plain");
    EXPECT_FALSE(plain->suppression.has_value());
    EXPECT_EQ(plain->suppressed_count(), 0u);
    EXPECT_FALSE(nlohmann::json::parse(AlertToJson(*plain))["vigil"].contains("suppressed_count"));
  }
  std::vector<Alert> end;
  l.set->Finish(end);
  ASSERT_EQ(end.size(), 1u);
  ASSERT_TRUE(end[0].suppression.has_value());
  EXPECT_EQ(end[0].suppressed_count(), 1u);
  EXPECT_EQ(end[0].suppression->first, kT0 + seconds(1));
  EXPECT_EQ(end[0].suppression->last, kT0 + seconds(1));
  EXPECT_EQ(end[0].suppression->key, "8:10.0.0.1");
  EXPECT_EQ(end[0].suppression->opened, kT0);
  Alert copy = end[0];  // a copy has its own
  copy.suppression->count = 7;
  EXPECT_EQ(end[0].suppressed_count(), 1u);
}

TEST(Suppression, KeysAreSeparateAndAWindowWithoutRepeatsClosesQuietly) {
  Loaded l = Load(kRoot);
  ASSERT_TRUE(l.ok());
  auto a = FeedAll(l, {Root(seconds(0), "10.0.0.1"), Root(seconds(1), "10.0.0.2"), Root(seconds(2), "10.0.0.1")});
  ASSERT_EQ(a.size(), 2u);
  auto b = FeedAll(l, {Root(minutes(30), "10.0.0.3")});
  ASSERT_EQ(b.size(), 2u);  // the summary of 10.0.0.1 (1 repeat), then the new alert
  EXPECT_EQ(b[0].suppressed_count(), 1u);
  EXPECT_EQ(b[0].event->GetIp(ecs::kSourceIp)->ToString(), "10.0.0.1");
  EXPECT_EQ(b[1].suppressed_count(), 0u);
}

TEST(Suppression, FinishEmitsOpenSummaries) {
  Loaded l = Load(kRoot);
  ASSERT_TRUE(l.ok());
  auto a = FeedAll(l, {Root(seconds(0), "10.0.0.1"), Root(seconds(1), "10.0.0.1"), Root(seconds(2), "10.0.0.1"),
                   Root(seconds(3), "10.0.0.2")});
  EXPECT_EQ(a.size(), 2u);
  std::vector<Alert> end;
  l.set->Finish(end);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].suppressed_count(), 2u);
  auto j = nlohmann::json::parse(AlertToJson(end[0]));
  EXPECT_EQ(j["vigil"]["suppressed_count"], 2);
  EXPECT_EQ(j["vigil"]["suppressed_first"], "2026-03-01T10:00:01Z");
  EXPECT_EQ(j["vigil"]["suppressed_last"], "2026-03-01T10:00:02Z");
  EXPECT_EQ(l.set->state_stats()[0].suppression_windows, 0u);
  std::vector<Alert> again;
  l.set->Finish(again);
  EXPECT_TRUE(again.empty());
}

TEST(Suppression, KeyCapClosesTheOldestWindowEarlyWithItsSummary) {
  RuleOptions opts;
  opts.max_suppression_keys = 2;
  Loaded l = Load(kRoot, opts);
  ASSERT_TRUE(l.ok());
  auto a = FeedAll(l, {Root(seconds(0), "10.0.0.1"), Root(seconds(1), "10.0.0.1"), Root(seconds(2), "10.0.0.2"),
                   Root(seconds(3), "10.0.0.3")});
  ASSERT_EQ(a.size(), 4u);  // .1, .2, the early summary of .1, .3
  EXPECT_EQ(a[2].suppressed_count(), 1u);
  EXPECT_EQ(a[3].event->GetIp(ecs::kSourceIp)->ToString(), "10.0.0.3");
  auto st = l.set->state_stats()[0];
  EXPECT_EQ(st.early_closes, 1u);
  EXPECT_EQ(st.suppression_windows, 2u);
  EXPECT_EQ(st.suppressed, 1u);
}

TEST(Suppression, WithoutByOneWindowPerRule) {
  Loaded l = Load("- rule: r\n  name: R\n  severity: low\n  condition: user.name = root\n  suppress: {window: 1m}\n");
  ASSERT_TRUE(l.ok()) << l.Text();
  auto a = FeedAll(l, {Root(seconds(0), "10.0.0.1"), Root(seconds(1), "10.0.0.2"), Root(seconds(59), "10.0.0.3")});
  EXPECT_EQ(a.size(), 1u);
  std::vector<Alert> end;
  l.set->Finish(end);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].suppressed_count(), 2u);
}

TEST(Suppression, AppliesToCorrelationAlerts) {
  Loaded l = Load(R"(
- rule: burst
  name: Burst
  severity: medium
  condition: user.name = root
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 2}}
  suppress: {window: 10m, by: [source.ip]}
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  std::vector<Event> ev;
  for (int i = 0; i < 10; ++i) ev.push_back(Root(seconds(i), "10.0.0.1"));  // 5 firings
  auto a = FeedAll(l, ev);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_TRUE(a[0].correlation.has_value());
  std::vector<Alert> end;
  l.set->Finish(end);
  ASSERT_EQ(end.size(), 1u);
  EXPECT_EQ(end[0].suppressed_count(), 4u);
  ASSERT_TRUE(end[0].correlation.has_value());
  EXPECT_EQ(end[0].correlation->last, kT0 + seconds(9));
}

TEST(Suppression, ConsumerFinishHandsSummariesToTheCallback) {
  Diagnostics d;
  auto set = LoadRulesFromString(kRoot, "r.yaml", {}, d);
  ASSERT_TRUE(set.ok()) << d.FormatText();
  std::vector<uint64_t> counts;
  RuleEngineConsumer c(std::move(*set), [&](const Alert& a) { counts.push_back(a.suppressed_count()); });
  for (int i = 0; i < 3; ++i) {
    Event e = Root(seconds(i), "10.0.0.1");
    c.Consume(e);
  }
  c.Finish();
  EXPECT_EQ(counts, (std::vector<uint64_t>{0, 2}));
  EXPECT_EQ(c.alerts(), 2u);
}

TEST(Suppression, LoadErrors) {
  auto rule = [](const std::string& suppress) {
    return "- rule: a\n  name: A\n  severity: low\n  condition: user.name exists\n  suppress: " + suppress + "\n";
  };
  struct Case {
    std::string yaml;
    const char* want;
  } cases[] = {
      {rule("{by: [source.ip]}"), "5:13 E226"},
      {rule("{window: later}"), "5:22 E226"},
      {rule("{window: 0s}"), "5:22 E226"},
      {rule("{window: 10m, by: [src.ip]}"), "5:32 E206"},
      {rule("{window: 10m, every: 2}"), "5:27 E201"},
      {rule("10m"), "5:13 E226"},
  };
  for (const auto& c : cases) {
    Loaded l = Load(c.yaml);
    EXPECT_FALSE(l.ok()) << c.yaml;
    ASSERT_FALSE(l.Codes().empty()) << c.yaml;
    EXPECT_EQ(l.Codes()[0], c.want) << c.yaml << "\n" << l.Text();
  }
}

}  // namespace
}  // namespace vigil::rules::testing
