#include "vigil/report/evaluation_record.h"

#include "vigil/time_format.h"

namespace vigil::report {

nlohmann::json ControlEvaluationData(const std::string& report_id, const Period& period, const ControlEvaluation& e) {
  return {{"report_id", report_id},
          {"from", FormatRfc3339(period.from)},
          {"to", FormatRfc3339(period.to)},
          {"framework", e.framework},
          {"control", e.control},
          {"result", std::string(ControlResultName(e.result))},
          {"reason", e.reason},
          {"evidence", e.evidence},
          {"rules", e.rules}};
}

}  // namespace vigil::report
