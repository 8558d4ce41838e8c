#include "vigil/report/control_evaluation.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace vigil::report {
namespace {

using Key = std::pair<std::string, std::string>;  // framework, control

bool Wanted(const std::vector<std::string>& frameworks, const std::string& framework) {
  return frameworks.empty() || std::find(frameworks.begin(), frameworks.end(), framework) != frameworks.end();
}

std::string JoinWords(const std::vector<std::string>& items, const char* last) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? std::string(" ") + last + " " : std::string(", ");
    out += items[i];
  }
  return out;
}

// Why the collectors cannot feed `datasets`, or "" when they can.
std::string CoverageProblem(const std::vector<std::string>& datasets, const std::vector<CollectorSeen>& collectors) {
  std::vector<std::string> missing, down;
  auto check = [&](const std::string& dataset) {
    const std::vector<std::string> types = CollectorTypesFeeding(dataset);
    if (types.size() == 1 && types[0] == "*" && dataset != "*") return;  // the daemon's own events
    bool fed = false;
    std::vector<std::string> down_here;
    for (const CollectorSeen& c : collectors) {
      const bool feeds = dataset == "*" || c.type == "jsonl" || std::find(types.begin(), types.end(), c.type) != types.end();
      if (!feeds) continue;
      if (c.samples > 0 && c.samples_up == c.samples) {
        fed = true;
      } else {
        down_here.push_back(c.name + " (up in " + std::to_string(c.samples_up) + " of " + std::to_string(c.samples) +
                            " coverage records)");
      }
    }
    if (fed) return;
    if (!down_here.empty()) {
      down.insert(down.end(), down_here.begin(), down_here.end());
    } else {
      missing.push_back(dataset + " (needs " + JoinWords(types, "or") + (dataset == "*" ? "" : " or jsonl") + ")");
    }
  };
  if (datasets.empty()) check("*");
  for (const std::string& d : datasets) check(d);
  std::sort(down.begin(), down.end());
  down.erase(std::unique(down.begin(), down.end()), down.end());
  if (!missing.empty()) return "no collector fed " + JoinWords(missing, "and");
  if (!down.empty()) return "collectors were down: " + JoinWords(down, "and");
  return "";
}

}  // namespace

std::string_view ControlResultName(ControlResult r) {
  switch (r) {
    case ControlResult::kPass: return "pass";
    case ControlResult::kFail: return "fail";
    case ControlResult::kNotApplicable: return "not_applicable";
    case ControlResult::kNotChecked: return "not_checked";
  }
  return "not_checked";
}

std::optional<ControlResult> ParseControlResult(std::string_view text) {
  for (ControlResult r : {ControlResult::kPass, ControlResult::kFail, ControlResult::kNotApplicable,
                          ControlResult::kNotChecked}) {
    if (ControlResultName(r) == text) return r;
  }
  return std::nullopt;
}

double ControlStatusValue(ControlResult r) {
  switch (r) {
    case ControlResult::kPass: return 1;
    case ControlResult::kFail: return 0;
    case ControlResult::kNotChecked: return -1;
    case ControlResult::kNotApplicable: return -2;
  }
  return -1;
}

std::vector<std::string> CollectorTypesFeeding(const std::string& dataset) {
  const std::string family = dataset.substr(0, dataset.find('.'));
  if (family == "access") return {"auth_log", "journald", "journal_json", "audit_log"};
  if (family == "network") return {"capture", "pcap"};
  if (family == "retention") return {"retention"};
  if (family == "vigil") return {"*"};
  if (dataset == "*") return {"any collector"};
  return {};  // only jsonl
}

std::vector<ControlEvaluation> EvaluateControls(const EvaluationInput& in) {
  std::map<Key, ControlEvaluation> out;
  std::map<Key, std::set<std::string>> datasets;
  std::map<Key, bool> any_dataset;
  for (const RuleInForce& rule : in.rules) {
    for (const auto& [framework, ids] : rule.controls) {
      if (!Wanted(in.frameworks, framework)) continue;
      for (const std::string& id : ids) {
        ControlEvaluation& e = out[{framework, id}];
        e.framework = framework;
        e.control = id;
        e.rules.push_back(rule.id);
        if (rule.datasets.empty()) any_dataset[{framework, id}] = true;
        datasets[{framework, id}].insert(rule.datasets.begin(), rule.datasets.end());
      }
    }
  }
  for (const AlertFacts& a : in.alerts) {
    for (const auto& [framework, ids] : a.controls) {
      if (!Wanted(in.frameworks, framework)) continue;
      for (const std::string& id : ids) {
        ControlEvaluation& e = out[{framework, id}];
        e.framework = framework;
        e.control = id;
        e.evidence += 1;
        e.events += a.count;
        e.alert_ids.push_back(a.id);
        if (a.severity >= kFailingSeverity && a.resolution != "false_positive" && a.resolution != "accepted_risk") {
          e.failing.push_back(a.id);
        }
      }
    }
  }
  std::map<Key, const NotApplicable*> na;
  for (const NotApplicable& n : in.not_applicable) {
    if (!Wanted(in.frameworks, n.framework)) continue;
    na[{n.framework, n.control}] = &n;
    ControlEvaluation& e = out[{n.framework, n.control}];
    e.framework = n.framework;
    e.control = n.control;
  }

  std::vector<ControlEvaluation> result;
  result.reserve(out.size());
  for (auto& [key, e] : out) {
    std::sort(e.rules.begin(), e.rules.end());
    e.rules.erase(std::unique(e.rules.begin(), e.rules.end()), e.rules.end());
    std::sort(e.alert_ids.begin(), e.alert_ids.end());
    std::sort(e.failing.begin(), e.failing.end());
    if (any_dataset[key]) e.datasets.push_back("*");
    for (const std::string& d : datasets[key]) e.datasets.push_back(d);
    const std::vector<std::string> needed = any_dataset[key] ? std::vector<std::string>{}
                                                             : std::vector<std::string>(datasets[key].begin(),
                                                                                        datasets[key].end());
    if (auto it = na.find(key); it != na.end()) {
      e.result = ControlResult::kNotApplicable;
      e.reason = it->second->reason;
    } else if (!e.failing.empty()) {
      e.result = ControlResult::kFail;
      e.reason = std::to_string(e.failing.size()) + " alert" + (e.failing.size() == 1 ? "" : "s") +
                 " of severity medium or above, not resolved as a false positive or an accepted risk";
    } else if (e.rules.empty()) {
      e.result = ControlResult::kNotChecked;
      e.reason = "no rule in force maps to this control";
    } else if (!in.watched) {
      e.result = ControlResult::kNotChecked;
      e.reason = "no run of Vigil watched the period";
    } else if (std::string problem = CoverageProblem(needed, in.collectors); !problem.empty()) {
      e.result = ControlResult::kNotChecked;
      e.reason = problem;
    } else {
      e.result = ControlResult::kPass;
      e.reason = std::to_string(e.rules.size()) + " rule" + (e.rules.size() == 1 ? "" : "s") +
                 " in force with their collectors up; no failing alert";
    }
    result.push_back(std::move(e));
  }
  return result;
}

}  // namespace vigil::report
