// PathGlob: the path patterns of retention policies ("/srv/audit/**", "/srv/hr/*/payslips/*.pdf").
//
// A pattern is an absolute path split at '/'. A segment `**` matches zero or more whole path
// segments; inside a segment `*` matches any run of characters except '/', `?` one character,
// `[...]` a character class (fnmatch(3) without flags, applied to one segment at a time, so
// no wildcard ever crosses a '/'). Matching is linear in (pattern segments × path segments):
// no backtracking blow-up however many `**` a pattern has.
//
// Immutable after Compile; thread-safe to share.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::retention {

class PathGlob {
 public:
  static constexpr size_t kMaxPatternBytes = 4096;
  static constexpr size_t kMaxSegments = 128;

  // nullopt and a reason in *error when the pattern is not absolute, is empty, too long, has
  // a `**` that is not a whole segment, or an empty segment ("//").
  static std::optional<PathGlob> Compile(std::string_view pattern, std::string* error);

  bool Matches(std::string_view path) const;
  // The leading segments without wildcards, as a directory path ("/srv/audit" for
  // "/srv/audit/**", "/" for "/*/x"): where a scan must start to find every match.
  const std::string& fixed_prefix() const { return prefix_; }
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  std::vector<std::string> segments_;  // "**" stays as its own segment
  std::string prefix_;
};

// Splits an absolute path into its segments (empty segments dropped).
std::vector<std::string_view> SplitPath(std::string_view path);

}  // namespace vigil::retention
