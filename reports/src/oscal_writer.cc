// The oscal writer: NIST OSCAL 1.1.2 assessment-results JSON. One result for the period:
// reviewed-controls (every control evaluated), one observation per alert (its audit-log
// record as relevant evidence), one finding per control (target status satisfied or
// not-satisfied, with reason not-applicable / not-checked where that applies), and risks for
// failing controls (open) and accepted risks (deviation-approved).
//
// Control ids: NIST SP 800-53 ids in the OSCAL catalog form (AC-2(7) -> ac-2.7); other
// frameworks as "<framework>_<control>" with characters outside [A-Za-z0-9._-] replaced by
// '_', since their catalogs have no OSCAL form; the original ids are kept as props.
// UUIDs are derived from the report id and the item (version-5 layout), so the document is
// the same for the same report.
#include <cctype>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "audit/digest.h"
#include "vigil/report/report_writer.h"
#include "vigil/time_format.h"

namespace vigil::report {
namespace {

using nlohmann::ordered_json;

std::string Uuid(const std::string& report_id, const std::string& item) {
  std::string h = audit::Hex(audit::Sha256(report_id + "\n" + item)).substr(0, 32);
  h[12] = '5';
  h[16] = "89ab"[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

std::string ControlId(const std::string& framework, const std::string& control) {
  std::string out;
  if (framework == "nist_800_53") {
    for (char c : control) {
      if (c == '(') out += '.';
      else if (c == ')' || c == ' ') continue;
      else out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
  }
  out = framework + "_";
  for (char c : control) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' ? c : '_';
  return out;
}

ordered_json Props(const std::string& framework, const std::string& control) {
  return ordered_json::array({{{"name", "framework"}, {"ns", "https://vigil.example.invalid/ns/oscal"}, {"value", framework}},
                              {{"name", "control"}, {"ns", "https://vigil.example.invalid/ns/oscal"}, {"value", control}}});
}

class OscalWriter : public ReportWriter {
 public:
  std::string_view name() const override { return "oscal"; }
  std::string_view file_name() const override { return "assessment-results.json"; }
  Result<std::string> Write(const Report& r) const override {
    const std::string& id = r.cover.report_id;
    const std::string from = FormatRfc3339(r.cover.period.from), to = FormatRfc3339(r.cover.period.to);

    ordered_json include = ordered_json::array();
    for (const ControlEvaluation& e : r.controls) {
      include.push_back({{"control-id", ControlId(e.framework, e.control)}});
    }
    ordered_json observations = ordered_json::array();
    std::map<int64_t, std::string> observation_of;
    for (const Finding& f : r.findings) {
      const std::string uuid = Uuid(id, "observation/" + std::to_string(f.alert_id));
      observation_of[f.alert_id] = uuid;
      observations.push_back(
          {{"uuid", uuid},
           {"title", "Alert " + std::to_string(f.alert_id) + ": " + f.rule_name},
           {"description", f.output},
           {"props", ordered_json::array({{{"name", "severity"}, {"ns", "https://vigil.example.invalid/ns/oscal"},
                                           {"value", std::string(AlertSeverityName(f.severity))}}})},
           {"methods", ordered_json::array({"TEST"})},
           {"types", ordered_json::array({"finding"})},
           {"collected", FormatRfc3339(f.time)},
           {"relevant-evidence",
            ordered_json::array({{{"href", "report.html#alert-" + std::to_string(f.alert_id)},
                                  {"description", "audit log record " + std::to_string(f.audit_seq) + ", sha256 " +
                                                      f.audit_hash + "; rule " + f.rule_id + " on " + f.host}}})}});
    }
    ordered_json risks = ordered_json::array();
    ordered_json findings = ordered_json::array();
    for (const ControlEvaluation& e : r.controls) {
      const std::string key = e.framework + "/" + e.control;
      ordered_json finding = {
          {"uuid", Uuid(id, "finding/" + key)},
          {"title", e.framework + " " + e.control + ": " + std::string(ControlResultName(e.result))},
          {"description", e.reason},
          {"props", Props(e.framework, e.control)},
          {"target",
           {{"type", "objective-id"},
            {"target-id", ControlId(e.framework, e.control) + "_obj"},
            {"status",
             {{"state", e.result == ControlResult::kPass || e.result == ControlResult::kNotApplicable ? "satisfied"
                                                                                                     : "not-satisfied"}}}}}};
      if (e.result == ControlResult::kNotApplicable) finding["target"]["status"]["reason"] = "not-applicable";
      if (e.result == ControlResult::kNotChecked) finding["target"]["status"]["reason"] = "not-checked";
      ordered_json related = ordered_json::array();
      for (int64_t a : e.alert_ids) {
        if (auto it = observation_of.find(a); it != observation_of.end()) related.push_back({{"observation-uuid", it->second}});
      }
      if (!related.empty()) finding["related-observations"] = std::move(related);
      if (e.result == ControlResult::kFail) {
        const std::string risk = Uuid(id, "risk/" + key);
        risks.push_back({{"uuid", risk},
                         {"title", "Control " + e.control + " (" + e.framework + ") failing"},
                         {"description", e.reason},
                         {"statement", std::to_string(e.failing.size()) + " alert(s) of severity medium or above in " +
                                           from + " to " + to},
                         {"props", Props(e.framework, e.control)},
                         {"status", "open"}});
        finding["related-risks"] = ordered_json::array({{{"risk-uuid", risk}}});
      }
      findings.push_back(std::move(finding));
    }
    for (const AcceptedRisk& a : r.accepted_risks) {
      risks.push_back({{"uuid", Uuid(id, "accepted/" + std::to_string(a.alert_id))},
                       {"title", "Accepted risk: alert " + std::to_string(a.alert_id) + " (" + a.rule_id + ")"},
                       {"description", a.note},
                       {"statement", "accepted by " + a.by + " at " + FormatRfc3339(a.at)},
                       {"status", "deviation-approved"}});
    }
    ordered_json result = {{"uuid", Uuid(id, "result")},
                           {"title", "Vigil control evaluation " + from + " to " + to},
                           {"description", "Controls evaluated by Vigil from the rules in force, the coverage of their "
                                           "collectors and the alerts of the period (report " + id + ")."},
                           {"start", from},
                           {"end", to},
                           {"reviewed-controls",
                            {{"control-selections", ordered_json::array({{{"include-controls", include}}})}}}};
    if (!observations.empty()) result["observations"] = std::move(observations);
    if (!risks.empty()) result["risks"] = std::move(risks);
    if (!findings.empty()) result["findings"] = std::move(findings);
    if (include.empty()) result["reviewed-controls"]["control-selections"][0].erase("include-controls");
    if (include.empty()) result["reviewed-controls"]["control-selections"][0]["include-all"] = ordered_json::object();
    ordered_json doc = {
        {"assessment-results",
         {{"uuid", Uuid(id, "assessment-results")},
          {"metadata",
           {{"title", "Vigil audit report " + id},
            {"last-modified", to},
            {"version", id},
            {"oscal-version", "1.1.2"},
            {"props", ordered_json::array({{{"name", "generator"}, {"ns", "https://vigil.example.invalid/ns/oscal"},
                                            {"value", r.cover.generator}}})}}},
          {"import-ap", {{"href", "#vigil-assessment-plan"}}},
          {"results", ordered_json::array({std::move(result)})}}}};
    return doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
  }
};

}  // namespace

VIGIL_REGISTER_REPORT_WRITER(OscalWriter);

}  // namespace vigil::report
