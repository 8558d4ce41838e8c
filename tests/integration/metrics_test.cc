// /metrics as operators meet it: the real daemon scraped over HTTP, the exposition checked
// by `promtool check metrics`, a real Prometheus server scraping it and answering queries
// about it, and basic authentication (metrics.web_config_file) with a real Prometheus
// scraping through it, credentials replaced on SIGHUP and a bad file refused.
#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "audit/digest.h"
#include "support/bcrypt_hash.h"
#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::FreeTcpPort;
using testing::HttpGet;
using testing::Process;
using testing::ReadFile;
using testing::RunCommand;
using testing::SharedDir;
using testing::TempDir;
using testing::VigilBinary;

std::string AuthHeader(const std::string& user, const std::string& password) {
  return "Authorization: Basic " + audit::Base64(user + ":" + password) + "\r\n";
}

constexpr const char* kRules = R"(- rule: test.failure
  name: A failure
  severity: medium
  condition: event.outcome = failure
- rule: test.never
  name: Never fires
  severity: critical
  condition: message = "no such message"
  suppress: {window: 10m}
- rule: test.burst
  name: Many failures
  severity: high
  condition: event.outcome = failure
  correlate: {type: event_count, group_by: [source.ip], timespan: 60s, condition: {gte: 10}}
)";

class MetricsTest : public ::testing::Test {
 protected:
  // With `metrics_extra`, more keys of the metrics section; `auth` is the header that
  // /healthz needs to answer.
  void StartVigil(const std::string& metrics_extra = "", const std::string& auth = "") {
    port_ = FreeTcpPort();
    dir_.Write("rules.yaml", kRules);
    dir_.Write("events.jsonl", "{\"event\":{\"outcome\":\"failure\"}}\nbroken\n");
    std::string cfg = dir_.Write(
        "vigil.yaml", "state_dir: " + dir_.File("state") +
                          "\nmetrics:\n  listen: 127.0.0.1:" + std::to_string(port_) + "\n" +
                          metrics_extra + "rules:\n  paths: [" + dir_.File("rules.yaml") +
                          "]\ncollectors:\n  - type: jsonl\n    name: app\n    path: " +
                          dir_.File("events.jsonl") + "\n    start_at: beginning\n" +
                          "  - type: pcap\n    name: capfile\n    path: " + SharedDir() +
                          "/corpora/pcap/ndpi-4.2/dns_long_domainname.pcap\n");
    vigil_ = std::make_unique<Process>(
        std::vector<std::string>{VigilBinary(), "run", "-c", cfg}, dir_.File("vigil.err"));
    ASSERT_TRUE(Eventually([&] { return HttpGet(port_, "/healthz", nullptr, auth) == "ok\n"; }))
        << ReadFile(dir_.File("vigil.err"));
  }
  // The daemon's reload counter for `result`, read with `auth`.
  std::string Reloads(const std::string& result, const std::string& auth) {
    const std::string body = HttpGet(port_, "/metrics", nullptr, auth);
    const std::string key = "vigil_config_reloads_total{result=\"" + result + "\"} ";
    const size_t at = body.find(key);
    return at == std::string::npos ? "" : body.substr(at + key.size(), body.find('\n', at) - at - key.size());
  }
  void TearDown() override {
    if (vigil_) {
      vigil_->Signal(SIGTERM);
      int code = -1;
      EXPECT_TRUE(vigil_->Wait(15s, &code));
      EXPECT_EQ(code, 0);
    }
  }

  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<Process> vigil_;
};

TEST_F(MetricsTest, ExpositionPassesPromtoolAndHasEverySeries) {
  StartVigil();
  std::string body;
  ASSERT_TRUE(Eventually([&] {
    body = HttpGet(port_, "/metrics");
    return body.find("vigil_rule_alerts_total{rule=\"test.failure\",severity=\"medium\"} 1") !=
               std::string::npos &&
           body.find("vigil_collector_up{collector=\"capfile\"} 0") != std::string::npos;
  })) << body;
  EXPECT_NE(body.find("vigil_build_info{version=\""), std::string::npos);
  EXPECT_NE(body.find("vigil_collector_events_total{collector=\"app\"} 1"), std::string::npos);
  EXPECT_NE(body.find("vigil_collector_skipped_total{collector=\"app\"} 1"), std::string::npos);
  EXPECT_NE(body.find("vigil_collector_up{collector=\"app\"} 1"), std::string::npos);
  // A rule that never fired has its series, at 0.
  EXPECT_NE(body.find("vigil_rule_alerts_total{rule=\"test.never\",severity=\"critical\"} 0"),
            std::string::npos);
  // Correlation and suppression state, from the start.
  EXPECT_NE(body.find("vigil_rule_correlation_groups{rule=\"test.burst\"} "), std::string::npos);
  EXPECT_NE(body.find("vigil_rule_evicted_groups_total{rule=\"test.burst\"} 0"),
            std::string::npos);
  EXPECT_NE(body.find("vigil_rule_suppressed_alerts_total{rule=\"test.never\"} 0"),
            std::string::npos);
  // A collector's own series (network), linted together with the rest.
  EXPECT_NE(body.find("vigil_network_packets_total{collector=\"capfile\",result=\"ip\"}"),
            std::string::npos);
  EXPECT_NE(body.find("vigil_network_malformed_packets_total{collector=\"capfile\",class="),
            std::string::npos);
  EXPECT_NE(body.find("process_resident_memory_bytes "), std::string::npos);
  EXPECT_NE(body.find("process_open_fds "), std::string::npos);

  auto lint = RunCommand({"promtool", "check", "metrics"}, body);
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;

  int status = 0;
  EXPECT_NE(HttpGet(port_, "/", &status).find("/metrics"), std::string::npos);
  EXPECT_EQ(status, 200);
  HttpGet(port_, "/nothing-here", &status);
  EXPECT_EQ(status, 404);
}

TEST_F(MetricsTest, RealPrometheusScrapesIt) {
  StartVigil();
  int prom_port = FreeTcpPort();
  std::string prom_cfg = dir_.Write("prometheus.yml",
                                    "global:\n  scrape_interval: 1s\n"
                                    "scrape_configs:\n  - job_name: vigil\n"
                                    "    static_configs:\n      - targets: ['127.0.0.1:" +
                                        std::to_string(port_) + "']\n");
  Process prometheus({"prometheus", "--config.file=" + prom_cfg,
                      "--storage.tsdb.path=" + dir_.File("tsdb"),
                      "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
                     dir_.File("prometheus.err"));
  std::string answer;
  bool scraped = Eventually(
      [&] {
        answer = HttpGet(prom_port, "/api/v1/query?query=vigil_collector_events_total");
        return answer.find("\"collector\":\"app\"") != std::string::npos;
      },
      60s);
  EXPECT_TRUE(scraped) << answer << ReadFile(dir_.File("prometheus.err"));
  // The target is healthy in Prometheus's own view.
  std::string up = HttpGet(prom_port, "/api/v1/query?query=up%7Bjob%3D%22vigil%22%7D");
  EXPECT_NE(up.find("\"value\":["), std::string::npos) << up;
  EXPECT_NE(up.find(",\"1\"]"), std::string::npos) << up;
  prometheus.Signal(SIGTERM);
  int code = -1;
  EXPECT_TRUE(prometheus.Wait(30s, &code));
}

TEST_F(MetricsTest, BasicAuthenticationWithARealPrometheus) {
  const std::string good = AuthHeader("prometheus", "s3cret");
  dir_.Write("web.yml", "basic_auth_users:\n  prometheus: " + testing::BcryptHash("s3cret") + "\n");
  StartVigil("  web_config_file: web.yml\n", good);  // relative to the config file
  for (const char* path : {"/metrics", "/healthz", "/"}) {
    int status = 0;
    std::string headers;
    HttpGet(port_, path, &status, "", &headers);
    EXPECT_EQ(status, 401) << path;
    EXPECT_NE(headers.find("WWW-Authenticate: Basic realm=\"vigil\""), std::string::npos) << headers;
    HttpGet(port_, path, &status, AuthHeader("prometheus", "wrong"));
    EXPECT_EQ(status, 401) << path;
    HttpGet(port_, path, &status, good);
    EXPECT_EQ(status, 200) << path;
  }
  EXPECT_NE(HttpGet(port_, "/metrics", nullptr, good).find("vigil_metrics_auth_failures_total 6"),
            std::string::npos);

  // A real Prometheus with basic_auth in its scrape config.
  const int prom_port = FreeTcpPort();
  const std::string prom_cfg = dir_.Write(
      "prometheus.yml", "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: vigil\n"
                        "    basic_auth: {username: prometheus, password: s3cret}\n"
                        "    static_configs:\n      - targets: ['127.0.0.1:" + std::to_string(port_) + "']\n");
  Process prometheus({"prometheus", "--config.file=" + prom_cfg, "--storage.tsdb.path=" + dir_.File("tsdb"),
                      "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
                     dir_.File("prometheus.err"));
  std::string up;
  EXPECT_TRUE(Eventually(
      [&] {
        up = HttpGet(prom_port, "/api/v1/query?query=up%7Bjob%3D%22vigil%22%7D");
        return up.find(",\"1\"]") != std::string::npos;
      },
      60s))
      << up << ReadFile(dir_.File("prometheus.err"));
  std::string build;
  EXPECT_TRUE(Eventually(
      [&] {
        build = HttpGet(prom_port, "/api/v1/query?query=vigil_build_info");
        return build.find("\"version\"") != std::string::npos;
      },
      30s))
      << build;
  prometheus.Signal(SIGTERM);
  int code = -1;
  EXPECT_TRUE(prometheus.Wait(30s, &code));

  // SIGHUP with a new password: the old one is refused, the new one works.
  const std::string next = AuthHeader("prometheus", "n3xt");
  dir_.Write("web.yml", "basic_auth_users:\n  prometheus: " + testing::BcryptHash("n3xt") + "\n");
  vigil_->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] { return Reloads("success", next) == "1"; })) << ReadFile(dir_.File("vigil.err"));
  int status = 0;
  HttpGet(port_, "/metrics", &status, good);
  EXPECT_EQ(status, 401);
  // A file that is not valid refuses the reload; the running users stay.
  dir_.Write("web.yml", "basic_auth_users:\n  prometheus: plaintext-password\n");
  vigil_->Signal(SIGHUP);
  ASSERT_TRUE(Eventually([&] { return Reloads("refused", next) == "1"; })) << ReadFile(dir_.File("vigil.err"));
  HttpGet(port_, "/metrics", &status, next);
  EXPECT_EQ(status, 200);
  EXPECT_NE(ReadFile(dir_.File("vigil.err")).find("web.yml:2:15"), std::string::npos)
      << ReadFile(dir_.File("vigil.err"));
}

TEST(MetricsPortTest, PortInUseIsAClearStartupError) {
  TempDir dir;
  int port = FreeTcpPort();
  std::string cfg = dir.Write("vigil.yaml", "state_dir: " + dir.File("state") +
                                                "\nmetrics:\n  listen: 127.0.0.1:" +
                                                std::to_string(port) + "\nrules:\n  paths: []\n");
  Process first({VigilBinary(), "run", "-c", cfg}, dir.File("first.err"));
  ASSERT_TRUE(Eventually([&] { return HttpGet(port, "/healthz") == "ok\n"; }));
  auto second = RunCommand({VigilBinary(), "run", "-c", cfg}, "", 20s);
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("cannot listen on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << second.err;
  first.Signal(SIGTERM);
  int code = -1;
  EXPECT_TRUE(first.Wait(15s, &code));
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace vigil
