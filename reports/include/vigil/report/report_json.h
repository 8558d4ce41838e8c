// The JSON form of a Report (docs/report.schema.json, "vigil.report/1"): the one document
// the json writer prints and the OSCAL and CSV writers draw the same values from. Keys are
// written in a fixed order; times are RFC 3339 UTC; durations are seconds.
//
// Threading: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vigil/report/report.h"

namespace vigil::report {

inline constexpr const char* kReportSchema = "vigil.report/1";

nlohmann::ordered_json ReportToJson(const Report& report);
// An evidence event as stored, parsed (an object; {} when it is not JSON).
nlohmann::ordered_json EvidenceJson(const std::string& stored);

}  // namespace vigil::report
