// Where the alert store, its audit log and the signing key live, and the router options the
// configuration gives. One rule for the daemon, `vigil replay --db`, `vigil alerts` and
// `vigil verify`, so they always agree:
//   store       <state_dir>/vigil.db              (or the --db path, S)
//   audit log   S without ".db", plus ".audit.log" (/var/lib/vigil/vigil.audit.log)
//   checkpoint  the audit log's path + ".checkpoint"
//   key         "audit.key" in S's directory, its verifier key "audit.key.pub" beside it
//
// Threading: pure functions.
#pragma once

#include <string>

#include "alert_router.h"
#include "config.h"

namespace vigil {

std::string StorePathIn(const std::string& state_dir);
std::string AuditLogPathFor(const std::string& store_path);
std::string AuditKeyPathFor(const std::string& store_path);
RouterOptions RouterOptionsFor(const DaemonConfig& config, const std::string& store_path);

}  // namespace vigil
