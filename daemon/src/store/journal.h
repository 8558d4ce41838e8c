// Journal: one way to change the alert store — through the audit log first.
//
//   Begin()   lock the audit log (catching up with other writers), apply to the store any
//             records it lacks, open a store transaction;
//   Record()  append a record to the audit log and apply it to the store;
//   Commit()  sync the log (appending a signed checkpoint when due, or always with
//             `checkpoint_now`), unlock it, apply the checkpoint, commit the store.
//
// The log is durable before the store commits, so after a crash the store is at most
// behind the log, never ahead, and the next Begin() brings it up to date. Used by the
// router's writer thread and by the `vigil alerts` commands, which may run at once.
//
// Threading: one thread per Journal (and per AuditLog/AlertStore it uses).
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "store/alert_store.h"
#include "vigil/sqlite.h"

namespace vigil::store {

class Journal {
 public:
  Journal(audit::AuditLog& log, AlertStore& store) : log_(log), store_(store) {}
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal() { Abort(); }

  Status Begin();
  Result<audit::AppendResult> Record(std::string_view type, nlohmann::json data, Timestamp now);
  Status Commit(Timestamp now, bool checkpoint_now = false);
  // Rolls back the store and unlocks the log (records already appended stay in the log and
  // reach the store at the next Begin()). A no-op when nothing is open.
  void Abort();

 private:
  audit::AuditLog& log_;
  AlertStore& store_;
  std::optional<sqlite::Transaction> tx_;
};

}  // namespace vigil::store
