// ReportWriter: turns a Report (report.h) into the bytes of one format — html, json, csv,
// oscal — registered by name with VIGIL_REGISTER_REPORT_WRITER, so that `vigil report
// --format NAME`, the scheduler and the bundle code find writers without naming them.
//
// A writer is stateless and deterministic: the same Report gives the same bytes. Writers
// never fail on content (every string is escaped for the format); an error means a bug.
//
// Threading: writers are immutable; Write may be called from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "vigil/factory_registry.h"
#include "vigil/report/report.h"
#include "vigil/status.h"

namespace vigil::report {

class ReportWriter {
 public:
  virtual ~ReportWriter() = default;
  virtual std::string_view name() const = 0;       // the --format value
  virtual std::string_view file_name() const = 0;  // the file in a bundle, e.g. "report.html"
  virtual Result<std::string> Write(const Report& report) const = 0;
};

class ReportWriterRegistry : public FactoryRegistry<ReportWriter> {
 public:
  ReportWriterRegistry() : FactoryRegistry<ReportWriter>("report writer") {}
  static ReportWriterRegistry& Global();
};

}  // namespace vigil::report

#define VIGIL_REGISTER_REPORT_WRITER(WriterClass)                                  \
  [[maybe_unused]] static const bool vigil_registered_report_writer_##WriterClass = \
      ::vigil::report::ReportWriterRegistry::Global().Add(std::make_unique<WriterClass>())
