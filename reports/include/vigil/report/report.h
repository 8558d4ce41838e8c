// Report: the content of one audit report for a period (docs/reports.md), built from the
// alert store and the audit log by BuildReport (report_builder.h) and turned into bytes by a
// ReportWriter (report_writer.h). A Report is a plain value: every writer reads the same one,
// so the HTML, JSON, CSV and OSCAL forms of a report never disagree.
//
// Everything in it is derived from the store and the audit log alone (never from the clock
// of the machine writing it), and every list has a fixed order, so the same store and period
// give the same Report, and the same bytes from each writer.
//
// Threading: a plain value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/event.h"
#include "vigil/report/control_result.h"
#include "vigil/rules/alert.h"

namespace vigil::report {

struct Period {
  Timestamp from{}, to{};  // [from, to)
};

// The rules, policies and configuration in force at some time in the period.
struct RulesetInForce {
  uint64_t audit_seq = 0;
  Timestamp at{};
  std::string rules_sha256, policies_sha256, config_sha256;
  uint64_t rules = 0;
};

struct Cover {
  std::string report_id;
  Period period;
  std::string framework;                // "" = every framework present
  std::vector<std::string> frameworks;  // those reported on
  std::vector<std::string> hosts;
  std::string generator;                // "vigil <version>"
  std::vector<RulesetInForce> rulesets;
  std::string key_id;                   // the signing key's verifier name+id ("" when none)
};

struct ResultCounts {
  uint64_t pass = 0, fail = 0, not_applicable = 0, not_checked = 0;
  uint64_t& operator[](ControlResult r);
  uint64_t operator[](ControlResult r) const;
};

struct FrameworkSummary {
  std::string name;
  ControlResult status = ControlResult::kNotChecked;  // fail if any fails, else not_checked if any, …
  ResultCounts controls, previous;  // this period and the one before it (same length)
};

struct Summary {
  std::vector<FrameworkSummary> frameworks;
  uint64_t alerts_by_severity[5] = {};           // alerts raised in the period
  uint64_t previous_alerts_by_severity[5] = {};  // in the period before
};

struct CollectorCoverage {
  std::string name, type;
  uint64_t samples = 0, samples_up = 0;  // coverage records in the period, and those saying up
  uint64_t events = 0, dropped = 0, skipped = 0, errors = 0, gaps = 0;  // in the period
  bool up_at_end = false;
};

// A stretch of the period in which no run of Vigil was watching.
struct DownPeriod {
  Timestamp from{}, to{};
  std::string reason;  // no_run_yet, stopped, crashed, no_run_since
};

struct Coverage {
  double period_seconds = 0, covered_seconds = 0;
  uint64_t runs = 0, crashed_runs = 0;
  std::vector<CollectorCoverage> collectors;
  std::vector<DownPeriod> down;
};

// Handling is the state of the alerts as of the period end: transitions after it are ignored
// (an alert acknowledged after the end counts as open), so a report for a past period does not
// change when someone handles an alert later.
struct HandlingBySeverity {
  AlertSeverity severity = AlertSeverity::kInfo;
  uint64_t raised = 0, open = 0, acknowledged = 0, resolved = 0;
  std::optional<double> median_ack_seconds, median_resolve_seconds, max_ack_seconds, max_resolve_seconds;
};

struct Handling {
  std::vector<HandlingBySeverity> by_severity;  // info … critical
  uint64_t open_items = 0;                      // not resolved by the end of the period
};

struct RetentionClassPosture {
  std::string class_id;  // "" = unclassified
  uint64_t items = 0;
  std::optional<Timestamp> oldest;  // earliest retention clock start
  uint64_t overdue = 0, expiring_soon = 0;  // findings raised and remembered by the scanner
  // The horizon as of the period end, from the policies in force (Retention::horizon_as_of;
  // absent when no policy was available): items whose latest due time (maximum retention) is
  // in (end, end + 30 d] and in (end, end + 90 d]; items past it at the end and not under an
  // active legal hold; items under an active legal hold at the end.
  std::optional<uint64_t> expiring_30d, expiring_90d, overdue_at_end, held_at_end;
  uint64_t early_deletions = 0, early_modifications = 0, hold_violations = 0;  // alerts in the period
};

struct Retention {
  bool baseline = false;  // the store holds a retention baseline
  // The period end, when the horizon counts were computed against the retention policies;
  // absent: no policy was available, the horizon is unknown (never reported as zero).
  std::optional<Timestamp> horizon_as_of;
  std::vector<RetentionClassPosture> classes;
};

struct Integrity {
  bool checked = false;
  bool ok = false;
  uint64_t first_seq = 0, last_seq = 0;  // the audit records this report cites
  bool signed_through = false;           // a verified signed checkpoint covers last_seq
  std::string problem;
  std::vector<std::string> notes;
};

struct AcceptedRisk {
  int64_t alert_id = 0;
  std::string rule_id, by, note;
  Timestamp at{};
  ControlMap controls;
};

struct TrendPoint {
  std::string day;  // YYYY-MM-DD (UTC)
  uint64_t by_severity[5] = {};
};

struct Transition {
  Timestamp at{};
  std::string action, actor, from, to;
  uint64_t audit_seq = 0;
};

struct Finding {
  int64_t alert_id = 0;
  Timestamp time{}, first{}, last{};
  std::string rule_id, rule_name, host, status, output, resolution;
  AlertSeverity severity = AlertSeverity::kInfo;
  uint64_t count = 1;
  ControlMap controls;
  uint64_t audit_seq = 0;
  std::string audit_hash;
  std::vector<Transition> history;
  std::vector<std::string> evidence;  // the evidence events, as stored (JSON)
};

struct Report {
  Cover cover;
  Summary summary;
  Coverage coverage;
  std::vector<ControlEvaluation> controls;  // by framework, then control id
  Handling handling;
  Retention retention;
  Integrity integrity;
  std::vector<AcceptedRisk> accepted_risks;
  std::vector<TrendPoint> trends;
  std::vector<Finding> findings;  // by alert id
};

}  // namespace vigil::report
