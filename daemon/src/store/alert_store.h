// AlertStore: the SQLite database of alerts, their evidence, their state transitions and
// the audit log's checkpoints, kept in the state directory (`<state_dir>/vigil.db`).
//
// The store is a projection of the audit log: every change arrives as an audit record
// (alert, suppressed, transition, checkpoint) and is applied here in the same order, with
// the record's sequence number and hash; `audit_head` remembers the last record applied.
// After a crash between the two writes (the audit log is always written and synced first),
// Reconcile() applies the records the store lacks, so nothing acknowledged or raised before
// a crash is lost, and `vigil verify` can compare the log's end with the head.
//
// Schema versions are SQLite migrations (sqlite.h); WAL lets `vigil alerts …` and reports
// read while the daemon writes. Old content is pruned by age (`store.keep`).
//
// Threading: one thread per AlertStore object (the router's writer thread, or a CLI).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "audit/audit_record.h"
#include "vigil/event.h"
#include "vigil/rules/alert.h"
#include "vigil/sqlite.h"
#include "vigil/status.h"

namespace vigil::store {

enum class AlertStatus { kOpen, kAcknowledged, kResolved };
std::string_view AlertStatusName(AlertStatus s);  // open, acknowledged, resolved
std::optional<AlertStatus> ParseAlertStatus(std::string_view s);

inline constexpr std::string_view kResolutions[] = {"fixed", "false_positive", "accepted_risk"};

struct StoredAlert {
  int64_t id = 0;
  Timestamp created{};     // when Vigil raised it
  Timestamp event_time{};  // the alert's @timestamp
  std::string rule_id, rule_name;
  AlertSeverity severity = AlertSeverity::kInfo;
  std::string host;
  AlertStatus status = AlertStatus::kOpen;
  std::string assignee;
  std::optional<Timestamp> acked_at, resolved_at;
  std::string acked_by, resolved_by, resolution, note;
  uint64_t count = 1;  // 1 + repeats merged by suppression
  Timestamp first{}, last{};
  std::string output;
  std::string json;  // the alert as first raised (AlertToJson)
  uint64_t audit_seq = 0;
  std::string audit_hash;
  ControlMap controls;
};

struct StoredTransition {
  int64_t alert_id = 0;
  Timestamp at{};
  std::string action;  // created, ack, assign, resolve, merged
  std::string actor;
  std::string from_status, to_status;
  std::string detail;  // assignee, resolution and note, as JSON
  uint64_t audit_seq = 0;
};

struct AlertFilter {
  std::optional<AlertStatus> status;
  std::optional<AlertSeverity> min_severity;
  std::string rule_id;  // "" = any
  std::optional<Timestamp> from, to;  // on event time, [from, to)
  size_t limit = 100;
};

// One run of the daemon (or a replay), from its run records (run_records.h).
struct StoredRun {
  int64_t id = 0;  // audit seq of its run_start record
  std::string mode, host, version;
  Timestamp started{}, last_seen{};
  std::optional<Timestamp> stopped;  // none: it ended without a run_stop (crash) or still runs
};

// One control_evaluation record: a report's verdict on one control for its period.
struct StoredEvaluation {
  uint64_t audit_seq = 0;
  std::string report_id;
  Timestamp at{}, from{}, to{};
  std::string framework, control, result, reason;
  uint64_t evidence = 0;
  std::string rules;  // comma-separated rule ids
};

struct AuditHead {
  uint64_t seq = 0;
  std::string hash;     // hex
  uint64_t offset = 0;  // bytes of the log up to the end of that record
};

// Counts and handling times for the metrics (open alerts per severity; seconds from
// creation to acknowledgement and to resolution of the alerts handled so far).
struct HandlingStats {
  uint64_t open_by_severity[5] = {};
  std::vector<std::pair<AlertSeverity, double>> time_to_ack, time_to_resolve;
};

class AlertStore {
 public:
  static Result<std::unique_ptr<AlertStore>> Open(const std::string& path,
                                                  sqlite::OpenFlags flags = sqlite::kReadWriteCreate);

  // Applies one audit record (alert, suppressed, transition, checkpoint, the run records
  // run_start, ruleset, coverage, run_stop, and control_evaluation; others are only
  // remembered as the head). Records at or below the head are ignored (idempotent).
  Status Apply(const audit::Record& record, const std::string& hash_hex, uint64_t end_offset);

  Result<std::optional<AuditHead>> Head();
  Result<int64_t> MaxAlertId();
  // Whether an alert with this AlertSourceKey is stored.
  Result<bool> HasSourceKey(const std::string& key);
  // The alert whose suppression window (rule, key, opening time) a summary belongs to.
  Result<std::optional<int64_t>> FindSuppressionOpener(const std::string& rule_id, const std::string& key,
                                                        Timestamp opened);

  Result<std::vector<StoredAlert>> List(const AlertFilter& filter);
  Result<std::optional<StoredAlert>> Get(int64_t id);
  Result<std::vector<StoredTransition>> Transitions(int64_t id);
  Result<std::vector<std::string>> Evidence(int64_t id);
  Result<HandlingStats> Handling();
  // Every run, oldest first.
  Result<std::vector<StoredRun>> Runs();
  // The control evaluations of one report, by framework and control.
  Result<std::vector<StoredEvaluation>> Evaluations(const std::string& report_id);

  // Deletes alerts (with their evidence and transitions) raised before `cutoff` that are
  // resolved, and returns how many; open alerts are kept however old.
  Result<int64_t> Prune(Timestamp cutoff);

  sqlite::Database& db() { return db_; }

 private:
  explicit AlertStore(sqlite::Database db) : db_(std::move(db)) {}
  Status ApplyAlert(const audit::Record& r, const std::string& hash_hex);
  Status ApplySuppressed(const audit::Record& r);
  Status ApplyTransition(const audit::Record& r);
  Status ApplyCheckpoint(const audit::Record& r);
  // Run records (run_records.h), in alert_store_runs.cc.
  Status ApplyRunStart(const audit::Record& r);
  Status ApplyRuleset(const audit::Record& r);
  Status ApplyCoverage(const audit::Record& r);
  Status ApplyRunStop(const audit::Record& r);
  Status TouchRun(const audit::Record& r, int64_t run, Timestamp at);
  // Control evaluations (a report's verdict per control), in alert_store_evaluations.cc.
  Status ApplyControlEvaluation(const audit::Record& r);
  Status SetHead(uint64_t seq, const std::string& hash, uint64_t offset);
  // A prepared statement for `sql` (a string literal: cached by address), reset for reuse.
  Result<sqlite::Statement*> Stmt(const char* sql);

  sqlite::Database db_;
  std::unordered_map<const char*, sqlite::Statement> cache_;  // destroyed before db_
};

// The data of audit records, built by the router and the CLI and read back by Apply.
// The line an alert was raised for, with its rule: SHA-256 (hex) of the rule id, the
// event's observer.name, log.file.path, log.offset and event.original. Empty when the event
// lacks one of them (not read from a file) and for suppression summaries. A line read again
// after a crash (its position was not saved yet) gives the same key, and the router drops
// the repeat. Kept as `source_key` in the alert record and the alerts table (unique).
std::string AlertSourceKey(const Alert& alert);

nlohmann::json AlertRecordData(int64_t id, const Alert& alert, std::string_view alert_json,
                               std::string_view host_name, Timestamp created);
nlohmann::json SuppressedRecordData(int64_t id, const Alert& summary);
nlohmann::json TransitionRecordData(int64_t id, std::string_view action, std::string_view actor,
                                    AlertStatus from, AlertStatus to, const nlohmann::json& detail);

}  // namespace vigil::store
