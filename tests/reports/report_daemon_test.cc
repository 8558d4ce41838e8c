// The daemon's report side with the real binary: a scheduled daily report is written once
// into reports.dir as a signed bundle that `vigil verify --report` accepts, and
// vigil_compliance_control_status shows the same evaluation on /metrics (fail for a control
// with a high alert in the window, pass for one whose rules and collector were watching,
// not applicable from the configuration).
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <sstream>

#include "support/test_support.h"
#include "vigil/report/schedule.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::FreeTcpPort;
using testing::HttpGet;
using testing::Process;
using testing::ReadFile;
using testing::RunCommand;
using testing::TempDir;
using testing::VigilBinary;

constexpr const char* kRules = R"(
- rule: test.login_failed
  name: Login failed
  desc: A failed login.
  severity: high
  condition: event.dataset = app.auth and event.action = login and event.outcome = failure
  output: "login failed for {user.name}"
  controls: {pci_dss_4: ["10.2.1.4"]}
- rule: test.audit_trail
  name: Audit trail
  desc: Never fires here; its control passes while its collector is up.
  severity: high
  condition: event.dataset = app.auth and event.action = audit_cleared
  output: "audit trail cleared"
  controls: {nist_800_53: ["AU-9"]}
)";

// The value of the series of `name` whose labels include every one of `labels`, or "".
std::string Sample(const std::string& page, const std::string& name, const std::vector<std::string>& labels) {
  std::istringstream in(page);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name + "{", 0) != 0 && line.rfind(name + " ", 0) != 0) continue;
    bool all = true;
    for (const std::string& l : labels) all = all && line.find(l) != std::string::npos;
    if (all) return line.substr(line.rfind(' ') + 1);
  }
  return "";
}

TEST(ReportDaemon, ScheduledReportAndComplianceGauge) {
  TempDir dir;
  dir.Write("rules/r.yaml", kRules);
  const std::string state = dir.File("state");
  const std::string reports = dir.File("reports");
  const std::string now = FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(WallNow()));
  const std::string events = dir.Write(
      "events.jsonl", R"({"@timestamp":")" + now +
                          R"(","event":{"dataset":"app.auth","action":"login","outcome":"failure"},"user":{"name":"eve"}})"
                          "\n");
  const int port = FreeTcpPort();
  const std::string config = dir.Write(
      "vigil.yaml", "state_dir: " + state + "\nmetrics:\n  listen: 127.0.0.1:" + std::to_string(port) +
                        "\nrules:\n  paths: [\"" + dir.File("rules") + "/*.yaml\"]\naudit_log:\n  coverage_interval: 1s\n"
                        "reports:\n  dir: " + reports + "\n  schedules:\n    - cadence: daily\n      formats: [json, html]\n"
                        "  not_applicable:\n    - {framework: soc2, control: CC1.1, reason: entity level}\n"
                        "collectors:\n  - type: jsonl\n    name: app\n    path: " + events + "\n    start_at: beginning\n");
  Process run({VigilBinary(), "run", "-c", config}, dir.File("run.err"));
  std::string page;
  auto gauge = [&](const char* fw, const char* control) {
    page = HttpGet(port, "/metrics");
    return Sample(page, "vigil_compliance_control_status",
                  {std::string("framework=\"") + fw + "\"", std::string("control=\"") + control + "\""});
  };
  // From the first scrape on, every control of the loaded rules has a series.
  ASSERT_TRUE(Eventually([&] { return !gauge("nist_800_53", "AU-9").empty(); }, 30s)) << ReadFile(dir.File("run.err"));
  EXPECT_TRUE(Eventually([&] { return gauge("pci_dss_4", "10.2.1.4") == "0"; }, 60s)) << page;
  EXPECT_TRUE(Eventually([&] { return gauge("nist_800_53", "AU-9") == "1"; }, 60s)) << page;
  EXPECT_EQ(gauge("soc2", "CC1.1"), "-2");

  const report::Period yesterday = report::LastCompletedPeriod(report::Cadence::kDaily, WallNow());
  const std::string bundle = reports + "/" + report::ScheduledBundleName("all-daily", yesterday);
  ASSERT_TRUE(Eventually([&] { return std::filesystem::exists(bundle + "/SHA256SUMS.sig"); }, 60s))
      << ReadFile(dir.File("run.err"));
  EXPECT_TRUE(std::filesystem::exists(bundle + "/report.json"));
  EXPECT_TRUE(std::filesystem::exists(bundle + "/report.html"));
  EXPECT_TRUE(Eventually([&] { return Sample(HttpGet(port, "/metrics"), "vigil_reports_written_total", {}) == "1"; }, 30s));
  EXPECT_NE(Sample(HttpGet(port, "/metrics"), "vigil_report_last_success_timestamp_seconds", {}), "0");
  run.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(run.Wait(30s, &code));
  EXPECT_EQ(code, 0) << ReadFile(dir.File("run.err"));
  // Written once: the later ticks found the bundle and left it.
  size_t bundles = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(reports)) ++bundles;
  EXPECT_EQ(bundles, 1u);
  auto v = RunCommand({VigilBinary(), "verify", "--report", bundle, "--db", state + "/vigil.db"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  v = RunCommand({VigilBinary(), "verify", "--db", state + "/vigil.db"});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
}

}  // namespace
}  // namespace vigil
