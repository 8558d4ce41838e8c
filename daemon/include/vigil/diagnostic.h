// Diagnostics: located errors and warnings about files users write (config, rules,
// retention policies), printed as
//
//   FILE:LINE:COL: error[CODE]: message
//     <the source line>
//     <a caret under the column>
//
// Lines and columns start at 1; 0 means "unknown" and is left out of the prefix. Codes are
// stable, short and documented (docs/configuration.md, docs/rules.md): E1xx config, E2xx
// rules, E3xx retention policy, W... warnings. A Diagnostics collects many problems so
// that one `vigil check` run reports all of them, not just the first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vigil {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 unknown
  int column = 0;  // 1-based; 0 unknown
};

enum class Severity { kError, kWarning };

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;  // e.g. "E101"
  std::string message;
  SourceLocation location;
};

class Diagnostics {
 public:
  void Error(SourceLocation loc, std::string code, std::string message);
  void Warning(SourceLocation loc, std::string code, std::string message);
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Append(const Diagnostics& other);

  bool has_errors() const;
  size_t error_count() const;
  size_t warning_count() const;
  const std::vector<Diagnostic>& items() const { return items_; }
  bool empty() const { return items_.empty(); }

  // Each diagnostic as text, with its source line and caret when the file can be read.
  std::string FormatText() const;
  // A JSON array of {file, line, column, severity, code, message}.
  std::string FormatJson() const;

 private:
  std::vector<Diagnostic> items_;
};

// "FILE:LINE:COL: error[CODE]: message" (no source line).
std::string FormatDiagnosticHeader(const Diagnostic& d);

// `text` made safe to print on a terminal: control bytes (but tab), DEL and bytes that are
// not valid UTF-8 as \xNN; valid UTF-8 is kept. The text output escapes file names, messages
// (long ones are cut at 4 KiB) and source lines this way; the caret stays under its column.
std::string EscapeForDiagnostic(std::string_view text);

}  // namespace vigil
