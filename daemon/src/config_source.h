// Where the effective configuration comes from: the file named with -c, else
// /etc/vigil/vigil.yaml when it exists, else the built-in default (the repository's
// etc/vigil.yaml, compiled in), so that `vigil run` works on a machine with no config.
#pragma once

#include <string>

#include "config.h"
#include "vigil/diagnostic.h"
#include "vigil/status.h"

namespace vigil {

inline constexpr const char* kDefaultConfigPath = "/etc/vigil/vigil.yaml";
inline constexpr const char* kBuiltinConfigName = "<built-in default config>";

// The built-in default configuration text.
const char* BuiltinConfigText();

// Loads `path` if non-empty, else kDefaultConfigPath if it exists, else the built-in text.
Result<DaemonConfig> LoadEffectiveConfig(const std::string& path, Diagnostics& diags);

}  // namespace vigil
