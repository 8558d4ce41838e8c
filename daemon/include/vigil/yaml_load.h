// Loading hostile YAML safely: the config file and the retention policy are read with the
// same bounds. The text is first streamed through yaml-cpp's event parser, which keeps
// little in memory, and refused at the first sign of a document too large, too complex
// (nodes, or commas of a flow collection, which yaml-cpp tokenizes whole), too deep, or of
// more than one document; only then is it built as a node tree. Problems are recorded as
// located diagnostics: E100 for YAML syntax, `limit_code` for a refused shape.
//
// Threading: pure functions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/diagnostic.h"

namespace vigil {

struct YamlLimits {
  std::string_view what;  // "config", "policy": used in the messages ("config file too large")
  std::string_view limit_code = "E103";
  size_t max_bytes = size_t{4} << 20;
  size_t max_nodes = 100000;
  int max_depth = 64;
  size_t max_flow_separators = 200000;
};

// The root node of `text` (`name` stands for the file), or nullopt after recording why not.
std::optional<YAML::Node> LoadBoundedYaml(std::string_view text, const std::string& name,
                                          const YamlLimits& limits, Diagnostics& diags);

// A yaml-cpp mark as FILE:LINE:COL (1-based; 0:0 when the mark is unknown).
SourceLocation MarkLocation(const std::string& file, const YAML::Mark& m);

}  // namespace vigil
