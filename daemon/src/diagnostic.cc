#include "vigil/diagnostic.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <vector>

#include "vigil/read_file.h"

namespace vigil {
namespace {

constexpr size_t kMaxShownLineBytes = 200;
constexpr size_t kMaxShownMessageBytes = 4096;
constexpr size_t kMaxSourceBytes = size_t{16} << 20;  // the largest file Vigil reads (rule files)

// The length of the valid UTF-8 sequence at the start of `s` (2 to 4), or 0.
size_t Utf8SequenceLength(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(0);
  size_t n = 0;
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c >= 0xe0 && c <= 0xef) n = 3;
  else if (c >= 0xf0 && c <= 0xf4) n = 4;
  if (n == 0 || s.size() < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(i) & 0xc0) != 0x80) return 0;
  }
  if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
  if (c == 0xed && b(1) > 0x9f) return 0;   // surrogate
  if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
  if (c == 0xf4 && b(1) > 0x8f) return 0;   // above U+10FFFF
  return n;
}

// Appends the escaped form of `s` to `out`; with `pad`, also appends to *pad what lines up
// under each byte of `s` (a tab under a tab, a space per shown character).
void Escape(std::string_view s, std::string& out, std::string* pad) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
      out += static_cast<char>(c);
      if (pad) *pad += c == '\t' ? '\t' : ' ';
      ++i;
      continue;
    }
    const size_t n = c >= 0x80 ? Utf8SequenceLength(s.substr(i)) : 0;
    if (n > 0) {
      out.append(s.substr(i, n));
      if (pad) *pad += ' ';
      i += n;
      continue;
    }
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
    if (pad) pad->append(4, ' ');
    ++i;
  }
}

// Files read for their source lines during one FormatText: each at most once, and only
// when a regular file (a FIFO must not block the printing of its own error); the start of
// each line is indexed once, so many diagnostics in a large file cost no re-scanning.
class SourceFiles {
 public:
  // The `line`th line (1-based) of `file`, without its line end; nullopt when the file
  // cannot be read, is UTF-16 or UTF-32 text, or has no such line.
  std::optional<std::string_view> Line(const std::string& file, int line) {
    auto it = files_.find(file);
    if (it == files_.end()) it = files_.emplace(file, Read(file)).first;
    const std::optional<Indexed>& f = it->second;
    if (!f || line <= 0 || static_cast<size_t>(line) > f->starts.size()) return std::nullopt;
    const size_t start = f->starts[static_cast<size_t>(line) - 1];
    size_t end = f->text.find('\n', start);
    if (end == std::string::npos) end = f->text.size();
    std::string_view l(f->text.data() + start, end - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  }

 private:
  struct Indexed {
    std::string text;
    std::vector<size_t> starts;  // of each line; a line end at the very end starts none
  };

  static std::optional<Indexed> Read(const std::string& file) {
    Result<std::string> text = ReadRegularFile(file, kMaxSourceBytes);
    if (!text.ok()) return std::nullopt;
    Indexed f{std::move(*text), {}};
    // UTF-16 and UTF-32 text (yaml-cpp reads it, by its byte order mark) would show as
    // escaped bytes with the caret at the wrong place: no source lines then.
    const std::string_view t = f.text;
    if (t.starts_with("\xff\xfe") || t.starts_with("\xfe\xff") || t.starts_with(std::string_view("\0\0\xfe\xff", 4))) {
      return std::nullopt;
    }
    for (size_t pos = 0; pos < t.size();) {
      f.starts.push_back(pos);
      const size_t nl = t.find('\n', pos);
      if (nl == std::string_view::npos) break;
      pos = nl + 1;
    }
    return f;
  }

  std::map<std::string, std::optional<Indexed>> files_;
};

}  // namespace

void Diagnostics::Error(SourceLocation loc, std::string code, std::string message) {
  items_.push_back({Severity::kError, std::move(code), std::move(message), std::move(loc)});
}

void Diagnostics::Warning(SourceLocation loc, std::string code, std::string message) {
  items_.push_back({Severity::kWarning, std::move(code), std::move(message), std::move(loc)});
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

size_t Diagnostics::error_count() const {
  return std::count_if(items_.begin(), items_.end(),
                       [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

size_t Diagnostics::warning_count() const { return items_.size() - error_count(); }

std::string FormatDiagnosticHeader(const Diagnostic& d) {
  std::string s;
  Escape(d.location.file.empty() ? "<input>" : d.location.file, s, nullptr);
  if (d.location.line > 0) {
    s += ":" + std::to_string(d.location.line);
    if (d.location.column > 0) s += ":" + std::to_string(d.location.column);
  }
  s += d.severity == Severity::kError ? ": error[" : ": warning[";
  s += d.code + "]: ";
  std::string_view message = d.message;
  const size_t cut = message.size() > kMaxShownMessageBytes ? message.size() - kMaxShownMessageBytes : 0;
  Escape(message.substr(0, message.size() - cut), s, nullptr);
  if (cut > 0) s += "... (" + std::to_string(cut) + " more bytes)";
  return s;
}

std::string EscapeForDiagnostic(std::string_view text) {
  std::string out;
  Escape(text, out, nullptr);
  return out;
}

std::string Diagnostics::FormatText() const {
  std::string out;
  SourceFiles files;
  for (const Diagnostic& d : items_) {
    out += FormatDiagnosticHeader(d);
    out += '\n';
    if (d.location.file.empty() || d.location.line <= 0) continue;
    const std::optional<std::string_view> raw = files.Line(d.location.file, d.location.line);
    if (!raw) continue;
    const std::string_view shown = raw->substr(0, kMaxShownLineBytes);
    std::string line, pad;
    Escape(shown, line, nullptr);
    out += "  " + line + "\n";
    // A column past the part shown of a cut line gets no caret rather than a wrong one.
    const bool past_cut = raw->size() > shown.size() && static_cast<size_t>(d.location.column - 1) > shown.size();
    if (d.location.column > 0 && !past_cut) {
      // The caret goes under the column's byte: pad for the (escaped) bytes before it.
      const size_t before = std::min(static_cast<size_t>(d.location.column - 1), shown.size());
      std::string ignored;
      Escape(shown.substr(0, before), ignored, &pad);
      out += "  " + pad + "^\n";
    }
  }
  return out;
}

std::string Diagnostics::FormatJson() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const Diagnostic& d : items_) {
    arr.push_back({{"file", d.location.file},
                   {"line", d.location.line},
                   {"column", d.location.column},
                   {"severity", d.severity == Severity::kError ? "error" : "warning"},
                   {"code", d.code},
                   {"message", d.message}});
  }
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace vigil
