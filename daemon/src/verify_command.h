// `vigil verify`: checks an audit log's hash chain, Merkle checkpoints and their Ed25519
// signatures (audit/audit_verifier.h), and that the log still holds what the store and the
// exported checkpoint say it held. Prints the first problem and exits 1, or a summary and
// exits 0; 2 for bad usage or unreadable files.
//
// Threading: runs on the CLI's one thread.
#pragma once

#include <string>

namespace vigil {

struct VerifyCommandOptions {
  std::string config_path;
  std::string audit_log;  // default: the configured store's log (or --db's)
  std::string db;         // the store whose audit head to compare (default: beside the log)
  std::string key;        // verifier key file (default: audit.key.pub beside the store)
  std::string report;     // a report bundle directory (checked instead of a log)
  std::string format = "text";
};

int RunVerifyCommand(const VerifyCommandOptions& options);

}  // namespace vigil
