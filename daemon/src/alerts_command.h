// `vigil alerts list|show|ack|assign|resolve`: the security manager's alert workflow on the
// store (the configured state directory's, or --db). Every change goes through the audit log
// first (store::Journal), so it is tamper-evident and survives a crash of either process;
// the daemon may run at the same time.
//
// Exit codes: 0 done; 1 the change is not allowed (e.g. resolving a resolved alert) or the
// alert does not exist; 2 bad usage or the store cannot be opened.
//
// Threading: runs on the CLI's one thread.
#pragma once

#include <cstdint>
#include <string>

namespace vigil {

struct AlertsOptions {
  std::string verb;         // list, show, ack, assign, resolve
  std::string config_path;  // for the state directory and host name
  std::string db;           // overrides the configured store
  // list
  std::string status, severity, rule, from, to, format = "table";
  int64_t limit = 100;
  // show, ack, assign, resolve
  int64_t id = 0;
  std::string by, assignee, resolution, note;
};

int RunAlertsCommand(const AlertsOptions& options);

}  // namespace vigil
