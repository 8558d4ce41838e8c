// BuildReport: reads the alert store and the audit log for a period and fills a Report
// (report.h): the facts (store_facts.h), the control evaluation for this period and the one
// before it (control_evaluation.h), handling times, the retention posture from the retention
// baseline kept in the same database, the verification of the audit log, trends and the
// finding details. Nothing in it depends on the time it is built.
//
// Threading: one thread per AlertStore.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "audit/signed_note.h"
#include "store/alert_store.h"
#include "vigil/report/control_evaluation.h"
#include "vigil/report/report.h"
#include "vigil/status.h"

namespace vigil::report {

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
};

Result<Report> BuildReport(store::AlertStore& store, const BuildOptions& options);

}  // namespace vigil::report
