// The data of a control_evaluation audit record (store table control_evaluations, migration
// 3): one per control a report evaluated, so the verdicts a report gave are themselves
// tamper-evident and can be listed later.
//
//   {"report_id","from","to","framework","control","result","reason","evidence","rules":[…]}
//
// Threading: pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vigil/report/control_result.h"
#include "vigil/report/report.h"

namespace vigil::report {

nlohmann::json ControlEvaluationData(const std::string& report_id, const Period& period, const ControlEvaluation& e);

}  // namespace vigil::report
