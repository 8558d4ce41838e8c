// PathGlob: the path patterns of retention policies ("/srv/audit/**", "/srv/hr/*/payslips/*.pdf").
//
// A pattern is an absolute path split at '/'. A segment `**` matches zero or more whole path
// segments; inside a segment `*` matches any run of characters except '/', `?` one character,
// `[...]` a character class (fnmatch(3) without flags, applied to one segment at a time, so
// no wildcard ever crosses a '/'). Matching is linear in (pattern segments × path segments):
// no backtracking blow-up however many `**` a pattern has, and allocates nothing.
//
// Matching goes a path segment at a time through a State (the pattern positions reached so
// far), so a caller that matches many files of one directory can keep the state after the
// directory's segments and step only each file's name (DirectoryMatch in retention_policy.h).
//
// Immutable after Compile; thread-safe to share.
#pragma once

#include <cstdint>
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

  // The pattern positions reached after some leading path segments (bit i: the segments so
  // far match the pattern's first i segments, a `**` included at any position it may stay).
  struct State {
    static constexpr size_t kWords = (kMaxSegments + 1 + 63) / 64;
    uint64_t bits[kWords] = {};
    bool test(size_t i) const { return (bits[i / 64] >> (i % 64)) & 1u; }
    void set(size_t i) { bits[i / 64] |= uint64_t{1} << (i % 64); }
    bool empty() const;
  };
  // Before any segment ("/").
  State Start() const;
  // After one more path segment (`segment` has no '/' and is not empty).
  State Step(const State& state, std::string_view segment) const;
  // Whether the segments stepped so far make a whole match.
  bool Accepts(const State& state) const { return state.test(segments_.size()); }
  // What a state says of every path strictly below the segments stepped (one segment or
  // more added): kNone: none can match; kAll: all match (the pattern's rest is only `**`);
  // kSome: it depends on those segments.
  enum class Below : uint8_t { kNone, kAll, kSome };
  Below Decide(const State& state) const;

  // The leading segments without wildcards, as a directory path ("/srv/audit" for
  // "/srv/audit/**", "/" for "/*/x"): where a scan must start to find every match.
  const std::string& fixed_prefix() const { return prefix_; }
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  enum Kind : uint8_t { kLiteral, kWild, kStarStar };
  std::vector<std::string> segments_;  // "**" stays as its own segment
  std::vector<Kind> kinds_;            // per segment
  size_t all_from_ = 0;                // segments [all_from_, n) are all `**`
  std::string prefix_;
};

// Splits an absolute path into its segments (empty segments dropped).
std::vector<std::string_view> SplitPath(std::string_view path);
// The same, appended to `*out` (a caller's reused vector).
void SplitPathInto(std::string_view path, std::vector<std::string_view>* out);

}  // namespace vigil::retention
