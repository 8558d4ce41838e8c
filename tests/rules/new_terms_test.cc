// new_terms correlations: a value new to its group fires, a known one does not; history
// forgotten after the timespan (both ends of the window included); the learning period;
// late and out-of-order events; the caps and their counters; reloads; load errors; and the
// history store that keeps it all across restarts (TermHistoryStore).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <algorithm>
#include <filesystem>
#include <unistd.h>

#include "correlation_window.h"
#include "rules_test_util.h"
#include "vigil/rules/term_history_store.h"
#include "vigil/sqlite.h"
#include "vigil/time_format.h"

namespace vigil::rules::testing {
namespace {

using std::chrono::hours;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Timestamp kT0 = *ParseRfc3339("2026-03-02T10:00:00Z");
constexpr auto kDay = hours(24);

// A successful sshd login at kT0 + `at` by `user` from `ip` (empty: no source.ip).
Event Login(nanoseconds at, const std::string& user, const std::string& ip) {
  std::string j = R"({"@timestamp":")" + FormatRfc3339(kT0 + at) +
                  R"(","event":{"dataset":"access.sshd","action":"ssh_login","outcome":"success"},"user":{"name":")" +
                  user + R"("})";
  if (!ip.empty()) j += R"(,"source":{"ip":")" + ip + R"("})";
  return Ev(j + "}");
}

std::string NewSource(const std::string& extra = "") {
  return R"(
- rule: new.source
  name: First login from a new source
  severity: medium
  condition: event.dataset = access.sshd and event.outcome = success
  output: "{user.name} from {source.ip}"
  correlate: {type: new_terms, group_by: [user.name], field: source.ip, timespan: 30d)" +
         extra + "}\n";
}

// The (user, ip) of each alert the events raise, in order.
std::vector<std::string> Fired(Loaded& l, const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) {
    std::vector<Alert> alerts;
    l.set->Evaluate(e, alerts);
    for (const Alert& a : alerts) out.push_back(a.output());
  }
  return out;
}

TEST(NewTerms, AValueNewToItsGroupFiresAndAKnownOneDoesNot) {
  Loaded l = Load(NewSource());
  ASSERT_TRUE(l.ok()) << l.Text();
  EXPECT_TRUE(l.diags.empty()) << l.Text();
  auto fired = Fired(l, {Login(seconds(0), "alice", "192.0.2.1"), Login(seconds(10), "alice", "192.0.2.1"),
                         Login(seconds(20), "bob", "192.0.2.1"), Login(seconds(30), "alice", "198.51.100.7"),
                         Login(seconds(40), "bob", "192.0.2.1"), Login(seconds(50), "alice", "198.51.100.7")});
  EXPECT_THAT(fired, ElementsAre("alice from 192.0.2.1", "bob from 192.0.2.1", "alice from 198.51.100.7"));
}

TEST(NewTerms, TheAlertNamesTheTypeGroupAndTheValuesRemembered) {
  Loaded l = Load(NewSource());
  ASSERT_TRUE(l.ok()) << l.Text();
  std::vector<Alert> alerts;
  l.set->Evaluate(Login(seconds(0), "alice", "192.0.2.1"), alerts);
  l.set->Evaluate(Login(seconds(5), "alice", "192.0.2.2"), alerts);
  ASSERT_EQ(alerts.size(), 2u);
  ASSERT_TRUE(alerts[1].correlation.has_value());
  EXPECT_EQ(alerts[1].correlation->type, "new_terms");
  EXPECT_THAT(alerts[1].correlation->group, ElementsAre(std::make_pair(std::string("user.name"), std::string("alice"))));
  EXPECT_EQ(alerts[1].correlation->count, 2u);
  EXPECT_EQ(alerts[1].correlation->first, kT0 + seconds(5));
  EXPECT_EQ(alerts[1].correlation->last, kT0 + seconds(5));
  EXPECT_THAT(AlertToJson(alerts[1]), HasSubstr(R"("type":"new_terms")"));
}

TEST(NewTerms, AValueUnseenForLongerThanTheTimespanIsNewAgain) {
  Loaded l = Load(NewSource());
  ASSERT_TRUE(l.ok()) << l.Text();
  // Last seen exactly 30 days before: still inside [W - 30d, W]; a nanosecond more: forgotten.
  auto fired = Fired(l, {Login(seconds(0), "alice", "192.0.2.1"), Login(30 * kDay, "alice", "192.0.2.1"),
                         Login(60 * kDay + nanoseconds(1), "alice", "192.0.2.1")});
  EXPECT_THAT(fired, ElementsAre("alice from 192.0.2.1", "alice from 192.0.2.1"));
}

TEST(NewTerms, NothingFiresWhileLearningAndWhatWasLearntStaysQuiet) {
  Loaded l = Load(NewSource(", learning: 7d"));
  ASSERT_TRUE(l.ok()) << l.Text();
  auto fired = Fired(l, {Login(seconds(0), "alice", "192.0.2.1"), Login(kDay, "bob", "192.0.2.9"),
                         Login(7 * kDay - seconds(1), "carol", "192.0.2.5"),
                         // learning ends 7 days after the first event the rule saw
                         Login(7 * kDay, "alice", "192.0.2.1"), Login(7 * kDay + seconds(1), "bob", "192.0.2.9"),
                         Login(8 * kDay, "carol", "203.0.113.4"), Login(9 * kDay, "dave", "192.0.2.1")});
  EXPECT_THAT(fired, ElementsAre("carol from 203.0.113.4", "dave from 192.0.2.1"));
}

TEST(NewTerms, LateEventsAreCountedNotLearntAndOutOfOrderOnesAreKnown) {
  Loaded l = Load(NewSource());
  ASSERT_TRUE(l.ok()) << l.Text();
  auto fired = Fired(l, {Login(40 * kDay, "alice", "192.0.2.1"),
                         Login(39 * kDay, "alice", "192.0.2.1"),   // older, inside the window: known
                         Login(5 * kDay, "alice", "198.51.100.1"),  // older than W - 30d: late
                         Login(39 * kDay, "alice", "198.51.100.2")});  // older but new: fires
  EXPECT_THAT(fired, ElementsAre("alice from 192.0.2.1", "alice from 198.51.100.2"));
  EXPECT_EQ(l.set->state_stats()[0].late_events, 1u);
}

TEST(NewTerms, AnEventWithoutTheFieldIsIgnoredAndAMissingGroupValueIsAGroup) {
  Loaded l = Load(NewSource());
  ASSERT_TRUE(l.ok()) << l.Text();
  Event no_user = Ev(R"({"@timestamp":"2026-03-02T10:00:00Z","event":{"dataset":"access.sshd","outcome":"success"},)"
                     R"("source":{"ip":"192.0.2.1"}})");
  auto fired = Fired(l, {Login(seconds(0), "alice", ""), no_user, Login(seconds(1), "alice", "192.0.2.1")});
  EXPECT_THAT(fired, ElementsAre("<NA> from 192.0.2.1", "alice from 192.0.2.1"));
  EXPECT_EQ(l.set->state_stats()[0].groups, 2u);
}

TEST(NewTerms, CapsEvictTheOldestValueAndGroupAndCountIt) {
  RuleOptions opts;
  opts.max_window_entries = 2;
  opts.max_groups = 2;
  Loaded l = Load(NewSource(), opts);
  ASSERT_TRUE(l.ok()) << l.Text();
  auto fired = Fired(l, {Login(seconds(0), "alice", "192.0.2.1"), Login(seconds(1), "alice", "192.0.2.2"),
                         Login(seconds(2), "alice", "192.0.2.3"),   // evicts 192.0.2.1
                         Login(seconds(3), "alice", "192.0.2.1"),   // forgotten: new again
                         Login(seconds(4), "bob", "192.0.2.1"), Login(seconds(5), "carol", "192.0.2.1"),  // evicts alice
                         Login(seconds(6), "alice", "192.0.2.3")});
  EXPECT_EQ(fired.size(), 7u);
  const RuleStateStats st = l.set->state_stats()[0];
  EXPECT_EQ(st.evicted_entries, 2u);
  EXPECT_EQ(st.evicted_groups, 2u);
  EXPECT_EQ(st.groups, 2u);
}

TEST(NewTerms, AReloadOfTheSameRuleKeepsItsHistory) {
  Loaded old_set = Load(NewSource());
  ASSERT_TRUE(old_set.ok()) << old_set.Text();
  EXPECT_EQ(Fired(old_set, {Login(seconds(0), "alice", "192.0.2.1")}).size(), 1u);
  Loaded next = Load(NewSource());
  ASSERT_TRUE(next.ok());
  std::vector<Alert> out;
  EXPECT_EQ(next.set->AdoptState(*old_set.set, out), 1u);
  EXPECT_TRUE(Fired(next, {Login(seconds(1), "alice", "192.0.2.1")}).empty());
}

TEST(NewTerms, LoadErrorsAreLocated) {
  auto codes = [](const std::string& correlate) {
    return Load("- rule: r\n  name: R\n  severity: low\n  condition: event.dataset = access.sshd\n  correlate: " +
                correlate + "\n")
        .Codes();
  };
  EXPECT_THAT(codes("{type: new_terms, group_by: [user.name], timespan: 30d}"), ElementsAre("5:14 E224"));
  EXPECT_THAT(codes("{type: new_terms, field: source.ip, timespan: 30d, condition: {gte: 1}}"),
              ElementsAre("5:76 E223"));
  EXPECT_THAT(codes("{type: new_terms, field: source.ip, timespan: 400d}"), ElementsAre("5:60 E222"));
  EXPECT_TRUE(codes("{type: new_terms, field: source.ip, timespan: 90d}").empty());
  EXPECT_THAT(codes("{type: event_count, timespan: 90d, condition: {gte: 2}}"), ElementsAre("5:44 E222"));
  EXPECT_THAT(codes("{type: new_terms, field: source.ip, timespan: 7d, learning: 8d}"), ElementsAre("5:74 E228"));
  EXPECT_THAT(codes("{type: new_terms, field: source.ip, timespan: 7d, learning: soon}"), ElementsAre("5:74 E228"));
  EXPECT_THAT(codes("{type: event_count, timespan: 60s, condition: {gte: 2}, learning: 1d}"),
              ElementsAre("5:80 E228"));
  Loaded unknown = Load(
      "- rule: r\n  name: R\n  severity: low\n  condition: event.dataset = x\n  correlate: {type: fresh, "
      "timespan: 1d}\n");
  EXPECT_THAT(unknown.Text(), HasSubstr("new_terms"));
}

// --- history across restarts ---------------------------------------------------------------

class TermHistory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("vigil-terms-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "rule_history.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<TermHistoryStore> Open() {
    auto s = TermHistoryStore::Open(path_);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(TermHistory, ARestartRemembersValuesAndTheEndOfLearning) {
  {
    Loaded l = Load(NewSource(", learning: 1d"));
    ASSERT_TRUE(l.ok()) << l.Text();
    auto store = Open();
    ASSERT_TRUE(store);
    auto load = store->Load(*l.set);
    ASSERT_TRUE(load.ok());
    EXPECT_EQ(load->rules, 0u);
    EXPECT_TRUE(Fired(l, {Login(seconds(0), "alice", "192.0.2.1"), Login(seconds(1), "bob", "192.0.2.2")}).empty());
    auto saved = store->Save(*l.set);
    ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    EXPECT_EQ(*saved, 1u);
    auto again = store->Save(*l.set);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, 0u);  // nothing changed
  }
  Loaded l = Load(NewSource(", learning: 1d"));
  ASSERT_TRUE(l.ok());
  auto store = Open();
  ASSERT_TRUE(store);
  auto load = store->Load(*l.set);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  EXPECT_EQ(load->rules, 1u);
  EXPECT_EQ(load->values, 2u);
  EXPECT_EQ(load->skipped, 0u);
  // Learning ended one day after the first event ever seen, not one day after the restart.
  auto fired = Fired(l, {Login(kDay, "alice", "192.0.2.1"), Login(kDay + seconds(1), "bob", "192.0.2.9"),
                         Login(kDay + seconds(2), "bob", "192.0.2.2")});
  EXPECT_THAT(fired, ElementsAre("bob from 192.0.2.9"));
}

TEST_F(TermHistory, AChangedOrRemovedRuleStartsEmptyAndItsHistoryIsDeleted) {
  {
    Loaded l = Load(NewSource());
    auto store = Open();
    ASSERT_TRUE(store && store->Load(*l.set).ok());
    Fired(l, {Login(seconds(0), "alice", "192.0.2.1")});
    ASSERT_TRUE(store->Save(*l.set).ok());
  }
  // The same id, but grouped by something else: the saved values meant something else.
  const std::string changed = R"(
- rule: new.source
  name: First login from a new source
  severity: medium
  condition: event.dataset = access.sshd and event.outcome = success
  output: "{user.name} from {source.ip}"
  correlate: {type: new_terms, field: source.ip, timespan: 30d}
)";
  Loaded l = Load(changed);
  ASSERT_TRUE(l.ok()) << l.Text();
  auto store = Open();
  auto load = store->Load(*l.set);
  ASSERT_TRUE(load.ok());
  EXPECT_EQ(load->rules, 0u);
  EXPECT_EQ(load->stale_rules, 1u);
  EXPECT_EQ(Fired(l, {Login(seconds(5), "alice", "192.0.2.1")}).size(), 1u);
  ASSERT_TRUE(store->Save(*l.set).ok());
  auto db = sqlite::Database::Open(path_, sqlite::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto rows = db->Prepare("SELECT count(*) FROM terms WHERE group_key <> ''");
  ASSERT_TRUE(rows.ok());
  ASSERT_TRUE(*rows->Step());
  EXPECT_EQ(rows->Int(0), 0);  // the old user-grouped rows are gone; the new rule has no group
}

TEST_F(TermHistory, UnreadableOrForgottenRowsAreSkippedAndCounted) {
  {
    Loaded l = Load(NewSource());
    auto store = Open();
    ASSERT_TRUE(store && store->Load(*l.set).ok());
    Fired(l, {Login(seconds(0), "alice", "192.0.2.1"), Login(40 * kDay, "bob", "192.0.2.2")});
    ASSERT_TRUE(store->Save(*l.set).ok());
  }
  {
    auto db = sqlite::Database::Open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("INSERT INTO terms SELECT rule_id, group_key, '{not json', '10.0.0.3', last_seen_ns FROM terms "
                         "WHERE value = '192.0.2.2' AND group_values LIKE '[[%';"
                         "INSERT INTO terms SELECT rule_id, group_key, '[[\"host.name\",\"x\"]]', '10.0.0.1', "
                         "last_seen_ns FROM terms WHERE value = '192.0.2.2' AND group_values LIKE '[[%';"
                         "INSERT INTO terms SELECT rule_id, group_key, group_values, '10.0.0.2', last_seen_ns + "
                         "3600000000000 FROM terms WHERE value = '192.0.2.2' AND group_values LIKE '[[%';")
                    .ok());
  }
  Loaded l = Load(NewSource());
  auto store = Open();
  auto load = store->Load(*l.set);
  ASSERT_TRUE(load.ok()) << load.status().ToString();
  // alice's value was already forgotten at the save (40 days later) and not written; of
  // the rest: bob's value restored; bad JSON, a wrong group field and a future time skipped.
  EXPECT_EQ(load->values, 1u);
  EXPECT_EQ(load->skipped, 3u);
  EXPECT_TRUE(Fired(l, {Login(40 * kDay + seconds(1), "bob", "192.0.2.2")}).empty());
}

// Every saved value of the database at `path`, as "rule|group|value|last_seen", sorted.
std::vector<std::string> SavedRows(const std::string& path) {
  std::vector<std::string> rows;
  auto db = sqlite::Database::Open(path);
  EXPECT_TRUE(db.ok());
  if (!db.ok()) return rows;
  auto q = db->Prepare("SELECT rule_id, group_key, value, last_seen_ns FROM terms");
  EXPECT_TRUE(q.ok());
  if (!q.ok()) return rows;
  EXPECT_TRUE(q->ForEachRow([&] {
                 rows.push_back(q->Text(0) + "|" + q->Text(1) + "|" + q->Text(2) + "|" + std::to_string(q->Int(3)));
               }).ok());
  std::sort(rows.begin(), rows.end());
  return rows;
}

// A stream that exercises every way a value enters or leaves a history: new values, known
// ones seen again, the per-group and group caps, values and whole groups that the 30-day
// timespan forgets (jumps of up to 40 days), and late events.
std::vector<Event> ChurningLogins(size_t n, uint32_t seed, nanoseconds from = nanoseconds{0}) {
  std::vector<Event> out;
  nanoseconds at = from;
  uint32_t x = seed;
  auto next = [&x] { return (x = x * 1664525u + 1013904223u) >> 8; };
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = next();
    if (r % 97 == 0) {
      at += (r % 41) * kDay;
    } else {
      at += seconds(r % 7200);
    }
    const nanoseconds t = r % 53 == 0 ? at - 45 * kDay : at;  // now and then a late one
    const std::string user = "u" + std::to_string(next() % 9);
    out.push_back(Login(t, user, "198.51.100." + std::to_string(next() % 13)));
  }
  return out;
}

TEST_F(TermHistory, SavesOfWhatChangedHoldWhatOneFullSaveHolds) {
  RuleOptions opts;
  opts.max_window_entries = 4;
  opts.max_groups = 5;
  const std::string full_path = (dir_ / "full.db").string();
  const std::vector<Event> events = ChurningLogins(3000, 7);
  Loaded l = Load(NewSource(), opts);
  ASSERT_TRUE(l.ok()) << l.Text();
  auto store = Open();
  ASSERT_TRUE(store && store->Load(*l.set).ok());
  for (size_t i = 0; i < events.size(); ++i) {
    Fired(l, {events[i]});
    if (i % 37 == 36 || i + 1 == events.size()) {
      auto saved = store->Save(*l.set);
      ASSERT_TRUE(saved.ok()) << saved.status().ToString();
    }
    if (i % 500 == 499) {
      ASSERT_TRUE(store->Save(*l.set).ok());  // catch up with the events since the last save
      // The same state, written whole by a store that never saw it (a second store of one
      // rule set, only right after the first one saved: the journal is the rule set's).
      std::filesystem::remove(full_path);
      auto full = TermHistoryStore::Open(full_path);
      ASSERT_TRUE(full.ok());
      ASSERT_TRUE((*full)->Save(*l.set).ok());
      const auto rows = SavedRows(path_);
      EXPECT_FALSE(rows.empty());
      EXPECT_EQ(rows, SavedRows(full_path)) << "after event " << i;
    }
  }
  // And a restart from the incremental saves behaves as the state never stopped.
  Loaded restarted = Load(NewSource(), opts);
  ASSERT_TRUE(restarted.ok());
  auto again = Open();
  ASSERT_TRUE(again && again->Load(*restarted.set).ok());
  const std::vector<Event> later = ChurningLogins(400, 11, events.back().time() - kT0);
  const auto fired = Fired(l, later);
  EXPECT_FALSE(fired.empty());
  EXPECT_EQ(Fired(restarted, later), fired);
}

TEST_F(TermHistory, MoreChangesThanTheJournalHoldsAreSavedWhole) {
  RuleOptions opts;
  opts.max_window_entries = 2;
  Loaded l = Load(NewSource(), opts);
  ASSERT_TRUE(l.ok());
  auto store = Open();
  ASSERT_TRUE(store && store->Load(*l.set).ok());
  Fired(l, {Login(seconds(0), "alice", "192.0.2.1")});
  ASSERT_TRUE(store->Save(*l.set).ok());
  // Past the journal's limit: every value is new and evicts one, in one save interval.
  std::vector<Event> flood;
  for (size_t i = 0; i < CorrelationWindows::kJournalLimit / 2 + 10; ++i) {
    flood.push_back(Login(seconds(1 + i), "alice", "10." + std::to_string(i >> 16) + "." +
                                                         std::to_string((i >> 8) & 255) + "." + std::to_string(i & 255)));
  }
  Fired(l, flood);
  ASSERT_TRUE(store->Save(*l.set).ok());
  const std::string full_path = (dir_ / "full.db").string();
  auto full = TermHistoryStore::Open(full_path);
  ASSERT_TRUE(full.ok());
  ASSERT_TRUE((*full)->Save(*l.set).ok());
  const auto rows = SavedRows(path_);
  EXPECT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows, SavedRows(full_path));
}

TEST_F(TermHistory, ADatabaseFromANewerVigilIsRefused) {
  {
    auto db = sqlite::Database::Open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE(db->Exec("PRAGMA user_version = 99").ok());
  }
  auto store = TermHistoryStore::Open(path_);
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace vigil::rules::testing
