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
  a.rule_id = rule;
  a.rule_name = "Rule " + rule;
  a.severity = AlertSeverity::kHigh;
  a.timestamp = t;
  a.output = "failed login for " + user;
  a.controls = {{"pci_dss_4", {"10.2.1.4"}}};
  a.event.Set(ecs::kTimestamp, t);
  a.event.Set(ecs::kEventDataset, std::string("access.sshd"));
  a.event.Set(ecs::kUserName, user);
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

TEST_F(AlertRouterTest, SuppressionSummaryIsMergedIntoItsOpener) {
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  Alert opener = MakeAlert("brute", T(100), "alice");
  opener.suppression_key = "user.name=alice";
  Alert other = MakeAlert("brute", T(101), "bob");
  other.suppression_key = "user.name=bob";
  Alert summary = MakeAlert("brute", T(160), "alice");
  summary.suppression_key = "user.name=alice";
  summary.suppression_opened = T(100);
  summary.suppressed_count = 4;
  summary.suppressed_first = T(110);
  summary.suppressed_last = T(150);
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
  summary.suppression_key = "user.name=alice";
  summary.suppression_opened = T(100);  // no alert opened at that time
  summary.suppressed_count = 4;
  summary.suppressed_first = T(110);
  summary.suppressed_last = T(150);
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
  Delivered out;
  auto router = Open(out);
  ASSERT_NE(router, nullptr);
  for (int i = 0; i < 3; ++i) router->Submit(MakeAlert("r", T(10 + i), "u"));
  router->Stop();
  ASSERT_EQ(out.items.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(out.items[i].first, static_cast<uint64_t>(6 + i));
  auto v = Verify();
  EXPECT_TRUE(v.ok) << v.problem;
  // The first run signs at its first batch (no checkpoint yet); its Stop has nothing new to
  // sign. The second reads the last checkpoint's time back, so within the interval only its
  // Stop signs.
  EXPECT_EQ(v.checkpoints, 2u);
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

}  // namespace
}  // namespace vigil
