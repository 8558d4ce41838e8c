// Daemon: `vigil run`, the long-running process.
//
// Owns the Asio io_context on the main thread, which handles signals (SIGHUP reload,
// SIGTERM/SIGINT drain and exit, SIGUSR1 reopen outputs) and the systemd watchdog; the
// pipeline owns one thread per collector and the engine thread, where the rule engine runs.
// A reload loads the new rules and builds every new collector before touching the running
// ones, so a bad config or a bad rule file changes nothing.
//
// Alerts are written as JSON lines to stdout until the alert router and its outputs exist.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "alert_router.h"
#include "audit_monitor.h"
#include "compliance_status.h"
#include "report_scheduler.h"
#include "config.h"
#include "vigil/output.h"
#include "health_monitor.h"
#include "metrics_server.h"
#include "rule_metrics.h"
#include "pipeline.h"
#include "systemd_notify.h"
#include "vigil/event_consumer.h"
#include "vigil/rules/rule_engine_consumer.h"
#include "vigil/rules/term_history_store.h"

namespace vigil {

struct RunOptions {
  std::string config_path;  // empty: /etc/vigil/vigil.yaml or the built-in default
  std::string log_format;   // "", "text" or "json" (overrides the config)
  std::string log_level;    // "" or a level (overrides the config)
};

class Daemon {
 public:
  explicit Daemon(RunOptions options);
  ~Daemon();
  // Runs until SIGTERM/SIGINT; returns the process exit code.
  int Run();

 private:
  // Builds and starts the enabled collectors of `config` except those named in `skip`.
  bool StartCollectors(const DaemonConfig& config, Pipeline& pipeline,
                       const std::set<std::string>& skip = {});
  void WaitForSignal();
  void AttachRuleHistory();  // new_terms history from <state_dir>/rule_history.db
  void OnSignal(int signo);
  void Reload();
  // Builds (does not start) the health monitor over pipeline_ and engine_, and the audit
  // log verifier that reports through it.
  Status CreateHealthMonitor();
  void ArmWatchdog();
  void ArmCoverage();
  // The compliance gauge and the scheduled reports, at start and each coverage interval.
  void ReportTick();
  // Each collector's counters; at the stop, `up_until_stop` names those that ran until then.
  void RecordCoverage(const std::set<std::string>* up_until_stop = nullptr);
  // Appends a ruleset record for `rules`, loaded by `config`'s rule files.
  void RecordRuleset(const RuleSet& rules, const DaemonConfig& config);
  std::shared_ptr<OutputSet> Outputs() const;
  void UpdateStatus();
  void OnAlert(const Alert& alert);
  void DeliverAlert(uint64_t id, const Alert& alert, const std::string& json);  // router thread
  // Everything /metrics shows; runs on the metrics server's thread.
  void WriteMetrics(MetricWriter& out) const;

  RunOptions options_;
  DaemonConfig config_;
  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer watchdog_;
  boost::asio::steady_timer coverage_timer_;
  SystemdNotifier notifier_;
  ConsumerChain consumers_;
  // Destroyed in reverse order: the metrics server (which reads the pipeline) first, then
  // the health monitor (which samples and feeds the pipeline), the pipeline (whose engine
  // thread uses the rule engine), then the engine, then the alert router the engine submits to.
  // Replaced by a reload that changes `outputs:`; the router's thread delivers to the current
  // set, so it is swapped under outputs_mu_ and each delivery holds its own reference.
  // The host name the router stamps on deliveries is read on that thread too, so it is a
  // copy under the same mutex rather than a read of config_, which a reload rewrites.
  std::shared_ptr<OutputSet> outputs_;
  std::string delivery_host_name_;
  mutable std::mutex outputs_mu_;
  std::unique_ptr<AlertRouter> router_;
  std::unique_ptr<RuleEngineConsumer> engine_;
  std::unique_ptr<AlertBarrier> barrier_;  // after engine_ in consumers_
  RuleMetrics rule_metrics_;
  ComplianceStatus compliance_;
  ReportScheduler reports_;
  std::unique_ptr<Pipeline> pipeline_;
  std::unique_ptr<HealthMonitor> health_;  // reads pipeline_ and engine_; pushes to pipeline_
  std::unique_ptr<AuditMonitor> audit_monitor_;  // emits through health_
  std::unique_ptr<MetricsServer> metrics_;
  std::atomic<uint64_t> reloads_{0};
  std::atomic<uint64_t> failed_reloads_{0};
  std::atomic<uint64_t> alerts_{0};
};

// `vigil run`.
int RunDaemonCommand(const RunOptions& options);

}  // namespace vigil
