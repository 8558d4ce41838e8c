// What the daemon and `vigil replay --db` tell the alert router about their own run: the
// run_start record, the ruleset in force (with the digests of the rule, policy and
// configuration files), and the collectors' coverage counters (store/run_records.h).
//
// Threading: pure functions, called on the owner's thread (pipeline statuses are safe to
// read from any thread).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config.h"
#include "pipeline.h"
#include "store/run_records.h"
#include "vigil/event_consumer.h"
#include "vigil/rules/rule_set.h"

namespace vigil {

// A run of `mode` ("daemon" or "replay") on this configuration's host, started at `started`.
store::RunStart RunStartFor(const std::string& mode, const DaemonConfig& config, Timestamp started);

// The policy files the configuration's enabled collectors name (`policy:`).
std::vector<std::string> PolicyFilesOf(const DaemonConfig& config);

// The enabled rules of `rules`, loaded from `rule_files`, with the digests of those files,
// of `policy_files`, and of the configuration file (the built-in text when it has none).
store::RulesetSnapshot RulesetSnapshotFor(const RuleSet& rules, const std::vector<std::string>& rule_files,
                                          const std::vector<std::string>& policy_files,
                                          const DaemonConfig& config, Timestamp at);

// The first and last @timestamp of the events it sees (a replay's run spans them).
// Engine thread only; read after the pipeline has drained.
class EventTimeSpan : public EventConsumer {
 public:
  void Consume(Event& event) override;
  std::optional<Timestamp> first, last;
};

// Each collector's counters summed over its runs, and whether it is up; `types` maps an
// instance name to its collector type (a name missing there is reported as its own type).
std::vector<store::CoverageSample> CoverageOf(const Pipeline& pipeline,
                                              const std::map<std::string, std::string>& types);

// instance name → collector type, for the configuration's collectors.
std::map<std::string, std::string> CollectorTypes(const DaemonConfig& config);

}  // namespace vigil
