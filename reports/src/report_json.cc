#include "vigil/report/report_json.h"

#include "vigil/report/report_writer.h"
#include "vigil/time_format.h"

namespace vigil::report {
namespace {

using nlohmann::ordered_json;

ordered_json Time(Timestamp t) { return FormatRfc3339(t); }

ordered_json OptionalSeconds(const std::optional<double>& s) {
  return s ? ordered_json(*s) : ordered_json(nullptr);
}

ordered_json Controls(const ControlMap& controls) {
  ordered_json j = ordered_json::object();
  for (const auto& [fw, ids] : controls) j[fw] = ids;
  return j;
}

ordered_json Counts(const ResultCounts& c) {
  return {{"pass", c.pass}, {"fail", c.fail}, {"not_applicable", c.not_applicable}, {"not_checked", c.not_checked}};
}

ordered_json BySeverity(const uint64_t (&v)[5]) {
  ordered_json j = ordered_json::object();
  for (int s = 0; s < 5; ++s) j[std::string(AlertSeverityName(static_cast<AlertSeverity>(s)))] = v[s];
  return j;
}

ordered_json CoverJson(const Cover& c) {
  ordered_json rulesets = ordered_json::array();
  for (const RulesetInForce& r : c.rulesets) {
    rulesets.push_back({{"audit_seq", r.audit_seq},
                        {"at", Time(r.at)},
                        {"rules", r.rules},
                        {"rules_sha256", r.rules_sha256},
                        {"policies_sha256", r.policies_sha256},
                        {"config_sha256", r.config_sha256}});
  }
  return {{"report_id", c.report_id},
          {"period", {{"from", Time(c.period.from)}, {"to", Time(c.period.to)}}},
          {"framework", c.framework.empty() ? ordered_json(nullptr) : ordered_json(c.framework)},
          {"frameworks", c.frameworks},
          {"hosts", c.hosts},
          {"generator", c.generator},
          {"rulesets", std::move(rulesets)},
          {"signing_key", c.key_id}};
}

ordered_json CoverageJson(const Coverage& c) {
  ordered_json collectors = ordered_json::array();
  for (const CollectorCoverage& x : c.collectors) {
    collectors.push_back({{"name", x.name},
                          {"type", x.type},
                          {"samples", x.samples},
                          {"samples_up", x.samples_up},
                          {"up_at_end", x.up_at_end},
                          {"events", x.events},
                          {"dropped", x.dropped},
                          {"skipped", x.skipped},
                          {"errors", x.errors},
                          {"gaps", x.gaps}});
  }
  ordered_json down = ordered_json::array();
  for (const DownPeriod& d : c.down) down.push_back({{"from", Time(d.from)}, {"to", Time(d.to)}, {"reason", d.reason}});
  return {{"period_seconds", c.period_seconds},
          {"covered_seconds", c.covered_seconds},
          {"runs", c.runs},
          {"crashed_runs", c.crashed_runs},
          {"collectors", std::move(collectors)},
          {"down", std::move(down)}};
}

ordered_json ControlJson(const ControlEvaluation& e) {
  return {{"framework", e.framework},
          {"control", e.control},
          {"result", std::string(ControlResultName(e.result))},
          {"reason", e.reason},
          {"rules", e.rules},
          {"datasets", e.datasets},
          {"evidence", e.evidence},
          {"events", e.events},
          {"alerts", e.alert_ids},
          {"failing_alerts", e.failing}};
}

ordered_json HandlingJson(const Handling& h) {
  ordered_json list = ordered_json::array();
  for (const HandlingBySeverity& b : h.by_severity) {
    list.push_back({{"severity", std::string(AlertSeverityName(b.severity))},
                    {"raised", b.raised},
                    {"open", b.open},
                    {"acknowledged", b.acknowledged},
                    {"resolved", b.resolved},
                    {"median_ack_seconds", OptionalSeconds(b.median_ack_seconds)},
                    {"max_ack_seconds", OptionalSeconds(b.max_ack_seconds)},
                    {"median_resolve_seconds", OptionalSeconds(b.median_resolve_seconds)},
                    {"max_resolve_seconds", OptionalSeconds(b.max_resolve_seconds)}});
  }
  return {{"open_items", h.open_items}, {"by_severity", std::move(list)}};
}

ordered_json Count(const std::optional<uint64_t>& n) { return n ? ordered_json(*n) : ordered_json(nullptr); }

ordered_json RetentionJson(const Retention& r) {
  ordered_json classes = ordered_json::array();
  for (const RetentionClassPosture& p : r.classes) {
    classes.push_back({{"class", p.class_id},
                       {"items", p.items},
                       {"oldest", p.oldest ? Time(*p.oldest) : ordered_json(nullptr)},
                       {"overdue", p.overdue},
                       {"expiring_soon", p.expiring_soon},
                       {"expiring_30d", Count(p.expiring_30d)},
                       {"expiring_90d", Count(p.expiring_90d)},
                       {"overdue_at_end", Count(p.overdue_at_end)},
                       {"held_at_end", Count(p.held_at_end)},
                       {"early_deletions", p.early_deletions},
                       {"early_modifications", p.early_modifications},
                       {"hold_violations", p.hold_violations}});
  }
  return {{"baseline", r.baseline},
          {"horizon_as_of", r.horizon_as_of ? Time(*r.horizon_as_of) : ordered_json(nullptr)},
          {"classes", std::move(classes)}};
}

ordered_json IntegrityJson(const Integrity& i) {
  return {{"checked", i.checked},
          {"ok", i.ok},
          {"first_seq", i.first_seq},
          {"last_seq", i.last_seq},
          {"signed_through", i.signed_through},
          {"problem", i.problem},
          {"notes", i.notes}};
}

ordered_json FindingJson(const Finding& f) {
  ordered_json history = ordered_json::array();
  for (const Transition& t : f.history) {
    history.push_back({{"at", Time(t.at)},
                       {"action", t.action},
                       {"actor", t.actor},
                       {"from", t.from},
                       {"to", t.to},
                       {"audit_seq", t.audit_seq}});
  }
  ordered_json evidence = ordered_json::array();
  for (const std::string& e : f.evidence) evidence.push_back(EvidenceJson(e));
  return {{"alert_id", f.alert_id},
          {"time", Time(f.time)},
          {"first", Time(f.first)},
          {"last", Time(f.last)},
          {"rule", {{"id", f.rule_id}, {"name", f.rule_name}}},
          {"severity", std::string(AlertSeverityName(f.severity))},
          {"host", f.host},
          {"status", f.status},
          {"resolution", f.resolution},
          {"count", f.count},
          {"output", f.output},
          {"controls", Controls(f.controls)},
          {"audit", {{"seq", f.audit_seq}, {"sha256", f.audit_hash}}},
          {"history", std::move(history)},
          {"evidence", std::move(evidence)}};
}

class JsonWriter : public ReportWriter {
 public:
  std::string_view name() const override { return "json"; }
  std::string_view file_name() const override { return "report.json"; }
  Result<std::string> Write(const Report& report) const override {
    return ReportToJson(report).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }
};

}  // namespace

ordered_json EvidenceJson(const std::string& stored) {
  ordered_json j = ordered_json::parse(stored, nullptr, false);
  return j.is_object() ? j : ordered_json::object();
}

ordered_json ReportToJson(const Report& r) {
  ordered_json frameworks = ordered_json::array();
  for (const FrameworkSummary& f : r.summary.frameworks) {
    frameworks.push_back({{"name", f.name},
                          {"status", std::string(ControlResultName(f.status))},
                          {"controls", Counts(f.controls)},
                          {"previous", Counts(f.previous)}});
  }
  ordered_json controls = ordered_json::array();
  for (const ControlEvaluation& e : r.controls) controls.push_back(ControlJson(e));
  ordered_json risks = ordered_json::array();
  for (const AcceptedRisk& a : r.accepted_risks) {
    risks.push_back({{"alert_id", a.alert_id},
                     {"rule", a.rule_id},
                     {"accepted_by", a.by},
                     {"at", Time(a.at)},
                     {"note", a.note},
                     {"controls", Controls(a.controls)}});
  }
  ordered_json trends = ordered_json::array();
  for (const TrendPoint& t : r.trends) trends.push_back({{"start", t.day}, {"alerts", BySeverity(t.by_severity)}});
  ordered_json findings = ordered_json::array();
  for (const Finding& f : r.findings) findings.push_back(FindingJson(f));
  return {{"schema", kReportSchema},
          {"cover", CoverJson(r.cover)},
          {"summary",
           {{"frameworks", std::move(frameworks)},
            {"alerts", BySeverity(r.summary.alerts_by_severity)},
            {"previous_alerts", BySeverity(r.summary.previous_alerts_by_severity)}}},
          {"coverage", CoverageJson(r.coverage)},
          {"controls", std::move(controls)},
          {"handling", HandlingJson(r.handling)},
          {"retention", RetentionJson(r.retention)},
          {"integrity", IntegrityJson(r.integrity)},
          {"accepted_risks", std::move(risks)},
          {"trends", std::move(trends)},
          {"findings", std::move(findings)},
          {"verification",
           {{"command", "vigil verify --report <bundle directory> --key <your copy of audit.key.pub>"},
            {"manifest", "SHA256SUMS"},
            {"signature", "SHA256SUMS.sig"}}}};
}

VIGIL_REGISTER_REPORT_WRITER(JsonWriter);

}  // namespace vigil::report
