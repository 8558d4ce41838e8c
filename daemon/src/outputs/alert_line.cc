// Alert lines for the stdout and file outputs; see alert_line.h.
#include "alert_line.h"

#include <unistd.h>

#include <cerrno>

#include "vigil/time_format.h"

namespace vigil {
namespace {

void AppendEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
}

}  // namespace

std::string FormatAlertLine(const AlertMessage& m, AlertLineFormat format) {
  std::string line;
  if (format == AlertLineFormat::kJson) {
    line.reserve(m.json.size() + 1);
    line = m.json;
  } else {
    line = FormatRfc3339(m.timestamp);
    line += ' ';
    line += AlertSeverityName(m.severity);
    line += ' ';
    AppendEscaped(line, m.rule_id);
    line += ' ';
    AppendEscaped(line, m.host_name.empty() ? "-" : m.host_name);
    line += ": ";
    AppendEscaped(line, m.text);
  }
  line += '\n';
  return line;
}

int WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace vigil
