#include "report_job.h"

#include <sys/stat.h>


#include "audit/audit_log.h"
#include "retention_horizon.h"
#include "router_setup.h"
#include "store/alert_store.h"
#include "store/journal.h"
#include "vigil/report/bundle.h"
#include "vigil/report/evaluation_record.h"
#include "vigil/report/report_builder.h"
#include "vigil/report/report_writer.h"

namespace vigil {

Result<ReportJobResult> RunReportJob(const DaemonConfig& config, const ReportJob& job) {
  struct stat st {};
  if (::stat(job.store_path.c_str(), &st) != 0) return Status::NotFound("no alert store at " + job.store_path);
  std::vector<const report::ReportWriter*> writers;
  for (const std::string& f : job.formats) {
    const report::ReportWriter* w = report::ReportWriterRegistry::Global().Find(f);
    if (w == nullptr) return Status::InvalidArgument("unknown report format '" + f + "'");
    writers.push_back(w);
  }
  auto store = store::AlertStore::Open(job.store_path, sqlite::kReadWrite);
  if (!store.ok()) return store.status();
  const RouterOptions ro = RouterOptionsFor(config, job.store_path);
  auto log = audit::AuditLog::Open(ro.audit);
  if (!log.ok()) return log.status();
  store::Journal journal(**log, **store);
  {
    VIGIL_RETURN_IF_ERROR(journal.Begin());
    VIGIL_RETURN_IF_ERROR(journal.Commit(WallNow(), /*checkpoint_now=*/true));
  }

  report::BuildOptions bo;
  bo.period = job.period;
  bo.framework = job.framework;
  bo.generator = std::string("vigil ") + VIGIL_VERSION;
  for (const ReportNotApplicable& n : config.report_not_applicable) {
    bo.not_applicable.push_back({n.framework, n.control, n.reason});
  }
  bo.audit_log_path = ro.audit.path;
  const std::string pub = ro.audit.key_path + ".pub";
  if (::stat(pub.c_str(), &st) == 0) {
    auto key = audit::LoadVerifierKey(pub, &bo.key_text);
    if (!key.ok()) return key.status();
    bo.key = std::move(*key);
  }
  auto resolver = RetentionResolverFor(job.policy_files.empty() ? RetentionPolicyFilesOf(config) : job.policy_files);
  if (!resolver.ok()) return resolver.status();
  bo.retention_resolver = std::move(*resolver);
  auto built = report::BuildReport(**store, bo);
  if (!built.ok()) return built.status();

  ReportJobResult out;
  out.report = std::move(*built);
  std::vector<report::BundleFile> files;
  for (const report::ReportWriter* w : writers) {
    auto bytes = w->Write(out.report);
    if (!bytes.ok()) return bytes.status();
    files.push_back({std::string(w->file_name()), *bytes});
    out.contents.push_back(std::move(*bytes));
  }
  if (!job.bundle_dir.empty()) {
    auto signer = audit::LoadOrCreateSigner(ro.audit.key_path, ro.audit.origin, nullptr);
    if (!signer.ok()) return signer.status();
    VIGIL_RETURN_IF_ERROR(report::WriteBundle(job.bundle_dir, files, *signer));
  }
  if (job.record_evaluations && !out.report.controls.empty()) {
    VIGIL_RETURN_IF_ERROR(journal.Begin());
    const Timestamp now = WallNow();
    for (const report::ControlEvaluation& e : out.report.controls) {
      auto rec = journal.Record("control_evaluation",
                                report::ControlEvaluationData(out.report.cover.report_id, job.period, e), now);
      if (!rec.ok()) return rec.status();
      ++out.evaluations_recorded;
    }
    VIGIL_RETURN_IF_ERROR(journal.Commit(now, /*checkpoint_now=*/true));
  }
  return out;
}

}  // namespace vigil
