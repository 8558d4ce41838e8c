#include "store/run_records.h"

#include <fstream>
#include <sstream>

#include "audit/digest.h"
#include "vigil/time_format.h"

namespace vigil::store {

using nlohmann::json;

json RunStartData(const RunStart& run) {
  return {{"mode", run.mode},
          {"host", run.host},
          {"version", run.version},
          {"pid", run.pid},
          {"started", FormatRfc3339(run.started)}};
}

json RulesetData(const RulesetSnapshot& ruleset) {
  json rules = json::array();
  for (const RulesetRule& r : ruleset.rules) {
    json controls = json::object();
    for (const auto& [framework, ids] : r.controls) controls[framework] = ids;
    rules.push_back({{"id", r.id},
                     {"name", r.name},
                     {"severity", std::string(AlertSeverityName(r.severity))},
                     {"datasets", r.datasets},
                     {"controls", std::move(controls)}});
  }
  return {{"at", FormatRfc3339(ruleset.at)},
          {"rules_sha256", ruleset.rules_sha256},
          {"policies_sha256", ruleset.policies_sha256},
          {"config_sha256", ruleset.config_sha256},
          {"rules", std::move(rules)}};
}

json CoverageData(Timestamp at, const std::vector<CoverageSample>& collectors) {
  json list = json::array();
  for (const CoverageSample& c : collectors) {
    list.push_back({{"name", c.name},
                    {"type", c.type},
                    {"up", c.up},
                    {"events", c.events},
                    {"dropped", c.dropped},
                    {"skipped", c.skipped},
                    {"errors", c.errors},
                    {"gaps", c.gaps}});
  }
  return {{"at", FormatRfc3339(at)}, {"collectors", std::move(list)}};
}

json RunStopData(Timestamp stopped) { return {{"stopped", FormatRfc3339(stopped)}}; }

std::string TextDigest(std::string_view text) {
  return audit::Hex(audit::Sha256(text));
}

std::string FilesDigest(const std::vector<std::string>& files) {
  std::string listing;
  for (const std::string& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream content;
    if (in) content << in.rdbuf();
    listing += (in ? TextDigest(content.str()) : std::string("unreadable")) + "  " + f + "\n";
  }
  return TextDigest(listing);
}

}  // namespace vigil::store
