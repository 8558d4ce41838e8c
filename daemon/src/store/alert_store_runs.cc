// AlertStore: the projection of the run records (run_records.h) into the runs, rulesets,
// ruleset_rules, ruleset_controls and coverage tables.
#include <string>

#include "store/alert_store.h"
#include "store/record_fields.h"

namespace vigil::store {
namespace {

using nlohmann::json;
using audit::StringAt;

std::string JoinComma(const json& list) {
  std::string out;
  if (!list.is_array()) return out;
  for (const json& v : list) {
    if (!v.is_string()) continue;
    if (!out.empty()) out += ',';
    out += v.get<std::string>();
  }
  return out;
}

uint64_t Count(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

}  // namespace

Status AlertStore::ApplyRunStart(const audit::Record& r) {
  auto started = TimeAt(r.data, "started");
  if (!started.ok()) return RecordError(r, started.status());
  auto st = Stmt(
      "INSERT INTO runs (id, mode, host, version, started_ns, last_seen_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
  if (!st.ok()) return st.status();
  return (*st)
      ->Bind(1, static_cast<int64_t>(r.seq))
      .Bind(2, StringAt(r.data, "mode"))
      .Bind(3, StringAt(r.data, "host"))
      .Bind(4, StringAt(r.data, "version"))
      .Bind(5, Ns(*started))
      .Run();
}

// Moves the run's last_seen forward to `at`.
Status AlertStore::TouchRun(const audit::Record& r, int64_t run, Timestamp at) {
  auto st = Stmt("UPDATE runs SET last_seen_ns = max(last_seen_ns, ?2) WHERE id = ?1");
  if (!st.ok()) return st.status();
  VIGIL_RETURN_IF_ERROR((*st)->Bind(1, run).Bind(2, Ns(at)).Run());
  if (db_.Changes() == 0) return RecordError(r, Status::ParseError("names run " + std::to_string(run) +
                                                                   ", which has no run_start record"));
  return Status::Ok();
}

Status AlertStore::ApplyRuleset(const audit::Record& r) {
  auto run = IntField(r, "run", std::nullopt);
  if (!run.ok()) return run.status();
  auto at = TimeAt(r.data, "at");
  if (!at.ok()) return RecordError(r, at.status());
  VIGIL_RETURN_IF_ERROR(TouchRun(r, *run, *at));
  auto st = Stmt(
      "INSERT INTO rulesets (audit_seq, run_id, at_ns, rules_sha256, policies_sha256, config_sha256) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (!st.ok()) return st.status();
  VIGIL_RETURN_IF_ERROR((*st)
                            ->Bind(1, static_cast<int64_t>(r.seq))
                            .Bind(2, *run)
                            .Bind(3, Ns(*at))
                            .Bind(4, StringAt(r.data, "rules_sha256"))
                            .Bind(5, StringAt(r.data, "policies_sha256"))
                            .Bind(6, StringAt(r.data, "config_sha256"))
                            .Run());
  auto rules = r.data.find("rules");
  if (rules == r.data.end() || !rules->is_array()) return RecordError(r, Status::ParseError("missing \"rules\""));
  auto rule_st = Stmt(
      "INSERT OR REPLACE INTO ruleset_rules (ruleset_seq, rule_id, name, severity, datasets) "
      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!rule_st.ok()) return rule_st.status();
  auto control_st = Stmt(
      "INSERT OR IGNORE INTO ruleset_controls (ruleset_seq, rule_id, framework, control) VALUES (?1, ?2, ?3, ?4)");
  if (!control_st.ok()) return control_st.status();
  for (const json& rule : *rules) {
    const std::string id = StringAt(rule, "id");
    const auto severity = ParseAlertSeverity(StringAt(rule, "severity"));
    if (id.empty() || !severity) return RecordError(r, Status::ParseError("a rule without id or severity"));
    (*rule_st)->Reset();
    VIGIL_RETURN_IF_ERROR((*rule_st)
                              ->Bind(1, static_cast<int64_t>(r.seq))
                              .Bind(2, id)
                              .Bind(3, StringAt(rule, "name"))
                              .Bind(4, static_cast<int64_t>(*severity))
                              .Bind(5, JoinComma(rule.value("datasets", json::array())))
                              .Run());
    const json controls = audit::ObjectAt(rule, "controls");
    for (const auto& [framework, ids] : controls.items()) {
      if (!ids.is_array()) continue;
      for (const json& control : ids) {
        if (!control.is_string()) continue;
        (*control_st)->Reset();
        VIGIL_RETURN_IF_ERROR((*control_st)
                                  ->Bind(1, static_cast<int64_t>(r.seq))
                                  .Bind(2, id)
                                  .Bind(3, framework)
                                  .Bind(4, control.get<std::string>())
                                  .Run());
      }
    }
  }
  return Status::Ok();
}

Status AlertStore::ApplyCoverage(const audit::Record& r) {
  auto run = IntField(r, "run", std::nullopt);
  if (!run.ok()) return run.status();
  auto at = TimeAt(r.data, "at");
  if (!at.ok()) return RecordError(r, at.status());
  VIGIL_RETURN_IF_ERROR(TouchRun(r, *run, *at));
  auto collectors = r.data.find("collectors");
  if (collectors == r.data.end() || !collectors->is_array()) {
    return RecordError(r, Status::ParseError("missing \"collectors\""));
  }
  auto st = Stmt(
      "INSERT OR REPLACE INTO coverage (audit_seq, run_id, at_ns, collector, type, up, events, dropped, skipped, "
      "errors, gaps) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  if (!st.ok()) return st.status();
  for (const json& c : *collectors) {
    const std::string name = StringAt(c, "name");
    if (name.empty()) return RecordError(r, Status::ParseError("a collector without a name"));
    auto up = c.find("up");
    (*st)->Reset();
    VIGIL_RETURN_IF_ERROR((*st)
                              ->Bind(1, static_cast<int64_t>(r.seq))
                              .Bind(2, *run)
                              .Bind(3, Ns(*at))
                              .Bind(4, name)
                              .Bind(5, StringAt(c, "type"))
                              .Bind(6, int64_t{up != c.end() && up->is_boolean() && up->get<bool>() ? 1 : 0})
                              .Bind(7, static_cast<int64_t>(Count(c, "events")))
                              .Bind(8, static_cast<int64_t>(Count(c, "dropped")))
                              .Bind(9, static_cast<int64_t>(Count(c, "skipped")))
                              .Bind(10, static_cast<int64_t>(Count(c, "errors")))
                              .Bind(11, static_cast<int64_t>(Count(c, "gaps")))
                              .Run());
  }
  return Status::Ok();
}

Status AlertStore::ApplyRunStop(const audit::Record& r) {
  auto run = IntField(r, "run", std::nullopt);
  if (!run.ok()) return run.status();
  auto stopped = TimeAt(r.data, "stopped");
  if (!stopped.ok()) return RecordError(r, stopped.status());
  VIGIL_RETURN_IF_ERROR(TouchRun(r, *run, *stopped));
  auto st = Stmt("UPDATE runs SET stopped_ns = ?2 WHERE id = ?1");
  if (!st.ok()) return st.status();
  return (*st)->Bind(1, *run).Bind(2, Ns(*stopped)).Run();
}

Result<std::vector<StoredRun>> AlertStore::Runs() {
  auto st = db_.Prepare(
      "SELECT id, mode, host, version, started_ns, last_seen_ns, stopped_ns FROM runs ORDER BY started_ns, id");
  if (!st.ok()) return st.status();
  std::vector<StoredRun> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    StoredRun run;
    run.id = st->Int(0);
    run.mode = st->Text(1);
    run.host = st->Text(2);
    run.version = st->Text(3);
    run.started = FromNs(st->Int(4));
    run.last_seen = FromNs(st->Int(5));
    if (!st->IsNull(6)) run.stopped = FromNs(st->Int(6));
    out.push_back(std::move(run));
  }
  return out;
}

}  // namespace vigil::store
