#include "store/alert_store.h"

#include <array>

#include "audit/digest.h"
#include "store/record_fields.h"
#include "event_json.h"
#include "vigil/time_format.h"

namespace vigil::store {
namespace {

using nlohmann::json;
using audit::IntAt;
using audit::ObjectAt;
using audit::StringAt;

constexpr std::array<sqlite::Migration, 4> kMigrations = {{
    {1, R"sql(
CREATE TABLE alerts (
  id INTEGER PRIMARY KEY,
  created_ns INTEGER NOT NULL,
  event_ns INTEGER NOT NULL,
  rule_id TEXT NOT NULL,
  rule_name TEXT NOT NULL,
  severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 4),
  host TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
  assignee TEXT NOT NULL DEFAULT '',
  acked_ns INTEGER,
  acked_by TEXT NOT NULL DEFAULT '',
  resolved_ns INTEGER,
  resolved_by TEXT NOT NULL DEFAULT '',
  resolution TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  count INTEGER NOT NULL DEFAULT 1,
  first_ns INTEGER NOT NULL,
  last_ns INTEGER NOT NULL,
  group_key TEXT NOT NULL DEFAULT '',
  suppression_key TEXT,
  suppression_opened_ns INTEGER,
  output TEXT NOT NULL,
  json TEXT NOT NULL,
  audit_seq INTEGER NOT NULL,
  audit_hash TEXT NOT NULL
);
CREATE INDEX alerts_by_status ON alerts (status, severity);
CREATE INDEX alerts_by_time ON alerts (event_ns);
CREATE INDEX alerts_by_rule ON alerts (rule_id, event_ns);
CREATE INDEX alerts_by_suppression ON alerts (rule_id, suppression_key, suppression_opened_ns);
CREATE TABLE alert_controls (
  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  framework TEXT NOT NULL,
  control TEXT NOT NULL,
  PRIMARY KEY (alert_id, framework, control)
);
CREATE INDEX alert_controls_by_control ON alert_controls (framework, control);
CREATE TABLE evidence (
  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  ordinal INTEGER NOT NULL,
  json TEXT NOT NULL,
  PRIMARY KEY (alert_id, ordinal)
);
CREATE TABLE transitions (
  id INTEGER PRIMARY KEY,
  alert_id INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
  at_ns INTEGER NOT NULL,
  action TEXT NOT NULL,
  actor TEXT NOT NULL,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  detail TEXT NOT NULL,
  audit_seq INTEGER NOT NULL
);
CREATE INDEX transitions_by_alert ON transitions (alert_id, id);
CREATE TABLE audit_checkpoints (
  tree_size INTEGER PRIMARY KEY,
  root TEXT NOT NULL,
  note TEXT NOT NULL,
  at_ns INTEGER NOT NULL,
  audit_seq INTEGER NOT NULL
);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  offset INTEGER NOT NULL
);
)sql"},
    // Runs, rulesets and coverage: projections of the run records (run_records.h).
    {2, R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  mode TEXT NOT NULL,
  host TEXT NOT NULL,
  version TEXT NOT NULL,
  started_ns INTEGER NOT NULL,
  last_seen_ns INTEGER NOT NULL,
  stopped_ns INTEGER
);
CREATE TABLE rulesets (
  audit_seq INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL,
  at_ns INTEGER NOT NULL,
  rules_sha256 TEXT NOT NULL,
  policies_sha256 TEXT NOT NULL,
  config_sha256 TEXT NOT NULL
);
CREATE INDEX rulesets_by_time ON rulesets (at_ns);
CREATE TABLE ruleset_rules (
  ruleset_seq INTEGER NOT NULL REFERENCES rulesets (audit_seq) ON DELETE CASCADE,
  rule_id TEXT NOT NULL,
  name TEXT NOT NULL,
  severity INTEGER NOT NULL CHECK (severity BETWEEN 0 AND 4),
  datasets TEXT NOT NULL,
  PRIMARY KEY (ruleset_seq, rule_id)
);
CREATE TABLE ruleset_controls (
  ruleset_seq INTEGER NOT NULL REFERENCES rulesets (audit_seq) ON DELETE CASCADE,
  rule_id TEXT NOT NULL,
  framework TEXT NOT NULL,
  control TEXT NOT NULL,
  PRIMARY KEY (ruleset_seq, rule_id, framework, control)
);
CREATE INDEX ruleset_controls_by_control ON ruleset_controls (framework, control);
CREATE TABLE coverage (
  audit_seq INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  at_ns INTEGER NOT NULL,
  collector TEXT NOT NULL,
  type TEXT NOT NULL,
  up INTEGER NOT NULL,
  events INTEGER NOT NULL,
  dropped INTEGER NOT NULL,
  skipped INTEGER NOT NULL,
  errors INTEGER NOT NULL,
  gaps INTEGER NOT NULL,
  PRIMARY KEY (audit_seq, collector)
);
CREATE INDEX coverage_by_run ON coverage (run_id, at_ns);
)sql"},
    // Control evaluations: projections of the control_evaluation records a report writes.
    {3, R"sql(
CREATE TABLE control_evaluations (
  audit_seq INTEGER PRIMARY KEY,
  report_id TEXT NOT NULL,
  at_ns INTEGER NOT NULL,
  from_ns INTEGER NOT NULL,
  to_ns INTEGER NOT NULL,
  framework TEXT NOT NULL,
  control TEXT NOT NULL,
  result TEXT NOT NULL CHECK (result IN ('pass', 'fail', 'not_applicable', 'not_checked')),
  reason TEXT NOT NULL,
  evidence INTEGER NOT NULL,
  rules TEXT NOT NULL
);
CREATE INDEX control_evaluations_by_control ON control_evaluations (framework, control, to_ns);
CREATE INDEX control_evaluations_by_report ON control_evaluations (report_id);
)sql"},
    // The line an alert was raised for (AlertSourceKey): a line read again after a crash
    // cannot raise the same rule's alert twice.
    {4, R"sql(
ALTER TABLE alerts ADD COLUMN source_key TEXT;
CREATE UNIQUE INDEX alerts_by_source ON alerts (source_key) WHERE source_key IS NOT NULL;
)sql"},
}};

Result<int64_t> AlertIdOf(const audit::Record& r) {
  auto it = r.data.find("alert_id");
  if (it == r.data.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
    return RecordError(r, Status::ParseError("missing \"alert_id\""));
  }
  return it->get<int64_t>();
}

constexpr const char* kSelectAlert =
    "SELECT id, created_ns, event_ns, rule_id, rule_name, severity, host, status, assignee, acked_ns, "
    "acked_by, resolved_ns, resolved_by, resolution, note, count, first_ns, last_ns, output, json, "
    "audit_seq, audit_hash FROM alerts ";

StoredAlert ReadAlert(const sqlite::Statement& st) {
  StoredAlert a;
  a.id = st.Int(0);
  a.created = FromNs(st.Int(1));
  a.event_time = FromNs(st.Int(2));
  a.rule_id = st.Text(3);
  a.rule_name = st.Text(4);
  a.severity = static_cast<AlertSeverity>(std::clamp<int64_t>(st.Int(5), 0, 4));
  a.host = st.Text(6);
  a.status = ParseAlertStatus(st.Text(7)).value_or(AlertStatus::kOpen);
  a.assignee = st.Text(8);
  if (!st.IsNull(9)) a.acked_at = FromNs(st.Int(9));
  a.acked_by = st.Text(10);
  if (!st.IsNull(11)) a.resolved_at = FromNs(st.Int(11));
  a.resolved_by = st.Text(12);
  a.resolution = st.Text(13);
  a.note = st.Text(14);
  a.count = static_cast<uint64_t>(st.Int(15));
  a.first = FromNs(st.Int(16));
  a.last = FromNs(st.Int(17));
  a.output = st.Text(18);
  a.json = st.Text(19);
  a.audit_seq = static_cast<uint64_t>(st.Int(20));
  a.audit_hash = st.Text(21);
  return a;
}

}  // namespace

std::string_view AlertStatusName(AlertStatus s) {
  switch (s) {
    case AlertStatus::kOpen: return "open";
    case AlertStatus::kAcknowledged: return "acknowledged";
    case AlertStatus::kResolved: return "resolved";
  }
  return "open";
}

std::optional<AlertStatus> ParseAlertStatus(std::string_view s) {
  if (s == "open") return AlertStatus::kOpen;
  if (s == "acknowledged") return AlertStatus::kAcknowledged;
  if (s == "resolved") return AlertStatus::kResolved;
  return std::nullopt;
}

// ---- record data ----------------------------------------------------------------------------

std::string AlertSourceKey(const Alert& alert) {
  if (alert.suppressed_count() > 0) return "";  // a summary: merged into its opener
  const Event& e = *alert.event;
  const std::string* observer = e.GetString(ecs::kObserverName);
  const std::string* path = e.GetString(ecs::kLogFilePath);
  const int64_t* offset = e.GetInt(ecs::kLogOffset);
  const std::string* original = e.GetString(ecs::kEventOriginal);
  if (observer == nullptr || path == nullptr || offset == nullptr || original == nullptr) return "";
  std::string text = alert.rule->id;
  const std::string offset_text = std::to_string(*offset);  // outlives the loop (a temporary would not)
  for (std::string_view part : {std::string_view(*observer), std::string_view(*path), std::string_view(offset_text),
                                std::string_view(*original)}) {
    text += '\0';
    text += part;
  }
  return audit::Hex(audit::Sha256(text));
}

json AlertRecordData(int64_t id, const Alert& alert, std::string_view alert_json, std::string_view host_name,
                     Timestamp created) {
  json j;
  j["alert_id"] = id;
  j["created"] = FormatRfc3339(created);
  j["host"] = host_name;
  j["rule"] = {{"id", alert.rule->id}, {"name", alert.rule->name}};
  j["severity"] = AlertSeverityName(alert.rule->severity);
  json controls = json::object();
  for (const auto& [framework, ids] : alert.rule->controls) controls[framework] = ids;
  j["controls"] = std::move(controls);
  j["output"] = alert.output();
  Timestamp first = alert.timestamp, last = alert.timestamp;
  uint64_t count = 1;
  std::string group;
  if (alert.correlation) {
    first = alert.correlation->first;
    last = alert.correlation->last;
    for (const auto& [field, value] : alert.correlation->group) {
      if (!group.empty()) group += ' ';
      group += field + "=" + value;
    }
  }
  if (alert.suppressed_count() > 0) {  // a summary that found no opener is stored as its own alert
    count = alert.suppression->count;
    first = alert.suppression->first;
    last = alert.suppression->last;
  }
  j["time"] = FormatRfc3339(alert.timestamp);
  j["count"] = count;
  j["first"] = FormatRfc3339(first);
  j["last"] = FormatRfc3339(last);
  j["group"] = group;
  const std::string no_key;
  const std::string& suppression_key = alert.suppression ? alert.suppression->key : no_key;
  if (!suppression_key.empty() || alert.suppressed_count() == 0) {
    j["suppression"] = {{"key", suppression_key}, {"opened", FormatRfc3339(alert.timestamp)}};
  }
  if (std::string key = AlertSourceKey(alert); !key.empty()) j["source_key"] = std::move(key);
  json parsed = json::parse(alert_json, nullptr, false);
  j["alert"] = parsed.is_discarded() ? json::object() : std::move(parsed);
  json ev = json::parse(EventToJson(*alert.event), nullptr, false);
  j["evidence"] = json::array({ev.is_discarded() ? json::object() : std::move(ev)});
  return j;
}

json SuppressedRecordData(int64_t id, const Alert& summary) {
  return {{"alert_id", id},
          {"count", summary.suppressed_count()},
          {"first", FormatRfc3339(summary.suppression->first)},
          {"last", FormatRfc3339(summary.suppression->last)}};
}

json TransitionRecordData(int64_t id, std::string_view action, std::string_view actor, AlertStatus from,
                          AlertStatus to, const json& detail) {
  return {{"alert_id", id},       {"action", action},           {"actor", actor},
          {"from", AlertStatusName(from)}, {"to", AlertStatusName(to)}, {"detail", detail}};
}

// ---- AlertStore -----------------------------------------------------------------------------

Result<std::unique_ptr<AlertStore>> AlertStore::Open(const std::string& path, sqlite::OpenFlags flags) {
  auto db = sqlite::Database::Open(path, flags);
  if (!db.ok()) return db.status();
  if (flags != sqlite::kReadOnly) {
    VIGIL_RETURN_IF_ERROR(db->Migrate(kMigrations));
  } else {
    auto v = db->UserVersion();
    if (!v.ok()) return v.status();
    if (*v != kMigrations.back().version) {
      return Status::FailedPrecondition(path + ": store schema version " + std::to_string(*v) + ", this vigil reads " +
                                        std::to_string(kMigrations.back().version));
    }
  }
  return std::unique_ptr<AlertStore>(new AlertStore(std::move(*db)));
}

Result<sqlite::Statement*> AlertStore::Stmt(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto st = db_.Prepare(sql);
    if (!st.ok()) return st.status();
    it = cache_.emplace(sql, std::move(*st)).first;
  }
  it->second.Reset();
  return &it->second;
}

Result<std::optional<AuditHead>> AlertStore::Head() {
  auto st_r = Stmt("SELECT seq, hash, offset FROM audit_head WHERE id = 1");
  if (!st_r.ok()) return st_r.status();
  sqlite::Statement* st = *st_r;
  auto row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<AuditHead>();
  AuditHead h{static_cast<uint64_t>(st->Int(0)), st->Text(1), static_cast<uint64_t>(st->Int(2))};
  st->Reset();  // a cached SELECT left mid-result would hold a read transaction open
  return std::optional<AuditHead>(std::move(h));
}

Status AlertStore::SetHead(uint64_t seq, const std::string& hash, uint64_t offset) {
  auto st_r = Stmt(
      "INSERT INTO audit_head (id, seq, hash, offset) VALUES (1, ?1, ?2, ?3) "
      "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, offset = excluded.offset");
  if (!st_r.ok()) return st_r.status();
  sqlite::Statement* st = *st_r;
  return st->Bind(1, seq).Bind(2, hash).Bind(3, offset).Run();
}

Result<int64_t> AlertStore::MaxAlertId() {
  auto st_r = Stmt("SELECT coalesce(max(id), 0) FROM alerts");
  if (!st_r.ok()) return st_r.status();
  sqlite::Statement* st = *st_r;
  auto row = st->Step();
  if (!row.ok()) return row.status();
  const int64_t id = st->Int(0);
  st->Reset();
  return id;
}

Status AlertStore::Apply(const audit::Record& record, const std::string& hash_hex, uint64_t end_offset) {
  auto head = Head();
  if (!head.ok()) return head.status();
  if (*head && record.seq <= (*head)->seq) return Status::Ok();
  Status s;
  if (record.type == "alert") s = ApplyAlert(record, hash_hex);
  else if (record.type == "suppressed") s = ApplySuppressed(record);
  else if (record.type == "transition") s = ApplyTransition(record);
  else if (record.type == "checkpoint") s = ApplyCheckpoint(record);
  else if (record.type == "run_start") s = ApplyRunStart(record);
  else if (record.type == "ruleset") s = ApplyRuleset(record);
  else if (record.type == "coverage") s = ApplyCoverage(record);
  else if (record.type == "run_stop") s = ApplyRunStop(record);
  else if (record.type == "control_evaluation") s = ApplyControlEvaluation(record);
  VIGIL_RETURN_IF_ERROR(s);
  return SetHead(record.seq, hash_hex, end_offset);
}

Status AlertStore::ApplyAlert(const audit::Record& r, const std::string& hash_hex) {
  auto id = AlertIdOf(r);
  if (!id.ok()) return id.status();
  const json& d = r.data;
  auto created = TimeAt(d, "created");
  auto time = TimeAt(d, "time");
  auto first = TimeAt(d, "first");
  auto last = TimeAt(d, "last");
  for (const Status& s : {created.status(), time.status(), first.status(), last.status()}) {
    if (!s.ok()) return RecordError(r, s);
  }
  const json rule = ObjectAt(d, "rule");
  const auto severity = ParseAlertSeverity(StringAt(d, "severity"));
  auto count = IntField(r, "count", 1);
  if (!count.ok()) return count.status();
  if (!severity || !rule.is_object()) return RecordError(r, Status::ParseError("missing rule or severity"));
  auto st_r = Stmt(
      "INSERT INTO alerts (id, created_ns, event_ns, rule_id, rule_name, severity, host, count, first_ns, last_ns, "
      "group_key, suppression_key, suppression_opened_ns, output, json, audit_seq, audit_hash, source_key) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)");
  if (!st_r.ok()) return st_r.status();
  sqlite::Statement* st = *st_r;
  st->Bind(1, *id).Bind(2, Ns(*created)).Bind(3, Ns(*time)).Bind(4, StringAt(rule, "id"));
  st->Bind(5, StringAt(rule, "name")).Bind(6, static_cast<int64_t>(*severity)).Bind(7, StringAt(d, "host"));
  st->Bind(8, *count).Bind(9, Ns(*first)).Bind(10, Ns(*last)).Bind(11, StringAt(d, "group"));
  if (auto sup = d.find("suppression"); sup != d.end() && sup->is_object()) {
    auto opened = TimeAt(*sup, "opened");
    st->Bind(12, StringAt(*sup, "key"));
    if (opened.ok()) st->Bind(13, Ns(*opened));
    else st->Bind(13, nullptr);
  } else {
    st->Bind(12, nullptr).Bind(13, nullptr);
  }
  const std::string alert_json = ObjectAt(d, "alert").dump(-1, ' ', false, json::error_handler_t::replace);
  st->Bind(14, StringAt(d, "output")).Bind(15, alert_json).Bind(16, r.seq);
  st->Bind(17, hash_hex);
  if (auto key = d.find("source_key"); key != d.end() && key->is_string()) st->Bind(18, key->get<std::string>());
  else st->Bind(18, nullptr);
  VIGIL_RETURN_IF_ERROR(st->Run());

  if (auto controls = d.find("controls"); controls != d.end() && controls->is_object()) {
    auto c_r = Stmt("INSERT OR IGNORE INTO alert_controls (alert_id, framework, control) VALUES (?1, ?2, ?3)");
    if (!c_r.ok()) return c_r.status();
    sqlite::Statement* c = *c_r;
    for (const auto& [framework, ids] : controls->items()) {
      if (!ids.is_array()) continue;
      for (const auto& control : ids) {
        if (!control.is_string()) continue;
        c->Reset();
        VIGIL_RETURN_IF_ERROR(c->Bind(1, *id).Bind(2, framework).Bind(3, control.get<std::string>()).Run());
      }
    }
  }
  if (auto ev = d.find("evidence"); ev != d.end() && ev->is_array()) {
    auto e_r = Stmt("INSERT INTO evidence (alert_id, ordinal, json) VALUES (?1, ?2, ?3)");
    if (!e_r.ok()) return e_r.status();
    sqlite::Statement* e = *e_r;
    int64_t ordinal = 0;
    for (const auto& event : *ev) {
      e->Reset();
      VIGIL_RETURN_IF_ERROR(
          e->Bind(1, *id).Bind(2, ordinal++).Bind(3, event.dump(-1, ' ', false, json::error_handler_t::replace)).Run());
    }
  }
  auto t_r = Stmt(
      "INSERT INTO transitions (alert_id, at_ns, action, actor, from_status, to_status, detail, audit_seq) "
      "VALUES (?1, ?2, 'created', 'vigil', '', 'open', '{}', ?3)");
  if (!t_r.ok()) return t_r.status();
  sqlite::Statement* t = *t_r;
  return t->Bind(1, *id).Bind(2, Ns(*created)).Bind(3, r.seq).Run();
}

Status AlertStore::ApplySuppressed(const audit::Record& r) {
  auto id = AlertIdOf(r);
  if (!id.ok()) return id.status();
  auto last = TimeAt(r.data, "last");
  if (!last.ok()) return RecordError(r, last.status());
  auto count_r = IntField(r, "count", std::nullopt);
  if (!count_r.ok()) return count_r.status();
  const int64_t count = *count_r;
  auto st_r = Stmt("UPDATE alerts SET count = count + ?2, last_ns = max(last_ns, ?3) WHERE id = ?1");
  if (!st_r.ok()) return st_r.status();
  sqlite::Statement* st = *st_r;
  VIGIL_RETURN_IF_ERROR(st->Bind(1, *id).Bind(2, count).Bind(3, Ns(*last)).Run());
  auto t_r = Stmt(
      "INSERT INTO transitions (alert_id, at_ns, action, actor, from_status, to_status, detail, audit_seq) "
      "SELECT id, ?2, 'merged', 'vigil', status, status, ?3, ?4 FROM alerts WHERE id = ?1");
  if (!t_r.ok()) return t_r.status();
  sqlite::Statement* t = *t_r;
  json detail = {{"count", count}, {"first", StringAt(r.data, "first")}, {"last", StringAt(r.data, "last")}};
  return t->Bind(1, *id).Bind(2, Ns(r.time)).Bind(3, detail.dump()).Bind(4, r.seq).Run();
}

Status AlertStore::ApplyTransition(const audit::Record& r) {
  auto id = AlertIdOf(r);
  if (!id.ok()) return id.status();
  const std::string action = StringAt(r.data, "action");
  const std::string actor = StringAt(r.data, "actor");
  const auto to = ParseAlertStatus(StringAt(r.data, "to"));
  if (!to) return RecordError(r, Status::ParseError("missing \"to\" status"));
  const json detail = ObjectAt(r.data, "detail");
  const int64_t at = Ns(r.time);
  sqlite::Statement st;
  if (action == "ack") {
    auto p = db_.Prepare("UPDATE alerts SET status = ?2, acked_ns = ?3, acked_by = ?4 WHERE id = ?1");
    if (!p.ok()) return p.status();
    st = std::move(*p);
    st.Bind(1, *id).Bind(2, AlertStatusName(*to)).Bind(3, at).Bind(4, actor);
  } else if (action == "assign") {
    auto p = db_.Prepare("UPDATE alerts SET status = ?2, assignee = ?3 WHERE id = ?1");
    if (!p.ok()) return p.status();
    st = std::move(*p);
    st.Bind(1, *id).Bind(2, AlertStatusName(*to)).Bind(3, StringAt(detail, "assignee"));
  } else if (action == "resolve") {
    auto p = db_.Prepare(
        "UPDATE alerts SET status = ?2, resolved_ns = ?3, resolved_by = ?4, resolution = ?5, note = ?6, "
        "acked_ns = coalesce(acked_ns, ?3), acked_by = CASE WHEN acked_by = '' THEN ?4 ELSE acked_by END "
        "WHERE id = ?1");
    if (!p.ok()) return p.status();
    st = std::move(*p);
    st.Bind(1, *id).Bind(2, AlertStatusName(*to)).Bind(3, at).Bind(4, actor);
    st.Bind(5, StringAt(detail, "resolution")).Bind(6, StringAt(detail, "note"));
  } else {
    return RecordError(r, Status::ParseError("unknown action \"" + action + "\""));
  }
  VIGIL_RETURN_IF_ERROR(st.Run());
  auto t = db_.Prepare(
      "INSERT INTO transitions (alert_id, at_ns, action, actor, from_status, to_status, detail, audit_seq) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!t.ok()) return t.status();
  return t->Bind(1, *id).Bind(2, at).Bind(3, action).Bind(4, actor).Bind(5, StringAt(r.data, "from"))
      .Bind(6, AlertStatusName(*to)).Bind(7, detail.dump(-1, ' ', false, json::error_handler_t::replace))
      .Bind(8, r.seq).Run();
}

Status AlertStore::ApplyCheckpoint(const audit::Record& r) {
  auto size = IntField(r, "tree_size", std::nullopt);
  if (!size.ok()) return size.status();
  auto st_r = Stmt(
      "INSERT OR REPLACE INTO audit_checkpoints (tree_size, root, note, at_ns, audit_seq) VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!st_r.ok()) return st_r.status();
  sqlite::Statement* st = *st_r;
  return st->Bind(1, *size).Bind(2, StringAt(r.data, "root"))
      .Bind(3, StringAt(r.data, "note")).Bind(4, Ns(r.time)).Bind(5, r.seq).Run();
}

Result<bool> AlertStore::HasSourceKey(const std::string& key) {
  auto st_r = Stmt("SELECT 1 FROM alerts WHERE source_key = ?1");
  if (!st_r.ok()) return st_r.status();
  sqlite::Statement* st = *st_r;
  st->Bind(1, key);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  st->Reset();
  return *row;
}

Result<std::optional<int64_t>> AlertStore::FindSuppressionOpener(const std::string& rule_id, const std::string& key,
                                                                 Timestamp opened) {
  auto st_r = Stmt(
      "SELECT id FROM alerts WHERE rule_id = ?1 AND suppression_key = ?2 AND suppression_opened_ns = ?3 "
      "ORDER BY id DESC LIMIT 1");
  if (!st_r.ok()) return st_r.status();
  sqlite::Statement* st = *st_r;
  st->Bind(1, rule_id).Bind(2, key).Bind(3, Ns(opened));
  auto row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  const int64_t id = st->Int(0);
  st->Reset();
  return std::optional<int64_t>(id);
}

Result<std::vector<StoredAlert>> AlertStore::List(const AlertFilter& f) {
  std::string sql = std::string(kSelectAlert) +
                    "WHERE (?1 IS NULL OR status = ?1) AND severity >= ?2 AND (?3 = '' OR rule_id = ?3) "
                    "AND (?4 IS NULL OR event_ns >= ?4) AND (?5 IS NULL OR event_ns < ?5) ORDER BY id LIMIT ?6";
  auto st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  if (f.status) st->Bind(1, AlertStatusName(*f.status));
  else st->Bind(1, nullptr);
  st->Bind(2, static_cast<int64_t>(f.min_severity.value_or(AlertSeverity::kInfo))).Bind(3, f.rule_id);
  if (f.from) st->Bind(4, Ns(*f.from));
  else st->Bind(4, nullptr);
  if (f.to) st->Bind(5, Ns(*f.to));
  else st->Bind(5, nullptr);
  st->Bind(6, static_cast<int64_t>(f.limit));
  std::vector<StoredAlert> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(ReadAlert(*st));
  }
  return out;
}

Result<std::optional<StoredAlert>> AlertStore::Get(int64_t id) {
  auto st = db_.Prepare(std::string(kSelectAlert) + "WHERE id = ?1");
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  auto row = st->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<StoredAlert>();
  StoredAlert a = ReadAlert(*st);
  auto c = db_.Prepare("SELECT framework, control FROM alert_controls WHERE alert_id = ?1 ORDER BY framework, control");
  if (!c.ok()) return c.status();
  c->Bind(1, id);
  for (;;) {
    auto r = c->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    a.controls[c->Text(0)].push_back(c->Text(1));
  }
  return std::optional<StoredAlert>(std::move(a));
}

Result<std::vector<StoredTransition>> AlertStore::Transitions(int64_t id) {
  auto st = db_.Prepare(
      "SELECT alert_id, at_ns, action, actor, from_status, to_status, detail, audit_seq FROM transitions "
      "WHERE alert_id = ?1 ORDER BY id");
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  std::vector<StoredTransition> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back({st->Int(0), FromNs(st->Int(1)), st->Text(2), st->Text(3), st->Text(4), st->Text(5), st->Text(6),
                   static_cast<uint64_t>(st->Int(7))});
  }
  return out;
}

Result<std::vector<std::string>> AlertStore::Evidence(int64_t id) {
  auto st = db_.Prepare("SELECT json FROM evidence WHERE alert_id = ?1 ORDER BY ordinal");
  if (!st.ok()) return st.status();
  st->Bind(1, id);
  std::vector<std::string> out;
  for (;;) {
    auto row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(st->Text(0));
  }
  return out;
}

Result<HandlingStats> AlertStore::Handling() {
  HandlingStats h;
  auto open = db_.Prepare("SELECT severity, count(*) FROM alerts WHERE status != 'resolved' GROUP BY severity");
  if (!open.ok()) return open.status();
  for (;;) {
    auto row = open->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    h.open_by_severity[std::clamp<int64_t>(open->Int(0), 0, 4)] = static_cast<uint64_t>(open->Int(1));
  }
  auto times = db_.Prepare(
      "SELECT severity, acked_ns - created_ns, resolved_ns - created_ns FROM alerts "
      "WHERE acked_ns IS NOT NULL OR resolved_ns IS NOT NULL");
  if (!times.ok()) return times.status();
  for (;;) {
    auto row = times->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const auto sev = static_cast<AlertSeverity>(std::clamp<int64_t>(times->Int(0), 0, 4));
    if (!times->IsNull(1)) h.time_to_ack.emplace_back(sev, std::max<double>(0, times->Int(1) / 1e9));
    if (!times->IsNull(2)) h.time_to_resolve.emplace_back(sev, std::max<double>(0, times->Int(2) / 1e9));
  }
  return h;
}

Result<int64_t> AlertStore::Prune(Timestamp cutoff) {
  auto st = db_.Prepare("DELETE FROM alerts WHERE created_ns < ?1 AND status = 'resolved'");
  if (!st.ok()) return st.status();
  VIGIL_RETURN_IF_ERROR(st->Bind(1, Ns(cutoff)).Run());
  return static_cast<int64_t>(db_.Changes());
}

}  // namespace vigil::store
