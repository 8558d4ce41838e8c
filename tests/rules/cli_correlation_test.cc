// End to end: `vigil replay --jsonl F -r R` with an SSH brute-force correlation (10 failures
// from one source.ip within 60 s) over generated JSONL, suppression summaries at the end of
// the replay, and `vigil check --test` running correlation sequence tests.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "support/test_support.h"
#include "vigil/time_format.h"

namespace vigil::testing {
namespace {

const char* kBruteRules = R"(- rule: ssh.brute_force
  name: SSH brute force
  severity: high
  condition: event.dataset = access.sshd and event.outcome = failure
  output: "{source.ip}: 10 failed logins within a minute"
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
  tests:
    - events:
        - {"@timestamp": "2026-03-01T10:00:00Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
        - {"@timestamp": "2026-03-01T10:00:01Z", event: {dataset: access.sshd, outcome: failure}, source.ip: 10.0.0.1}
      alerts: 0
)";

// One failure line from `ip` at 10:00:00 + `ms` milliseconds.
std::string Failure(const std::string& ip, int64_t ms) {
  Timestamp t = *ParseRfc3339("2026-03-01T10:00:00Z") + std::chrono::milliseconds(ms);
  return R"({"@timestamp":")" + FormatRfc3339(t) +
         R"(","event":{"dataset":"access.sshd","outcome":"failure"},"user":{"name":"root"},"source":{"ip":")" + ip +
         "\"}}\n";
}

std::vector<nlohmann::json> Lines(const std::string& out) {
  std::vector<nlohmann::json> v;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) v.push_back(nlohmann::json::parse(line));
  }
  return v;
}

TEST(CliCorrelation, ReplayRaisesExactlyTheExpectedBruteForceAlerts) {
  TempDir dir;
  // (time in ms, line), written in time order: the window slides on @timestamp.
  std::vector<std::pair<int64_t, std::string>> lines;
  auto add = [&](const std::string& ip, int64_t ms) { lines.emplace_back(ms, Failure(ip, ms)); };
  for (int i = 0; i < 10; ++i) add("203.0.113.1", i * 6000);       // 10 within 54 s: one alert
  for (int i = 0; i < 9; ++i) add("203.0.113.2", i * 1000);        // 9: none
  for (int i = 0; i < 10; ++i) add("203.0.113.3", i * 61000 / 9);  // 10 over 61 s: none
  for (int i = 0; i < 10; ++i) add("203.0.113.4", i * 60000 / 9);  // 10 over exactly 60 s: one
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string jsonl;
  for (const auto& [ms, line] : lines) jsonl += line;
  std::string events = dir.Write("e.jsonl", jsonl);
  std::string rules = dir.Write("r.yaml", kBruteRules);
  for (int run = 0; run < 2; ++run) {
    auto r = RunCommand({VigilBinary(), "replay", "--jsonl", events, "-r", rules});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto alerts = Lines(r.out);
    ASSERT_EQ(alerts.size(), 2u) << r.out;
    EXPECT_EQ(alerts[0]["rule"]["id"], "ssh.brute_force");
    EXPECT_EQ(alerts[0]["vigil"]["correlation"]["group"]["source.ip"], "203.0.113.1");
    EXPECT_EQ(alerts[0]["vigil"]["correlation"]["count"], 10);
    EXPECT_EQ(alerts[0]["vigil"]["correlation"]["first"], "2026-03-01T10:00:00Z");
    EXPECT_EQ(alerts[0]["vigil"]["correlation"]["last"], "2026-03-01T10:00:54Z");
    EXPECT_EQ(alerts[0]["vigil"]["output"], "203.0.113.1: 10 failed logins within a minute");
    EXPECT_EQ(alerts[1]["vigil"]["correlation"]["group"]["source.ip"], "203.0.113.4");
    EXPECT_EQ(alerts[1]["vigil"]["correlation"]["last"], "2026-03-01T10:01:00Z");
    EXPECT_NE(r.err.find("39 events, 0 skipped, 0 failed, 2 alerts"), std::string::npos) << r.err;
  }
  auto again = RunCommand({VigilBinary(), "replay", "--jsonl", events, "-r", rules});
  auto first = RunCommand({VigilBinary(), "replay", "--jsonl", events, "-r", rules});
  EXPECT_EQ(again.out, first.out);  // same input, same bytes
}

TEST(CliCorrelation, ReplayEmitsSuppressionSummariesAtTheEnd) {
  TempDir dir;
  std::string jsonl;
  for (int i = 0; i < 5; ++i) jsonl += Failure("203.0.113.1", i * 1000);
  std::string rules = dir.Write("r.yaml", R"(- rule: ssh.fail
  name: SSH failure
  severity: low
  condition: event.dataset = access.sshd and event.outcome = failure
  suppress: {window: 10m, by: [source.ip]}
)");
  auto r = RunCommand({VigilBinary(), "replay", "--jsonl", dir.Write("e.jsonl", jsonl), "-r", rules});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto alerts = Lines(r.out);
  ASSERT_EQ(alerts.size(), 2u) << r.out;
  EXPECT_FALSE(alerts[0]["vigil"].contains("suppressed_count"));
  EXPECT_EQ(alerts[1]["vigil"]["suppressed_count"], 4);
  EXPECT_EQ(alerts[1]["vigil"]["suppressed_last"], "2026-03-01T10:00:04Z");
}

TEST(CliCorrelation, CheckRunsCorrelationTests) {
  TempDir dir;
  auto r = RunCommand({VigilBinary(), "check", "-r", dir.Write("r.yaml", kBruteRules), "--test"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 rule, 1 test passed, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("W201"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vigil::testing
