// Loading hostile YAML safely: the config file, the retention policy, the web config and
// rule files are read with the same kind of bounds. The text is first streamed through
// yaml-cpp's event parser, which keeps little in memory, and refused at the first sign of a
// document too large, too complex (nodes, nodes once aliases are expanded — the "billion
// laughs" — or commas of a flow collection, which yaml-cpp tokenizes whole), too deep, or of
// more than one document; only then is it built as a node tree. Problems are recorded as
// located diagnostics: `syntax_code` (E100) for YAML syntax, `limit_code` for a refused shape.
//
// A file of several documents (rule files) is cut into documents by the caller and each is
// given to one BoundedYamlLoader with its first line: the node counts are for the whole
// file, and each document is parsed once, without re-reading what came before it (marks in
// the returned nodes are relative to the document; add its first line).
//
// Threading: pure functions; a BoundedYamlLoader belongs to one thread.
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
  std::string_view syntax_code = "E100";
  size_t max_bytes = size_t{4} << 20;
  size_t max_nodes = 100000;  // also once aliases are expanded
  int max_depth = 64;
  size_t max_flow_separators = 200000;  // per document
};

class BoundedYamlLoader {
 public:
  // `name` stands for the file in the diagnostics.
  BoundedYamlLoader(std::string name, const YamlLimits& limits, Diagnostics& diags)
      : name_(std::move(name)), limits_(limits), diags_(diags) {}

  // The root node of the one document `text`, which starts at line `first_line` (0-based)
  // of the file; or nullopt after recording why not.
  std::optional<YAML::Node> Load(std::string_view text, int first_line = 0);

 private:
  std::string name_;
  const YamlLimits& limits_;
  Diagnostics& diags_;
  size_t nodes_ = 0;     // of the documents so far
  size_t expanded_ = 0;  // the same, counting each alias as the nodes it stands for
};

// The root node of `text` (`name` stands for the file), or nullopt after recording why not.
std::optional<YAML::Node> LoadBoundedYaml(std::string_view text, const std::string& name,
                                          const YamlLimits& limits, Diagnostics& diags);

// A yaml-cpp mark as FILE:LINE:COL (1-based; 0:0 when the mark is unknown), `line_offset`
// lines further down (the first line of the document the mark is in).
SourceLocation MarkLocation(const std::string& file, const YAML::Mark& m, int line_offset = 0);

}  // namespace vigil
