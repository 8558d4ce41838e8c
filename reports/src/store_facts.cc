#include "vigil/report/store_facts.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "store/record_fields.h"

namespace vigil::report {
namespace {

using store::FromNs;
using store::Ns;

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

Status ReadRulesets(store::AlertStore& st, StoreFacts& f) {
  auto q = st.db().Prepare(
      "SELECT audit_seq, at_ns, rules_sha256, policies_sha256, config_sha256, "
      "(SELECT count(*) FROM ruleset_rules r WHERE r.ruleset_seq = s.audit_seq) FROM rulesets s "
      "WHERE at_ns < ?2 AND (at_ns >= ?1 OR audit_seq = (SELECT audit_seq FROM rulesets WHERE at_ns < ?1 "
      "ORDER BY at_ns DESC, audit_seq DESC LIMIT 1)) ORDER BY at_ns, audit_seq");
  if (!q.ok()) return q.status();
  q->Bind(1, Ns(f.period.from)).Bind(2, Ns(f.period.to));
  VIGIL_RETURN_IF_ERROR(q->ForEachRow([&] {
    f.rulesets.push_back({static_cast<uint64_t>(q->Int(0)), FromNs(q->Int(1)), q->Text(2), q->Text(3), q->Text(4),
                          static_cast<uint64_t>(q->Int(5))});
  }));
  std::map<std::string, RuleInForce> rules;
  auto r = st.db().Prepare("SELECT rule_id, severity, datasets FROM ruleset_rules WHERE ruleset_seq = ?1");
  auto c = st.db().Prepare("SELECT rule_id, framework, control FROM ruleset_controls WHERE ruleset_seq = ?1");
  if (!r.ok()) return r.status();
  if (!c.ok()) return c.status();
  for (const RulesetInForce& rs : f.rulesets) {
    r->Reset();
    r->Bind(1, rs.audit_seq);
    VIGIL_RETURN_IF_ERROR(r->ForEachRow([&] {
      RuleInForce& rule = rules[r->Text(0)];
      rule.id = r->Text(0);
      rule.severity = static_cast<AlertSeverity>(std::clamp<int64_t>(r->Int(1), 0, 4));
      std::vector<std::string> ds = SplitComma(r->Text(2));
      if (ds.empty()) rule.datasets.clear();  // any dataset: keep it "any"
      for (std::string& d : ds) {
        if (std::find(rule.datasets.begin(), rule.datasets.end(), d) == rule.datasets.end()) rule.datasets.push_back(d);
      }
    }));
    c->Reset();
    c->Bind(1, rs.audit_seq);
    VIGIL_RETURN_IF_ERROR(c->ForEachRow([&] {
      auto& ids = rules[c->Text(0)].controls[c->Text(1)];
      if (std::find(ids.begin(), ids.end(), c->Text(2)) == ids.end()) ids.push_back(c->Text(2));
    }));
  }
  for (auto& [id, rule] : rules) {
    std::sort(rule.datasets.begin(), rule.datasets.end());
    for (auto& [fw, ids] : rule.controls) std::sort(ids.begin(), ids.end());
    f.rules.push_back(std::move(rule));
  }
  return Status::Ok();
}

Status ReadRuns(store::AlertStore& st, StoreFacts& f, std::set<std::string>& hosts, std::vector<int64_t>& run_ids) {
  auto runs = st.Runs();
  if (!runs.ok()) return runs.status();
  const int64_t from = Ns(f.period.from), to = Ns(f.period.to);
  struct Span {
    int64_t start, end;
    bool crashed;
  };
  std::vector<Span> spans;
  for (const store::StoredRun& run : *runs) {
    const int64_t start = Ns(run.started);
    const int64_t end = Ns(run.stopped.value_or(run.last_seen));
    if (start >= to || end < from) continue;
    ++f.coverage.runs;
    if (!run.stopped) ++f.coverage.crashed_runs;
    hosts.insert(run.host);
    run_ids.push_back(run.id);
    spans.push_back({start, end, !run.stopped});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  // Merge overlapping runs; what lies between them (and around them) is down.
  int64_t cursor = from;
  bool any = false, last_crashed = false;
  double covered = 0;
  for (const Span& s : spans) {
    const int64_t start = std::max(s.start, from), end = std::min(s.end, to);
    if (start > cursor) {
      f.coverage.down.push_back({FromNs(cursor), FromNs(start), !any ? "no_run_yet" : last_crashed ? "crashed" : "stopped"});
    }
    if (end > cursor) {
      covered += static_cast<double>(end - std::max(start, cursor)) / 1e9;
      cursor = std::max(cursor, end);
      last_crashed = s.crashed;
    }
    any = true;
  }
  if (cursor < to) {
    f.coverage.down.push_back({FromNs(cursor), FromNs(to), !any ? "no_run" : last_crashed ? "crashed" : "no_run_since"});
  }
  f.coverage.period_seconds = static_cast<double>(to - from) / 1e9;
  f.coverage.covered_seconds = covered;
  return Status::Ok();
}

Status ReadCoverage(store::AlertStore& st, StoreFacts& f, const std::vector<int64_t>& run_ids) {
  auto q = st.db().Prepare(
      "SELECT collector, type, up, events, dropped, skipped, errors, gaps, at_ns FROM coverage WHERE run_id = ?1 "
      "ORDER BY collector, at_ns, audit_seq");
  if (!q.ok()) return q.status();
  const int64_t from = Ns(f.period.from), to = Ns(f.period.to);
  std::map<std::string, CollectorCoverage> by_name;
  for (int64_t run : run_ids) {
    q->Reset();
    q->Bind(1, run);
    struct Counters {
      uint64_t v[5] = {};
    };
    std::map<std::string, Counters> before, last;
    std::map<std::string, bool> inside, after_taken;
    for (;;) {
      auto row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const std::string name = q->Text(0);
      const int64_t at = q->Int(8);
      Counters c;
      for (int i = 0; i < 5; ++i) c.v[i] = static_cast<uint64_t>(std::max<int64_t>(0, q->Int(3 + i)));
      CollectorCoverage& cc = by_name[name];
      cc.name = name;
      cc.type = q->Text(1);
      if (at < from) {
        before[name] = c;
        continue;
      }
      const bool in_period = at < to;
      if (!in_period && (inside[name] || after_taken[name])) continue;  // only the first after, and only without one inside
      if (!in_period) after_taken[name] = true;
      else inside[name] = true;
      cc.samples += 1;
      cc.samples_up += q->Int(2) != 0 ? 1 : 0;
      cc.up_at_end = q->Int(2) != 0;
      last[name] = c;
    }
    for (auto& [name, c] : last) {
      CollectorCoverage& cc = by_name[name];
      const Counters& b = before[name];
      uint64_t d[5];
      for (int i = 0; i < 5; ++i) d[i] = c.v[i] >= b.v[i] ? c.v[i] - b.v[i] : c.v[i];
      cc.events += d[0];
      cc.dropped += d[1];
      cc.skipped += d[2];
      cc.errors += d[3];
      cc.gaps += d[4];
    }
  }
  for (auto& [name, cc] : by_name) f.coverage.collectors.push_back(std::move(cc));
  return Status::Ok();
}

// Replaces the alert's workflow state (status, acknowledgement, assignee, resolution) with
// its state as of `end`: the transitions recorded before it, in order; later ones are ignored.
Status StateAsOf(sqlite::Statement& q, int64_t end, store::StoredAlert& a) {
  a.status = store::AlertStatus::kOpen;
  a.assignee.clear();
  a.acked_at.reset();
  a.resolved_at.reset();
  a.acked_by.clear();
  a.resolved_by.clear();
  a.resolution.clear();
  a.note.clear();
  q.Reset();
  q.Bind(1, a.id).Bind(2, end);
  for (;;) {
    auto row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const Timestamp at = FromNs(q.Int(0));
    const std::string action = q.Text(1), actor = q.Text(2);
    const auto to = store::ParseAlertStatus(q.Text(3));
    const nlohmann::json detail = nlohmann::json::parse(q.Text(4), nullptr, false);
    auto text = [&](const char* key) {
      if (!detail.is_object()) return std::string();
      auto it = detail.find(key);
      return it != detail.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (action == "created" || action == "merged" || !to) continue;
    a.status = *to;
    if (action == "ack") {
      a.acked_at = at;
      a.acked_by = actor;
    } else if (action == "assign") {
      a.assignee = text("assignee");
    } else if (action == "resolve") {
      a.resolved_at = at;
      a.resolved_by = actor;
      a.resolution = text("resolution");
      a.note = text("note");
      if (!a.acked_at) {  // resolving acknowledges, as the store records it
        a.acked_at = at;
        a.acked_by = actor;
      }
    }
  }
  return Status::Ok();
}

Status ReadAlerts(store::AlertStore& st, StoreFacts& f, std::set<std::string>& hosts) {
  store::AlertFilter filter;
  filter.from = f.period.from;
  filter.to = f.period.to;
  filter.limit = static_cast<size_t>(1) << 40;
  auto alerts = st.List(filter);
  if (!alerts.ok()) return alerts.status();
  auto c = st.db().Prepare("SELECT framework, control FROM alert_controls WHERE alert_id = ?1 ORDER BY framework, control");
  if (!c.ok()) return c.status();
  auto t = st.db().Prepare(
      "SELECT at_ns, action, actor, to_status, detail FROM transitions WHERE alert_id = ?1 AND at_ns < ?2 ORDER BY id");
  if (!t.ok()) return t.status();
  for (store::StoredAlert& a : *alerts) {
    VIGIL_RETURN_IF_ERROR(StateAsOf(*t, Ns(f.period.to), a));
    c->Reset();
    c->Bind(1, a.id);
    VIGIL_RETURN_IF_ERROR(c->ForEachRow([&] {
      a.controls[c->Text(0)].push_back(c->Text(1));
    }));
    if (!a.host.empty()) hosts.insert(a.host);
  }
  f.alerts = std::move(*alerts);
  return Status::Ok();
}

}  // namespace

Result<StoreFacts> ReadStoreFacts(store::AlertStore& st, const Period& period) {
  StoreFacts f;
  f.period = period;
  std::set<std::string> hosts;
  std::vector<int64_t> run_ids;
  VIGIL_RETURN_IF_ERROR(ReadRulesets(st, f));
  VIGIL_RETURN_IF_ERROR(ReadRuns(st, f, hosts, run_ids));
  VIGIL_RETURN_IF_ERROR(ReadCoverage(st, f, run_ids));
  VIGIL_RETURN_IF_ERROR(ReadAlerts(st, f, hosts));
  f.hosts.assign(hosts.begin(), hosts.end());
  return f;
}

EvaluationInput EvaluationInputFor(const StoreFacts& f, const std::vector<std::string>& frameworks,
                                   const std::vector<NotApplicable>& not_applicable) {
  EvaluationInput in;
  in.frameworks = frameworks;
  in.rules = f.rules;
  for (const CollectorCoverage& c : f.coverage.collectors) in.collectors.push_back({c.name, c.type, c.samples, c.samples_up});
  in.watched = f.coverage.runs > 0;
  for (const store::StoredAlert& a : f.alerts) {
    in.alerts.push_back({a.id, a.severity, a.status == store::AlertStatus::kResolved ? a.resolution : "", a.count,
                         a.controls});
  }
  in.not_applicable = not_applicable;
  return in;
}

}  // namespace vigil::report
