// `vigil report` end to end with the real binary, on a fixture store filled by `vigil replay
// --db` from tests/reports/fixture (and a few alert-workflow steps): the same store and
// period give byte-identical output; JSON, CSV and OSCAL match golden files (after masking
// what differs between runs: hashes, the random signing key, wall-clock times); the JSON
// validates against docs/report.schema.json; every bundle verifies with `vigil verify
// --report` and fails after any changed byte; the evaluations reach the store and the
// audit log, which still verifies.
//
// Golden files: tests/reports/golden/. Regenerate with VIGIL_UPDATE_GOLDEN=1 and review the diff.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>

#include "audit/audit_log.h"
#include "config_source.h"
#include "router_setup.h"
#include "store/alert_store.h"
#include "store/journal.h"
#include "support/test_support.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

using testing::ReadFile;
using testing::RunCommand;
using testing::SourceDir;
using testing::TempDir;
using testing::VigilBinary;

class ReportCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    const std::string fixture = SourceDir() + "/tests/reports/fixture";
    std::filesystem::create_directories(tmp_->File("state"));
    config_ = tmp_->Write("vigil.yaml", "host_name: ledger-01\nstate_dir: " + tmp_->File("state") +
                                            "\nreports:\n  not_applicable:\n    - framework: soc2\n      control: CC8.1\n"
                                            "      reason: change management is assessed at entity level\n");
    db_ = tmp_->File("state/vigil.db");
    // Raised (replayed) at a fixed time after the fixture's last event, so handling times are
    // exact.
    auto r = Vigil({"replay", "-c", config_, "-r", fixture + "/rules.yaml", "--jsonl", fixture + "/events.jsonl", "--db",
                    db_, "--now", "2026-03-06T08:00:00Z"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The alert workflow inside the period, at chosen times, through the audit log as `vigil
    // alerts` writes it (which stamps the wall clock, after the period): the report is as of
    // the period end, so only transitions before it count.
    using store::AlertStatus;
    Handle(1, "ack", "dora", AlertStatus::kOpen, AlertStatus::kAcknowledged, nlohmann::json::object(),
           "2026-03-06T09:00:00Z");
    Handle(2, "resolve", "dora", AlertStatus::kOpen, AlertStatus::kResolved,
           {{"resolution", "accepted_risk"}, {"note", "penetration test by ACME, ticket SEC-12"}},
           "2026-03-06T10:00:00Z");
    Handle(7, "resolve", "erin", AlertStatus::kOpen, AlertStatus::kResolved,
           {{"resolution", "false_positive"}, {"note", "internal scanner"}}, "2026-03-07T12:00:00Z");
  }
  static void Handle(int64_t id, const char* action, const char* by, store::AlertStatus from, store::AlertStatus to,
                     const nlohmann::json& detail, const char* at) {
    Diagnostics diags;
    auto config = LoadEffectiveConfig(config_, diags);
    ASSERT_TRUE(config.ok()) << diags.FormatText();
    auto log = audit::AuditLog::Open(RouterOptionsFor(*config, db_).audit);
    ASSERT_TRUE(log.ok()) << log.status().message();
    auto st = store::AlertStore::Open(db_, sqlite::kReadWrite);
    ASSERT_TRUE(st.ok()) << st.status().message();
    store::Journal journal(**log, **st);
    const Timestamp time = *ParseRfc3339(at);
    ASSERT_TRUE(journal.Begin().ok());
    auto rec = journal.Record("transition", store::TransitionRecordData(id, action, by, from, to, detail), time);
    ASSERT_TRUE(rec.ok()) << rec.status().message();
    ASSERT_TRUE(journal.Commit(time).ok());
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }

  static testing::ProcessResult Vigil(std::vector<std::string> args) {
    args.insert(args.begin(), VigilBinary());
    return RunCommand(args);
  }
  static testing::ProcessResult Report(const std::string& format, const std::string& out,
                                       const std::string& framework = "") {
    std::vector<std::string> args = {"report", "-c", config_, "--db", db_, "--from", "2026-03-01", "--to",
                                     "2026-03-08", "--format", format, "-o", out};
    if (!framework.empty()) {
      args.push_back("--framework");
      args.push_back(framework);
    }
    return Vigil(args);
  }

  static TempDir* tmp_;
  static std::string config_, db_;
};

TempDir* ReportCli::tmp_ = nullptr;
std::string ReportCli::config_, ReportCli::db_;

// What differs between two fixture stores built from the same input: hashes (the audit
// records of `vigil report` carry wall-clock times, signatures a random key), the random
// signing key, wall-clock times (the fixture's own times are whole seconds), and what
// derives from them. Handling durations are not masked: the replay's clock is fixed
// (--now), the transitions are at chosen times, and the report is as of the period end.
std::string Mask(std::string text) {
  const std::pair<const char*, const char*> rules[] = {
      {R"([0-9a-f]{64})", "<sha256>"},
      {R"(VR-[0-9a-f]{16})", "VR-<id>"},
      {R"([0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})", "<uuid>"},
      {R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z)", "<wall-clock>"},
      {R"(ledger-01/vigil/audit\+[0-9a-f]{8})", "ledger-01/vigil/audit+<key>"},
      {R"(vigil \d+\.\d+\.\d+)", "vigil <version>"},
  };
  for (const auto& [pattern, replacement] : rules) text = std::regex_replace(text, std::regex(pattern), replacement);
  return text;
}

void CheckGolden(const std::string& name, const std::string& actual) {
  const std::string path = SourceDir() + "/tests/reports/golden/" + name;
  const std::string masked = Mask(actual);
  if (const char* update = std::getenv("VIGIL_UPDATE_GOLDEN"); update != nullptr && *update == '1') {
    std::filesystem::create_directories(SourceDir() + "/tests/reports/golden");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << masked;
    GTEST_SKIP() << "wrote " << path;
  }
  EXPECT_EQ(masked, ReadFile(path)) << "golden " << path << " differs; VIGIL_UPDATE_GOLDEN=1 rewrites it";
}

TEST_F(ReportCli, SameStoreAndPeriodGiveIdenticalBytes) {
  for (const char* format : {"json", "html", "csv", "oscal"}) {
    auto a = Report(format, "-");
    auto b = Report(format, "-");
    ASSERT_EQ(a.exit_code, 0) << a.err;
    ASSERT_EQ(b.exit_code, 0) << b.err;
    EXPECT_EQ(a.out, b.out) << format;
    EXPECT_FALSE(a.out.empty());
  }
}

TEST_F(ReportCli, JsonCsvAndOscalMatchTheGoldenFiles) {
  auto json = Report("json", "-");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  CheckGolden("report.json", json.out);
  auto csv = Report("csv", "-");
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  CheckGolden("findings.csv", csv.out);
  auto oscal = Report("oscal", "-");
  ASSERT_EQ(oscal.exit_code, 0) << oscal.err;
  CheckGolden("assessment-results.json", oscal.out);
}

TEST_F(ReportCli, JsonValidatesAgainstTheDocumentedSchema) {
  auto json = Report("json", "-");
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const std::string file = tmp_->Write("schema-check.json", json.out);
  const std::string script =
      "import json, sys\n"
      "try:\n  import jsonschema\nexcept ImportError:\n  sys.exit(77)\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "jsonschema.Draft202012Validator.check_schema(schema)\n"
      "errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n"
      "for e in errors: print(list(e.absolute_path), e.message)\n"
      "sys.exit(1 if errors else 0)\n";
  auto r = RunCommand({"/usr/bin/python3", "-c", script, SourceDir() + "/docs/report.schema.json", file});
  if (r.exit_code == 77) GTEST_SKIP() << "python3-jsonschema is not installed (TEST_PKGS)";
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // The check can fail: a report missing a required key does not validate.
  const std::string broken = tmp_->Write("schema-broken.json", std::regex_replace(json.out, std::regex("\"integrity\""), "\"integrity_\""));
  auto bad = RunCommand({"/usr/bin/python3", "-c", script, SourceDir() + "/docs/report.schema.json", broken});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
}

TEST_F(ReportCli, ReportShowsGapsFailuresAcceptedRisksAndEvidence) {
  auto r = Report("json", "-");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["cover"]["hosts"], nlohmann::json::array({"ledger-01"}));
  EXPECT_EQ(j["cover"]["frameworks"].size(), 8u);
  EXPECT_EQ(j["coverage"]["down"][0]["reason"], "no_run_yet");
  EXPECT_EQ(j["findings"].size(), 7u);
  EXPECT_EQ(j["accepted_risks"][0]["alert_id"], 2);
  std::map<std::string, std::string> result;
  for (const auto& c : j["controls"]) result[c["framework"].get<std::string>() + " " + c["control"].get<std::string>()] = c["result"];
  EXPECT_EQ(result["hipaa 164.312(a)(1)"], "fail");    // root login, open
  EXPECT_EQ(result["soc2 CC8.1"], "not_applicable");  // from the configuration
  EXPECT_EQ(result["sox 404"], "pass");               // info alerts are evidence only
  EXPECT_EQ(j["integrity"]["ok"], true);
  EXPECT_EQ(j["integrity"]["signed_through"], true);
  // Each finding cites its audit record, whose hash the store recorded.
  EXPECT_EQ(j["findings"][0]["audit"]["seq"], 1);
  EXPECT_EQ(j["findings"][0]["evidence"][0]["user"]["name"], "alice");
}

TEST_F(ReportCli, HandlingAfterThePeriodEndDoesNotChangeTheReport) {
  auto before = Report("json", "-");
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const auto b = nlohmann::json::parse(before.out);
  const auto& medium = b["handling"]["by_severity"][2];
  EXPECT_EQ(medium["acknowledged"], 1);  // alert 1, acknowledged in the period
  EXPECT_EQ(medium["resolved"], 2);
  // Raised at 03-06 08:00; acknowledged after 1 h (#1), 2 h (#2, by resolving) and 28 h (#7).
  EXPECT_EQ(medium["median_ack_seconds"], 7200.0);
  EXPECT_EQ(medium["max_ack_seconds"], 100800.0);
  EXPECT_EQ(medium["median_resolve_seconds"], 54000.0);
  // Acknowledged and resolved now, after the period: open at its end, as before.
  auto ack = Vigil({"alerts", "-c", config_, "--db", db_, "ack", "3", "--by", "frank"});
  ASSERT_EQ(ack.exit_code, 0) << ack.err;
  auto resolve = Vigil({"alerts", "-c", config_, "--db", db_, "resolve", "1", "--by", "frank", "--resolution", "fixed"});
  ASSERT_EQ(resolve.exit_code, 0) << resolve.err;
  auto after = Report("json", "-");
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, before.out);
  // The store does hold the new state, and a period that includes now shows it.
  auto st = store::AlertStore::Open(db_, sqlite::kReadOnly);
  ASSERT_TRUE(st.ok());
  auto a1 = (*st)->Get(1);
  ASSERT_TRUE(a1.ok() && a1->has_value());
  EXPECT_EQ((**a1).status, store::AlertStatus::kResolved);
  auto wide = Vigil({"report", "-c", config_, "--db", db_, "--from", "2026-03-01", "--to", "2100-01-01", "--format",
                     "json", "-o", "-"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  const auto w = nlohmann::json::parse(wide.out);
  for (const auto& f : w["findings"]) {
    if (f["alert_id"] == 1) {
      EXPECT_EQ(f["status"], "resolved");
    }
    if (f["alert_id"] == 3) {
      EXPECT_EQ(f["status"], "acknowledged");
    }
  }
  for (const auto& f : b["findings"]) {
    if (f["alert_id"] == 1) {
      EXPECT_EQ(f["status"], "acknowledged");
    }
    if (f["alert_id"] == 3) {
      EXPECT_EQ(f["status"], "open");
    }
  }
}

TEST_F(ReportCli, HtmlIsSelfContainedAndEscapesInput) {
  auto r = Report("html", "-");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* external : {"src=", "<script", "<link", "url(", "@import", "http://", "https://"}) {
    EXPECT_EQ(r.out.find(external), std::string::npos) << external;
  }
  EXPECT_NE(r.out.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(r.out.find("@media print"), std::string::npos);
  EXPECT_NE(r.out.find("<svg"), std::string::npos);
}

TEST_F(ReportCli, EveryBundleVerifiesAndAnyChangedByteFails) {
  for (const char* format : {"html", "json", "csv", "oscal"}) {
    const std::string dir = tmp_->File(std::string("bundle-") + format);
    auto w = Report(format, dir);
    ASSERT_EQ(w.exit_code, 0) << w.err;
    auto ok = Vigil({"verify", "--report", dir, "--db", db_});
    ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      const std::string path = entry.path().string();
      const std::string original = ReadFile(path);
      std::string changed = original;
      changed[changed.size() / 2] = static_cast<char>(changed[changed.size() / 2] ^ 0x20);
      std::ofstream(path, std::ios::binary | std::ios::trunc) << changed;
      auto bad = Vigil({"verify", "--report", dir, "--db", db_});
      EXPECT_EQ(bad.exit_code, 1) << format << ": " << entry.path().filename() << " changed, yet: " << bad.out;
      std::ofstream(path, std::ios::binary | std::ios::trunc) << original;
    }
    EXPECT_EQ(Vigil({"verify", "--report", dir, "--db", db_}).exit_code, 0);
  }
}

TEST_F(ReportCli, EvaluationsAreRecordedAndTheAuditLogStillVerifies) {
  const std::string dir = tmp_->File("bundle-evaluations");
  auto w = Report("json", dir, "pci_dss_4");
  ASSERT_EQ(w.exit_code, 0) << w.err;
  const auto j = nlohmann::json::parse(ReadFile(dir + "/report.json"));
  const std::string id = j["cover"]["report_id"];
  auto st = store::AlertStore::Open(db_, sqlite::kReadOnly);
  ASSERT_TRUE(st.ok()) << st.status().message();
  auto evaluations = (*st)->Evaluations(id);
  ASSERT_TRUE(evaluations.ok());
  ASSERT_EQ(evaluations->size(), j["controls"].size());
  EXPECT_EQ((*evaluations)[0].framework, "pci_dss_4");
  EXPECT_EQ((*evaluations)[0].result, j["controls"][0]["result"]);
  auto v = Vigil({"verify", "--db", db_});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

TEST_F(ReportCli, BadUsageIsAClearError) {
  auto r = Vigil({"report", "-c", config_, "--db", db_, "--from", "2026-03-08", "--to", "2026-03-01", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--to must be after --from"), std::string::npos) << r.err;
  r = Vigil({"report", "-c", config_, "--db", tmp_->File("none.db"), "--from", "2026-03-01", "--to", "2026-03-02",
             "--format", "json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no alert store"), std::string::npos) << r.err;
  r = Vigil({"report", "--from", "yesterday", "--to", "2026-03-02", "--format", "json", "--db", db_});
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace vigil
