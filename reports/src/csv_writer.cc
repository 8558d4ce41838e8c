// The csv writer: one row per finding (RFC 4180: CRLF line ends, fields quoted when they
// hold a comma, quote or line break; a leading = + - @ is prefixed with ' so that a
// spreadsheet does not run it as a formula).
#include <string>

#include "vigil/report/report_writer.h"
#include "vigil/time_format.h"

namespace vigil::report {
namespace {

std::string Field(std::string_view v) {
  std::string s(v);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')) {
    s.insert(s.begin(), '\'');
  }
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Controls(const ControlMap& controls) {
  std::string out;
  for (const auto& [fw, ids] : controls) {
    for (const std::string& id : ids) out += (out.empty() ? "" : " ") + fw + ":" + id;
  }
  return out;
}

class CsvWriter : public ReportWriter {
 public:
  std::string_view name() const override { return "csv"; }
  std::string_view file_name() const override { return "findings.csv"; }
  Result<std::string> Write(const Report& r) const override {
    std::string out =
        "report_id,alert_id,time,first,last,severity,rule_id,rule_name,host,status,resolution,count,controls,output,"
        "audit_seq,audit_sha256,evidence_events\r\n";
    for (const Finding& f : r.findings) {
      const std::string cells[] = {r.cover.report_id,
                                   std::to_string(f.alert_id),
                                   FormatRfc3339(f.time),
                                   FormatRfc3339(f.first),
                                   FormatRfc3339(f.last),
                                   std::string(AlertSeverityName(f.severity)),
                                   f.rule_id,
                                   f.rule_name,
                                   f.host,
                                   f.status,
                                   f.resolution,
                                   std::to_string(f.count),
                                   Controls(f.controls),
                                   f.output,
                                   std::to_string(f.audit_seq),
                                   f.audit_hash,
                                   std::to_string(f.evidence.size())};
      bool first = true;
      for (const std::string& c : cells) {
        if (!first) out += ',';
        first = false;
        out += Field(c);
      }
      out += "\r\n";
    }
    return out;
  }
};

}  // namespace

VIGIL_REGISTER_REPORT_WRITER(CsvWriter);

}  // namespace vigil::report
