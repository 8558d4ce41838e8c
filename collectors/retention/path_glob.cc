#include "path_glob.h"

#include <fnmatch.h>

#include <cstring>

namespace vigil::retention {
namespace {

bool HasWildcard(std::string_view s) { return s.find_first_of("*?[\\") != std::string_view::npos; }

bool WildMatch(const std::string& pattern, std::string_view text) {
  // fnmatch needs NUL-terminated text: a name fits the buffer (NAME_MAX is 255).
  char buf[256];
  if (text.size() < sizeof buf) {
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    return fnmatch(pattern.c_str(), buf, 0) == 0;
  }
  const std::string t(text);
  return fnmatch(pattern.c_str(), t.c_str(), 0) == 0;
}

}  // namespace

void SplitPathInto(std::string_view path, std::vector<std::string_view>* out) {
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out->push_back(path.substr(i, j - i));
    i = j + 1;
  }
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  SplitPathInto(path, &out);
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
    g.kinds_.push_back(seg == "**" ? kStarStar : (HasWildcard(seg) ? kWild : kLiteral));
    if (fixed && (seg == "**" || HasWildcard(seg))) fixed = false;
    if (fixed) g.prefix_ += "/" + std::string(seg);
  }
  if (g.segments_.size() > kMaxSegments) return fail("a path pattern with more than 128 segments");
  if (g.prefix_.empty()) g.prefix_ = "/";
  g.all_from_ = g.segments_.size();
  while (g.all_from_ > 0 && g.kinds_[g.all_from_ - 1] == kStarStar) --g.all_from_;
  return g;
}

bool PathGlob::State::empty() const {
  for (uint64_t w : bits) {
    if (w != 0) return false;
  }
  return true;
}

PathGlob::State PathGlob::Start() const {
  State s;
  s.set(0);
  // `**` matches zero segments too: a position reached before one is reached after it.
  for (size_t i = 0; i < segments_.size() && kinds_[i] == kStarStar; ++i) s.set(i + 1);
  return s;
}

PathGlob::State PathGlob::Step(const State& state, std::string_view segment) const {
  const size_t n = segments_.size();
  State next;
  for (size_t w = 0; w < State::kWords; ++w) {
    uint64_t word = state.bits[w];
    while (word != 0) {
      const size_t i = w * 64 + static_cast<size_t>(__builtin_ctzll(word));
      word &= word - 1;
      if (i >= n) continue;  // the whole pattern used: nothing more can match
      switch (kinds_[i]) {
        case kStarStar: next.set(i); break;  // one more segment in the `**`
        case kLiteral: if (segments_[i] == segment) next.set(i + 1); break;
        case kWild: if (WildMatch(segments_[i], segment)) next.set(i + 1); break;
      }
    }
  }
  // Positions reached before a `**` are reached after it (zero segments).
  for (size_t i = 0; i < n; ++i) {
    if (kinds_[i] == kStarStar && next.test(i)) next.set(i + 1);
  }
  return next;
}

PathGlob::Below PathGlob::Decide(const State& state) const {
  const size_t n = segments_.size();
  bool any = false;
  for (size_t i = 0; i < n; ++i) {
    if (!state.test(i)) continue;
    if (i >= all_from_) return Below::kAll;  // a `**` with only `**` after it
    any = true;
  }
  return any ? Below::kSome : Below::kNone;
}

bool PathGlob::Matches(std::string_view path) const {
  State s = Start();
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) {
      s = Step(s, path.substr(i, j - i));
      if (s.empty()) return false;
    }
    i = j + 1;
  }
  return Accepts(s);
}

}  // namespace vigil::retention
