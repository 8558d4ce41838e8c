#include "store/reconcile.h"

#include "audit/audit_record.h"
#include "audit/digest.h"
#include "audit/record_reader.h"

namespace vigil::store {

Result<uint64_t> ReconcileStore(AlertStore& store, const std::string& audit_path) {
  auto head = store.Head();
  if (!head.ok()) return head.status();
  const uint64_t head_seq = *head ? (*head)->seq : 0;
  uint64_t start = *head ? (*head)->offset : 0;
  for (int attempt = 0; attempt < 2; ++attempt) {
    audit::RecordReader reader;
    Status open = reader.Open(audit_path, start);
    if (!open.ok()) return open;
    std::string line;
    uint64_t applied = 0;
    bool restart = false;
    sqlite::Transaction tx(store.db());
    VIGIL_RETURN_IF_ERROR(tx.begin_status());
    for (;;) {
      auto more = reader.Next(line);
      if (!more.ok()) return more.status();
      if (!*more) break;
      auto rec = audit::ParseRecord(line);
      if (!rec.ok()) {
        return Status::ParseError(audit_path + ": record after offset " + std::to_string(reader.offset() - line.size() - 1) +
                                  ": " + rec.status().message() + " (run `vigil verify`)");
      }
      if (rec->seq <= head_seq) continue;
      if (applied == 0 && rec->seq != head_seq + 1) {
        if (start == 0) {
          return Status::FailedPrecondition(audit_path + ": the store has applied records up to " +
                                            std::to_string(head_seq) + " but the log continues at " +
                                            std::to_string(rec->seq) + " (run `vigil verify`)");
        }
        restart = true;  // the saved offset does not point where it should: read from the start
        break;
      }
      VIGIL_RETURN_IF_ERROR(store.Apply(*rec, audit::Hex(audit::Sha256(line)), reader.offset()));
      ++applied;
    }
    if (restart) {
      start = 0;
      continue;
    }
    VIGIL_RETURN_IF_ERROR(tx.Commit());
    return applied;
  }
  return Status::Internal("reconcile did not converge");
}

}  // namespace vigil::store
