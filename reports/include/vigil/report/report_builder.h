// BuildReport: reads the alert store and the audit log for a period and fills a Report
// (report.h): the facts (store_facts.h), the control evaluation for this period and the one
// before it (control_evaluation.h), handling times (as of the period end), the retention
// posture from the retention baseline kept in the same database (its horizon as of the period
// end through BuildOptions::retention_resolver), the verification of the audit log, trends and the
// finding details. Nothing in it depends on the time it is built.
//
// Threading: one thread per AlertStore.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "audit/signed_note.h"
#include "store/alert_store.h"
#include "vigil/report/control_evaluation.h"
#include "vigil/report/report.h"
#include "vigil/status.h"

namespace vigil::report {

// One file of the retention baseline (the retention collector's `retention_files` table),
// with the clock facts its retention policy counts from.
struct RetentionItem {
  std::string path;
  int64_t birth_ns = 0;    // 0: the filesystem gave none
  int64_t first_seen = 0;  // Unix seconds: when Vigil first saw it
  int64_t mtime_ns = 0;
  int64_t changed_at = 0;  // Unix seconds: when Vigil last saw its content change (0: never)
};

// What the retention policies say about an item at a time: its latest due time (the maximum
// retention of the classes matching it) and whether an active legal hold covers it then.
struct RetentionHorizon {
  std::optional<int64_t> max_due;  // Unix seconds; none: no maximum retention
  bool held = false;
};

// Supplied by the daemon, which has the policies (the report library does not read them);
// called once per baseline item with the period end (Unix seconds).
using RetentionResolver = std::function<RetentionHorizon(const RetentionItem& item, int64_t at)>;

struct BuildOptions {
  Period period;
  std::string framework;  // "" = every framework present
  std::string generator;  // "vigil 0.1.0"
  std::vector<NotApplicable> not_applicable;
  // The audit log to verify (the store's), its exported checkpoint, and the verifier key
  // (without one, signatures are not checked and the report says so).
  std::string audit_log_path;
  std::optional<audit::NoteVerifier> key;
  std::string key_text;  // the verifier key as written ("name+id+base64"), for the cover
  // The retention horizon (expiring in 30 and 90 days, overdue and held at the period end);
  // empty when no retention policy is configured: the report then says it is unknown.
  RetentionResolver retention_resolver;
};

Result<Report> BuildReport(store::AlertStore& store, const BuildOptions& options);

}  // namespace vigil::report
