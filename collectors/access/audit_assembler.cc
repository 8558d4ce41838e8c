#include "audit_assembler.h"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace vigil::access {
namespace {

bool StartsWithAny(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  for (std::string_view p : prefixes) {
    if (s.substr(0, p.size()) == p) return true;
  }
  return false;
}

bool SameEvent(const AuditRecord& a, const AuditRecord& b) {
  return a.serial == b.serial && a.seconds == b.seconds && a.millis == b.millis && a.node == b.node;
}

int64_t TimeMs(const AuditRecord& r) { return r.seconds * 1000 + r.millis; }

}  // namespace

bool IsSingleRecordAuditType(std::string_view type) {
  // The kernel's ANOM_* records (1700-1703) belong to the kernel's events.
  if (type == "ANOM_PROMISCUOUS" || type == "ANOM_ABEND" || type == "ANOM_LINK" || type == "ANOM_CREAT") {
    return false;
  }
  static constexpr std::array<std::string_view, 7> kExact = {
      "ADD_USER", "DEL_USER", "ADD_GROUP", "DEL_GROUP", "CHGRP_ID", "CHUSER_ID", "USYS_CONFIG"};
  for (std::string_view t : kExact) {
    if (type == t) return true;
  }
  return StartsWithAny(type, {"USER_", "CRED_", "ANOM_", "GRP_", "ACCT_", "ROLE_", "SERVICE_",
                              "SYSTEM_", "DAEMON_", "RESP_", "LABEL_", "VIRT_", "CRYPTO_",
                              "SOFTWARE_UPDATE", "TRUSTED_APP"});
}

void AuditAssembler::Append(Pending& p, AuditRecord&& record, std::string_view line) {
  AssembledAuditEvent& e = p.event;
  if (e.records.size() >= options_.max_records ||
      e.original.size() + line.size() + 1 > options_.max_event_bytes) {
    Count(&AuditAssemblerCounters::records_dropped);
    return;
  }
  if (!e.original.empty()) e.original += '\n';
  e.original.append(line);
  if (record.type == "SYSCALL") p.has_syscall = true;
  if (record.type == "PROCTITLE") p.ended = true;
  e.records.push_back(std::move(record));
}

bool AuditAssembler::Emit(Pending&& p, bool complete) {
  p.event.complete = complete;
  Count(&AuditAssemblerCounters::events);
  if (!complete) Count(&AuditAssemblerCounters::incomplete);
  if (p.event.records.empty()) return true;  // only an EOE: nothing to say
  return output_(std::move(p.event));
}

bool AuditAssembler::EmitAt(size_t index, bool complete) {
  Pending p = std::move(pending_[index]);
  pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(index));
  return Emit(std::move(p), complete);
}

bool AuditAssembler::Add(AuditRecord&& record, std::string_view line, uint64_t offset, SteadyTime now) {
  Count(&AuditAssemblerCounters::records);
  const int64_t t = TimeMs(record);
  bool go_on = true;
  // Too old by record time, and events that expect no EOE once another event's record came.
  for (size_t i = 0; i < pending_.size();) {
    Pending& p = pending_[i];
    if (SameEvent(p.event.records.front(), record)) {
      ++i;
      continue;
    }
    if (Complete(p)) {
      go_on = EmitAt(i, true) && go_on;
    } else if (t - p.time_ms > options_.timeout.count()) {
      go_on = EmitAt(i, false) && go_on;
    } else {
      ++i;
    }
  }
  Pending* found = nullptr;
  size_t found_at = 0;
  for (size_t i = pending_.size(); i-- > 0;) {
    if (SameEvent(pending_[i].event.records.front(), record)) {
      found = &pending_[i];
      found_at = i;
      break;
    }
  }
  if (record.type == "EOE") {
    if (found == nullptr) return go_on;  // its event was emitted already (or never seen)
    if (found->event.original.size() + line.size() + 1 <= options_.max_event_bytes) {
      found->event.original += '\n';
      found->event.original.append(line);
    }
    return EmitAt(found_at, true) && go_on;
  }
  if (found != nullptr) {
    Append(*found, std::move(record), line);
    return go_on;
  }
  Pending p;
  p.event.offset = offset;
  p.time_ms = t;
  p.added = now;
  const bool single = IsSingleRecordAuditType(record.type);
  Append(p, std::move(record), line);
  if (p.event.records.empty()) return go_on;  // dropped: larger than max_event_bytes
  if (single) return Emit(std::move(p), true) && go_on;
  if (pending_.size() >= options_.max_pending) {
    Count(&AuditAssemblerCounters::evicted);
    go_on = EmitAt(0, false) && go_on;
  }
  pending_.push_back(std::move(p));
  return go_on;
}

bool AuditAssembler::Expire(SteadyTime now) {
  bool go_on = true;
  for (size_t i = 0; i < pending_.size();) {
    const Pending& p = pending_[i];
    if (p.ended || now - p.added >= options_.timeout) {
      go_on = EmitAt(i, Complete(p)) && go_on;
    } else {
      ++i;
    }
  }
  return go_on;
}

bool AuditAssembler::Flush() {
  bool go_on = true;
  while (!pending_.empty()) go_on = EmitAt(0, Complete(pending_.front())) && go_on;
  return go_on;
}

uint64_t AuditAssembler::HeldFrom() const {
  uint64_t from = UINT64_MAX;
  for (const Pending& p : pending_) from = std::min(from, p.event.offset);
  return from;
}

}  // namespace vigil::access
