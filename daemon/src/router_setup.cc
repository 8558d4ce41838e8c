#include "router_setup.h"

#include <filesystem>

namespace vigil {

std::string StorePathIn(const std::string& state_dir) { return state_dir + "/vigil.db"; }

std::string AuditLogPathFor(const std::string& store_path) {
  std::string base = store_path;
  if (base.size() > 3 && base.compare(base.size() - 3, 3, ".db") == 0) base.resize(base.size() - 3);
  return base + ".audit.log";
}

std::string AuditKeyPathFor(const std::string& store_path) {
  std::filesystem::path dir = std::filesystem::path(store_path).parent_path();
  return (dir.empty() ? std::filesystem::path(".") : dir).string() + "/audit.key";
}

RouterOptions RouterOptionsFor(const DaemonConfig& config, const std::string& store_path) {
  RouterOptions o;
  o.store_path = store_path;
  o.host_name = config.host_name;
  o.queue_capacity = config.alert_queue;
  o.keep = config.alert_keep;
  o.audit.path = AuditLogPathFor(store_path);
  o.audit.key_path = AuditKeyPathFor(store_path);
  o.audit.origin = config.host_name + "/vigil/audit";
  o.audit.checkpoint_every = config.audit_checkpoint_every;
  o.audit.checkpoint_interval = config.audit_checkpoint_interval;
  return o;
}

}  // namespace vigil
