// ScalarLocator: maps a byte offset inside a YAML scalar's value back to FILE:LINE:COL.
//
// yaml-cpp gives the mark (line, column) where a scalar starts; conditions are checked
// token by token, so an error must point at the token, not at the scalar. Built from the
// file's text and the node's mark:
//   plain and quoted scalars on one line: exact columns (escapes such as '' or \" are
//     accounted for);
//   literal (|) block scalars: exact line and column;
//   folded (>) block scalars and multi-line flow scalars: the line of the token and a
//     column that is exact unless blank lines precede the token inside the scalar.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "vigil/diagnostic.h"

namespace vigil::rules {

// A file's text split into lines (without their line ends).
class SourceText {
 public:
  explicit SourceText(std::string_view text);
  std::string_view Line(int zero_based) const;
  int line_count() const { return static_cast<int>(lines_.size()); }

 private:
  std::vector<std::string_view> lines_;
};

class ScalarLocator {
 public:
  ScalarLocator() = default;
  // Everything at one place (for scalars whose source is not known).
  explicit ScalarLocator(SourceLocation start);
  // `line_offset`: the first line (0-based) of the YAML document the node is in, whose marks
  // are relative to it.
  static ScalarLocator ForNode(const std::string& file, const SourceText& source, const YAML::Node& node,
                               std::string_view value, int line_offset = 0);

  SourceLocation At(size_t offset) const;
  SourceLocation Start() const { return At(0); }

 private:
  struct Segment {
    size_t offset;  // first value byte of the segment
    int line;       // 1-based
    int column;     // 1-based column of that byte
  };
  std::string file_;
  std::vector<Segment> segs_;
};

}  // namespace vigil::rules
