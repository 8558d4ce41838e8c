// Tests for daemon/src/alert_router.{h,cc}: alerts submitted to an AlertRouter on a
// temporary state directory are delivered with ids 1..N in order once durable, are in the
// store and the audit log (which verifies, anchored by the store's head and the exported
// checkpoint); a suppression summary is merged into the alert that opened its window; Stop
// signs a final checkpoint; a reopened router continues the ids and first applies what
// another writer appended; a store ahead of its log is refused.
#include "alert_router.h"

#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/audit_record.h"
#include "audit/audit_verifier.h"
#include "store/alert_store.h"
#include "store/run_records.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"

namespace vigil {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using vigil::testing::ReadFile;
using vigil::testing::TempDir;

Timestamp T(int64_t s) { return Timestamp(seconds(1'795'000'000 + s)); }

Alert MakeAlert(const std::string& rule, Timestamp t, const std::string& user) {
  Alert a;
  a.rule = std::make_shared<const RuleMeta>(
      RuleMeta{rule, "Rule " + rule, "", AlertSeverity::kHigh, {}, {{"pci_dss_4", {"10.2.1.4"}}}});
  a.timestamp = t;
  a.rendered_output = "failed login for " + user;
  Event e;
  e.Set(ecs::kTimestamp, t);
  e.Set(ecs::kEventDataset, std::string("access.sshd"));
  e.Set(ecs::kUserName, user);
  a.event = std::make_shared<const Event>(std::move(e));
  return a;
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

struct Delivered {
  std::mutex mu;
  std::vector<std::pair<uint64_t, std::string>> items;
};

// The state directory's layout (router_setup.h, in vigil_cli): store, log beside it, key.
std::string StorePath(const std::string& dir) { return dir + "/vigil.db"; }
std::string AuditLogPath(const std::string& dir) { return dir + "/vigil.audit.log"; }
std::string AuditKeyPath(const std::string& dir) { return dir + "/audit.key"; }

class AlertRouterTest : public ::testing::Test {
 protected:
  RouterOptions Options() const {
    RouterOptions o;
    o.store_path = StorePath(dir_.path());
    o.audit.path = AuditLogPath(dir_.path());
    o.audit.key_path = AuditKeyPath(dir_.path());
    o.audit.origin = "test-host/vigil/audit";
    o.audit.checkpoint_every = 1000;
    o.audit.checkpoint_interval = seconds(3600);
    o.audit.sync = true;
    o.host_name = "test-host";
    o.batch = 7;  // several batches for a few dozen alerts
    return o;
  }

  std::unique_ptr<AlertRouter> Open(Delivered& out) {
    auto r = AlertRouter::Open(Options(), [&out](uint64_t id, const Alert&, const std::string& j) {
      std::lock_guard lock(out.mu);
      out.items.emplace_back(id, j);
    });
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::move(*r) : nullptr;
  }

  audit::VerifyResult Verify() {
    audit::VerifyOptions o;
    o.log_path = AuditLogPath(dir_.path());
    auto key = audit::NoteVerifier::Parse(ReadFile(AuditKeyPath(dir_.path()) + ".pub"));
    EXPECT_TRUE(key.ok());
    o.key = *key;
    o.checkpoint_path = o.log_path + ".checkpoint";
    auto store = store::AlertStore::Open(StorePath(dir_.path()), sqlite::kReadOnly);
    EXPECT_TRUE(store.ok());
    auto head = (*store)->Head();
    EXPECT_TRUE(head.ok() && head->has_value());
    o.head_seq = (*head)->seq;
    o.head_hash = (*head)->hash;
    return audit::VerifyAuditLog(o);
  }

  std::unique_ptr<store::AlertStore> Store() {
    auto s = store::AlertStore::Open(StorePath(dir_.path()));
    EXPECT_TRUE(s.ok()) << s.status().message();
    return std::move(*s);
  }

  TempDir dir_;
};

TEST_F(AlertRouterTest, DeliversIdsInOrderStoresAndSigns) {
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  constexpr int kN = 25;
  for (int i = 0; i < kN; ++i) router->Submit(MakeAlert("r" + std::to_string(i % 3), T(i), "u" + std::to_string(i)));
  router->Stop();
  ASSERT_EQ(out.items.size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) {
    EXPECT_EQ(out.items[i].first, static_cast<uint64_t>(i + 1));
    json j = json::parse(out.items[i].second);
    EXPECT_EQ(j["vigil"]["alert"]["id"], i + 1);
    EXPECT_EQ(j["rule"]["id"], "r" + std::to_string(i % 3));
    EXPECT_EQ(out.items[i].second.rfind("{\"@timestamp\":", 0), 0u) << "@timestamp stays first";
  }
  EXPECT_EQ(router->persisted(), static_cast<uint64_t>(kN));
  auto s = Store();
  store::AlertFilter f;
  f.limit = 1000;
  auto all = s->List(f);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) {
    EXPECT_EQ((*all)[i].id, i + 1);
    EXPECT_EQ((*all)[i].host, "test-host");
    EXPECT_EQ((*all)[i].event_time, T(i));
  }
  // Stop signed a final checkpoint over everything before it.
  const auto lines = ReadLines(AuditLogPath(dir_.path()));
  ASSERT_EQ(lines.size(), static_cast<size_t>(kN) + 2) << "25 alerts, the first batch's checkpoint, the final one";
  auto last = audit::ParseRecord(lines.back());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->type, "checkpoint");
  EXPECT_EQ(last->data["tree_size"], lines.size() - 1);
  auto v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.records, lines.size());
  EXPECT_EQ(v.signed_records, lines.size() - 1);
  router.reset();  // a second Stop (from the destructor) is harmless
}

// An alert raised for a line of a file: the fields AlertSourceKey reads.
Alert LineAlert(const std::string& rule, int64_t offset, const std::string& text) {
  Alert a = MakeAlert(rule, T(offset), "u" + std::to_string(offset));
  Event e = *a.event;
  e.Set(ecs::kObserverName, std::string("auth"));
  e.Set(ecs::kLogFilePath, std::string("/var/log/auth.log"));
  e.Set(ecs::kLogOffset, offset);
  e.Set(ecs::kEventOriginal, text);
  a.event = std::make_shared<const Event>(std::move(e));
  return a;
}

TEST_F(AlertRouterTest, BarrierCompletesOnceTheAlertsBeforeItAreStored) {
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  std::mutex mu;
  std::vector<std::pair<int, size_t>> fired;  // barrier, alerts in the store then
  for (int b = 0; b < 3; ++b) {
    for (int i = 0; i < 10; ++i) router->Submit(MakeAlert("r", T(b * 10 + i), "u"));
    router->Barrier([&, b] {
      auto s = store::AlertStore::Open(StorePath(dir_.path()), sqlite::kReadOnly);
      ASSERT_TRUE(s.ok());
      store::AlertFilter f;
      f.limit = 1000;
      auto all = (*s)->List(f);
      ASSERT_TRUE(all.ok());
      std::lock_guard lock(mu);
      fired.emplace_back(b, all->size());
    });
  }
  router->Stop();
  std::lock_guard lock(mu);
  ASSERT_EQ(fired.size(), 3u);
  for (int b = 0; b < 3; ++b) {
    EXPECT_EQ(fired[b].first, b) << "in order";
    EXPECT_GE(fired[b].second, static_cast<size_t>(10 * (b + 1))) << "barrier " << b;
  }
}

TEST_F(AlertRouterTest, ALineReadAgainRaisesNoSecondAlert) {
  {
    Delivered out;
    auto router = Open(out);
    ASSERT_NE(router, nullptr);
    router->Submit(LineAlert("r", 0, "line zero"));
    router->Submit(LineAlert("r", 10, "line ten"));
    router->Submit(LineAlert("other", 10, "line ten"));  // another rule: its own alert
    router->Stop();
    EXPECT_EQ(out.items.size(), 3u);
  }
  // After a crash the lines from offset 10 are read again; offset 20 is new.
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  router->Submit(LineAlert("r", 10, "line ten"));
  router->Submit(LineAlert("other", 10, "line ten"));
  router->Submit(LineAlert("r", 20, "line twenty"));
  router->Submit(LineAlert("r", 10, "another file's line ten"));  // same offset, other text
  router->Stop();
  ASSERT_EQ(out.items.size(), 2u) << "only the new lines are delivered";
  EXPECT_EQ(json::parse(out.items[0].second)["event"]["original"], "line twenty");
  EXPECT_EQ(json::parse(out.items[1].second)["event"]["original"], "another file's line ten");
  EXPECT_EQ(router->persisted(), 2u);
  auto s = Store();
  store::AlertFilter f;
  f.limit = 100;
  auto all = s->List(f);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
  auto v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
}

TEST_F(AlertRouterTest, SuppressionSummaryIsMergedIntoItsOpener) {
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  Alert opener = MakeAlert("brute", T(100), "alice");
  opener.suppression = SuppressionInfo{.key = "user.name=alice"};
  Alert other = MakeAlert("brute", T(101), "bob");
  other.suppression = SuppressionInfo{.key = "user.name=bob"};
  Alert summary = MakeAlert("brute", T(160), "alice");
  summary.suppression = SuppressionInfo{.count = 4, .first = T(110), .last = T(150), .key = "user.name=alice",
                                        .opened = T(100)};
  Alert after = MakeAlert("brute", T(170), "carol");
  router->Submit(opener);
  router->Submit(other);
  router->Submit(summary);
  router->Submit(after);
  router->Stop();
  ASSERT_EQ(out.items.size(), 4u);
  EXPECT_EQ(out.items[0].first, 1u);
  EXPECT_EQ(out.items[1].first, 2u);
  EXPECT_EQ(out.items[2].first, 1u) << "the summary carries its opener's id";
  EXPECT_EQ(json::parse(out.items[2].second)["vigil"]["alert"]["id"], 1);
  EXPECT_EQ(out.items[3].first, 3u) << "no id was used up by the merge";
  auto s = Store();
  auto a = s->Get(1);
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->count, 5u);
  EXPECT_EQ((*a)->last, T(150));
  auto b = s->Get(2);
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_EQ((*b)->count, 1u);
  EXPECT_EQ(*s->MaxAlertId(), 3);
  auto tr = s->Transitions(1);
  ASSERT_TRUE(tr.ok());
  ASSERT_EQ(tr->size(), 2u);
  EXPECT_EQ((*tr)[1].action, "merged");
  bool suppressed_record = false;
  for (const auto& l : ReadLines(AuditLogPath(dir_.path()))) suppressed_record |= audit::ParseRecord(l)->type == "suppressed";
  EXPECT_TRUE(suppressed_record);
  EXPECT_TRUE(Verify().ok);
}

TEST_F(AlertRouterTest, SummaryWithoutOpenerIsStoredAsItsOwnAlert) {
  Delivered out;
  auto router = Open(out);
  Alert summary = MakeAlert("brute", T(160), "alice");
  summary.suppression = SuppressionInfo{.count = 4, .first = T(110), .last = T(150), .key = "user.name=alice",
                                        .opened = T(100)};  // no alert opened at that time
  router->Submit(summary);
  router->Stop();
  ASSERT_EQ(out.items.size(), 1u);
  EXPECT_EQ(out.items[0].first, 1u);
  auto a = Store()->Get(1);
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->count, 4u);
  EXPECT_EQ((*a)->first, T(110));
  EXPECT_EQ((*a)->last, T(150));
}

TEST_F(AlertRouterTest, ReopenContinuesIds) {
  {
    Delivered out;
    auto router = Open(out);
    for (int i = 0; i < 5; ++i) router->Submit(MakeAlert("r", T(i), "u"));
    router->Stop();
    ASSERT_EQ(out.items.size(), 5u);
  }
  // The first run signs at its first batch (no checkpoint yet), and again at its Stop when
  // that batch did not hold all five alerts: 1 or 2 checkpoints, as the router's thread batched.
  const uint64_t first_run = Verify().checkpoints;
  ASSERT_GE(first_run, 1u);
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  for (int i = 0; i < 3; ++i) router->Submit(MakeAlert("r", T(10 + i), "u"));
  router->Stop();
  ASSERT_EQ(out.items.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out.items[i].first, static_cast<uint64_t>(6 + i));
  auto v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  // The second run reads the last checkpoint's time back, so within the interval only its
  // Stop signs, however it batched.
  EXPECT_EQ(v.checkpoints, first_run + 1);
}

TEST_F(AlertRouterTest, OpenAppliesWhatAnotherWriterAppended) {
  {
    Delivered out;
    auto router = Open(out);
    for (int i = 0; i < 3; ++i) router->Submit(MakeAlert("r", T(i), "u"));
    router->Stop();
  }
  // `vigil alerts ack 2` and a raised alert written to the log by another process that died
  // before updating the store.
  {
    auto log = audit::AuditLog::Open(Options().audit);
    ASSERT_TRUE(log.ok()) << log.status().message();
    ASSERT_TRUE((*log)->Lock().ok());
    auto tr = store::TransitionRecordData(2, "ack", "alice", store::AlertStatus::kOpen,
                                          store::AlertStatus::kAcknowledged, json::object());
    ASSERT_TRUE((*log)->Append("transition", tr.dump(), T(500)).ok());
    Alert a = MakeAlert("r", T(4), "u");
    ASSERT_TRUE((*log)->Append("alert", store::AlertRecordData(4, a, AlertToJson(a), "other", T(501)).dump(), T(501)).ok());
    ASSERT_TRUE((*log)->Commit(T(502)).ok());
  }
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  router->Submit(MakeAlert("r", T(9), "u"));
  router->Stop();
  ASSERT_EQ(out.items.size(), 1u);
  EXPECT_EQ(out.items[0].first, 5u);
  auto s = Store();
  auto two = s->Get(2);
  ASSERT_TRUE(two.ok() && two->has_value());
  EXPECT_EQ((*two)->status, store::AlertStatus::kAcknowledged);
  auto four = s->Get(4);
  ASSERT_TRUE(four.ok() && four->has_value());
  EXPECT_EQ((*four)->host, "other");
  EXPECT_TRUE(Verify().ok);
}

TEST_F(AlertRouterTest, StoreAheadOfItsLogIsRefused) {
  {
    Delivered out;
    auto router = Open(out);
    for (int i = 0; i < 4; ++i) router->Submit(MakeAlert("r", T(i), "u"));
    router->Stop();
  }
  auto lines = ReadLines(AuditLogPath(dir_.path()));
  lines.resize(2);
  {
    std::ofstream o(AuditLogPath(dir_.path()), std::ios::binary | std::ios::trunc);
    for (const auto& l : lines) o << l << '\n';
  }
  auto r = AlertRouter::Open(Options(), [](uint64_t, const Alert&, const std::string&) {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos) << r.status().message();
}

TEST_F(AlertRouterTest, StopWithNothingSubmittedWritesNoCheckpoint) {
  Delivered out;
  auto router = Open(out);
  router->Stop();
  EXPECT_TRUE(out.items.empty());
  EXPECT_TRUE(ReadLines(AuditLogPath(dir_.path())).empty());
}

// Run records (store/run_records.h): a run's start, ruleset, coverage and clean stop go
// through the log into the runs, rulesets, ruleset_rules, ruleset_controls and coverage
// tables, after the alerts submitted before them; the log still verifies.
TEST_F(AlertRouterTest, RunRecordsAreProjectedIntoTheStore) {
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  store::RunStart start{"daemon", "test-host", "1.2.3", 4242, T(0)};
  router->RecordRun("run_start", store::RunStartData(start));
  store::RulesetSnapshot rs;
  rs.at = T(0);
  rs.rules_sha256 = std::string(64, 'a');
  rs.policies_sha256 = std::string(64, 'b');
  rs.config_sha256 = std::string(64, 'c');
  rs.rules.push_back({"r1", "Rule one", AlertSeverity::kHigh, {"access.sshd", "network.*"},
                      {{"pci_dss_4", {"10.2.1.4", "8.3.4"}}, {"soc2", {"CC6.1"}}}});
  rs.rules.push_back({"r2", "Rule two", AlertSeverity::kLow, {}, {}});
  router->RecordRun("ruleset", store::RulesetData(rs));
  router->Submit(MakeAlert("r1", T(5), "alice"));
  store::CoverageSample net{"net", "network", true, 100, 2, 3, 0, 7};
  store::CoverageSample auth{"auth", "auth_log", false, 50, 0, 1, 1, 0};
  router->RecordRun("coverage", store::CoverageData(T(60), {net, auth}));
  router->RecordRun("coverage", store::CoverageData(T(120), {net, auth}));
  router->RecordRun("run_stop", store::RunStopData(T(130)));
  router->Stop();
  ASSERT_EQ(out.items.size(), 1u);

  auto s = Store();
  auto runs = s->Runs();
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  ASSERT_EQ(runs->size(), 1u);
  const store::StoredRun& run = (*runs)[0];
  EXPECT_EQ(run.mode, "daemon");
  EXPECT_EQ(run.host, "test-host");
  EXPECT_EQ(run.version, "1.2.3");
  EXPECT_EQ(run.started, T(0));
  EXPECT_EQ(run.last_seen, T(130));
  ASSERT_TRUE(run.stopped.has_value());
  EXPECT_EQ(*run.stopped, T(130));

  auto rules = s->db().Prepare(
      "SELECT r.rule_id, r.severity, r.datasets, s.rules_sha256, s.run_id FROM ruleset_rules r "
      "JOIN rulesets s ON s.audit_seq = r.ruleset_seq ORDER BY r.rule_id");
  ASSERT_TRUE(rules.ok());
  ASSERT_TRUE(*rules->Step());
  EXPECT_EQ(rules->Text(0), "r1");
  EXPECT_EQ(rules->Int(1), static_cast<int64_t>(AlertSeverity::kHigh));
  EXPECT_EQ(rules->Text(2), "access.sshd,network.*");
  EXPECT_EQ(rules->Text(3), std::string(64, 'a'));
  EXPECT_EQ(rules->Int(4), run.id);
  ASSERT_TRUE(*rules->Step());
  EXPECT_EQ(rules->Text(0), "r2");
  EXPECT_EQ(rules->Text(2), "") << "no dataset constraint: any";
  EXPECT_FALSE(*rules->Step());

  auto controls = s->db().Prepare(
      "SELECT framework || ':' || control FROM ruleset_controls WHERE rule_id = 'r1' ORDER BY 1");
  ASSERT_TRUE(controls.ok());
  std::vector<std::string> got;
  while (*controls->Step()) got.push_back(controls->Text(0));
  EXPECT_EQ(got, (std::vector<std::string>{"pci_dss_4:10.2.1.4", "pci_dss_4:8.3.4", "soc2:CC6.1"}));

  auto cov = s->db().Prepare(
      "SELECT collector, type, up, events, dropped, skipped, errors, gaps, run_id FROM coverage "
      "WHERE at_ns = (SELECT max(at_ns) FROM coverage) ORDER BY collector");
  ASSERT_TRUE(cov.ok());
  ASSERT_TRUE(*cov->Step());
  EXPECT_EQ(cov->Text(0), "auth");
  EXPECT_EQ(cov->Text(1), "auth_log");
  EXPECT_EQ(cov->Int(2), 0);
  EXPECT_EQ(cov->Int(6), 1);
  ASSERT_TRUE(*cov->Step());
  EXPECT_EQ(cov->Text(0), "net");
  EXPECT_EQ(cov->Int(2), 1);
  EXPECT_EQ(cov->Int(3), 100);
  EXPECT_EQ(cov->Int(4), 2);
  EXPECT_EQ(cov->Int(5), 3);
  EXPECT_EQ(cov->Int(7), 7);
  EXPECT_EQ(cov->Int(8), run.id);
  EXPECT_FALSE(*cov->Step());

  // The run records come after the alert submitted before them.
  auto lines = ReadLines(AuditLogPath(dir_.path()));
  std::vector<std::string> types;
  for (const std::string& l : lines) {
    auto r = audit::ParseRecord(l);
    ASSERT_TRUE(r.ok());
    if (r->type != "checkpoint") types.push_back(r->type);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"run_start", "ruleset", "alert", "coverage", "coverage", "run_stop"}));
  EXPECT_TRUE(Verify().ok) << Verify().problem;
}

// A run that ends without run_stop (kill -9) stays open in the store: a report counts it as
// covered only up to its last record. The next run is a run of its own.
TEST_F(AlertRouterTest, ACrashedRunHasNoStopAndTheNextRunIsSeparate) {
  {
    Delivered out;
    auto router = Open(out);
    ASSERT_NE(router, nullptr);
    router->RecordRun("run_start", store::RunStartData({"daemon", "h", "v", 1, T(0)}));
    router->RecordRun("coverage", store::CoverageData(T(60), {}));
    router->Stop();  // no run_stop: as if killed
  }
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  router->RecordRun("run_start", store::RunStartData({"daemon", "h", "v", 2, T(600)}));
  router->RecordRun("run_stop", store::RunStopData(T(700)));
  router->Stop();
  auto runs = Store()->Runs();
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_FALSE((*runs)[0].stopped.has_value());
  EXPECT_EQ((*runs)[0].last_seen, T(60));
  ASSERT_TRUE((*runs)[1].stopped.has_value());
  EXPECT_EQ((*runs)[1].started, T(600));
  EXPECT_NE((*runs)[0].id, (*runs)[1].id);
}

// A coverage record with no run before it is refused (counted as a store error), not
// projected under a made-up run; alerts keep flowing.
TEST_F(AlertRouterTest, RunRecordBeforeRunStartIsRefused) {
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  router->RecordRun("coverage", store::CoverageData(T(60), {}));
  router->Submit(MakeAlert("r1", T(1), "bob"));
  router->Stop();
  EXPECT_EQ(out.items.size(), 1u);
  auto runs = Store()->Runs();
  ASSERT_TRUE(runs.ok());
  EXPECT_TRUE(runs->empty());
  EXPECT_TRUE(Verify().ok);
}

// Hostile run records written into the log by hand (another writer, damage) fail to apply
// with a located error naming the record, instead of crashing or inventing rows.
TEST(RunRecordProjection, MalformedRecordsGiveLocatedErrors) {
  TempDir dir;
  auto s = store::AlertStore::Open(dir.path() + "/vigil.db");
  ASSERT_TRUE(s.ok());
  auto apply = [&](uint64_t seq, const std::string& type, json data) {
    audit::Record r{seq, {}, T(0), type, std::move(data)};
    return (*s)->Apply(r, std::string(64, '0'), seq * 100);
  };
  EXPECT_TRUE(apply(1, "run_start", {{"mode", "daemon"}, {"started", "2026-01-01T00:00:00Z"}}).ok());
  Status st = apply(2, "coverage", {{"run", 99}, {"at", "2026-01-01T00:01:00Z"}, {"collectors", json::array()}});
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("audit record 2 (coverage)"), std::string::npos) << st.message();
  EXPECT_FALSE(apply(3, "ruleset", {{"run", 1}, {"at", "nonsense"}, {"rules", json::array()}}).ok());
  EXPECT_FALSE(apply(4, "ruleset", {{"run", 1}, {"at", "2026-01-01T00:01:00Z"}}).ok());
  EXPECT_FALSE(apply(5, "run_stop", {{"run", "one"}, {"stopped", "2026-01-01T00:01:00Z"}}).ok());
  EXPECT_FALSE(apply(6, "run_start", {{"started", 5}}).ok());
  EXPECT_FALSE(apply(7, "coverage", {{"run", 1}, {"at", "2026-01-01T00:01:00Z"},
                                     {"collectors", json::array({json{{"up", true}}})}}).ok());
}

}  // namespace
}  // namespace vigil
