#include "alerts_command.h"

#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "config_source.h"
#include "router_setup.h"
#include "store/alert_store.h"
#include "store/journal.h"
#include "vigil/log.h"
#include "vigil/time_format.h"

namespace vigil {
namespace {

using nlohmann::json;
using store::AlertStatus;
using store::StoredAlert;

int Fail(int code, const std::string& message) {
  std::fprintf(stderr, "vigil alerts: %s\n", message.c_str());
  return code;
}

std::string Truncated(std::string s, size_t n) {
  for (char& c : s) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (s.size() > n) {
    s.resize(n - 3);
    s += "...";
  }
  return s;
}

json AlertJson(const StoredAlert& a) {
  json j = {{"id", a.id},
            {"time", FormatRfc3339(a.event_time)},
            {"created", FormatRfc3339(a.created)},
            {"rule", {{"id", a.rule_id}, {"name", a.rule_name}}},
            {"severity", AlertSeverityName(a.severity)},
            {"host", a.host},
            {"status", store::AlertStatusName(a.status)},
            {"assignee", a.assignee},
            {"count", a.count},
            {"first", FormatRfc3339(a.first)},
            {"last", FormatRfc3339(a.last)},
            {"output", a.output},
            {"audit", {{"seq", a.audit_seq}, {"hash", a.audit_hash}}}};
  if (a.acked_at) j["acknowledged"] = {{"at", FormatRfc3339(*a.acked_at)}, {"by", a.acked_by}};
  if (a.resolved_at) {
    j["resolved"] = {{"at", FormatRfc3339(*a.resolved_at)},
                     {"by", a.resolved_by},
                     {"resolution", a.resolution},
                     {"note", a.note}};
  }
  if (!a.controls.empty()) j["controls"] = a.controls;
  return j;
}

struct Opened {
  DaemonConfig config;
  std::string store_path;
  std::unique_ptr<store::AlertStore> store;
};

Result<Opened> OpenStore(const AlertsOptions& o) {
  Diagnostics diags;
  auto config = LoadEffectiveConfig(o.config_path, diags);
  if (!config.ok()) {
    std::fputs(diags.FormatText().c_str(), stderr);
    return Status::InvalidArgument("invalid configuration");
  }
  Opened out;
  out.config = std::move(*config);
  out.store_path = o.db.empty() ? StorePathIn(out.config.state_dir) : o.db;
  struct stat st {};
  if (::stat(out.store_path.c_str(), &st) != 0) {
    return Status::NotFound("no alert store at " + out.store_path +
                            (o.db.empty() ? " (has the daemon run? or name one with --db)" : ""));
  }
  auto s = store::AlertStore::Open(out.store_path, sqlite::kReadWrite);
  if (!s.ok()) return s.status();
  out.store = std::move(*s);
  return out;
}

int List(const AlertsOptions& o, store::AlertStore& st) {
  store::AlertFilter f;
  if (!o.status.empty()) {
    f.status = store::ParseAlertStatus(o.status);
    if (!f.status) return Fail(2, "--status must be open, acknowledged or resolved");
  }
  if (!o.severity.empty()) {
    f.min_severity = ParseAlertSeverity(o.severity);
    if (!f.min_severity) return Fail(2, "--severity must be info, low, medium, high or critical");
  }
  f.rule_id = o.rule;
  if (!o.from.empty() && !(f.from = ParseTimeOrDate(o.from))) return Fail(2, "--from is not a time (RFC 3339 or YYYY-MM-DD)");
  if (!o.to.empty() && !(f.to = ParseTimeOrDate(o.to))) return Fail(2, "--to is not a time (RFC 3339 or YYYY-MM-DD)");
  f.limit = static_cast<size_t>(o.limit);
  auto alerts = st.List(f);
  if (!alerts.ok()) return Fail(2, alerts.status().message());
  if (o.format == "json") {
    for (const StoredAlert& a : *alerts) std::printf("%s\n", AlertJson(a).dump().c_str());
    return 0;
  }
  std::printf("%-7s %-20s %-8s %-12s %-28s %6s %-12s %s\n", "ID", "TIME", "SEVERITY", "STATUS", "RULE", "COUNT",
              "ASSIGNEE", "OUTPUT");
  for (const StoredAlert& a : *alerts) {
    std::string time = FormatRfc3339(std::chrono::time_point_cast<std::chrono::seconds>(a.event_time));
    std::printf("%-7lld %-20s %-8s %-12s %-28s %6llu %-12s %s\n", static_cast<long long>(a.id), time.c_str(),
                std::string(AlertSeverityName(a.severity)).c_str(),
                std::string(store::AlertStatusName(a.status)).c_str(), Truncated(a.rule_id, 28).c_str(),
                static_cast<unsigned long long>(a.count), Truncated(a.assignee, 12).c_str(),
                Truncated(a.output, 70).c_str());
  }
  if (alerts->size() == f.limit) {
    std::fprintf(stderr, "vigil alerts: showing the first %zu; use --limit for more\n", f.limit);
  }
  return 0;
}

int Show(const AlertsOptions& o, store::AlertStore& st) {
  auto a = st.Get(o.id);
  if (!a.ok()) return Fail(2, a.status().message());
  if (!*a) return Fail(1, "no alert " + std::to_string(o.id));
  auto transitions = st.Transitions(o.id);
  auto evidence = st.Evidence(o.id);
  if (!transitions.ok()) return Fail(2, transitions.status().message());
  if (!evidence.ok()) return Fail(2, evidence.status().message());
  json j = AlertJson(**a);
  json history = json::array();
  for (const auto& t : *transitions) {
    history.push_back({{"at", FormatRfc3339(t.at)}, {"action", t.action}, {"actor", t.actor},
                       {"from", t.from_status}, {"to", t.to_status},
                       {"detail", json::parse(t.detail, nullptr, false)}, {"audit_seq", t.audit_seq}});
  }
  json ev = json::array();
  for (const auto& e : *evidence) ev.push_back(json::parse(e, nullptr, false));
  if (o.format == "json") {
    j["history"] = std::move(history);
    j["evidence"] = std::move(ev);
    std::printf("%s\n", j.dump().c_str());
    return 0;
  }
  const StoredAlert& s = **a;
  std::printf("alert %lld: %s (%s)\n", static_cast<long long>(s.id), s.rule_name.c_str(), s.rule_id.c_str());
  std::printf("  severity   %s\n", std::string(AlertSeverityName(s.severity)).c_str());
  std::printf("  status     %s%s\n", std::string(store::AlertStatusName(s.status)).c_str(),
              s.assignee.empty() ? "" : (", assigned to " + s.assignee).c_str());
  std::printf("  time       %s (raised %s)\n", FormatRfc3339(s.event_time).c_str(), FormatRfc3339(s.created).c_str());
  std::printf("  host       %s\n", s.host.c_str());
  std::printf("  count      %llu (first %s, last %s)\n", static_cast<unsigned long long>(s.count),
              FormatRfc3339(s.first).c_str(), FormatRfc3339(s.last).c_str());
  std::printf("  output     %s\n", s.output.c_str());
  for (const auto& [framework, ids] : s.controls) {
    std::string list;
    for (const auto& id : ids) list += (list.empty() ? "" : ", ") + id;
    std::printf("  control    %s: %s\n", framework.c_str(), list.c_str());
  }
  if (s.resolved_at) {
    std::printf("  resolved   %s by %s as %s%s%s\n", FormatRfc3339(*s.resolved_at).c_str(), s.resolved_by.c_str(),
                s.resolution.c_str(), s.note.empty() ? "" : ": ", s.note.c_str());
  }
  std::printf("  audit log  record %llu, sha256 %s\n", static_cast<unsigned long long>(s.audit_seq),
              s.audit_hash.c_str());
  std::printf("history:\n");
  for (const auto& h : history) std::printf("  %s\n", h.dump().c_str());
  std::printf("evidence:\n");
  for (const auto& e : ev) std::printf("  %s\n", e.dump().c_str());
  return 0;
}

int Transition(const AlertsOptions& o, Opened& opened) {
  const std::string& verb = o.verb;
  if ((verb == "ack" || verb == "resolve") && o.by.empty()) return Fail(2, verb + " needs --by NAME");
  if (verb == "assign" && o.assignee.empty()) return Fail(2, "assign needs --to NAME");
  if (verb == "resolve") {
    bool known = false;
    for (std::string_view r : store::kResolutions) known |= r == o.resolution;
    if (!known) return Fail(2, "--resolution must be fixed, false_positive or accepted_risk");
    if (o.resolution == "accepted_risk" && o.note.empty()) {
      return Fail(2, "an accepted risk needs --note saying why it is accepted and by whose authority");
    }
  }
  RouterOptions ro = RouterOptionsFor(opened.config, opened.store_path);
  auto log = audit::AuditLog::Open(ro.audit);
  if (!log.ok()) return Fail(2, log.status().message());
  store::Journal journal(**log, *opened.store);
  if (Status s = journal.Begin(); !s.ok()) return Fail(2, s.message());
  // Read the state under the lock: no one else can change it until Commit.
  auto current = opened.store->Get(o.id);
  if (!current.ok()) return Fail(2, current.status().message());
  if (!*current) return Fail(1, "no alert " + std::to_string(o.id));
  const StoredAlert& a = **current;
  if (a.status == AlertStatus::kResolved) {
    return Fail(1, "alert " + std::to_string(o.id) + " is already resolved (" + a.resolution + ", by " +
                       a.resolved_by + " at " + FormatRfc3339(*a.resolved_at) + ")");
  }
  AlertStatus to = a.status;
  json detail = json::object();
  std::string actor = o.by;
  if (verb == "ack") {
    if (a.status == AlertStatus::kAcknowledged) {
      return Fail(1, "alert " + std::to_string(o.id) + " is already acknowledged (by " + a.acked_by + " at " +
                         FormatRfc3339(*a.acked_at) + ")");
    }
    to = AlertStatus::kAcknowledged;
  } else if (verb == "assign") {
    detail["assignee"] = o.assignee;
    if (actor.empty()) actor = o.assignee;
  } else {
    to = AlertStatus::kResolved;
    detail["resolution"] = o.resolution;
    detail["note"] = o.note;
  }
  const Timestamp now = std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  auto rec = journal.Record("transition", store::TransitionRecordData(o.id, verb, actor, a.status, to, detail), now);
  if (!rec.ok()) return Fail(2, rec.status().message());
  if (Status s = journal.Commit(now); !s.ok()) return Fail(2, s.message());
  const std::string change = verb == "assign" ? "assigned to " + o.assignee
                                              : std::string(store::AlertStatusName(a.status)) + " -> " +
                                                    std::string(store::AlertStatusName(to));
  std::printf("alert %lld: %s (audit record %llu)\n", static_cast<long long>(o.id), change.c_str(),
              static_cast<unsigned long long>(rec->seq));
  return 0;
}

}  // namespace

int RunAlertsCommand(const AlertsOptions& options) {
  SetLogLevel(LogLevel::kWarning);
  auto opened = OpenStore(options);
  if (!opened.ok()) return Fail(2, opened.status().message());
  if (options.verb == "list") return List(options, *opened->store);
  if (options.verb == "show") return Show(options, *opened->store);
  return Transition(options, *opened);
}

}  // namespace vigil
