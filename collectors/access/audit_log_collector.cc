// The `audit_log` collector: the Linux audit log (/var/log/audit/audit.log), raw or
// ENRICHED, read with FileTailer; records parsed by audit_record.h, joined into events by
// audit_assembler.h, mapped to ECS by audit_event.h. `vigil replay --audit-log F` uses it.
// Config keys: those of tail_config.h (path defaults to /var/log/audit/audit.log), and
//   event_timeout       how long an event may wait for its last record (default 2s)
//   max_pending_events  events assembled at once; beyond, the oldest is emitted (256)
// See docs/access.md.
#include <chrono>
#include <memory>
#include <string>

#include "access_event.h"
#include "audit_assembler.h"
#include "audit_event.h"
#include "audit_record.h"
#include "file_tailer.h"
#include "tail_config.h"
#include "vigil/collector.h"

namespace vigil::access {
namespace {

constexpr std::string_view kDefaultPath = "/var/log/audit/audit.log";

struct AuditLogOptions {
  TailOptions tail;
  AuditAssemblerOptions assembler;
};

class AuditLogLines : public LineConsumer {
 public:
  AuditLogLines(CollectorContext& ctx, const AuditLogOptions& options, const AccessFieldIds& access_ids,
                const AuditFieldIds& audit_ids, AuditAssemblerCounters* counters)
      : ctx_(ctx),
        options_(options),
        access_ids_(access_ids),
        audit_ids_(audit_ids),
        assembler_(options.assembler, [this](AssembledAuditEvent&& e) { return Emit(std::move(e)); },
                   counters) {
    limits_.max_line_bytes = options.tail.max_line_bytes;
  }

  bool Line(std::string_view line, uint64_t offset) override {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) return true;
    Status s = ParseAuditRecord(line, &record_, limits_);
    if (!s.ok()) {
      ctx_.Skip(Where(offset), s.message());
      return true;
    }
    return assembler_.Add(std::move(record_), line, offset, std::chrono::steady_clock::now());
  }

  void Overlong(uint64_t offset) override {
    ctx_.Skip(Where(offset), "line longer than " + std::to_string(options_.tail.max_line_bytes) + " bytes");
  }

  // Not following: the end of the file ends every event. Following: those that waited too long.
  bool AtEnd() override {
    if (!options_.tail.follow) return assembler_.Flush();
    return assembler_.Expire(std::chrono::steady_clock::now());
  }

  // A new file (rotation, truncation): the old one's events are over.
  void NewFile(Timestamp) override { (void)assembler_.Flush(); }

  uint64_t HeldFrom() const override { return assembler_.HeldFrom(); }

  // Events still pending when reading stops (stopping, or a followed replay).
  void Finish() { (void)assembler_.Flush(); }

 private:
  bool Emit(AssembledAuditEvent&& e) {
    // Held for one hand-off with others; the tailer flushes before it waits.
    Event event = ctx_.NewEvent();  // a recycled one when the pipeline handed some back
    BuildAuditEvent(e, options_.tail.path, access_ids_, audit_ids_, &event);
    return ctx_.EmitBatched(std::move(event)) || ctx_.mode() == RunMode::kLive;
  }

  std::string Where(uint64_t offset) const { return options_.tail.path + "@" + std::to_string(offset); }

  CollectorContext& ctx_;
  const AuditLogOptions& options_;
  const AccessFieldIds& access_ids_;
  const AuditFieldIds& audit_ids_;
  AuditLimits limits_;
  AuditRecord record_;
  AuditAssembler assembler_;
};

class AuditLogCollector : public Collector {
 public:
  explicit AuditLogCollector(AuditLogOptions options) : options_(std::move(options)) {}

  Status Run(CollectorContext& ctx) override {
    Result<AccessFieldIds> access_ids = DeclareAccessFields(FieldRegistry::Global());
    if (!access_ids.ok()) return access_ids.status();
    Result<AuditFieldIds> audit_ids = DeclareAuditFields(FieldRegistry::Global());
    if (!audit_ids.ok()) return audit_ids.status();
    AuditLogLines lines(ctx, options_, *access_ids, *audit_ids, &counters_);
    FileTailer tailer(options_.tail, &tail_counters_);
    Status s = tailer.Run(ctx, lines);
    // The position saved when the tailer returned stops before the lines still held, so
    // a restart reads them again; emitting them now loses nothing if the pipeline is gone.
    lines.Finish();
    ctx.FlushEmits();
    return s;
  }

  void WriteMetrics(MetricWriter& out, const std::string& instance) const override {
    WriteTailMetrics(tail_counters_, out, instance);
    MetricLabels l = {{"collector", instance}};
    auto v = [](const std::atomic<uint64_t>& a) { return static_cast<double>(a.load(std::memory_order_relaxed)); };
    out.Counter("vigil_auditd_records_total", "Audit records parsed.", l, v(counters_.records));
    out.Counter("vigil_auditd_events_total", "Audit events assembled from records.", l, v(counters_.events));
    out.Counter("vigil_auditd_events_incomplete_total",
                "Audit events emitted before their end record (timeout, end of input, eviction).", l,
                v(counters_.incomplete));
    out.Counter("vigil_auditd_events_evicted_total",
                "Audit events emitted early because too many were pending.", l, v(counters_.evicted));
    out.Counter("vigil_auditd_records_dropped_total",
                "Audit records dropped because their event was too large.", l, v(counters_.records_dropped));
  }

 private:
  AuditLogOptions options_;
  TailCounters tail_counters_;
  AuditAssemblerCounters counters_;
};

class AuditLogCollectorFactory : public CollectorFactory {
 public:
  std::string_view name() const override { return "audit_log"; }
  std::string_view description() const override {
    return "Linux audit log (auditd, raw or ENRICHED): logins, PAM, sudo, account changes, execve";
  }
  Status DeclareFields(FieldRegistry& fields) const override {
    VIGIL_RETURN_IF_ERROR(DeclareAccessFields(fields).status());
    return DeclareAuditFields(fields).status();
  }
  Result<std::unique_ptr<Collector>> Create(ConfigSection& section, const CollectorEnv& env) const override {
    const size_t errors_before = section.diagnostics().error_count();
    AuditLogOptions options;
    ReadTailOptions(section, env, &options.tail, kDefaultPath);
    const auto timeout = section.DurationValue("event_timeout", std::chrono::seconds(2));
    if (timeout < std::chrono::milliseconds(1) || timeout > std::chrono::minutes(10)) {
      section.BadValue("event_timeout", "must be between 1ms and 10m");
    } else {
      options.assembler.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    }
    options.assembler.max_pending = static_cast<size_t>(section.Int("max_pending_events", 256, 1, 65536));
    section.Finish();
    if (section.diagnostics().error_count() > errors_before) {
      return Status::InvalidArgument("invalid audit_log collector configuration");
    }
    return std::unique_ptr<Collector>(std::make_unique<AuditLogCollector>(std::move(options)));
  }
  // audit.log is root-only (0600 or 0640 root:adm, in a 0700 directory).
  std::vector<Capability> capabilities() const override { return {Capability::kDacReadSearch}; }
};

VIGIL_REGISTER_COLLECTOR(AuditLogCollectorFactory);

}  // namespace
}  // namespace vigil::access
