// Vigil's health alerts end to end: `vigil run` with a tiny queue and a jsonl collector
// flooded with lines, the shipped rules/packs/vigil-health.yaml loaded. The daemon drops
// what the queue cannot hold, and within a bounded wait a health alert (vgl-health-004,
// events dropped) appears on stdout; the drops its events report add up to exactly the
// drop counter on /metrics, which is also offered minus accepted.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::FreeTcpPort;
using testing::HttpGet;
using testing::Process;
using testing::ReadFile;
using testing::SourceDir;
using testing::TempDir;
using testing::VigilBinary;

constexpr int kLines = 200000;

// The value of the sample `series` (name and labels exactly as exposed), or -1.
double Sample(const std::string& metrics, const std::string& series) {
  std::istringstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(series + " ", 0) == 0) return std::strtod(line.c_str() + series.size() + 1, nullptr);
  }
  return -1;
}

struct DropAlerts {
  int alerts = 0;
  int64_t count_sum = 0;
  int64_t last_total = -1;
};

DropAlerts ReadDropAlerts(const std::string& out) {
  DropAlerts d;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j["rule"]["id"] != "vgl-health-004") continue;
    EXPECT_EQ(j["event"]["dataset"], "vigil.health") << line;
    EXPECT_EQ(j["event"]["action"], "events_dropped") << line;
    EXPECT_EQ(j["vigil"]["health"]["collector"], "app") << line;
    EXPECT_EQ(j["vigil"]["severity"], "high") << line;
    ++d.alerts;
    d.count_sum += j["vigil"]["health"]["count"].get<int64_t>();
    d.last_total = j["vigil"]["health"]["total"].get<int64_t>();
  }
  return d;
}

TEST(HealthTest, FloodedQueueRaisesAHealthAlertMatchingTheDropMetric) {
  TempDir dir;
  {
    std::ofstream flood(dir.File("flood.jsonl"));
    for (int i = 0; i < kLines; ++i) flood << "{\"message\":\"line " << i << "\"}\n";
  }
  const int port = FreeTcpPort();
  std::string cfg = dir.Write(
      "vigil.yaml",
      "state_dir: " + dir.File("state") + "\n" +
          "queue:\n  capacity: 4\n" +
          "health:\n  interval: 1s\n" +
          "metrics:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n" +
          "rules:\n  paths: [\"" + SourceDir() + "/rules/packs/vigil-health.yaml\"]\n" +
          "collectors:\n"
          "  - type: jsonl\n"
          "    name: app\n"
          "    path: " + dir.File("flood.jsonl") + "\n"
          "    start_at: beginning\n");
  std::string err = dir.File("vigil.err");
  std::string out = dir.File("vigil.out");
  Process vigil({VigilBinary(), "run", "-c", cfg}, err, out);

  // The whole flood is read: every line was either accepted or dropped.
  std::string metrics;
  ASSERT_TRUE(Eventually(
      [&] {
        metrics = HttpGet(port, "/metrics");
        return Sample(metrics, "vigil_collector_events_total{collector=\"app\"}") +
                   Sample(metrics, "vigil_collector_dropped_total{collector=\"app\"}") ==
               kLines;
      },
      60s))
      << metrics << ReadFile(err);
  const double dropped = Sample(metrics, "vigil_collector_dropped_total{collector=\"app\"}");
  ASSERT_GT(dropped, 0) << "the flood did not overrun a queue of 4; the test proves nothing";

  // Health alerts follow within a few intervals, and their counts add up to the metric.
  DropAlerts d;
  EXPECT_TRUE(Eventually(
      [&] {
        d = ReadDropAlerts(ReadFile(out));
        return d.count_sum == static_cast<int64_t>(dropped);
      },
      20s))
      << "alerts " << d.alerts << ", counted " << d.count_sum << " of " << dropped << "\n"
      << ReadFile(out) << ReadFile(err);
  EXPECT_GE(d.alerts, 1);
  EXPECT_EQ(d.last_total, static_cast<int64_t>(dropped));

  metrics = HttpGet(port, "/metrics");
  EXPECT_EQ(Sample(metrics, "vigil_collector_dropped_total{collector=\"app\"}"), dropped);
  EXPECT_EQ(Sample(metrics, "vigil_events_dropped_total"), dropped);
  EXPECT_EQ(Sample(metrics, "vigil_health_events_total{action=\"events_dropped\"}"), d.alerts)
      << metrics;
  EXPECT_EQ(Sample(metrics, "vigil_health_events_total{action=\"collector_down\"}"), 0);
  EXPECT_EQ(Sample(metrics, "vigil_rule_alerts_total{rule=\"vgl-health-004\",severity=\"high\"}"),
            d.alerts)
      << metrics;

  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(15s, &code)) << ReadFile(err);
  EXPECT_EQ(code, 0) << ReadFile(err);
  EXPECT_NE(ReadFile(err).find("health: collector 'app': "), std::string::npos) << ReadFile(err);
}

// The alerts of rule `rule_id` on stdout that name `collector`.
int CountAlerts(const std::string& out, const std::string& rule_id, const std::string& collector) {
  int n = 0;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j["rule"]["id"] == rule_id &&
        j["vigil"]["health"]["collector"] == collector) {
      ++n;
    }
  }
  return n;
}

// A collector whose run ends by itself (a pcap file read to its end, in live mode) is reported
// down once; a reload starts it again (collector up), and when it ends again it is down again.
TEST(HealthTest, CollectorDownThenUpAfterReload) {
  TempDir dir;
  std::string cfg = dir.Write(
      "vigil.yaml",
      "state_dir: " + dir.File("state") + "\n" +
          "health:\n  interval: 1s\n" +
          "metrics:\n  enabled: false\n" +
          "rules:\n  paths: [\"" + SourceDir() + "/rules/packs/vigil-health.yaml\"]\n" +
          "collectors:\n"
          "  - type: pcap\n"
          "    name: capfile\n"
          "    path: " + testing::SharedDir() + "/corpora/pcap/ndpi-4.2/dns_long_domainname.pcap\n");
  std::string err = dir.File("vigil.err");
  std::string out = dir.File("vigil.out");
  Process vigil({VigilBinary(), "run", "-c", cfg}, err, out);

  ASSERT_TRUE(Eventually([&] { return CountAlerts(ReadFile(out), "vgl-health-001", "capfile") == 1; },
                         20s))
      << ReadFile(out) << ReadFile(err);
  EXPECT_EQ(CountAlerts(ReadFile(out), "vgl-health-002", "capfile"), 0);

  vigil.Signal(SIGHUP);
  EXPECT_TRUE(Eventually([&] { return CountAlerts(ReadFile(out), "vgl-health-001", "capfile") == 2; },
                         20s))
      << ReadFile(out) << ReadFile(err);
  // Up between the two downs, even when the second run ended within the same interval.
  EXPECT_EQ(CountAlerts(ReadFile(out), "vgl-health-002", "capfile"), 1) << ReadFile(out);
  EXPECT_NE(ReadFile(err).find("collector 'capfile' started"), std::string::npos);

  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(15s, &code)) << ReadFile(err);
  EXPECT_EQ(code, 0) << ReadFile(err);
}

}  // namespace
}  // namespace vigil
