// The retention horizon of a report (docs/reports.md "Retention posture"): per class, the
// baseline's items expiring within 30 and 90 days of the period end, overdue at the end, and
// held at the end, from the policies through the daemon's resolver (retention_horizon.h).
// The store holds a retention baseline written with the BaselineStore API, with clock facts
// chosen so that each item's latest due time falls where the test wants it. Without a
// policy the horizon is unknown (null), never zero.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "baseline_store.h"
#include "retention_horizon.h"
#include "store/alert_store.h"
#include "support/test_support.h"
#include "vigil/report/report_builder.h"
#include "vigil/report/report_writer.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

using testing::TempDir;

constexpr int64_t kDay = 86400;

int64_t Unix(const char* text) {
  return std::chrono::duration_cast<std::chrono::seconds>(ParseRfc3339(text)->time_since_epoch()).count();
}

class RetentionHorizon : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("vigil.db");
    auto st = store::AlertStore::Open(db_);
    ASSERT_TRUE(st.ok()) << st.status().message();
    store_ = std::move(*st);
    auto b = retention::BaselineStore::Open(db_);
    ASSERT_TRUE(b.ok()) << b.status().message();
    baseline_ = std::move(*b);
    // records: kept at most 100 days from when Vigil first saw them; logs: kept at least a
    // year (no maximum: no horizon). One hold active at the end, one lifted before it.
    policy_ = dir_.Write("policy.yaml",
                         "classes:\n"
                         "  - id: records\n    paths: [\"/srv/records/**\"]\n    max: 100d\n    trigger: first_seen\n"
                         "  - id: logs\n    paths: [\"/srv/logs/**\"]\n    min: 1y\n    trigger: first_seen\n"
                         "holds:\n"
                         "  - id: LH-1\n    paths: [\"/srv/records/held/**\"]\n    issued_by: legal@example.com\n"
                         "    from: 2026-02-01\n    until: null\n"
                         "  - id: LH-0\n    paths: [\"/srv/records/lifted/**\"]\n    issued_by: legal@example.com\n"
                         "    from: 2026-01-01\n    until: 2026-02-15\n");
  }

  // A file whose latest due time (first_seen + 100 d for records) is `due`.
  void Put(const std::string& path, const std::string& cls, int64_t first_seen) {
    retention::BaselineRecord r;
    r.key = {1, ++ino_, 0};
    r.path = path;
    r.first_seen = first_seen;
    r.mtime_ns = first_seen * 1000000000;
    r.class_id = cls;
    r.clock = "first_seen";
    r.sha256 = std::string(64, '0');
    ASSERT_TRUE(baseline_->Put(r).ok());
  }
  void PutDue(const std::string& path, int64_t due) { Put(path, "records", due - 100 * kDay); }

  report::Report Build(bool with_policy) {
    report::BuildOptions o;
    o.period = {*ParseRfc3339("2026-03-01T00:00:00Z"), *ParseRfc3339("2026-04-01T00:00:00Z")};
    if (with_policy) {
      auto resolver = RetentionResolverFor({policy_});
      EXPECT_TRUE(resolver.ok()) << resolver.status().message();
      if (resolver.ok()) o.retention_resolver = *resolver;
    }
    auto r = report::BuildReport(*store_, o);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : report::Report{};
  }

  static const report::RetentionClassPosture* Class(const report::Report& r, const std::string& id) {
    for (const auto& c : r.retention.classes) {
      if (c.class_id == id) return &c;
    }
    return nullptr;
  }

  void PutTheFixture() {
    const int64_t end = Unix("2026-04-01T00:00:00Z");
    PutDue("/srv/records/a-overdue", end - 5 * kDay);
    PutDue("/srv/records/b-due-at-the-end", end);  // at the end: past
    PutDue("/srv/records/c-in-10-days", end + 10 * kDay);
    PutDue("/srv/records/d-in-30-days", end + 30 * kDay);  // (end, end + 30 d]: both
    PutDue("/srv/records/e-in-60-days", end + 60 * kDay);
    PutDue("/srv/records/f-in-90-days", end + 90 * kDay);
    PutDue("/srv/records/g-in-91-days", end + 91 * kDay);  // beyond both
    PutDue("/srv/records/h-in-200-days", end + 200 * kDay);
    PutDue("/srv/records/held/i-overdue-but-held", end - 20 * kDay);  // held: not overdue
    PutDue("/srv/records/held/j-in-10-days-held", end + 10 * kDay);   // held, and still expiring
    PutDue("/srv/records/lifted/k-overdue", end - 3 * kDay);          // its hold ended before the end
    Put("/srv/logs/app.log", "logs", end - 400 * kDay);                // a minimum only
  }

  TempDir dir_;
  std::string db_, policy_;
  std::unique_ptr<store::AlertStore> store_;
  std::unique_ptr<retention::BaselineStore> baseline_;
  uint64_t ino_ = 0;
};

TEST_F(RetentionHorizon, CountsExpiringOverdueAndHeldAsOfThePeriodEnd) {
  PutTheFixture();
  const report::Report r = Build(true);
  ASSERT_TRUE(r.retention.baseline);
  ASSERT_TRUE(r.retention.horizon_as_of.has_value());
  EXPECT_EQ(FormatRfc3339(*r.retention.horizon_as_of), "2026-04-01T00:00:00Z");
  const auto* records = Class(r, "records");
  ASSERT_NE(records, nullptr);
  EXPECT_EQ(records->items, 11u);
  EXPECT_EQ(records->overdue_at_end, 3u);  // a, b, k
  EXPECT_EQ(records->held_at_end, 2u);     // i, j
  EXPECT_EQ(records->expiring_30d, 3u);    // c, d, j
  EXPECT_EQ(records->expiring_90d, 5u);    // c, d, e, f, j
  const auto* logs = Class(r, "logs");
  ASSERT_NE(logs, nullptr);
  EXPECT_EQ(logs->items, 1u);
  EXPECT_EQ(logs->overdue_at_end, 0u);  // known, and none: no maximum
  EXPECT_EQ(logs->expiring_30d, 0u);
  EXPECT_EQ(logs->expiring_90d, 0u);
  EXPECT_EQ(logs->held_at_end, 0u);
}

TEST_F(RetentionHorizon, JsonAndHtmlCarryTheCountsAndSayAsOfTheEnd) {
  PutTheFixture();
  const report::Report r = Build(true);
  auto json = report::ReportWriterRegistry::Global().Find("json")->Write(r);
  ASSERT_TRUE(json.ok());
  const auto j = nlohmann::json::parse(*json);
  EXPECT_EQ(j["retention"]["horizon_as_of"], "2026-04-01T00:00:00Z");
  const auto& records = j["retention"]["classes"][1];
  ASSERT_EQ(records["class"], "records");
  EXPECT_EQ(records["expiring_30d"], 3);
  EXPECT_EQ(records["expiring_90d"], 5);
  EXPECT_EQ(records["overdue_at_end"], 3);
  EXPECT_EQ(records["held_at_end"], 2);
  auto html = report::ReportWriterRegistry::Global().Find("html")->Write(r);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("Expiring in 30 days"), std::string::npos);
  EXPECT_NE(html->find("as of the period end (2026-04-01T00:00:00Z)"), std::string::npos);
}

TEST_F(RetentionHorizon, WithoutAPolicyTheHorizonIsUnknownNotZero) {
  PutTheFixture();
  const report::Report r = Build(false);
  EXPECT_FALSE(r.retention.horizon_as_of.has_value());
  const auto* records = Class(r, "records");
  ASSERT_NE(records, nullptr);
  EXPECT_EQ(records->items, 11u);
  EXPECT_FALSE(records->expiring_30d.has_value());
  EXPECT_FALSE(records->expiring_90d.has_value());
  EXPECT_FALSE(records->overdue_at_end.has_value());
  EXPECT_FALSE(records->held_at_end.has_value());
  auto json = report::ReportWriterRegistry::Global().Find("json")->Write(r);
  ASSERT_TRUE(json.ok());
  const auto j = nlohmann::json::parse(*json);
  EXPECT_TRUE(j["retention"]["horizon_as_of"].is_null());
  EXPECT_TRUE(j["retention"]["classes"][1]["expiring_30d"].is_null());
  auto html = report::ReportWriterRegistry::Global().Find("html")->Write(r);
  ASSERT_TRUE(html.ok());
  EXPECT_NE(html->find("unknown, no retention policy"), std::string::npos);
}

TEST_F(RetentionHorizon, ABrokenPolicyIsAClearError) {
  const std::string bad = dir_.Write("bad.yaml", "classes:\n  - id: x\n    paths: [\"/a/**\"]\n    max: soon\n");
  auto r = RetentionResolverFor({bad});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("bad.yaml"), std::string::npos) << r.status().message();
  auto none = RetentionResolverFor({});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(static_cast<bool>(*none));
}

// End to end: `vigil replay --scan --policy --db` fills a baseline, `vigil report --policy`
// counts its horizon; without --policy (and no retention collector configured) it is unknown.
TEST_F(RetentionHorizon, ReportCommandTakesThePolicy) {
  const std::string tree = dir_.path() + "/tree";
  std::filesystem::create_directories(tree + "/crm");
  dir_.Write("tree/crm/leads.csv", "alice\n");
  const std::string policy = dir_.Write(
      "crm.yaml", "classes:\n  - id: crm\n    paths: [\"" + tree + "/crm/**\"]\n    max: 60d\n    trigger: first_seen\n");
  const std::string db = dir_.File("replay.db");
  auto replay = testing::RunCommand({testing::VigilBinary(), "replay", "--scan", tree, "--policy", policy, "--now",
                                     "2026-03-01T00:00:00Z", "--db", db});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  auto report = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv{testing::VigilBinary(), "report", "--db", db, "--from", "2026-03-01", "--to",
                                  "2026-04-01", "--format", "json", "-o", "-"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::RunCommand(argv);
  };
  auto with = report({"--policy", policy});
  ASSERT_EQ(with.exit_code, 0) << with.err;
  const auto w = nlohmann::json::parse(with.out)["retention"];
  EXPECT_EQ(w["horizon_as_of"], "2026-04-01T00:00:00Z");
  ASSERT_EQ(w["classes"].size(), 1u);
  EXPECT_EQ(w["classes"][0]["expiring_30d"], 1);  // first seen 03-01 + 60 d = 04-30
  EXPECT_EQ(w["classes"][0]["overdue_at_end"], 0);
  auto without = report({});
  ASSERT_EQ(without.exit_code, 0) << without.err;
  const auto wo = nlohmann::json::parse(without.out)["retention"];
  EXPECT_TRUE(wo["horizon_as_of"].is_null());
  EXPECT_TRUE(wo["classes"][0]["expiring_30d"].is_null());
  auto missing = report({"--policy", dir_.File("missing.yaml")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("missing.yaml"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace vigil
