#include "vigil/rules/term_history_store.h"

#include <nlohmann/json.hpp>

#include <set>
#include <utility>
#include <vector>

#include "rule_set_impl.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

constexpr sqlite::Migration kMigrations[] = {
    {1,
     "CREATE TABLE term_rules ("
     "  rule_id TEXT PRIMARY KEY,"
     "  fingerprint INTEGER NOT NULL,"      // CompiledRule::fingerprint, as a signed 64-bit value
     "  watermark_ns INTEGER NOT NULL,"     // latest event time the rule had seen
     "  learning_until_ns INTEGER NOT NULL,"
     "  saved_at TEXT NOT NULL);"
     "CREATE TABLE terms ("
     "  rule_id TEXT NOT NULL REFERENCES term_rules(rule_id) ON DELETE CASCADE,"
     "  group_key TEXT NOT NULL,"
     "  group_values TEXT NOT NULL,"  // JSON [[field, value], ...] in group_by order
     "  value TEXT NOT NULL,"
     "  last_seen_ns INTEGER NOT NULL);"
     "CREATE INDEX terms_by_rule ON terms(rule_id);"},
    // Saves write what changed (an upsert per value, deletes of what was dropped, a purge of
    // what the timespan forgot) instead of rewriting a rule's whole history.
    {2,
     "DELETE FROM terms WHERE rowid NOT IN (SELECT MAX(rowid) FROM terms GROUP BY rule_id, group_key, value);"
     "CREATE UNIQUE INDEX terms_by_value ON terms(rule_id, group_key, value);"
     "CREATE INDEX terms_by_time ON terms(rule_id, last_seen_ns);"
     "DROP INDEX terms_by_rule;"},
};

int64_t Ns(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromNs(int64_t ns) { return Timestamp(Duration(ns)); }

// The windows of each new_terms rule of `im`, by rule id.
std::map<std::string, std::pair<const rules::CompiledRule*, rules::CorrelationWindows*>> NewTermsRules(
    RuleSet::Impl& im) {
  std::map<std::string, std::pair<const rules::CompiledRule*, rules::CorrelationWindows*>> out;
  for (size_t i = 0; i < im.rules.size(); ++i) {
    const rules::CompiledRule& r = im.rules[i];
    if (r.correlation && r.correlation->new_terms() && im.state[i].windows) {
      out.emplace(r.info.id, std::make_pair(&r, im.state[i].windows.get()));
    }
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseGroup(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> group;
  for (const auto& e : j) {
    if (!e.is_array() || e.size() != 2 || !e[0].is_string() || !e[1].is_string()) return std::nullopt;
    group.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
  }
  return group;
}

std::string GroupJson(const std::vector<std::pair<std::string, std::string>>& group) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& [field, value] : group) j.push_back({field, value});
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Result<std::unique_ptr<TermHistoryStore>> TermHistoryStore::Open(const std::string& path) {
  auto db = sqlite::Database::Open(path);
  if (!db.ok()) return db.status();
  if (Status s = db->Migrate(kMigrations); !s.ok()) return s;
  return std::unique_ptr<TermHistoryStore>(new TermHistoryStore(std::move(*db)));
}

Result<TermHistoryLoad> TermHistoryStore::Load(RuleSet& rules) {
  TermHistoryLoad load;
  auto live = NewTermsRules(*rules.impl_);
  auto saved = db_.Prepare("SELECT rule_id, fingerprint, watermark_ns, learning_until_ns FROM term_rules");
  if (!saved.ok()) return saved.status();
  auto values = db_.Prepare(
      "SELECT group_key, group_values, value, last_seen_ns FROM terms WHERE rule_id = ?1 ORDER BY last_seen_ns, rowid");
  if (!values.ok()) return values.status();
  while (true) {
    auto row = saved->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string id = saved->Text(0);
    const auto fingerprint = static_cast<uint64_t>(saved->Int(1));
    auto it = live.find(id);
    if (it == live.end() || it->second.first->fingerprint != fingerprint) {
      ++load.stale_rules;
      continue;
    }
    rules::CorrelationWindows& w = *it->second.second;
    w.Restore(FromNs(saved->Int(2)), FromNs(saved->Int(3)));
    ++load.rules;
    values->Reset();
    values->Bind(1, id);
    while (true) {
      auto v = values->Step();
      if (!v.ok()) return v.status();
      if (!*v) break;
      auto group = ParseGroup(values->Text(1));
      if (group && w.RestoreValue(values->Text(0), std::move(*group), values->Text(2), FromNs(values->Int(3)))) {
        ++load.values;
      } else {
        ++load.skipped;
      }
    }
    saved_[id] = Saved{fingerprint, &w, w.changes()};
    w.StartJournal();
  }
  return load;
}

Result<size_t> TermHistoryStore::Save(const RuleSet& rules) {
  auto live = NewTermsRules(*rules.impl_);
  std::vector<std::string> changed;
  for (const auto& [id, rule] : live) {
    const rules::CorrelationWindows& w = *rule.second;
    auto it = saved_.find(id);
    const bool same = it != saved_.end() && it->second.fingerprint == rule.first->fingerprint &&
                      it->second.state == &w && it->second.changes == w.changes();
    if (!same && w.seen()) changed.push_back(id);
  }
  std::vector<std::string> gone;
  {
    auto ids = db_.Prepare("SELECT rule_id, fingerprint FROM term_rules");
    if (!ids.ok()) return ids.status();
    VIGIL_RETURN_IF_ERROR(ids->ForEachRow([&] {
      auto it = live.find(ids->Text(0));
      if (it == live.end() || it->second.first->fingerprint != static_cast<uint64_t>(ids->Int(1))) {
        gone.push_back(ids->Text(0));
      }
    }));
  }
  if (changed.empty() && gone.empty()) return size_t{0};

  sqlite::Transaction tx(db_);
  if (!tx.begin_status().ok()) return tx.begin_status();
  auto del_rule = db_.Prepare("DELETE FROM term_rules WHERE rule_id = ?1");
  auto put_rule = db_.Prepare(
      "INSERT INTO term_rules(rule_id, fingerprint, watermark_ns, learning_until_ns, saved_at) "
      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(rule_id) DO UPDATE SET fingerprint = excluded.fingerprint, "
      "watermark_ns = excluded.watermark_ns, learning_until_ns = excluded.learning_until_ns, "
      "saved_at = excluded.saved_at");
  auto del_all = db_.Prepare("DELETE FROM terms WHERE rule_id = ?1");
  auto del_group = db_.Prepare("DELETE FROM terms WHERE rule_id = ?1 AND group_key = ?2");
  auto del_value = db_.Prepare("DELETE FROM terms WHERE rule_id = ?1 AND group_key = ?2 AND value = ?3");
  auto del_old = db_.Prepare("DELETE FROM terms WHERE rule_id = ?1 AND last_seen_ns < ?2");
  auto put_value = db_.Prepare(
      "INSERT INTO terms(rule_id, group_key, group_values, value, last_seen_ns) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT(rule_id, group_key, value) DO UPDATE SET group_values = excluded.group_values, "
      "last_seen_ns = excluded.last_seen_ns");
  for (auto* st : {&del_rule, &put_rule, &del_all, &del_group, &del_value, &del_old, &put_value}) {
    if (!st->ok()) return st->status();
  }
  for (const std::string& id : gone) {
    del_rule->Reset();
    if (Status s = del_rule->Bind(1, id).Run(); !s.ok()) return s;
    saved_.erase(id);
  }
  const std::string now = FormatRfc3339(WallNow());
  for (const std::string& id : changed) {
    const auto& [rule, w] = live.at(id);
    auto it = saved_.find(id);
    // Only what changed when the database holds this very state up to its journal; else all.
    const bool incremental = it != saved_.end() && it->second.fingerprint == rule->fingerprint &&
                             it->second.state == w && w->journal_complete();
    put_rule->Reset();
    put_rule->Bind(1, id)
        .Bind(2, static_cast<int64_t>(rule->fingerprint))
        .Bind(3, Ns(w->watermark()))
        .Bind(4, Ns(w->learning_until()))
        .Bind(5, now);
    if (Status s = put_rule->Run(); !s.ok()) return s;
    if (incremental) {
      for (const std::string& key : w->dropped_groups()) {
        del_group->Reset();
        if (Status s = del_group->Bind(1, id).Bind(2, key).Run(); !s.ok()) return s;
      }
      for (const auto& [key, value] : w->dropped_values()) {
        del_value->Reset();
        if (Status s = del_value->Bind(1, id).Bind(2, key).Bind(3, value).Run(); !s.ok()) return s;
      }
    } else {
      del_all->Reset();
      if (Status s = del_all->Bind(1, id).Run(); !s.ok()) return s;
    }
    const Timestamp low = w->watermark() - rule->correlation->timespan;
    Status failed;
    std::string last_key, last_json;
    auto put = [&](const std::string& key, const std::vector<std::pair<std::string, std::string>>& group,
                   const std::string& value, Timestamp t) {
      if (!failed.ok() || t < low) return;  // forgotten already: Load would skip it
      if (key != last_key || last_json.empty()) {
        last_key = key;
        last_json = GroupJson(group);
      }
      put_value->Reset();
      put_value->Bind(1, id).Bind(2, key).Bind(3, last_json).Bind(4, value).Bind(5, Ns(t));
      failed = put_value->Run();
    };
    if (incremental) {
      w->ForEachChangedValue(put);
    } else {
      w->ForEachValue(put);
    }
    if (!failed.ok()) return failed;
    del_old->Reset();
    if (Status s = del_old->Bind(1, id).Bind(2, Ns(low)).Run(); !s.ok()) return s;
  }
  if (Status s = tx.Commit(); !s.ok()) return s;
  for (const std::string& id : changed) {
    const auto& [rule, w] = live.at(id);
    saved_[id] = Saved{rule->fingerprint, w, w->changes()};
    w->StartJournal();
  }
  return changed.size();
}

}  // namespace vigil
