#include "store/journal.h"

#include "store/reconcile.h"

namespace vigil::store {

Status Journal::Begin() {
  if (tx_) return Status::FailedPrecondition("journal: Begin() twice");
  VIGIL_RETURN_IF_ERROR(log_.Lock());
  auto applied = ReconcileStore(store_, log_.path());
  if (!applied.ok()) {
    log_.Release();
    return applied.status();
  }
  tx_.emplace(store_.db());
  if (!tx_->begin_status().ok()) {
    Status s = tx_->begin_status();
    tx_.reset();
    log_.Release();
    return s;
  }
  return Status::Ok();
}

Result<audit::AppendResult> Journal::Record(std::string_view type, nlohmann::json data, Timestamp now) {
  if (!tx_) return Status::FailedPrecondition("journal: Record() without Begin()");
  auto rec = log_.Append(type, data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), now);
  if (!rec.ok()) return rec.status();
  audit::Record parsed{rec->seq, {}, now, std::string(type), std::move(data)};
  VIGIL_RETURN_IF_ERROR(store_.Apply(parsed, audit::Hex(rec->hash), rec->end_offset));
  return rec;
}

Status Journal::Commit(Timestamp now, bool checkpoint_now) {
  if (!tx_) return Status::FailedPrecondition("journal: Commit() without Begin()");
  std::optional<audit::Checkpoint> cp;
  Status s = checkpoint_now ? log_.CommitWithCheckpoint(now, &cp) : log_.Commit(now, &cp);
  if (s.ok() && cp) {
    auto parsed = audit::ParseRecord(cp->record.line);
    s = parsed.ok() ? store_.Apply(*parsed, audit::Hex(cp->record.hash), cp->record.end_offset) : parsed.status();
  }
  if (s.ok()) s = tx_->Commit();
  tx_.reset();  // rolls back if the commit did not happen
  log_.Release();
  return s;
}

void Journal::Abort() {
  tx_.reset();
  log_.Release();
}

}  // namespace vigil::store
