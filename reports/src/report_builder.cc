#include "vigil/report/report_builder.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "audit/audit_verifier.h"
#include "audit/digest.h"
#include "store/record_fields.h"
#include "vigil/report/store_facts.h"
#include "vigil/time_format.h"

namespace vigil::report {
namespace {

using nlohmann::json;
using store::FromNs;
using store::Ns;

constexpr int64_t kDayNs = int64_t{86400} * 1000000000;
constexpr int64_t kDailyTrendsUpTo = 62;  // days; longer periods get weekly points

std::vector<std::string> FrameworksOf(const StoreFacts& f, const BuildOptions& o) {
  if (!o.framework.empty()) return {o.framework};
  std::set<std::string> names;
  for (const RuleInForce& r : f.rules) {
    for (const auto& [fw, ids] : r.controls) names.insert(fw);
  }
  for (const store::StoredAlert& a : f.alerts) {
    for (const auto& [fw, ids] : a.controls) names.insert(fw);
  }
  for (const NotApplicable& n : o.not_applicable) names.insert(n.framework);
  return {names.begin(), names.end()};
}

ControlResult FrameworkStatus(const ResultCounts& c) {
  if (c.fail > 0) return ControlResult::kFail;
  if (c.not_checked > 0) return ControlResult::kNotChecked;
  if (c.pass > 0) return ControlResult::kPass;
  if (c.not_applicable > 0) return ControlResult::kNotApplicable;
  return ControlResult::kNotChecked;
}

std::optional<double> Median(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::optional<double> Max(const std::vector<double>& v) {
  if (v.empty()) return std::nullopt;
  return *std::max_element(v.begin(), v.end());
}

Handling HandlingOf(const std::vector<store::StoredAlert>& alerts) {
  Handling h;
  std::vector<double> ack[5], resolve[5];
  h.by_severity.resize(5);
  for (int s = 0; s < 5; ++s) h.by_severity[s].severity = static_cast<AlertSeverity>(s);
  for (const store::StoredAlert& a : alerts) {
    HandlingBySeverity& b = h.by_severity[static_cast<int>(a.severity)];
    ++b.raised;
    switch (a.status) {
      case store::AlertStatus::kOpen: ++b.open; ++h.open_items; break;
      case store::AlertStatus::kAcknowledged: ++b.acknowledged; ++h.open_items; break;
      case store::AlertStatus::kResolved: ++b.resolved; break;
    }
    if (a.acked_at) ack[static_cast<int>(a.severity)].push_back(std::max<double>(0, (Ns(*a.acked_at) - Ns(a.created)) / 1e9));
    if (a.resolved_at) {
      resolve[static_cast<int>(a.severity)].push_back(std::max<double>(0, (Ns(*a.resolved_at) - Ns(a.created)) / 1e9));
    }
  }
  for (int s = 0; s < 5; ++s) {
    h.by_severity[s].median_ack_seconds = Median(ack[s]);
    h.by_severity[s].max_ack_seconds = Max(ack[s]);
    h.by_severity[s].median_resolve_seconds = Median(resolve[s]);
    h.by_severity[s].max_resolve_seconds = Max(resolve[s]);
  }
  return h;
}

// event.action and vigil.retention.class of an alert's JSON.
std::pair<std::string, std::string> RetentionFacts(const std::string& alert_json) {
  const json j = json::parse(alert_json, nullptr, false);
  if (!j.is_object()) return {};
  std::string action, cls;
  if (auto e = j.find("event"); e != j.end() && e->is_object()) action = audit::StringAt(*e, "action");
  if (auto v = j.find("vigil"); v != j.end() && v->is_object()) {
    if (auto r = v->find("retention"); r != v->end() && r->is_object()) cls = audit::StringAt(*r, "class");
  }
  return {action, cls};
}

// Per class, the horizon of the baseline's items as of `end` (Unix seconds), by the policies.
Status HorizonOf(store::AlertStore& st, const RetentionResolver& resolve, int64_t end,
                 std::map<std::string, RetentionClassPosture>& classes) {
  constexpr int64_t kDay = 86400;
  auto q = st.db().Prepare(
      "SELECT class, path, birth_ns, first_seen, mtime_ns, changed_at FROM retention_files ORDER BY class, path");
  if (!q.ok()) return q.status();
  for (;;) {
    auto r = q->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    RetentionClassPosture& p = classes[q->Text(0)];
    RetentionItem item;
    item.path = q->Text(1);
    item.birth_ns = q->Int(2);
    item.first_seen = q->Int(3);
    item.mtime_ns = q->Int(4);
    item.changed_at = q->Int(5);
    const RetentionHorizon h = resolve(item, end);
    if (h.held) ++*p.held_at_end;
    if (!h.max_due) continue;
    if (*h.max_due <= end) {
      if (!h.held) ++*p.overdue_at_end;
    } else {
      if (*h.max_due <= end + 30 * kDay) ++*p.expiring_30d;
      if (*h.max_due <= end + 90 * kDay) ++*p.expiring_90d;
    }
  }
  return Status::Ok();
}

Status RetentionOf(store::AlertStore& st, const std::vector<store::StoredAlert>& alerts, const BuildOptions& o,
                   Retention& out) {
  std::map<std::string, RetentionClassPosture> classes;
  auto exists = st.db().Prepare("SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'retention_files'");
  if (!exists.ok()) return exists.status();
  auto row = exists->Step();
  if (!row.ok()) return row.status();
  out.baseline = *row && exists->Int(0) > 0;
  if (out.baseline) {
    // The clock start of each file, as its class counts it (docs/retention.md).
    auto q = st.db().Prepare(
        "SELECT class, count(*), min(CASE clock WHEN 'birth' THEN birth_ns / 1000000000 WHEN 'mtime' THEN "
        "mtime_ns / 1000000000 ELSE first_seen END), sum(reported & 1 != 0), sum(reported & 2 != 0) "
        "FROM retention_files GROUP BY class ORDER BY class");
    if (!q.ok()) return q.status();
    VIGIL_RETURN_IF_ERROR(q->ForEachRow([&] {
      RetentionClassPosture& p = classes[q->Text(0)];
      p.class_id = q->Text(0);
      p.items = static_cast<uint64_t>(q->Int(1));
      if (!q->IsNull(2)) p.oldest = FromNs(q->Int(2) * 1000000000);
      p.overdue = static_cast<uint64_t>(q->Int(3));
      p.expiring_soon = static_cast<uint64_t>(q->Int(4));
    }));
    if (o.retention_resolver) {
      out.horizon_as_of = o.period.to;
      for (auto& [id, p] : classes) p.expiring_30d = p.expiring_90d = p.overdue_at_end = p.held_at_end = 0;
      // Due times are whole Unix seconds; one at or before the end is past at the end.
      const int64_t end = Ns(o.period.to) / 1000000000;
      VIGIL_RETURN_IF_ERROR(HorizonOf(st, o.retention_resolver, end, classes));
    }
  }
  for (const store::StoredAlert& a : alerts) {
    auto [action, cls] = RetentionFacts(a.json);
    uint64_t RetentionClassPosture::*counter = nullptr;
    if (action == "early_deletion") counter = &RetentionClassPosture::early_deletions;
    else if (action == "early_modification") counter = &RetentionClassPosture::early_modifications;
    else if (action == "hold_violation") counter = &RetentionClassPosture::hold_violations;
    if (counter == nullptr) continue;
    RetentionClassPosture& p = classes[cls];
    p.class_id = cls;
    if (out.horizon_as_of && !p.expiring_30d) p.expiring_30d = p.expiring_90d = p.overdue_at_end = p.held_at_end = 0;
    p.*counter += a.count;
  }
  for (auto& [id, p] : classes) out.classes.push_back(std::move(p));
  return Status::Ok();
}

std::string DayOf(int64_t ns) {
  return FormatRfc3339(FromNs(ns - ((ns % kDayNs) + kDayNs) % kDayNs)).substr(0, 10);
}

std::vector<TrendPoint> TrendsOf(const Period& p, const std::vector<store::StoredAlert>& alerts) {
  const int64_t from = Ns(p.from), to = Ns(p.to);
  const int64_t days = (to - from + kDayNs - 1) / kDayNs;
  // Days start at midnight UTC; weeks on Mondays (1970-01-01 was a Thursday).
  const int64_t step = days <= kDailyTrendsUpTo ? kDayNs : 7 * kDayNs;
  const int64_t origin = step == kDayNs ? 0 : -3 * kDayNs;
  auto bucket = [&](int64_t ns) { return ns - (((ns - origin) % step) + step) % step; };
  std::vector<TrendPoint> out;
  std::map<int64_t, size_t> index;
  for (int64_t t = bucket(from); t < to; t += step) {
    index[t] = out.size();
    out.push_back({DayOf(t), {}});
  }
  for (const store::StoredAlert& a : alerts) {
    auto it = index.find(bucket(Ns(a.event_time)));
    if (it != index.end()) out[it->second].by_severity[static_cast<int>(a.severity)] += 1;
  }
  return out;
}

Status FindingsOf(store::AlertStore& st, const Period& period, const std::vector<store::StoredAlert>& alerts,
                  std::vector<Finding>& out) {
  for (const store::StoredAlert& a : alerts) {
    Finding f;
    f.alert_id = a.id;
    f.time = a.event_time;
    f.first = a.first;
    f.last = a.last;
    f.rule_id = a.rule_id;
    f.rule_name = a.rule_name;
    f.host = a.host;
    f.status = std::string(store::AlertStatusName(a.status));
    f.output = a.output;
    f.resolution = a.resolution;
    f.severity = a.severity;
    f.count = a.count;
    f.controls = a.controls;
    f.audit_seq = a.audit_seq;
    f.audit_hash = a.audit_hash;
    auto history = st.Transitions(a.id);
    if (!history.ok()) return history.status();
    for (const store::StoredTransition& t : *history) {
      // Handling after the end is not part of this period's report (store_facts.h); the
      // alert's own creation and merged repeats are always shown.
      if (t.at >= period.to && t.action != "created" && t.action != "merged") continue;
      f.history.push_back({t.at, t.action, t.actor, t.from_status, t.to_status, t.audit_seq});
    }
    auto evidence = st.Evidence(a.id);
    if (!evidence.ok()) return evidence.status();
    f.evidence = std::move(*evidence);
    out.push_back(std::move(f));
  }
  return Status::Ok();
}

void IntegrityOf(const BuildOptions& o, store::AlertStore& st, Report& r) {
  Integrity& in = r.integrity;
  uint64_t lo = 0, hi = 0;
  auto cite = [&](uint64_t seq) {
    if (seq == 0) return;
    lo = lo == 0 ? seq : std::min(lo, seq);
    hi = std::max(hi, seq);
  };
  for (const RulesetInForce& rs : r.cover.rulesets) cite(rs.audit_seq);
  for (const Finding& f : r.findings) {
    cite(f.audit_seq);
    for (const Transition& t : f.history) cite(t.audit_seq);
  }
  in.first_seq = lo;
  in.last_seq = hi;
  if (o.audit_log_path.empty()) {
    in.notes.push_back("no audit log was given: the evidence was not verified");
    return;
  }
  audit::VerifyOptions vo;
  vo.log_path = o.audit_log_path;
  vo.checkpoint_path = o.audit_log_path + ".checkpoint";
  vo.key = o.key;
  if (auto head = st.Head(); head.ok() && *head) {
    vo.head_seq = (*head)->seq;
    vo.head_hash = (*head)->hash;
  }
  const audit::VerifyResult v = audit::VerifyAuditLog(vo);
  in.checked = true;
  in.ok = v.ok;
  in.signed_through = v.ok && o.key && v.signed_records >= hi;
  if (!v.ok) in.problem = v.problem;
  for (const std::string& n : v.notes) {
    // Notes that depend on how long the log has grown since are left out: the report must
    // not change when the same period is reported again.
    if (n.find("not yet signed") == std::string::npos) in.notes.push_back(n);
  }
  if (v.ok && o.key && !in.signed_through) {
    in.notes.push_back("records up to " + std::to_string(hi) + " are cited, the last signed checkpoint covers " +
                       std::to_string(v.signed_records));
  }
}

std::string ReportId(const Report& r) {
  std::string text = FormatRfc3339(r.cover.period.from) + "\n" + FormatRfc3339(r.cover.period.to) + "\n" +
                     r.cover.framework + "\n";
  for (const std::string& h : r.cover.hosts) text += h + "\n";
  for (const RulesetInForce& rs : r.cover.rulesets) text += std::to_string(rs.audit_seq) + " " + rs.rules_sha256 + "\n";
  text += std::to_string(r.integrity.last_seq) + "\n";
  return "VR-" + audit::Hex(audit::Sha256(text)).substr(0, 16);
}

}  // namespace

uint64_t& ResultCounts::operator[](ControlResult r) {
  switch (r) {
    case ControlResult::kPass: return pass;
    case ControlResult::kFail: return fail;
    case ControlResult::kNotApplicable: return not_applicable;
    case ControlResult::kNotChecked: break;
  }
  return not_checked;
}

uint64_t ResultCounts::operator[](ControlResult r) const {
  switch (r) {
    case ControlResult::kPass: return pass;
    case ControlResult::kFail: return fail;
    case ControlResult::kNotApplicable: return not_applicable;
    case ControlResult::kNotChecked: break;
  }
  return not_checked;
}

Result<Report> BuildReport(store::AlertStore& st, const BuildOptions& o) {
  if (o.period.to <= o.period.from) return Status::InvalidArgument("the period is empty: --to must be after --from");
  auto facts = ReadStoreFacts(st, o.period);
  if (!facts.ok()) return facts.status();
  const auto length = o.period.to - o.period.from;
  Period prev_period{o.period.from - length, o.period.from};
  if (Ns(o.period.from) < Ns(o.period.to) - Ns(o.period.from)) prev_period.from = FromNs(0);
  auto prev = ReadStoreFacts(st, prev_period);
  if (!prev.ok()) return prev.status();

  Report r;
  r.cover.period = o.period;
  r.cover.framework = o.framework;
  r.cover.frameworks = FrameworksOf(*facts, o);
  r.cover.hosts = facts->hosts;
  r.cover.generator = o.generator;
  r.cover.rulesets = facts->rulesets;
  if (o.key) {
    const std::string& k = o.key_text;
    const size_t second = k.find('+', k.find('+') + 1);
    r.cover.key_id = second == std::string::npos ? k : k.substr(0, second);
  }

  r.controls = EvaluateControls(EvaluationInputFor(*facts, r.cover.frameworks, o.not_applicable));
  const std::vector<ControlEvaluation> before =
      EvaluateControls(EvaluationInputFor(*prev, r.cover.frameworks, o.not_applicable));
  for (const std::string& fw : r.cover.frameworks) {
    FrameworkSummary s;
    s.name = fw;
    for (const ControlEvaluation& e : r.controls) {
      if (e.framework == fw) ++s.controls[e.result];
    }
    for (const ControlEvaluation& e : before) {
      if (e.framework == fw) ++s.previous[e.result];
    }
    s.status = FrameworkStatus(s.controls);
    r.summary.frameworks.push_back(std::move(s));
  }
  for (const store::StoredAlert& a : facts->alerts) ++r.summary.alerts_by_severity[static_cast<int>(a.severity)];
  for (const store::StoredAlert& a : prev->alerts) ++r.summary.previous_alerts_by_severity[static_cast<int>(a.severity)];

  r.coverage = facts->coverage;
  r.handling = HandlingOf(facts->alerts);
  VIGIL_RETURN_IF_ERROR(RetentionOf(st, facts->alerts, o, r.retention));
  for (const store::StoredAlert& a : facts->alerts) {
    if (a.resolution == "accepted_risk" && a.resolved_at) {
      r.accepted_risks.push_back({a.id, a.rule_id, a.resolved_by, a.note, *a.resolved_at, a.controls});
    }
  }
  r.trends = TrendsOf(o.period, facts->alerts);
  VIGIL_RETURN_IF_ERROR(FindingsOf(st, o.period, facts->alerts, r.findings));
  IntegrityOf(o, st, r);
  r.cover.report_id = ReportId(r);
  return r;
}

}  // namespace vigil::report
