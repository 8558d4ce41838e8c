// RFC 5424 syslog messages for alerts, and RFC 6587 octet-counting framing for TCP.
//
//   <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [vigil@32473 id="" rule="" severity=""] BOM JSON
//
// PRI = facility * 8 + the syslog severity of the alert (critical → 2 crit, high → 3 err,
// medium → 4 warning, low → 5 notice, info → 6 info). TIMESTAMP is the alert's time in UTC
// with at most 6 fraction digits. HOSTNAME, APP-NAME, PROCID and MSGID (the rule id) are
// reduced to printable US-ASCII (other bytes become '_') and cut to 255, 48, 128 and 32
// characters; an empty one is written as "-". SD-PARAM values escape '"', '\' and ']' with
// a backslash. MSG is the alert JSON after a UTF-8 byte order mark.
//
// Pure functions; any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vigil/output.h"

namespace vigil {

// "kern", "user", "daemon", "auth", "authpriv", "local0".."local7", ... → code 0..23.
std::optional<int> SyslogFacilityCode(std::string_view name);
int SyslogSeverityCode(AlertSeverity s);

struct SyslogHeader {
  int facility = 4;  // auth
  std::string app_name = "vigil";
  std::string procid;  // usually the pid
};

std::string FormatRfc5424(const AlertMessage& m, const SyslogHeader& h);

// `value` with '"', '\' and ']' escaped for an SD-PARAM value.
std::string EscapeSdParamValue(std::string_view value);

// RFC 6587 octet counting: "LEN SP MSG".
std::string OctetCountingFrame(std::string_view message);

}  // namespace vigil
