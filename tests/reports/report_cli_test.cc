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

#include "store/alert_store.h"
#include "support/test_support.h"

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
    auto r = Vigil({"replay", "-c", config_, "-r", fixture + "/rules.yaml", "--jsonl", fixture + "/events.jsonl", "--db", db_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (std::vector<std::string> step : {std::vector<std::string>{"ack", "1", "--by", "dora"},
                                          {"resolve", "2", "--by", "dora", "--resolution", "accepted_risk", "--note",
                                           "penetration test by ACME, ticket SEC-12"},
                                          {"resolve", "7", "--by", "erin", "--resolution", "false_positive", "--note",
                                           "internal scanner"}}) {
      std::vector<std::string> argv = {"alerts", "-c", config_, "--db", db_};
      argv.insert(argv.end(), step.begin(), step.end());
      auto s = Vigil(argv);
      ASSERT_EQ(s.exit_code, 0) << s.err;
    }
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
// records carry wall-clock times), the random signing key, wall-clock times (the fixture's
// own times are whole seconds), handling durations, and what derives from them.
std::string Mask(std::string text) {
  const std::pair<const char*, const char*> rules[] = {
      {R"([0-9a-f]{64})", "<sha256>"},
      {R"(VR-[0-9a-f]{16})", "VR-<id>"},
      {R"([0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})", "<uuid>"},
      {R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z)", "<wall-clock>"},
      {R"(ledger-01/vigil/audit\+[0-9a-f]{8})", "ledger-01/vigil/audit+<key>"},
      {R"(("(?:median|max)_(?:ack|resolve)_seconds": )[0-9.e+-]+)", "$1<seconds>"},
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
