#include "scalar_location.h"

#include <algorithm>

namespace vigil::rules {
namespace {

int LeadingBlanks(std::string_view s) {
  int n = 0;
  while (n < static_cast<int>(s.size()) && (s[n] == ' ' || s[n] == '\t')) ++n;
  return n;
}

bool IsBlankLine(std::string_view s) { return LeadingBlanks(s) == static_cast<int>(s.size()); }

}  // namespace

SourceText::SourceText(std::string_view text) {
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines_.push_back(line);
    start = nl + 1;
  }
}

std::string_view SourceText::Line(int zero_based) const {
  if (zero_based < 0 || zero_based >= line_count()) return {};
  return lines_[zero_based];
}

ScalarLocator::ScalarLocator(SourceLocation start) : file_(std::move(start.file)) {
  segs_.push_back({0, start.line, start.column});
}

ScalarLocator ScalarLocator::ForNode(const std::string& file, const SourceText& source,
                                     const YAML::Node& node, std::string_view value, int line_offset) {
  ScalarLocator loc;
  loc.file_ = file;
  YAML::Mark mark = node.Mark();
  if (mark.line >= 0) mark.line += line_offset;
  if (mark.line < 0 || mark.line >= source.line_count()) {
    loc.segs_.push_back({0, 0, 0});
    return loc;
  }
  std::string_view raw = source.Line(mark.line);
  const size_t col = static_cast<size_t>(std::max(mark.column, 0));
  const char c = col < raw.size() ? raw[col] : '\0';

  if (c == '|' || c == '>') {  // block scalar: content starts on the next line
    int indent = -1;
    size_t off = 0;
    for (int k = mark.line + 1; k < source.line_count() && off <= value.size(); ++k) {
      std::string_view l = source.Line(k);
      if (IsBlankLine(l)) {
        loc.segs_.push_back({off, k + 1, 1});
        off += 1;
        continue;
      }
      int lead = LeadingBlanks(l);
      if (indent < 0) indent = lead;
      if (lead < indent) break;
      loc.segs_.push_back({off, k + 1, indent + 1});
      off += l.size() - static_cast<size_t>(indent) + 1;
    }
    if (loc.segs_.empty()) loc.segs_.push_back({0, mark.line + 1, static_cast<int>(col) + 1});
    return loc;
  }

  const bool quoted = c == '\'' || c == '"';
  size_t ri = quoted ? col + 1 : col;  // raw index on the current line
  int line = mark.line;
  size_t vi = 0;                       // value index
  loc.segs_.push_back({0, line + 1, static_cast<int>(ri) + 1});
  while (vi < value.size()) {
    if (ri >= raw.size()) {  // the scalar continues on the next line (folded to one space)
      if (line + 1 >= source.line_count()) break;
      raw = source.Line(++line);
      ri = static_cast<size_t>(LeadingBlanks(raw));
      ++vi;
      loc.segs_.push_back({vi, line + 1, static_cast<int>(ri) + 1});
      continue;
    }
    size_t raw_len = 1;
    if (quoted && c == '\'' && raw[ri] == '\'' && ri + 1 < raw.size() && raw[ri + 1] == '\'') {
      raw_len = 2;
    } else if (quoted && c == '"' && raw[ri] == '\\' && ri + 1 < raw.size()) {
      char e = raw[ri + 1];
      raw_len = e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : 2;
    } else if (quoted && raw[ri] == c) {
      break;  // closing quote
    }
    ri += raw_len;
    ++vi;
    if (raw_len != 1) loc.segs_.push_back({vi, line + 1, static_cast<int>(ri) + 1});
  }
  return loc;
}

SourceLocation ScalarLocator::At(size_t offset) const {
  if (segs_.empty()) return {file_, 0, 0};
  auto it = std::upper_bound(segs_.begin(), segs_.end(), offset,
                             [](size_t off, const Segment& s) { return off < s.offset; });
  if (it != segs_.begin()) --it;
  SourceLocation l{file_, it->line, 0};
  if (it->line > 0 && it->column > 0) l.column = it->column + static_cast<int>(offset - it->offset);
  return l;
}

}  // namespace vigil::rules
