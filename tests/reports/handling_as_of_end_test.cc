// Handling as of the period end (docs/reports.md "Alerts and handling"): a report's statuses,
// handling times, accepted risks and finding histories count only the transitions recorded
// before the period end, so a report for a past period does not change when someone
// acknowledges or resolves an alert later. The store is filled through the audit log with
// chosen times (creation, acknowledgement, resolution), so every duration is exact.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "event_json.h"
#include "store/alert_store.h"
#include "store/reconcile.h"
#include "support/test_support.h"
#include "vigil/ecs_fields.h"
#include "vigil/report/report_builder.h"
#include "vigil/report/report_writer.h"
#include "vigil/report/store_facts.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

using nlohmann::json;
using store::AlertStatus;
using testing::TempDir;

Timestamp At(const char* text) { return *ParseRfc3339(text); }

class HandlingAsOfEnd : public ::testing::Test {
 protected:
  void SetUp() override {
    audit::AuditLogOptions o;
    o.path = dir_.File("audit.log");
    o.key_path = dir_.File("audit.key");
    o.origin = "test-host/vigil/audit";
    o.checkpoint_every = 0;
    o.checkpoint_interval = std::chrono::seconds(0);
    o.sync = false;
    auto log = audit::AuditLog::Open(o);
    ASSERT_TRUE(log.ok()) << log.status().message();
    log_ = std::move(*log);
    auto st = store::AlertStore::Open(dir_.File("vigil.db"));
    ASSERT_TRUE(st.ok()) << st.status().message();
    store_ = std::move(*st);
  }

  void Write(std::string_view type, const json& data, Timestamp time) {
    ASSERT_TRUE(log_->Lock().ok());
    auto r = log_->Append(type, data.dump(), time);
    ASSERT_TRUE(r.ok()) << r.status().message();
    ASSERT_TRUE(log_->Commit(time).ok());
    auto n = store::ReconcileStore(*store_, dir_.File("audit.log"));
    ASSERT_TRUE(n.ok()) << n.status().message();
  }
  // An alert of `severity` whose event is at `event` and which Vigil raised at `created`.
  void Raise(int64_t id, AlertSeverity severity, const char* event, const char* created) {
    Alert a;
    const std::string rule = "r" + std::to_string(id);
    a.rule = std::make_shared<const RuleMeta>(RuleMeta{rule, "Rule " + rule, "", severity, {}, {{"pci_dss_4", {"10.2.1"}}}});
    a.timestamp = At(event);
    a.rendered_output = "finding " + std::to_string(id);
    Event e;
    e.Set(ecs::kTimestamp, a.timestamp);
    e.Set(ecs::kEventDataset, std::string("access.sshd"));
    a.event = std::make_shared<const Event>(std::move(e));
    Write("alert", store::AlertRecordData(id, a, AlertToJson(a), "host-1", At(created)), At(created));
  }
  void Ack(int64_t id, const char* at) {
    Write("transition", store::TransitionRecordData(id, "ack", "dora", AlertStatus::kOpen, AlertStatus::kAcknowledged,
                                                    json::object()), At(at));
  }
  void Resolve(int64_t id, AlertStatus from, const char* resolution, const char* at) {
    Write("transition", store::TransitionRecordData(id, "resolve", "erin", from, AlertStatus::kResolved,
                                                    {{"resolution", resolution}, {"note", "why"}}), At(at));
  }

  report::Report Build() {
    report::BuildOptions o;
    o.period = {At("2026-03-01T00:00:00Z"), At("2026-03-08T00:00:00Z")};
    auto r = report::BuildReport(*store_, o);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : report::Report{};
  }
  static std::string Json(const report::Report& r) {
    auto j = report::ReportWriterRegistry::Global().Find("json")->Write(r);
    EXPECT_TRUE(j.ok());
    return j.ok() ? *j : "";
  }

  // Inside the period: #1 acknowledged after 10 min and resolved after 2 h; #2 acknowledged
  // after 30 min; #3 resolved (accepted risk) after 1 h without an acknowledgement; #4 open.
  void HandleInside() {
    Raise(1, AlertSeverity::kHigh, "2026-03-02T08:00:00Z", "2026-03-02T08:00:05Z");
    Raise(2, AlertSeverity::kHigh, "2026-03-03T08:00:00Z", "2026-03-03T08:00:00Z");
    Raise(3, AlertSeverity::kHigh, "2026-03-04T08:00:00Z", "2026-03-04T08:00:00Z");
    Raise(4, AlertSeverity::kMedium, "2026-03-07T23:00:00Z", "2026-03-07T23:00:00Z");
    Ack(1, "2026-03-02T08:10:05Z");
    Resolve(1, AlertStatus::kAcknowledged, "fixed", "2026-03-02T10:00:05Z");
    Ack(2, "2026-03-03T08:30:00Z");
    Resolve(3, AlertStatus::kOpen, "accepted_risk", "2026-03-04T09:00:00Z");
  }
  // After the end: #2 resolved, #4 acknowledged and resolved as a false positive.
  void HandleAfter() {
    Resolve(2, AlertStatus::kAcknowledged, "fixed", "2026-03-08T00:00:00Z");  // at the end: after it
    Ack(4, "2026-03-09T00:00:00Z");
    Resolve(4, AlertStatus::kAcknowledged, "false_positive", "2026-03-10T00:00:00Z");
  }

  TempDir dir_;
  std::unique_ptr<audit::AuditLog> log_;
  std::unique_ptr<store::AlertStore> store_;
};

TEST_F(HandlingAsOfEnd, StatusesAndTimesAreThoseAtTheEnd) {
  HandleInside();
  HandleAfter();
  const report::Report r = Build();
  const report::HandlingBySeverity& high = r.handling.by_severity[static_cast<int>(AlertSeverity::kHigh)];
  EXPECT_EQ(high.raised, 3u);
  EXPECT_EQ(high.open, 0u);
  EXPECT_EQ(high.acknowledged, 1u);  // #2: resolved only after the end
  EXPECT_EQ(high.resolved, 2u);
  // Acknowledged after 600 s (#1), 1800 s (#2) and, by resolving, 3600 s (#3).
  EXPECT_EQ(high.median_ack_seconds, 1800.0);
  EXPECT_EQ(high.max_ack_seconds, 3600.0);
  // Resolved after 7200 s (#1) and 3600 s (#3).
  EXPECT_EQ(high.median_resolve_seconds, 5400.0);
  EXPECT_EQ(high.max_resolve_seconds, 7200.0);
  const report::HandlingBySeverity& medium = r.handling.by_severity[static_cast<int>(AlertSeverity::kMedium)];
  EXPECT_EQ(medium.open, 1u);  // #4: acknowledged and resolved only after the end
  EXPECT_FALSE(medium.median_ack_seconds.has_value());
  EXPECT_EQ(r.handling.open_items, 2u);  // #2 (acknowledged) and #4
  ASSERT_EQ(r.findings.size(), 4u);
  EXPECT_EQ(r.findings[1].status, "acknowledged");
  EXPECT_EQ(r.findings[3].status, "open");
  ASSERT_EQ(r.findings[3].history.size(), 1u);  // created; the later transitions are not shown
  EXPECT_EQ(r.findings[3].history[0].action, "created");
  ASSERT_EQ(r.accepted_risks.size(), 1u);
  EXPECT_EQ(r.accepted_risks[0].alert_id, 3);
  // #4 resolved as a false positive only after the end: the control evaluation sees no
  // resolution (so it can still fail the control).
  auto facts = report::ReadStoreFacts(*store_, r.cover.period);
  ASSERT_TRUE(facts.ok());
  ASSERT_EQ(facts->alerts.size(), 4u);
  EXPECT_EQ(facts->alerts[3].status, AlertStatus::kOpen);
  EXPECT_EQ(facts->alerts[3].resolution, "");
  const report::EvaluationInput in = report::EvaluationInputFor(*facts, {}, {});
  EXPECT_EQ(in.alerts[3].resolution, "");
  EXPECT_EQ(in.alerts[2].resolution, "accepted_risk");
}

TEST_F(HandlingAsOfEnd, TransitionsAfterTheEndDoNotChangeTheReport) {
  HandleInside();
  const std::string before = Json(Build());
  HandleAfter();
  const std::string after = Json(Build());
  EXPECT_EQ(after, before);
  // The store holds the new state: the report ignores it on purpose.
  auto a4 = store_->Get(4);
  ASSERT_TRUE(a4.ok() && a4->has_value());
  EXPECT_EQ((**a4).status, AlertStatus::kResolved);
}

}  // namespace
}  // namespace vigil
