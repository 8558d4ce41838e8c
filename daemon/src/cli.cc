#include "cli.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "config_source.h"
#include "alerts_command.h"
#include "daemon.h"
#include "verify_command.h"
#include "health_event.h"
#include "replay.h"
#include "report_command.h"
#include "rule_loading.h"
#include "rules_listing.h"
#include "vigil/collector.h"
#include "vigil/output.h"
#include "vigil/log.h"
#include "vigil/rules/rule_set.h"

namespace vigil {
namespace {

constexpr const char* kVersion = VIGIL_VERSION;

int RunCheck(const std::string& config_path, const std::vector<std::string>& rules, bool test,
             const std::string& format) {
  SetLogLevel(LogLevel::kError);
  Diagnostics diags;
  auto config = LoadEffectiveConfig(config_path, diags);
  std::string name = config_path.empty() ? "the effective configuration" : config_path;
  // Rules named with -r are checked after the config, with its enable/disable lists;
  // without -r, the rules the config names (rules.paths) are checked.
  std::unique_ptr<RuleSet> rule_set;
  bool rules_ok = true;
  if (!rules.empty()) {
    RuleOptions opts;
    if (config.ok()) opts = RuleOptionsFor(*config);
    auto loaded = LoadRules(rules, opts, diags);
    rules_ok = loaded.ok();
    if (loaded.ok()) rule_set = std::move(*loaded);
  } else if (config.ok()) {
    auto loaded = LoadConfiguredRules(*config, diags);
    rules_ok = loaded.ok();
    if (loaded.ok()) rule_set = std::move(*loaded);
  }
  RuleTestReport report;
  if (test && rule_set) report = rule_set->RunTests();
  const bool valid = config.ok() && rules_ok && report.failed == 0;
  if (format == "json") {
    std::string tests;
    if (test) {
      tests = ",\"tests\":{\"passed\":" + std::to_string(report.passed) + ",\"failed\":" +
              std::to_string(report.failed) + ",\"skipped\":" + std::to_string(report.skipped) +
              ",\"failures\":" + report.failures.FormatJson() + "}";
    }
    std::printf("{\"valid\":%s,\"errors\":%zu,\"warnings\":%zu,\"rules\":%zu,\"diagnostics\":%s%s}\n",
                valid ? "true" : "false", diags.error_count(), diags.warning_count(),
                rule_set ? rule_set->rules().size() : size_t{0}, diags.FormatJson().c_str(), tests.c_str());
  } else {
    std::fputs(diags.FormatText().c_str(), stderr);
    if (config.ok()) {
      std::printf("%s: ok (%zu collector%s, %zu warning%s)\n",
                  config->source_file.empty() ? kBuiltinConfigName : config->source_file.c_str(),
                  config->collectors.size(), config->collectors.size() == 1 ? "" : "s",
                  diags.warning_count(), diags.warning_count() == 1 ? "" : "s");
    } else {
      std::fprintf(stderr, "%s: %zu error%s\n", name.c_str(), diags.error_count(),
                   diags.error_count() == 1 ? "" : "s");
    }
    if (rule_set) {
      std::printf("rules: ok (%zu rule%s)\n", rule_set->rules().size(),
                  rule_set->rules().size() == 1 ? "" : "s");
    } else if (!rules_ok) {
      std::fprintf(stderr, "rules: invalid\n");
    }
    if (test) {
      std::fputs(report.failures.FormatText().c_str(), stderr);
      std::printf("%zu rule%s, %zu test%s passed, %zu failed", report.rules, report.rules == 1 ? "" : "s",
                  report.passed, report.passed == 1 ? "" : "s", report.failed);
      if (report.skipped > 0) std::printf(", %zu skipped (correlation)", report.skipped);
      std::printf("\n");
    }
  }
  return valid ? 0 : 1;
}

}  // namespace

int RunCli(int argc, char** argv) {
  if (Status s = CollectorRegistry::Global().Validate(); !s.ok()) {
    std::fprintf(stderr, "vigil: %s\n", s.ToString().c_str());
    return 1;
  }
  if (Status s = OutputRegistry::Global().Validate(); !s.ok()) {
    std::fprintf(stderr, "vigil: %s\n", s.ToString().c_str());
    return 1;
  }
  if (Status s = CollectorRegistry::Global().DeclareAllFields(FieldRegistry::Global()); !s.ok()) {
    std::fprintf(stderr, "vigil: %s\n", s.ToString().c_str());
    return 1;
  }
  // The daemon's own health events (health_event.h), so that rules on them load everywhere.
  if (auto health = DeclareHealthFields(FieldRegistry::Global()); !health.ok()) {
    std::fprintf(stderr, "vigil: %s\n", health.status().ToString().c_str());
    return 1;
  }

  CLI::App app{"vigil: security and compliance monitoring daemon", "vigil"};
  app.set_version_flag("--version", std::string("vigil ") + kVersion);
  app.require_subcommand(1);
  int rc = 0;

  // vigil run
  RunOptions run_opts;
  auto* run = app.add_subcommand("run", "Run the daemon in the foreground (systemd supervises it)");
  run->add_option("-c,--config", run_opts.config_path,
                  "Configuration file (default /etc/vigil/vigil.yaml, else built-in defaults)");
  run->add_option("--log-format", run_opts.log_format, "Log format on stderr")
      ->check(CLI::IsMember({"text", "json"}));
  run->add_option("--log-level", run_opts.log_level, "Minimum log level")
      ->check(CLI::IsMember({"debug", "info", "notice", "warning", "error"}));
  run->callback([&] { rc = RunDaemonCommand(run_opts); });

  // vigil check
  std::string check_config, check_format = "text";
  std::vector<std::string> check_rules;
  bool check_test = false;
  auto* check = app.add_subcommand("check", "Validate the configuration and rules");
  check->add_option("-c,--config", check_config, "Configuration file");
  check->add_option("-r,--rules", check_rules, "Rule file (repeatable)");
  check->add_flag("--test", check_test, "Also run every rule's inline tests");
  check->add_option("--format", check_format, "Output format")
      ->check(CLI::IsMember({"text", "json"}));
  check->callback([&] { rc = RunCheck(check_config, check_rules, check_test, check_format); });

  // vigil rules list
  std::string list_config, list_format = "table";
  std::vector<std::string> list_rules;
  auto* rules_cmd = app.add_subcommand("rules", "Inspect the loaded rules");
  rules_cmd->require_subcommand(1);
  auto* rules_list = rules_cmd->add_subcommand("list", "List every loaded rule: id, name, severity, tags, "
                                                       "controls, pack, enabled");
  rules_list->add_option("-c,--config", list_config, "Configuration file (its packs and rule paths)");
  rules_list->add_option("-r,--rules", list_rules, "Rule file (repeatable; instead of the configured rules)");
  rules_list->add_option("--format", list_format, "Output format")
      ->check(CLI::IsMember({"table", "json", "markdown"}));
  rules_list->callback([&] { rc = RunRulesList(list_config, list_rules, list_format); });

  // vigil replay
  ReplayOptions rp;
  auto* replay = app.add_subcommand(
      "replay", "Run recorded input through the collectors and rules, offline; JSON lines out");
  replay->add_option("-c,--config", rp.config_path, "Configuration file (optional)");
  replay->add_option("-r,--rules", rp.rule_files, "Rule file (repeatable)");
  replay->add_option("--pcap", rp.pcaps, "Packet capture (pcap or pcapng)");
  replay->add_option("--auth-log", rp.auth_logs, "Authentication log (auth.log, secure)");
  replay->add_option("--journal-json", rp.journal_jsons, "journalctl -o json output");
  replay->add_option("--journal", rp.journals,
                     "systemd journal file (.journal) or a directory of them");
  replay->add_option("--audit-log", rp.audit_logs, "Linux audit log");
  replay->add_option("--jsonl", rp.jsonls, "ECS events as JSON lines");
  replay->add_option("--scan", rp.scan_dir, "Directory tree to check against --policy");
  replay->add_option("--policy", rp.policy, "Retention policy file");
  replay->add_option("--workers", rp.workers, "Threads of the --scan walk and hashing (1-64), and of --auth-log's event building (1-16, default 2); the output does not depend on it")
      ->check(CLI::Range(1, 64));
  replay->add_option("--now", rp.now, "Fix the clock (RFC 3339) for time-based checks and for what --db records");
  replay->add_option("--db", rp.db, "Also record alerts and evidence in this store");
  replay->add_flag("--events", rp.events, "Print every event, not only alerts");
  replay->add_flag("--no-alerts", rp.no_alerts, "Do not print alerts");
  replay->add_option("--log-level", rp.log_level, "Minimum level of the log on stderr (default warning; info shows e.g. the --scan phase timings)")
      ->check(CLI::IsMember({"debug", "info", "notice", "warning", "error"}));
  replay->callback([&] { rc = RunReplayCommand(rp); });

  // vigil report
  ReportCommandOptions ro;
  auto* report = app.add_subcommand("report", "Write an audit report for a period, as a signed bundle");
  report->add_option("-c,--config", ro.config_path, "Configuration file (state directory, reports section)");
  report->add_option("--from", ro.from, "Start of the period (RFC 3339 or YYYY-MM-DD)")->required();
  report->add_option("--to", ro.to, "End of the period (excluded)")->required();
  report->add_option("--framework", ro.framework, "Only this framework (e.g. pci_dss_4)");
  report->add_option("--format", ro.format, "Report format")
      ->check(CLI::IsMember({"html", "json", "csv", "oscal"}))
      ->required();
  report->add_option("-o,--output", ro.output,
                     "Bundle directory to create (default: <reports dir>/<report id>-<format>); - for the bare "
                     "report on stdout");
  report->add_option("--db", ro.db, "Store to read (default: the configured one)");
  report->add_option("--policy", ro.policies,
                     "Retention policy for the retention horizon (repeatable; default: the configured retention "
                     "collectors' policies)");
  report->callback([&] { rc = RunReportCommand(ro); });

  // vigil alerts
  AlertsOptions ao;
  auto* alerts = app.add_subcommand("alerts", "The alert workflow: list, show, ack, assign, resolve");
  alerts->require_subcommand(1);
  alerts->add_option("-c,--config", ao.config_path, "Configuration file (for the state directory)");
  alerts->add_option("--db", ao.db, "Store to use (default: the configured one)");
  auto* a_list = alerts->add_subcommand("list", "List alerts (oldest first)");
  a_list->add_option("--status", ao.status, "open, acknowledged or resolved")
      ->check(CLI::IsMember({"open", "acknowledged", "resolved"}));
  a_list->add_option("--severity", ao.severity, "At least this severity")
      ->check(CLI::IsMember({"info", "low", "medium", "high", "critical"}));
  a_list->add_option("--rule", ao.rule, "Only this rule id");
  a_list->add_option("--from", ao.from, "Alerts at or after this time (RFC 3339 or YYYY-MM-DD)");
  a_list->add_option("--to", ao.to, "Alerts before this time");
  a_list->add_option("--limit", ao.limit, "At most this many")->check(CLI::Range(int64_t{1}, int64_t{10000000}));
  a_list->add_option("--format", ao.format, "table or json (one object per line)")
      ->check(CLI::IsMember({"table", "json"}));
  auto* a_show = alerts->add_subcommand("show", "Show one alert with its history and evidence");
  a_show->add_option("id", ao.id, "Alert id")->required();
  a_show->add_option("--format", ao.format, "text or json")->check(CLI::IsMember({"text", "json", "table"}));
  auto* a_ack = alerts->add_subcommand("ack", "Acknowledge an alert");
  a_ack->add_option("id", ao.id, "Alert id")->required();
  a_ack->add_option("--by", ao.by, "Who acknowledges it")->required();
  auto* a_assign = alerts->add_subcommand("assign", "Assign an alert to someone");
  a_assign->add_option("id", ao.id, "Alert id")->required();
  a_assign->add_option("--to", ao.assignee, "Assignee")->required();
  a_assign->add_option("--by", ao.by, "Who assigns it (default: the assignee)");
  auto* a_resolve = alerts->add_subcommand("resolve", "Resolve an alert");
  a_resolve->add_option("id", ao.id, "Alert id")->required();
  a_resolve->add_option("--by", ao.by, "Who resolves it")->required();
  a_resolve->add_option("--resolution", ao.resolution, "fixed, false_positive or accepted_risk")
      ->check(CLI::IsMember({"fixed", "false_positive", "accepted_risk"}))
      ->required();
  a_resolve->add_option("--note", ao.note, "Why (required for accepted_risk)");
  for (auto* sub : {a_list, a_show, a_ack, a_assign, a_resolve}) {
    sub->callback([&rc, &ao, sub] {
      ao.verb = sub->get_name();
      rc = RunAlertsCommand(ao);
    });
  }

  // vigil verify
  VerifyCommandOptions vo;
  auto* verify = app.add_subcommand("verify", "Check audit-log hash chains, checkpoints and signatures");
  verify->add_option("-c,--config", vo.config_path, "Configuration file (for the state directory)");
  verify->add_option("--audit-log", vo.audit_log, "Audit log to verify (default: the configured one)");
  verify->add_option("--db", vo.db, "Store whose audit head to compare (default: the one beside the log)");
  verify->add_option("--key", vo.key, "Verifier key file (default: audit.key.pub beside the store)");
  verify->add_option("--report", vo.report, "Report bundle to verify");
  verify->add_option("--format", vo.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  verify->callback([&] { rc = RunVerifyCommand(vo); });

  // vigil version
  auto* version = app.add_subcommand("version", "Print the version");
  version->callback([&] { std::printf("vigil %s\n", kVersion); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    // CLI11 returns 0 for --help/--version; usage errors are exit 2 by our contract.
    return code == 0 ? 0 : 2;
  }
  return rc;
}

}  // namespace vigil
