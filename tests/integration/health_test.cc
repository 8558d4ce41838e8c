// Vigil's health alerts end to end: `vigil run` with a tiny queue and a jsonl collector
// flooded with lines, the shipped rules/packs/vigil-health.yaml loaded. The daemon drops
// what the queue cannot hold, and within a bounded wait a health alert (vgl-health-004,
// events dropped) appears on stdout; the drops its events report add up to exactly the
// drop counter on /metrics, which is also offered minus accepted. A stopped collector is
// reported down and, after a reload, up; an audit log edited under the running daemon is found
// by its own periodic verification and raised as a critical alert.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

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

// The memory bound the flood runs under (health.memory_limit). Under ASan the allocator's
// quarantine and shadow memory multiply the footprint, so the bound is wider there.
#if defined(__SANITIZE_ADDRESS__)
constexpr uint64_t kFloodMemoryLimit = 1024ull << 20;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr uint64_t kFloodMemoryLimit = 1024ull << 20;
#else
constexpr uint64_t kFloodMemoryLimit = 128ull << 20;
#endif
#else
constexpr uint64_t kFloodMemoryLimit = 128ull << 20;
#endif

// A line of /proc/PID/status ("VmHWM:", "VmRSS:") in bytes, or 0.
uint64_t ProcStatusBytes(pid_t pid, const std::string& key) {
  std::istringstream in(ReadFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::strtoull(line.c_str() + key.size(), nullptr, 10) * 1024;
  }
  return 0;
}

int CountRule(const std::string& out, const std::string& rule_id) {
  int n = 0;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_object() && j["rule"]["id"] == rule_id) ++n;
  }
  return n;
}

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
          "health:\n  interval: 1s\n  memory_limit: " + std::to_string(kFloodMemoryLimit >> 20) + "MiB\n" +
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

  // The whole flood went through a queue of 4 within the configured memory bound: the peak
  // resident set of the daemon stays under health.memory_limit, so no memory_high either.
  const uint64_t peak = ProcStatusBytes(vigil.pid(), "VmHWM:");
  ASSERT_GT(peak, 0u);
  EXPECT_LT(peak, kFloodMemoryLimit) << "peak resident memory " << (peak >> 20) << " MiB";
  EXPECT_EQ(Sample(metrics, "vigil_health_events_total{action=\"memory_high\"}"), 0) << metrics;
  EXPECT_EQ(CountRule(ReadFile(out), "vgl-health-012"), 0);
  RecordProperty("peak_resident_mib", static_cast<int>(peak >> 20));

  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(15s, &code)) << ReadFile(err);
  EXPECT_EQ(code, 0) << ReadFile(err);
  EXPECT_NE(ReadFile(err).find("health: collector 'app': "), std::string::npos) << ReadFile(err);
}

// health.memory_limit below what the daemon needs just to run: the first sample finds it
// above the limit and the shipped rule raises one memory_high alert, with both sizes.
TEST(HealthTest, MemoryAboveTheLimitRaisesOneAlert) {
  TempDir dir;
  const int port = FreeTcpPort();
  std::string cfg = dir.Write(
      "vigil.yaml",
      "state_dir: " + dir.File("state") + "\n" +
          "health:\n  interval: 1s\n  memory_limit: 16MiB\n" +
          "metrics:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n" +
          "rules:\n  paths: [\"" + SourceDir() + "/rules/packs/vigil-health.yaml\"]\n");
  std::string err = dir.File("vigil.err");
  std::string out = dir.File("vigil.out");
  Process vigil({VigilBinary(), "run", "-c", cfg}, err, out);
  ASSERT_TRUE(Eventually([&] { return !HttpGet(port, "/metrics").empty(); }, 30s)) << ReadFile(err);
  const uint64_t rss = ProcStatusBytes(vigil.pid(), "VmRSS:");
  if (rss <= (16ull << 20)) GTEST_SKIP() << "vigil runs in " << (rss >> 20) << " MiB here, under 16 MiB";

  std::string text;
  ASSERT_TRUE(Eventually([&] { return CountRule(text = ReadFile(out), "vgl-health-012") >= 1; }, 20s))
      << text << ReadFile(err);
  std::this_thread::sleep_for(2500ms);  // two more samples, still above: no repeat
  text = ReadFile(out);
  EXPECT_EQ(CountRule(text, "vgl-health-012"), 1) << text;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (!j.is_object() || j["rule"]["id"] != "vgl-health-012") continue;
    EXPECT_EQ(j["event"]["action"], "memory_high");
    EXPECT_EQ(j["vigil"]["health"]["memory_limit_bytes"], 16ll << 20);
    EXPECT_GT(j["vigil"]["health"]["resident_bytes"].get<int64_t>(), 16ll << 20);
  }
  EXPECT_EQ(Sample(HttpGet(port, "/metrics"), "vigil_health_events_total{action=\"memory_high\"}"), 1);
  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(15s, &code)) << ReadFile(err);
  EXPECT_EQ(code, 0) << ReadFile(err);
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

// The daemon verifies its own audit log (audit_log.verify_interval): a clean log passes, and a
// byte changed in its first record (in place, as an attacker with write access would) becomes
// an audit_verify_failed health event and a vgl-health-010 alert naming the log.
TEST(HealthTest, AuditLogEditedUnderTheDaemonRaisesACriticalAlert) {
  TempDir dir;
  const int port = FreeTcpPort();
  std::string cfg = dir.Write(
      "vigil.yaml",
      "state_dir: " + dir.File("state") + "\n" +
          "audit_log:\n  verify_interval: 1s\n" +
          "metrics:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n" +
          "rules:\n  paths: [\"" + SourceDir() + "/rules/packs/vigil-health.yaml\"]\n" +
          "collectors: []\n");
  std::string err = dir.File("vigil.err");
  std::string out = dir.File("vigil.out");
  Process vigil({VigilBinary(), "run", "-c", cfg}, err, out);
  const std::string passed = "vigil_audit_verify_runs_total{result=\"passed\"}";
  ASSERT_TRUE(Eventually([&] { return Sample(HttpGet(port, "/metrics"), passed) >= 1; }, 30s)) << ReadFile(err);
  EXPECT_EQ(Sample(HttpGet(port, "/metrics"), "vigil_audit_verify_failing"), 0);

  // Record 1 (run_start) carries the daemon's pid: change its first digit in place.
  const std::string log = dir.File("state/vigil.audit.log");
  const std::string text = ReadFile(log);
  const size_t at = text.find("\"pid\":");
  ASSERT_NE(at, std::string::npos) << text;
  ASSERT_LT(at, text.find('\n'));
  const char digit = text[at + 6] == '9' ? '8' : static_cast<char>(text[at + 6] + 1);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::pwrite(fd, &digit, 1, static_cast<off_t>(at + 6)), 1);
  ::close(fd);

  std::string alert;
  ASSERT_TRUE(Eventually(
      [&] {
        std::istringstream in(ReadFile(out));
        std::string line;
        while (std::getline(in, line)) {
          auto j = nlohmann::json::parse(line, nullptr, false);
          if (j.is_object() && j["rule"]["id"] == "vgl-health-010") {
            alert = line;
            return true;
          }
        }
        return false;
      },
      30s))
      << ReadFile(out) << ReadFile(err);
  auto j = nlohmann::json::parse(alert);
  EXPECT_EQ(j["vigil"]["severity"], "critical");
  EXPECT_EQ(j["vigil"]["health"]["component"], "audit_log");
  // Which check finds it first (the chain at record 2, or a checkpoint signed over record 1)
  // depends on where the checkpoints fell; either names the log.
  EXPECT_NE(j["message"].get<std::string>().find(log + " does not verify: "), std::string::npos) << alert;
  EXPECT_EQ(Sample(HttpGet(port, "/metrics"), "vigil_audit_verify_failing"), 1);
  // Raised once, not at every run.
  std::this_thread::sleep_for(2500ms);
  int alerts = 0;
  std::istringstream in(ReadFile(out));
  for (std::string line; std::getline(in, line);) alerts += line.find("vgl-health-010") != std::string::npos;
  EXPECT_EQ(alerts, 1) << ReadFile(out);

  vigil.Signal(SIGTERM);
  int code = -1;
  ASSERT_TRUE(vigil.Wait(15s, &code)) << ReadFile(err);
  EXPECT_EQ(code, 0) << ReadFile(err);
}

}  // namespace
}  // namespace vigil
