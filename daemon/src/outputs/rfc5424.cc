// RFC 5424 formatting and RFC 6587 framing; see rfc5424.h.
#include "rfc5424.h"

#include <array>
#include <utility>

#include "vigil/time_format.h"

namespace vigil {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 24> kFacilities = {{
    {"kern", 0},     {"user", 1},     {"mail", 2},     {"daemon", 3},   {"auth", 4},
    {"syslog", 5},   {"lpr", 6},      {"news", 7},     {"uucp", 8},     {"cron", 9},
    {"authpriv", 10}, {"ftp", 11},    {"ntp", 12},     {"security", 13}, {"console", 14},
    {"solaris-cron", 15}, {"local0", 16}, {"local1", 17}, {"local2", 18}, {"local3", 19},
    {"local4", 20},  {"local5", 21},  {"local6", 22},  {"local7", 23},
}};

// PRINTUSASCII (33..126) only, at most `max` characters, "-" when empty.
void AppendHeaderField(std::string& out, std::string_view value, size_t max) {
  if (value.empty()) {
    out += '-';
    return;
  }
  for (size_t i = 0; i < value.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    out += (c >= 33 && c <= 126) ? value[i] : '_';
  }
}

}  // namespace

std::optional<int> SyslogFacilityCode(std::string_view name) {
  for (const auto& [n, code] : kFacilities) {
    if (n == name) return code;
  }
  return std::nullopt;
}

int SyslogSeverityCode(AlertSeverity s) {
  switch (s) {
    case AlertSeverity::kCritical: return 2;
    case AlertSeverity::kHigh: return 3;
    case AlertSeverity::kMedium: return 4;
    case AlertSeverity::kLow: return 5;
    case AlertSeverity::kInfo: return 6;
  }
  return 6;
}

std::string EscapeSdParamValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    if (ch == '"' || ch == '\\' || ch == ']') out += '\\';
    out += ch;
  }
  return out;
}

std::string FormatRfc5424(const AlertMessage& m, const SyslogHeader& h) {
  std::string out;
  out.reserve(m.json.size() + 200);
  out += '<';
  out += std::to_string(h.facility * 8 + SyslogSeverityCode(m.severity));
  out += ">1 ";
  // TIME-SECFRAC has at most 6 digits.
  out += FormatRfc3339(std::chrono::floor<std::chrono::microseconds>(m.timestamp));
  out += ' ';
  AppendHeaderField(out, m.host_name, 255);
  out += ' ';
  AppendHeaderField(out, h.app_name, 48);
  out += ' ';
  AppendHeaderField(out, h.procid, 128);
  out += ' ';
  AppendHeaderField(out, m.rule_id, 32);
  out += " [vigil@32473 id=\"";
  out += std::to_string(m.id);
  out += "\" rule=\"";
  out += EscapeSdParamValue(m.rule_id);
  out += "\" severity=\"";
  out += AlertSeverityName(m.severity);
  out += "\"] \xEF\xBB\xBF";
  out += m.json;
  return out;
}

std::string OctetCountingFrame(std::string_view message) {
  std::string out = std::to_string(message.size());
  out += ' ';
  out += message;
  return out;
}

}  // namespace vigil
