// Run records: what the audit log (and, projected from it, the store) keeps about Vigil's
// own watch, so that a report can say what was covered and what was not.
//
//   run_start  {"mode","host","version","pid","started"}        a daemon start or a replay
//   ruleset    {"run","at","rules_sha256","policies_sha256","config_sha256","rules":[…]}
//              the rules in force from `at` (at start, and after each accepted reload)
//   coverage   {"run","at","collectors":[{"name","type","up","events","dropped","skipped",
//              "errors","gaps"}]}   each collector's counters since the run started,
//              every coverage interval and at the end of the run
//   run_stop   {"run","stopped"}                               a clean end
//
// `run` is the sequence number of the run's run_start record. A run without run_stop ended
// without warning (crash, kill -9, power loss): it covered up to its last record.
// Times are RFC 3339; a replay's run spans the event times of its input.
//
// Hashes: rules_sha256 is the SHA-256 of the text `sha256sum` prints for the rule files
// in load order ("<hex>  <path>\n" per file); policies_sha256 the same over the policy
// files collectors read (retention policies); config_sha256 the SHA-256 of the
// configuration file's bytes (of the built-in configuration when none is used).
//
// Threading: free functions without state.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vigil/event.h"
#include "vigil/rules/alert.h"
#include "vigil/status.h"

namespace vigil::store {

struct RunStart {
  std::string mode;  // daemon, replay
  std::string host;
  std::string version;
  int64_t pid = 0;
  Timestamp started{};
};

struct RulesetRule {
  std::string id, name;
  AlertSeverity severity = AlertSeverity::kInfo;
  std::vector<std::string> datasets;  // RuleInfo::datasets; empty: any
  ControlMap controls;
};

struct RulesetSnapshot {
  Timestamp at{};
  std::string rules_sha256, policies_sha256, config_sha256;
  std::vector<RulesetRule> rules;  // the enabled rules, in load order
};

struct CoverageSample {
  std::string name;  // collector instance
  std::string type;  // collector type (factory name)
  bool up = false;
  uint64_t events = 0, dropped = 0, skipped = 0, errors = 0, gaps = 0;
};

nlohmann::json RunStartData(const RunStart& run);
nlohmann::json RulesetData(const RulesetSnapshot& ruleset);
nlohmann::json CoverageData(Timestamp at, const std::vector<CoverageSample>& collectors);
nlohmann::json RunStopData(Timestamp stopped);

// sha256sum's listing of `files` ("<hex>  <path>\n" each, in order) and its SHA-256.
// An unreadable file hashes as "unreadable" in the listing rather than failing.
std::string FilesDigest(const std::vector<std::string>& files);
// SHA-256 (hex) of `text`.
std::string TextDigest(std::string_view text);

}  // namespace vigil::store
