#include "config_source.h"

#include <unistd.h>

#include "default_config.h"  // generated from etc/vigil.yaml

namespace vigil {

const char* BuiltinConfigText() { return kBuiltinConfigYaml; }

Result<DaemonConfig> LoadEffectiveConfig(const std::string& path, Diagnostics& diags) {
  if (!path.empty()) return LoadConfigFile(path, diags);
  if (access(kDefaultConfigPath, F_OK) == 0) return LoadConfigFile(kDefaultConfigPath, diags);
  return LoadConfigString(BuiltinConfigText(), kBuiltinConfigName, diags);
}

}  // namespace vigil
