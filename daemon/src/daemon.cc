#include "daemon.h"

#include <sys/stat.h>

#include <csignal>
#include <filesystem>
#include <system_error>
#include <utility>

#include "config_source.h"
#include "privileges.h"
#include "health_monitor.h"
#include "process_metrics.h"
#include "router_setup.h"
#include "run_recording.h"
#include "rule_loading.h"
#include "skip_reporter.h"
#include "vigil/log.h"

namespace vigil {
namespace {

constexpr uint64_t kDetailedSkipsPerCollector = 100;

void ApplyLogging(const DaemonConfig& config, const RunOptions& options) {
  LogLevel level = config.log_level;
  if (!options.log_level.empty()) ParseLogLevel(options.log_level, &level);
  LogFormat format = config.log_format;
  if (options.log_format == "json") format = LogFormat::kJson;
  if (options.log_format == "text") format = LogFormat::kText;
  SetLogLevel(level);
  SetLogFormat(DetectLogFormat(format));
}

Status EnsureStateDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create state directory " + dir + ": " + ec.message());
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::IoError("state directory " + dir + " is not a directory");
  }
  return Status::Ok();
}

std::string DescribeRules(const RuleSet& rules) {
  size_t enabled = 0;
  for (const RuleInfo& r : rules.rules()) enabled += r.enabled ? 1 : 0;
  return std::to_string(rules.rules().size()) + " rules loaded, " + std::to_string(enabled) +
         " enabled";
}

void LogDiagnostics(const Diagnostics& diags) {
  for (const Diagnostic& d : diags.items()) {
    if (d.severity == Severity::kError) {
      VIGIL_LOG(kError) << FormatDiagnosticHeader(d);
    } else {
      VIGIL_LOG(kWarning) << FormatDiagnosticHeader(d);
    }
  }
}

bool SameCollectorEntry(const CollectorEntry& a, const CollectorEntry& b) {
  return a.type == b.type && a.name == b.name && a.enabled == b.enabled &&
         YAML::Dump(a.node) == YAML::Dump(b.node);
}

bool SameOutputs(const std::vector<OutputEntry>& a, const std::vector<OutputEntry>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].type != b[i].type || a[i].name != b[i].name || a[i].enabled != b[i].enabled ||
        YAML::Dump(a[i].node) != YAML::Dump(b[i].node)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Daemon::Daemon(RunOptions options)
    : options_(std::move(options)), signals_(io_), watchdog_(io_), coverage_timer_(io_) {}

Daemon::~Daemon() = default;

bool Daemon::StartCollectors(const DaemonConfig& config, Pipeline& pipeline,
                             const std::set<std::string>& skip) {
  // Build every collector first; start them only if all could be built.
  std::vector<std::pair<std::string, std::unique_ptr<Collector>>> built;
  Diagnostics diags;
  for (const CollectorEntry& entry : config.collectors) {
    if (!entry.enabled || skip.count(entry.name) != 0) continue;
    auto c = CreateCollector(entry, config, RunMode::kLive, diags);
    if (!c.ok()) {
      LogDiagnostics(diags);
      VIGIL_LOG(kError) << "collector '" << entry.name << "': " << c.status().ToString();
      return false;
    }
    built.emplace_back(entry.name, std::move(*c));
  }
  for (auto& [name, collector] : built) {
    pipeline.AddCollector(name, std::move(collector),
                          MakeSkipReporter(name, kDetailedSkipsPerCollector));
    VIGIL_LOG(kInfo) << "collector '" << name << "' started";
  }
  return true;
}

int Daemon::Run() {
  Diagnostics diags;
  auto config = LoadEffectiveConfig(options_.config_path, diags);
  if (!config.ok()) {
    std::fputs(diags.FormatText().c_str(), stderr);
    VIGIL_LOG(kError) << "invalid configuration; not starting";
    return 1;
  }
  config_ = std::move(*config);
  ApplyLogging(config_, options_);
  LogDiagnostics(diags);  // warnings
  // As root with `user:` set: switch to that user now, while this is the only thread
  // (privileges.h); the rules are then read as that user, as a reload will read them.
  if (Status s = DropPrivileges(config_); !s.ok()) {
    VIGIL_LOG(kError) << "cannot drop privileges: " << s.message();
    return 1;
  }
  if (Status s = EnsureStateDir(config_.state_dir); !s.ok()) {
    VIGIL_LOG(kError) << s.message();
    return 1;
  }

  Diagnostics rule_diags;
  auto rules = LoadConfiguredRules(config_, rule_diags);
  if (!rules.ok()) {
    std::fputs(rule_diags.FormatText().c_str(), stderr);
    VIGIL_LOG(kError) << "invalid rules; not starting";
    return 1;
  }
  LogDiagnostics(rule_diags);  // warnings
  VIGIL_LOG(kInfo) << DescribeRules(**rules);
  rule_metrics_.SetRules(**rules);
  compliance_.SetRules(**rules, config_);
  Diagnostics output_diags;
  auto outputs = OutputSet::Create(config_.outputs, output_diags);
  if (!outputs.ok()) {
    std::fputs(output_diags.FormatText().c_str(), stderr);
    VIGIL_LOG(kError) << outputs.status().message() << "; not starting";
    return 1;
  }
  {
    std::lock_guard lock(outputs_mu_);
    outputs_ = std::make_shared<OutputSet>(std::move(*outputs));
    delivery_host_name_ = config_.host_name;
  }
  auto router = AlertRouter::Open(RouterOptionsFor(config_, StorePathIn(config_.state_dir)),
                                  [this](uint64_t id, const Alert& a, const std::string& json) {
                                    DeliverAlert(id, a, json);
                                  });
  if (!router.ok()) {
    VIGIL_LOG(kError) << router.status().message() << "; not starting";
    return 1;
  }
  router_ = std::move(*router);
  router_->RecordRun("run_start", store::RunStartData(RunStartFor("daemon", config_, WallNow())));
  RecordRuleset(**rules, config_);
  engine_ = std::make_unique<RuleEngineConsumer>(std::move(*rules),
                                                 [this](const Alert& a) { OnAlert(a); });
  AttachRuleHistory();
  consumers_.Add(engine_.get());  // it takes the events that fire: no event reader after it
  barrier_ = std::make_unique<AlertBarrier>(*router_);
  consumers_.Add(barrier_.get());

  std::signal(SIGPIPE, SIG_IGN);
  signals_.add(SIGHUP);
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGUSR1);
  WaitForSignal();

  PipelineOptions popts;
  popts.queue_capacity = config_.queue_capacity;
  popts.batch_size = config_.queue_batch;
  popts.mode = RunMode::kLive;
  pipeline_ = std::make_unique<Pipeline>(popts, consumers_);
  pipeline_->Start();
  if (Status s = CreateHealthMonitor(); !s.ok()) {
    VIGIL_LOG(kError) << s.ToString();
    pipeline_->Drain();
    return 1;
  }
  if (config_.metrics_enabled) {
    metrics_ = std::make_unique<MetricsServer>([this](MetricWriter& w) { WriteMetrics(w); });
    metrics_->SetUsers(config_.metrics_users);
    if (Status s = metrics_->Start(config_.metrics_listen); !s.ok()) {
      VIGIL_LOG(kError) << s.message();
      pipeline_->Drain();
      return 1;
    }
    VIGIL_LOG(kInfo) << "metrics on http://" << config_.metrics_listen << "/metrics";
  }
  if (!StartCollectors(config_, *pipeline_)) {
    pipeline_->StopCollectors();
    pipeline_->Drain();
    return 1;
  }

  health_->Start();
  audit_monitor_->Start();
  ArmWatchdog();
  ArmCoverage();
  ReportTick();
  notifier_.Ready();
  UpdateStatus();
  VIGIL_LOG(kNotice) << "vigil started (config " 
                     << (config_.source_file.empty() ? kBuiltinConfigName : config_.source_file)
                     << ", state " << config_.state_dir << ", host " << config_.host_name << ")";
  io_.run();

  // Stopping: collectors first, then whatever is queued is processed.
  notifier_.Stopping();
  audit_monitor_->Stop();
  health_->Stop();
  std::set<std::string> running;  // up until this stop, for the final coverage record
  for (const auto& [name, status] : pipeline_->CollectorStatuses()) {
    if (status.state == Pipeline::CollectorState::kRunning) running.insert(name);
  }
  pipeline_->StopCollectors();
  health_->Tick();  // what the last interval lost is reported too (stopped collectors are not down)
  pipeline_->Drain();
  engine_->Finish();  // summaries of suppression windows still open (engine thread has ended)
  engine_->SaveHistory();
  RecordCoverage(&running);  // the run's final counters, then its clean end
  router_->RecordRun("run_stop", store::RunStopData(WallNow()));
  router_->Stop();    // store what is queued, sign a last checkpoint
  Outputs()->Stop(std::chrono::duration_cast<std::chrono::milliseconds>(config_.shutdown_timeout));
  if (metrics_) metrics_->Stop();
  VIGIL_LOG(kNotice) << "vigil stopped: " << pipeline_->processed() << " events processed, "
                     << pipeline_->dropped() << " dropped, " << alerts_.load() << " alerts, "
                     << reloads_ << " reloads (" << failed_reloads_ << " refused)";
  return 0;
}

constexpr Duration kRuleHistorySaveInterval = std::chrono::seconds(30);

// new_terms rules remember the values they have seen (docs/rules.md, "new_terms"); without
// their history a restart would make every known value new again. Not fatal when the file
// cannot be used: the rules then start empty and learn again.
void Daemon::AttachRuleHistory() {
  const std::string path = config_.state_dir + "/rule_history.db";
  auto store = TermHistoryStore::Open(path);
  if (!store.ok()) {
    VIGIL_LOG(kWarning) << "new_terms history not kept: " << store.status().message();
    return;
  }
  auto load = engine_->AttachHistory(std::move(*store), kRuleHistorySaveInterval);
  if (!load.ok()) {
    VIGIL_LOG(kWarning) << "new_terms history in " << path << " not restored: " << load.status().message();
    return;
  }
  if (load->rules > 0 || load->skipped > 0 || load->stale_rules > 0) {
    VIGIL_LOG(kInfo) << "new_terms history: " << load->values << " values of " << load->rules
                     << " rules restored from " << path << " (" << load->skipped << " skipped, "
                     << load->stale_rules << " rules changed or removed since)";
  }
}

void Daemon::WaitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
    if (ec) return;
    OnSignal(signo);
  });
}

void Daemon::OnSignal(int signo) {
  switch (signo) {
    case SIGTERM:
    case SIGINT:
      VIGIL_LOG(kNotice) << "received " << (signo == SIGTERM ? "SIGTERM" : "SIGINT")
                         << ", draining and stopping";
      signals_.cancel();
      watchdog_.cancel();
      coverage_timer_.cancel();
      io_.stop();
      return;
    case SIGHUP:
      Reload();
      break;
    case SIGUSR1:
      VIGIL_LOG(kInfo) << "received SIGUSR1: reopening output files";
      if (auto o = Outputs()) o->Reopen();
      break;
    default:
      break;
  }
  WaitForSignal();
}

void Daemon::Reload() {
  notifier_.Reloading();
  VIGIL_LOG(kNotice) << "received SIGHUP, reloading configuration";
  Diagnostics diags;
  auto next = LoadEffectiveConfig(options_.config_path, diags);
  if (!next.ok()) {
    ++failed_reloads_;
    LogDiagnostics(diags);
    VIGIL_LOG(kError) << "reload refused: the new configuration is invalid; "
                         "the running configuration stays in force";
    notifier_.Ready();
    UpdateStatus();
    return;
  }
  Diagnostics rule_diags;
  auto rules = LoadConfiguredRules(*next, rule_diags);
  if (!rules.ok()) {
    ++failed_reloads_;
    LogDiagnostics(rule_diags);
    VIGIL_LOG(kError) << "reload refused: the rules are invalid; the running rules stay in force";
    notifier_.Ready();
    UpdateStatus();
    return;
  }
  // Validate by building every collector before stopping the running ones.
  Diagnostics create_diags;
  for (const CollectorEntry& entry : next->collectors) {
    if (!entry.enabled) continue;
    auto c = CreateCollector(entry, *next, RunMode::kLive, create_diags);
    if (!c.ok()) {
      ++failed_reloads_;
      LogDiagnostics(create_diags);
      VIGIL_LOG(kError) << "reload refused: collector '" << entry.name
                        << "' cannot be built: " << c.status().ToString();
      notifier_.Ready();
      UpdateStatus();
      return;
    }
  }
  // Outputs: built (and started) before anything is switched, only when `outputs:` changed.
  std::shared_ptr<OutputSet> next_outputs;
  if (!SameOutputs(next->outputs, config_.outputs)) {
    Diagnostics output_diags;
    auto built = OutputSet::Create(next->outputs, output_diags);
    if (!built.ok()) {
      ++failed_reloads_;
      LogDiagnostics(output_diags);
      VIGIL_LOG(kError) << "reload refused: " << built.status().message();
      notifier_.Ready();
      UpdateStatus();
      return;
    }
    next_outputs = std::make_shared<OutputSet>(std::move(*built));
  }
  if (next->queue_capacity != config_.queue_capacity || next->state_dir != config_.state_dir ||
      next->metrics_enabled != config_.metrics_enabled ||
      next->metrics_listen != config_.metrics_listen) {
    VIGIL_LOG(kWarning) << "queue.capacity, state_dir and metrics changes take effect at the "
                           "next restart";
    next->queue_capacity = config_.queue_capacity;
    next->state_dir = config_.state_dir;
    next->metrics_enabled = config_.metrics_enabled;
    next->metrics_listen = config_.metrics_listen;
  }
  // Collectors whose entry did not change keep running (no re-read, no gap); the others
  // are stopped, and new or changed ones started. One whose run ended by itself (health:
  // collector_down) is started again.
  std::set<std::string> ended;
  for (const Pipeline::CollectorView& v : pipeline_->collectors()) {
    if (!v.running) ended.insert(v.instance);
  }
  std::set<std::string> unchanged;
  for (const CollectorEntry& old_entry : config_.collectors) {
    bool same = false;
    for (const CollectorEntry& e : next->collectors) {
      if (e.name == old_entry.name) same = SameCollectorEntry(e, old_entry);
    }
    if (same && old_entry.enabled && ended.count(old_entry.name) == 0) {
      unchanged.insert(old_entry.name);
    } else if (pipeline_->StopCollector(old_entry.name)) {
      VIGIL_LOG(kInfo) << "collector '" << old_entry.name << "' stopped";
    }
  }
  config_ = std::move(*next);
  {
    std::lock_guard lock(outputs_mu_);
    delivery_host_name_ = config_.host_name;
  }
  ApplyLogging(config_, options_);
  VIGIL_LOG(kInfo) << DescribeRules(**rules);
  rule_metrics_.SetRules(**rules);
  compliance_.SetRules(**rules, config_);
  RecordRuleset(**rules, config_);
  engine_->Replace(std::move(*rules));
  health_->SetOptions(HealthOptionsFor(config_));
  audit_monitor_->SetInterval(config_.audit_verify_interval);
  if (metrics_) metrics_->SetUsers(config_.metrics_users);
  if (next_outputs) {
    std::shared_ptr<OutputSet> old;
    {
      std::lock_guard lock(outputs_mu_);
      old = std::exchange(outputs_, std::move(next_outputs));
    }
    // Alerts already queued in the old outputs are still delivered (or counted as dropped
    // after shutdown_timeout); new alerts go to the new ones.
    old->Stop(std::chrono::duration_cast<std::chrono::milliseconds>(config_.shutdown_timeout));
    VIGIL_LOG(kInfo) << "outputs replaced (" << Outputs()->size() << " configured)";
  }
  if (!StartCollectors(config_, *pipeline_, unchanged)) {
    VIGIL_LOG(kError) << "a collector failed to start after reload";
  }
  ++reloads_;
  VIGIL_LOG(kNotice) << "configuration reloaded";
  notifier_.Ready();
  UpdateStatus();
}

Status Daemon::CreateHealthMonitor() {
  auto fields = DeclareHealthFields(FieldRegistry::Global());
  if (!fields.ok()) return fields.status();
  health_ = std::make_unique<HealthMonitor>(
      HealthOptionsFor(config_), *fields,
      [this] { return SampleDaemonHealth(*pipeline_, engine_.get()); },
      [this](Event&& e) { pipeline_->PushOwn(std::move(e)); });
  AuditMonitorOptions ao;
  const std::string store = StorePathIn(config_.state_dir);
  ao.paths = {.log = AuditLogPathFor(store), .store = store, .public_key = AuditKeyPathFor(store) + ".pub"};
  ao.interval = config_.audit_verify_interval;
  ao.host_name = config_.host_name;
  audit_monitor_ = std::make_unique<AuditMonitor>(ao, *fields, [this](Event&& e) { health_->Emit(std::move(e)); });
  return Status::Ok();
}

void Daemon::ArmWatchdog() {
  auto interval = notifier_.WatchdogInterval();
  if (!interval) return;
  notifier_.Watchdog();
  watchdog_.expires_after(*interval);
  watchdog_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) ArmWatchdog();
  });
}

void Daemon::ArmCoverage() {
  coverage_timer_.expires_after(config_.coverage_interval);
  coverage_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    ReportTick();  // before this interval's record: it sees the ones stored so far
    RecordCoverage();
    ArmCoverage();
  });
}

void Daemon::ReportTick() {
  const std::string store = StorePathIn(config_.state_dir);
  if (Status s = compliance_.Refresh(config_, store, WallNow()); !s.ok()) {
    VIGIL_LOG(kWarning) << "compliance status: " << s.message();
  }
  reports_.Tick(config_, store, WallNow());
}

void Daemon::RecordCoverage(const std::set<std::string>* up_until_stop) {
  auto coverage = CoverageOf(*pipeline_, CollectorTypes(config_));
  if (up_until_stop) {
    for (store::CoverageSample& c : coverage) c.up = up_until_stop->count(c.name) != 0;
  }
  router_->RecordRun("coverage", store::CoverageData(WallNow(), coverage));
}

void Daemon::RecordRuleset(const RuleSet& rules, const DaemonConfig& config) {
  Diagnostics ignored;  // the rules loaded, so their files resolve as they did then
  auto files = ConfiguredRuleFiles(config, ignored);
  router_->RecordRun("ruleset", store::RulesetData(RulesetSnapshotFor(rules, files.ok() ? *files : std::vector<std::string>{},
                                                                     PolicyFilesOf(config), config, WallNow())));
}

std::shared_ptr<OutputSet> Daemon::Outputs() const {
  std::lock_guard lock(outputs_mu_);
  return outputs_;
}

void Daemon::UpdateStatus() {
  size_t n = pipeline_ ? pipeline_->collectors().size() : 0;
  notifier_.Status("running: " + std::to_string(n) + " collectors, " +
                   std::to_string(pipeline_ ? pipeline_->processed() : 0) + " events processed");
}

void Daemon::DeliverAlert(uint64_t id, const Alert& alert, const std::string& json) {
  auto m = std::make_shared<AlertMessage>();
  m->id = id;
  m->severity = alert.rule->severity;
  m->rule_id = alert.rule->id;
  m->tags = alert.rule->tags;
  m->timestamp = alert.timestamp;
  m->json = json;
  m->text = alert.output();
  std::shared_ptr<OutputSet> outputs;
  {
    std::lock_guard lock(outputs_mu_);
    outputs = outputs_;
    m->host_name = delivery_host_name_;
  }
  if (outputs) outputs->Route(std::move(m));
}

void Daemon::OnAlert(const Alert& alert) {
  alerts_.fetch_add(1, std::memory_order_relaxed);
  rule_metrics_.Count(alert);
  router_->Submit(alert);
}

void Daemon::WriteMetrics(MetricWriter& out) const {
  out.Gauge("vigil_build_info", "Build information; the value is always 1.",
            {{"version", VIGIL_VERSION}}, 1);
  out.Counter("vigil_config_reloads_total", "Configuration reloads (SIGHUP), by result.",
              {{"result", "success"}}, static_cast<double>(reloads_.load()));
  out.Counter("vigil_config_reloads_total", "Configuration reloads (SIGHUP), by result.",
              {{"result", "refused"}}, static_cast<double>(failed_reloads_.load()));
  out.Counter("vigil_alerts_total", "Alerts raised by all rules.", {},
              static_cast<double>(alerts_.load()));
  if (pipeline_) pipeline_->WriteMetrics(out);
  if (router_) router_->WriteMetrics(out);
  if (auto o = Outputs()) o->WriteMetrics(out);
  if (health_) health_->WriteMetrics(out);
  if (audit_monitor_) audit_monitor_->WriteMetrics(out);
  rule_metrics_.Write(out, engine_ ? engine_->StateStats() : std::vector<RuleStateStats>{});
  if (engine_) {
    out.Counter("vigil_rule_history_save_failures_total",
                "Saves of new_terms history to <state_dir>/rule_history.db that failed (logged).", {},
                static_cast<double>(engine_->history_save_failures()));
  }
  compliance_.WriteMetrics(out);
  reports_.WriteMetrics(out);
  WriteProcessMetrics(out);
}

int RunDaemonCommand(const RunOptions& options) {
  // Log plainly until the config says otherwise.
  SetLogFormat(DetectLogFormat(options.log_format == "json" ? LogFormat::kJson : LogFormat::kText));
  Daemon daemon(options);
  return daemon.Run();
}

}  // namespace vigil
