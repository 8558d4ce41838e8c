#include "vigil/report/report_writer.h"

namespace vigil::report {

ReportWriterRegistry& ReportWriterRegistry::Global() {
  static ReportWriterRegistry registry;
  return registry;
}

}  // namespace vigil::report
