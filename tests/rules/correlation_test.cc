// Correlation rules: each type firing and not firing at exact window boundaries, group_by,
// out-of-order and late events, the group cap and its eviction counter, value_count
// distinctness, temporal order, lt/lte windows, determinism and the alert JSON.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "rules_test_util.h"
#include "vigil/time_format.h"

namespace vigil::rules::testing {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;

const Timestamp kT0 = *ParseRfc3339("2026-03-01T10:00:00Z");

// An sshd event at kT0 + `at` from `ip` (empty: no source.ip) for `user`.
Event Ssh(nanoseconds at, const std::string& ip, const std::string& outcome = "failure",
          const std::string& user = "root") {
  std::string j = R"({"@timestamp":")" + FormatRfc3339(kT0 + at) +
                  R"(","event":{"dataset":"access.sshd","outcome":")" + outcome + R"("},"user":{"name":")" + user +
                  R"("})";
  if (!ip.empty()) j += R"(,"source":{"ip":")" + ip + R"("})";
  return Ev(j + "}");
}

const char* kBrute = R"(
- rule: ssh.brute
  name: SSH brute force
  severity: high
  condition: event.dataset = access.sshd and event.outcome = failure
  output: "{source.ip} failed 10 times"
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
)";

// Alerts raised by the events, in order.
std::vector<Alert> FeedAll(Loaded& l, const std::vector<Event>& events) {
  std::vector<Alert> out;
  for (const Event& e : events) l.set->Evaluate(e, out);
  return out;
}

TEST(EventCount, FiresWhenTheSpanIsExactlyTheTimespan) {
  Loaded l = Load(kBrute);
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_TRUE(l.diags.empty()) << l.Text();
  std::vector<Event> ev;
  for (int i = 0; i < 9; ++i) ev.push_back(Ssh(seconds(i), "203.0.113.9"));
  ev.push_back(Ssh(seconds(60), "203.0.113.9"));
  auto alerts = FeedAll(l, ev);
  ASSERT_EQ(alerts.size(), 1u);
  const Alert& a = alerts[0];
  ASSERT_TRUE(a.correlation.has_value());
  EXPECT_EQ(a.correlation->type, "event_count");
  EXPECT_EQ(a.correlation->count, 10u);
  EXPECT_EQ(a.correlation->first, kT0);
  EXPECT_EQ(a.correlation->last, kT0 + seconds(60));
  EXPECT_THAT(a.correlation->group, ElementsAre(std::make_pair(std::string("source.ip"), std::string("203.0.113.9"))));
  EXPECT_EQ(a.timestamp, kT0 + seconds(60));  // the triggering (last) event
  EXPECT_EQ(a.output(), "203.0.113.9 failed 10 times");
}

TEST(EventCount, OneNanosecondOverTheTimespanDoesNotFire) {
  Loaded l = Load(kBrute);
  ASSERT_TRUE(l.ok());
  std::vector<Event> ev;
  for (int i = 0; i < 9; ++i) ev.push_back(Ssh(seconds(i), "203.0.113.9"));
  ev.push_back(Ssh(seconds(60) + nanoseconds(1), "203.0.113.9"));
  EXPECT_TRUE(FeedAll(l, ev).empty());
  // The first event left the window; one more inside it makes ten again.
  EXPECT_EQ(FeedAll(l, {Ssh(seconds(61), "203.0.113.9")}).size(), 1u);
}

TEST(EventCount, NineDoNotFireAndTheGroupResetsAfterFiring) {
  Loaded l = Load(kBrute);
  ASSERT_TRUE(l.ok());
  std::vector<Event> nine;
  for (int i = 0; i < 9; ++i) nine.push_back(Ssh(seconds(i), "198.51.100.1"));
  EXPECT_TRUE(FeedAll(l, nine).empty());
  // Ten more: fires at the 10th overall, then needs ten new ones (19 → 1 alert, 20 → 2).
  std::vector<Event> more;
  for (int i = 9; i < 19; ++i) more.push_back(Ssh(seconds(i), "198.51.100.1"));
  EXPECT_EQ(FeedAll(l, more).size(), 1u);
  EXPECT_EQ(FeedAll(l, {Ssh(seconds(19), "198.51.100.1")}).size(), 1u);
  // Successes do not feed the window (the rule's condition selects the events).
  std::vector<Event> ok;
  for (int i = 20; i < 40; ++i) ok.push_back(Ssh(seconds(i), "198.51.100.1", "success"));
  EXPECT_TRUE(FeedAll(l, ok).empty());
}

TEST(EventCount, GroupsAreSeparateAndMissingValuesGroupAsNA) {
  Loaded l = Load(kBrute);
  ASSERT_TRUE(l.ok());
  std::vector<Event> ev;
  for (int i = 0; i < 10; ++i) {
    ev.push_back(Ssh(seconds(i), "10.0.0.1"));
    ev.push_back(Ssh(seconds(i), "10.0.0.2"));
    ev.push_back(Ssh(seconds(i), ""));
  }
  ev.pop_back();  // nine without source.ip
  auto alerts = FeedAll(l, ev);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_EQ(alerts[0].correlation->group[0].second, "10.0.0.1");
  EXPECT_EQ(alerts[1].correlation->group[0].second, "10.0.0.2");
  auto na = FeedAll(l, {Ssh(seconds(10), "")});
  ASSERT_EQ(na.size(), 1u);
  EXPECT_EQ(na[0].correlation->group[0].second, "<NA>");
}

TEST(EventCount, OutOfOrderInsideTheWindowCountsLateEventsAreDroppedAndCounted) {
  Loaded l = Load(kBrute);
  ASSERT_TRUE(l.ok());
  std::vector<Event> ev;
  for (int i = 100; i < 109; ++i) ev.push_back(Ssh(seconds(i), "10.0.0.1"));
  EXPECT_TRUE(FeedAll(l, ev).empty());
  // Older than the newest (108 s) but not older than 108 - 60 = 48 s: counted, fires.
  auto fired = FeedAll(l, {Ssh(seconds(48), "10.0.0.1")});
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].correlation->first, kT0 + seconds(48));
  EXPECT_EQ(fired[0].correlation->last, kT0 + seconds(108));
  // Late: older than watermark - timespan. Dropped, counted, never fires.
  std::vector<Event> late;
  for (int i = 0; i < 20; ++i) late.push_back(Ssh(seconds(47), "10.0.0.1"));
  EXPECT_TRUE(FeedAll(l, late).empty());
  EXPECT_EQ(l.set->state_stats()[0].late_events, 20u);
}

TEST(EventCount, GroupCapEvictsTheLeastRecentlyUpdatedGroupAndCountsIt) {
  RuleOptions opts;
  opts.max_groups = 3;
  Loaded l = Load(kBrute, opts);
  ASSERT_TRUE(l.ok());
  std::vector<Event> ev;
  for (int i = 0; i < 9; ++i) ev.push_back(Ssh(seconds(i), "10.0.0.1"));
  ev.push_back(Ssh(seconds(10), "10.0.0.2"));
  ev.push_back(Ssh(seconds(11), "10.0.0.3"));
  EXPECT_TRUE(FeedAll(l, ev).empty());
  EXPECT_EQ(l.set->state_stats()[0].groups, 3u);
  EXPECT_EQ(l.set->state_stats()[0].evicted_groups, 0u);
  // A fourth group evicts 10.0.0.1 (least recently updated): its nine are forgotten.
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(12), "10.0.0.4"), Ssh(seconds(13), "10.0.0.1")}).empty());
  auto st = l.set->state_stats()[0];
  EXPECT_EQ(st.groups, 3u);
  EXPECT_EQ(st.evicted_groups, 2u);  // 10.0.0.1, then 10.0.0.2 to take 10.0.0.1 back
  // Groups whose entries all left the window are dropped without counting an eviction.
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(200), "10.0.0.5"), Ssh(seconds(201), "10.0.0.6"),
                      Ssh(seconds(202), "10.0.0.7")}).empty());
  st = l.set->state_stats()[0];
  EXPECT_EQ(st.evicted_groups, 2u);
  EXPECT_LE(st.groups, 3u);
}

TEST(EventCount, ManyDistinctGroupsStayWithinTheCap) {
  RuleOptions opts;
  opts.max_groups = 100;
  Loaded l = Load(kBrute, opts);
  ASSERT_TRUE(l.ok());
  std::vector<Alert> out;
  for (int i = 0; i < 10000; ++i) {
    std::string ip = "10." + std::to_string(i / 65536) + "." + std::to_string(i / 256 % 256) + "." +
                     std::to_string(i % 256);
    l.set->Evaluate(Ssh(seconds(1), ip), out);
  }
  EXPECT_TRUE(out.empty());
  auto st = l.set->state_stats()[0];
  EXPECT_EQ(st.groups, 100u);
  EXPECT_EQ(st.evicted_groups, 9900u);
}

TEST(ValueCount, CountsDistinctValuesPerGroup) {
  Loaded l = Load(R"(
- rule: ssh.spray
  name: Password spraying
  severity: high
  condition: event.dataset = access.sshd and event.outcome = failure
  correlate: {type: value_count, field: user.name, group_by: [source.ip], timespan: 60s, condition: {gte: 3}}
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  std::vector<Event> same;
  for (int i = 0; i < 10; ++i) same.push_back(Ssh(seconds(i), "10.0.0.1", "failure", "root"));
  EXPECT_TRUE(FeedAll(l, same).empty());
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(10), "10.0.0.1", "failure", "alice")}).empty());
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(11), "10.0.0.2", "failure", "bob")}).empty());  // other group
  auto fired = FeedAll(l, {Ssh(seconds(12), "10.0.0.1", "failure", "bob")});
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].correlation->type, "value_count");
  EXPECT_EQ(fired[0].correlation->count, 3u);
  // Boundary: the value seen at 100 s still counts at 160 s, not at 160 s + 1 ns.
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(100), "10.0.0.3", "failure", "a"), Ssh(seconds(130), "10.0.0.3", "failure", "b")})
                  .empty());
  EXPECT_EQ(FeedAll(l, {Ssh(seconds(160), "10.0.0.3", "failure", "c")}).size(), 1u);
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(200), "10.0.0.4", "failure", "a"), Ssh(seconds(230), "10.0.0.4", "failure", "b"),
                      Ssh(seconds(260) + nanoseconds(1), "10.0.0.4", "failure", "c")})
                  .empty());
}

TEST(EventCount, FewerThanIsDecidedWhenTheWindowCloses) {
  Loaded l = Load(R"(
- rule: quiet
  name: Fewer than 3 failures in a minute
  severity: low
  condition: event.dataset = access.sshd and event.outcome = failure
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {lt: 3}}
)");
  ASSERT_TRUE(l.ok()) << l.Text();
  // A: window [0, 60]; the event at exactly 60 s is inside it (count 3: does not hold).
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(0), "10.0.0.1"), Ssh(seconds(30), "10.0.0.1"), Ssh(seconds(60), "10.0.0.1")})
                  .empty());
  // B: window [100, 160]; A's closes as time passes 60 s (no alert), a success stamped 99 s
  // for B is not a failure, a failure stamped 99 s is late.
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(100), "10.0.0.2"), Ssh(seconds(110), "10.0.0.2"),
                          Ssh(seconds(99), "10.0.0.2")}).empty());
  EXPECT_EQ(l.set->state_stats()[0].late_events, 1u);
  // Any event after 160 s closes B: 2 < 3, fires with B's latest event as the trigger.
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(160), "10.0.0.9", "success")}).empty());
  auto fired = FeedAll(l, {Ssh(seconds(160) + nanoseconds(1), "10.0.0.9", "success")});
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_EQ(fired[0].correlation->count, 2u);
  EXPECT_EQ(fired[0].correlation->first, kT0 + seconds(100));
  EXPECT_EQ(fired[0].correlation->last, kT0 + seconds(110));
  EXPECT_EQ(fired[0].timestamp, kT0 + seconds(110));
  EXPECT_EQ(fired[0].correlation->group[0].second, "10.0.0.2");
  // A window still open at the end of the stream does not fire.
  EXPECT_TRUE(FeedAll(l, {Ssh(seconds(200), "10.0.0.3")}).empty());
  std::vector<Alert> end;
  l.set->Finish(end);
  EXPECT_TRUE(end.empty());
  EXPECT_EQ(l.set->state_stats()[0].groups, 1u);
}

TEST(ValueCount, AtMostOneUserPerSourceWhenTheWindowCloses) {
  RuleOptions opts;
  opts.max_groups = 1;
  Loaded l = Load(R"(
- rule: single_user
  name: One user only
  severity: info
  condition: event.dataset = access.sshd
  correlate: {type: value_count, field: user.name, group_by: [source.ip], timespan: 10s, condition: {lte: 1}}
)", opts);
  ASSERT_TRUE(l.ok()) << l.Text();
  auto a = FeedAll(l, {Ssh(seconds(0), "10.0.0.1", "failure", "root"), Ssh(seconds(5), "10.0.0.1", "failure", "root"),
                       Ssh(seconds(11), "10.0.0.1", "failure", "bob")});
  ASSERT_EQ(a.size(), 1u);  // closed at 11 s: one distinct user
  EXPECT_EQ(a[0].correlation->count, 1u);
  auto b = FeedAll(l, {Ssh(seconds(12), "10.0.0.1", "failure", "alice"), Ssh(seconds(30), "10.0.0.1")});
  EXPECT_TRUE(b.empty());  // window [11, 21] had bob and alice
  // The cap (1 group): .2 evicts .1's window opened at 30 s (counted; it never closes);
  // .2's window closes at 100 s and fires; a closed window frees its group.
  auto c = FeedAll(l, {Ssh(seconds(31), "10.0.0.2"), Ssh(seconds(100), "10.0.0.3")});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].correlation->group[0].second, "10.0.0.2");
  EXPECT_EQ(l.set->state_stats()[0].evicted_groups, 1u);
  EXPECT_EQ(l.set->state_stats()[0].groups, 1u);
}

const char* kTemporal = R"(
- rule: ssh.fail
  name: Failure
  severity: low
  enabled: false
  condition: event.dataset = access.sshd and event.outcome = failure
- rule: ssh.ok
  name: Success
  severity: low
  condition: event.dataset = access.sshd and event.outcome = success
- rule: ssh.fail_then_ok
  name: Failure then success
  severity: high
  correlate: {type: TYPE, rules: [ssh.fail, ssh.ok], group_by: [source.ip], timespan: 60s}
)";

Loaded LoadTemporal(const std::string& type) {
  std::string y = kTemporal;
  y.replace(y.find("TYPE"), 4, type);
  return Load(y);
}

std::vector<std::string> Ids(const std::vector<Alert>& alerts) {
  std::vector<std::string> ids;
  for (const auto& a : alerts) ids.push_back(a.rule->id);
  return ids;
}

TEST(Temporal, AllRulesWithinTheTimespanInAnyOrder) {
  Loaded l = LoadTemporal("temporal");
  ASSERT_TRUE(l.ok()) << l.Text();
  // Success before failure, 60 s apart exactly: fires. ssh.fail is disabled: it feeds the
  // correlation without alerts of its own; ssh.ok alerts as usual, before the correlation.
  auto a = FeedAll(l, {Ssh(seconds(0), "10.0.0.1", "success"), Ssh(seconds(60), "10.0.0.1", "failure")});
  EXPECT_THAT(Ids(a), ElementsAre("ssh.ok", "ssh.fail_then_ok"));
  ASSERT_TRUE(a[1].correlation.has_value());
  EXPECT_EQ(a[1].correlation->count, 2u);
  EXPECT_EQ(a[1].correlation->first, kT0);
  EXPECT_EQ(a[1].correlation->last, kT0 + seconds(60));
  // 60 s + 1 ns apart: no.
  auto b = FeedAll(l, {Ssh(seconds(100), "10.0.0.2", "failure"), Ssh(seconds(160) + nanoseconds(1), "10.0.0.2", "success")});
  EXPECT_THAT(Ids(b), ElementsAre("ssh.ok"));
  // Other groups do not combine.
  auto c = FeedAll(l, {Ssh(seconds(200), "10.0.0.3", "failure"), Ssh(seconds(201), "10.0.0.4", "success")});
  EXPECT_THAT(Ids(c), ElementsAre("ssh.ok"));
}

TEST(TemporalOrdered, OnlyInListOrder) {
  Loaded l = LoadTemporal("temporal_ordered");
  ASSERT_TRUE(l.ok()) << l.Text();
  auto wrong = FeedAll(l, {Ssh(seconds(0), "10.0.0.1", "success"), Ssh(seconds(1), "10.0.0.1", "failure")});
  EXPECT_THAT(Ids(wrong), ElementsAre("ssh.ok"));
  auto right = FeedAll(l, {Ssh(seconds(2), "10.0.0.1", "success")});  // failure at 1 s, success at 2 s
  EXPECT_THAT(Ids(right), ElementsAre("ssh.ok", "ssh.fail_then_ok"));
  EXPECT_EQ(right[1].correlation->type, "temporal_ordered");
  EXPECT_EQ(right[1].correlation->first, kT0 + seconds(1));
  // Order is by @timestamp, not arrival: a success at 10 s, then a failure stamped 5 s.
  auto late = FeedAll(l, {Ssh(seconds(10), "10.0.0.5", "success"), Ssh(seconds(5), "10.0.0.5", "failure")});
  EXPECT_THAT(Ids(late), ElementsAre("ssh.ok", "ssh.fail_then_ok"));
  // Boundary: 60 s apart fires, 60 s + 1 ns does not.
  auto edge = FeedAll(l, {Ssh(seconds(100), "10.0.0.6", "failure"), Ssh(seconds(160), "10.0.0.6", "success"),
                      Ssh(seconds(200), "10.0.0.7", "failure"),
                      Ssh(seconds(260) + nanoseconds(1), "10.0.0.7", "success")});
  EXPECT_THAT(Ids(edge), ElementsAre("ssh.ok", "ssh.fail_then_ok", "ssh.ok"));
}

TEST(Correlation, SameInputSameAlerts) {
  auto run = [] {
    Loaded l = Load(std::string(kBrute) + R"(
- rule: ssh.spray
  name: Spray
  severity: high
  condition: event.dataset = access.sshd and event.outcome = failure
  correlate: {type: value_count, field: user.name, group_by: [source.ip], timespan: 30s, condition: {gt: 2}}
)");
    std::vector<Event> ev;
    for (int i = 0; i < 500; ++i) {
      ev.push_back(Ssh(seconds(i * 7 % 300), "10.0.0." + std::to_string(i % 5), "failure",
                       "u" + std::to_string(i % 7)));
    }
    std::vector<std::string> json;
    for (const Alert& a : FeedAll(l, ev)) json.push_back(AlertToJson(a));
    return json;
  };
  auto first = run();
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, run());
}

TEST(Correlation, AlertJsonCarriesTheGroupCountAndTimes) {
  Loaded l = Load(kBrute);
  ASSERT_TRUE(l.ok());
  std::vector<Event> ev;
  for (int i = 0; i < 10; ++i) ev.push_back(Ssh(seconds(i), "203.0.113.9"));
  auto alerts = FeedAll(l, ev);
  ASSERT_EQ(alerts.size(), 1u);
  auto j = nlohmann::json::parse(AlertToJson(alerts[0]));
  const auto& c = j["vigil"]["correlation"];
  EXPECT_EQ(c["type"], "event_count");
  EXPECT_EQ(c["group"]["source.ip"], "203.0.113.9");
  EXPECT_EQ(c["count"], 10);
  EXPECT_EQ(c["first"], "2026-03-01T10:00:00Z");
  EXPECT_EQ(c["last"], "2026-03-01T10:00:09Z");
  EXPECT_EQ(j["@timestamp"], "2026-03-01T10:00:09Z");
  EXPECT_EQ(j["source"]["ip"], "203.0.113.9");  // the triggering event's fields
  EXPECT_FALSE(j["vigil"].contains("suppressed_count"));
}

}  // namespace
}  // namespace vigil::rules::testing
