// Alert lines: the one-line forms in which the stdout and file outputs write an alert.
//
//   json: the alert's JSON (AlertMessage::json) and a newline;
//   text: `TIMESTAMP SEVERITY rule_id host: text` and a newline, where control characters
//         of the rule's text are escaped (\n, \r, \t, \xNN) so that one alert stays one line.
//
// Pure functions; any thread.
#pragma once

#include <string>
#include <string_view>

#include "vigil/output.h"

namespace vigil {

enum class AlertLineFormat { kJson, kText };

std::string FormatAlertLine(const AlertMessage& m, AlertLineFormat format);

// Writes all of `data` to `fd`, retrying on EINTR and short writes; 0 or an errno value.
int WriteAll(int fd, std::string_view data);

}  // namespace vigil
