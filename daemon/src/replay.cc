#include "replay.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "config_source.h"
#include "event_printer.h"
#include "pipeline.h"
#include "router_setup.h"
#include "run_recording.h"
#include "rule_loading.h"
#include "skip_reporter.h"
#include "vigil/log.h"
#include "vigil/rules/rule_engine_consumer.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

constexpr uint64_t kDetailedSkips = 1000;
// Replay blocks instead of dropping, so a deep queue only costs memory, and cache: with
// --events, 1024 events in flight instead of 4096 took the peak RSS of a million-line audit
// log from 90 to 40 MB and the run from 2.2-2.5 to 1.9 s, an auth log's from 38 to 27 MB and
// 3.0-3.4 to 2.5 s (bench/RESULTS.md, session 14).
constexpr size_t kReplayQueueCapacity = 1024;

struct Input {
  std::string collector_type;  // registered collector name
  std::string option;          // the flag that named it, for messages
  std::string path;
};

int Unavailable(const std::string& what) {
  std::fprintf(stderr, "vigil replay: %s is not available yet in this build\n", what.c_str());
  return 2;
}

}  // namespace

int RunReplayCommand(const ReplayOptions& options) {
  SetLogFormat(LogFormat::kText);
  LogLevel level = LogLevel::kWarning;
  if (!options.log_level.empty()) ParseLogLevel(options.log_level, &level);
  SetLogLevel(level);

  // --db is the alert store (with -r) and also holds the retention baseline of --scan.
  if (options.scan_dir.empty() != options.policy.empty()) {
    std::fprintf(stderr, "vigil replay: --scan DIR and --policy FILE go together\n");
    return 2;
  }
  if (!options.now.empty() && !ParseRfc3339(options.now)) {
    std::fprintf(stderr, "vigil replay: --now '%s' is not an RFC 3339 time (e.g. 2026-01-31T12:00:00Z)\n",
                 options.now.c_str());
    return 2;
  }

  std::vector<Input> inputs;
  auto add = [&](const std::vector<std::string>& paths, const char* type, const char* flag) {
    for (const auto& p : paths) inputs.push_back({type, flag, p});
  };
  add(options.pcaps, "pcap", "--pcap");
  add(options.auth_logs, "auth_log", "--auth-log");
  add(options.journal_jsons, "journal_json", "--journal-json");
  add(options.journals, "journald", "--journal");
  add(options.audit_logs, "audit_log", "--audit-log");
  add(options.jsonls, "jsonl", "--jsonl");
  if (!options.scan_dir.empty()) inputs.push_back({"retention", "--scan", options.scan_dir});
  if (inputs.empty()) {
    std::fprintf(stderr, "vigil replay: no input given (use --jsonl, --auth-log, --pcap, --scan, ...)\n");
    return 2;
  }

  Diagnostics diags;
  std::optional<DaemonConfig> config;
  if (!options.config_path.empty()) {
    auto c = LoadEffectiveConfig(options.config_path, diags);
    if (!c.ok()) {
      std::fputs(diags.FormatText().c_str(), stderr);
      return 1;
    }
    config = std::move(*c);
  } else {
    // Replay does not need the host's config: the built-in defaults serve.
    auto c = LoadConfigString(BuiltinConfigText(), kBuiltinConfigName, diags);
    if (!c.ok()) {
      std::fputs(diags.FormatText().c_str(), stderr);
      return 1;
    }
    config = std::move(*c);
  }

  // Rules: loaded after the config, with its enable/disable lists; alerts as JSON lines.
  std::unique_ptr<AlertRouter> router;
  std::unique_ptr<RuleEngineConsumer> engine;
  store::RulesetSnapshot ruleset;  // with --db: recorded with the run
  if (!options.rule_files.empty()) {
    Diagnostics rdiags;
    auto rules = LoadRules(options.rule_files,
                           RuleOptionsFor(*config), rdiags);
    std::fputs(rdiags.FormatText().c_str(), stderr);
    if (!rules.ok()) {
      std::fprintf(stderr, "vigil replay: %s\n", rules.status().message().c_str());
      return 1;
    }
    const bool print = !options.no_alerts;
    auto print_json = [print](const std::string& json) {
      if (!print) return;
      std::string line = json;
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), stdout);
    };
    if (!options.db.empty()) {
      // With --db, alerts go through the router as in the daemon: stored, audit-logged, and
      // printed with their store id once durable.
      // Checkpoints by count only (and the last one at the end): where a checkpoint by time
      // falls depends on how the router's thread batched the alerts, and the same input must
      // give the same audit log, record for record.
      RouterOptions ro = RouterOptionsFor(*config, options.db);
      if (ro.audit.checkpoint_every > 0) ro.audit.checkpoint_interval = std::chrono::seconds(0);
      // --now fixes the clock for what it writes too: the alerts' raise time (`created`) and
      // the audit records' times do not depend on when the replay ran.
      if (!options.now.empty()) {
        const Timestamp now = *ParseRfc3339(options.now);
        ro.clock = [now] { return now; };
      }
      auto opened = AlertRouter::Open(ro,
                                      [print_json](uint64_t, const Alert&, const std::string& json) {
                                        print_json(json);
                                      });
      if (!opened.ok()) {
        std::fprintf(stderr, "vigil replay: --db %s: %s\n", options.db.c_str(), opened.status().message().c_str());
        return 1;
      }
      router = std::move(*opened);
      std::vector<std::string> policies;
      if (!options.policy.empty()) policies.push_back(options.policy);
      ruleset = RulesetSnapshotFor(**rules, options.rule_files, policies, *config, Timestamp{});
    }
    engine = std::make_unique<RuleEngineConsumer>(std::move(*rules), [&router, print_json](const Alert& a) {
      if (router) router->Submit(a);
      else print_json(AlertToJson(a));
    });
  }

  EventPrinter printer(stdout);
  EventTimeSpan span;  // with --db, the run's period
  ConsumerChain chain;
  if (options.events) chain.Add(&printer);
  if (router) chain.Add(&span);
  if (engine) chain.Add(engine.get());  // last: it takes the events that fire (EventConsumer)

  PipelineOptions popts;
  popts.queue_capacity = std::min<size_t>(config->queue_capacity, kReplayQueueCapacity);
  popts.batch_size = config->queue_batch;
  popts.mode = RunMode::kReplay;
  Pipeline pipeline(popts, chain);
  pipeline.Start();

  uint64_t events = 0, skipped = 0, failed = 0;
  for (const Input& in : inputs) {
    if (CollectorRegistry::Global().Find(in.collector_type) == nullptr) {
      pipeline.Drain();
      return Unavailable("the " + in.option + " input");
    }
    CollectorEntry entry;
    entry.type = in.collector_type;
    entry.name = in.collector_type;
    entry.enabled = true;
    entry.file = in.option + " " + in.path;
    entry.node = YAML::Node(YAML::NodeType::Map);
    if (in.collector_type == "retention") {
      // The tree under --scan, against --policy; the baseline in --db, or in memory.
      std::string root = std::filesystem::absolute(in.path).lexically_normal().string();
      while (root.size() > 1 && root.back() == '/') root.pop_back();
      entry.node["policy"] = options.policy;
      entry.node["roots"].push_back(root);
      entry.node["db"] = options.db.empty() ? std::string(":memory:") : options.db;
      if (!options.now.empty()) entry.node["now"] = options.now;
      if (options.workers > 0) entry.node["workers"] = options.workers;
    } else if (in.collector_type == "journald") {
      // sd-journal reads a directory of journal files, or the files named.
      std::error_code ec;
      if (std::filesystem::is_directory(in.path, ec)) {
        entry.node["directory"] = in.path;
      } else {
        entry.node["files"].push_back(in.path);
      }
    } else {
      entry.node["path"] = in.path;
      if (in.collector_type == "auth_log" && options.workers > 0) {
        entry.node["workers"] = std::min(options.workers, 16);  // auth_log's range
      }
    }
    Diagnostics cdiags;
    auto collector = CreateCollector(entry, *config, RunMode::kReplay, cdiags);
    if (!collector.ok()) {
      std::fputs(cdiags.FormatText().c_str(), stderr);
      std::fprintf(stderr, "vigil replay: %s %s: %s\n", in.option.c_str(), in.path.c_str(),
                   collector.status().ToString().c_str());
      ++failed;
      continue;
    }
    pipeline.AddCollector(in.collector_type, std::move(*collector),
                          MakeSkipReporter(in.path, kDetailedSkips, [](const std::string& m) {
                            std::fprintf(stderr, "vigil replay: %s\n", m.c_str());
                          }));
    // One input at a time: deterministic order of events.
    pipeline.WaitForCollectors();
    for (const auto& view : pipeline.collectors()) {
      events += view.counters->events.load();
      skipped += view.counters->skipped.load();
      failed += view.counters->errors.load();
    }
    pipeline.StopCollectors();  // forget the finished collector
  }
  pipeline.Drain();
  if (engine) engine->Finish();  // end of input: summaries of open suppression windows
  if (router) {
    // The replay as a run of its own, spanning the event times of its input (or --now, or
    // this moment, when it had no events): which rules were in force, what was read.
    const Timestamp fallback = options.now.empty() ? WallNow() : *ParseRfc3339(options.now);
    const Timestamp started = span.first.value_or(fallback), stopped = span.last.value_or(fallback);
    auto coverage = CoverageOf(pipeline, {});
    for (store::CoverageSample& c : coverage) c.up = c.errors == 0;  // read to the end
    router->RecordRun("run_start", store::RunStartData(RunStartFor("replay", *config, started)));
    ruleset.at = started;
    router->RecordRun("ruleset", store::RulesetData(ruleset));
    router->RecordRun("coverage", store::CoverageData(stopped, coverage));
    router->RecordRun("run_stop", store::RunStopData(stopped));
    router->Stop();  // everything stored, a last checkpoint signed
  }
  std::fflush(stdout);

  const unsigned long long alerts = engine ? engine->alerts() : 0;
  std::fprintf(stderr, "vigil replay: %zu input%s, %llu events, %llu skipped, %llu failed, %llu alert%s\n",
               inputs.size(), inputs.size() == 1 ? "" : "s",
               static_cast<unsigned long long>(events), static_cast<unsigned long long>(skipped),
               static_cast<unsigned long long>(failed), alerts, alerts == 1 ? "" : "s");
  return failed > 0 ? 1 : 0;
}

}  // namespace vigil
