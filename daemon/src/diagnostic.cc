#include "vigil/diagnostic.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace vigil {
namespace {

// The `line`th line (1-based) of `file`, if it can be read; capped for display.
bool ReadSourceLine(const std::string& file, int line, std::string* out) {
  if (file.empty() || line <= 0) return false;
  std::ifstream in(file);
  if (!in) return false;
  std::string text;
  for (int i = 1; i <= line; ++i) {
    if (!std::getline(in, text)) return false;
  }
  if (!text.empty() && text.back() == '\r') text.pop_back();
  if (text.size() > 200) text.resize(200);
  *out = std::move(text);
  return true;
}

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
  std::string s = d.location.file.empty() ? "<input>" : d.location.file;
  if (d.location.line > 0) {
    s += ":" + std::to_string(d.location.line);
    if (d.location.column > 0) s += ":" + std::to_string(d.location.column);
  }
  s += d.severity == Severity::kError ? ": error[" : ": warning[";
  s += d.code + "]: " + d.message;
  return s;
}

std::string Diagnostics::FormatText() const {
  std::string out;
  for (const Diagnostic& d : items_) {
    out += FormatDiagnosticHeader(d);
    out += '\n';
    std::string line;
    if (ReadSourceLine(d.location.file, d.location.line, &line)) {
      out += "  " + line + "\n";
      if (d.location.column > 0) {
        std::string pad;
        for (int i = 0; i < d.location.column - 1 && i < static_cast<int>(line.size()); ++i) {
          pad += line[i] == '\t' ? '\t' : ' ';
        }
        out += "  " + pad + "^\n";
      }
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
