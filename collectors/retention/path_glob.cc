#include "path_glob.h"

#include <fnmatch.h>

namespace vigil::retention {
namespace {

bool HasWildcard(std::string_view s) { return s.find_first_of("*?[\\") != std::string_view::npos; }

bool SegmentMatch(const std::string& pattern, std::string_view text) {
  if (!HasWildcard(pattern)) return pattern == text;
  const std::string t(text);  // fnmatch needs NUL-terminated text
  return fnmatch(pattern.c_str(), t.c_str(), 0) == 0;
}

}  // namespace

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::optional<PathGlob> PathGlob::Compile(std::string_view pattern, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<PathGlob> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (pattern.empty()) return fail("an empty path pattern");
  if (pattern.size() > kMaxPatternBytes) return fail("a path pattern longer than 4096 bytes");
  if (pattern.front() != '/') return fail("a path pattern must be absolute (start with '/')");
  if (pattern.find('\0') != std::string_view::npos) return fail("a NUL byte in a path pattern");
  if (pattern.find("//") != std::string_view::npos) return fail("an empty segment ('//')");
  PathGlob g;
  g.pattern_ = std::string(pattern);
  bool fixed = true;
  for (std::string_view seg : SplitPath(pattern)) {
    if (seg == "." || seg == "..") return fail("'.' and '..' are not allowed in a path pattern");
    if (seg != "**" && seg.find("**") != std::string_view::npos) {
      return fail("'**' must be a whole segment (as in /srv/**/x.pdf)");
    }
    g.segments_.emplace_back(seg);
    if (fixed && (seg == "**" || HasWildcard(seg))) fixed = false;
    if (fixed) g.prefix_ += "/" + std::string(seg);
  }
  if (g.segments_.size() > kMaxSegments) return fail("a path pattern with more than 128 segments");
  if (g.prefix_.empty()) g.prefix_ = "/";
  return g;
}

bool PathGlob::Matches(std::string_view path) const {
  const std::vector<std::string_view> text = SplitPath(path);
  const size_t n = segments_.size(), m = text.size();
  // reach[j]: pattern prefix [0,i) can match text prefix [0,j).
  std::vector<char> reach(m + 1, 0), next(m + 1, 0);
  reach[0] = 1;
  for (size_t i = 0; i < n; ++i) {
    std::fill(next.begin(), next.end(), 0);
    if (segments_[i] == "**") {
      bool any = false;
      for (size_t j = 0; j <= m; ++j) {
        any = any || reach[j];
        next[j] = any;
      }
    } else {
      for (size_t j = 0; j < m; ++j) {
        if (reach[j] && SegmentMatch(segments_[i], text[j])) next[j + 1] = 1;
      }
    }
    reach.swap(next);
  }
  return reach[m] != 0;
}

}  // namespace vigil::retention
