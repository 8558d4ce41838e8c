// TailedCollector: an access collector that follows one file with FileTailer and turns its
// lines into events with `Lines`, a LineConsumer built as
// Lines(ctx, options, field ids, user-name redaction).
// auth_log (syslog lines) and journal_json (journalctl -o json lines) are two of them; each
// only names itself and its line consumer.
#pragma once

#include <memory>
#include <string>

#include "access_event.h"
#include "file_tailer.h"
#include "tail_config.h"
#include "vigil/collector.h"

namespace vigil::access {

template <typename Lines>
class TailedCollector : public Collector {
 public:
  TailedCollector(TailOptions options, UserRedaction redaction)
      : options_(std::move(options)), redaction_(std::move(redaction)) {}

  Status Run(CollectorContext& ctx) override {
    Result<AccessFieldIds> ids = DeclareAccessFields(FieldRegistry::Global());
    if (!ids.ok()) return ids.status();
    Lines lines(ctx, options_, *ids, redaction_);
    FileTailer tailer(options_, &counters_);
    Status s = tailer.Run(ctx, lines);
    if constexpr (requires { lines.Drain(); }) lines.Drain();  // events still being built
    ctx.FlushEmits();  // the last events the lines held back (EmitBatched)
    return s;
  }

  void WriteMetrics(MetricWriter& out, const std::string& instance) const override {
    WriteTailMetrics(counters_, out, instance);
  }

 private:
  TailOptions options_;
  UserRedaction redaction_;
  TailCounters counters_;
};

// Subclasses give name() and description(); the tail options are read here.
template <typename Lines>
class TailedCollectorFactory : public CollectorFactory {
 public:
  Status DeclareFields(FieldRegistry& fields) const override {
    return DeclareAccessFields(fields).status();
  }
  Result<std::unique_ptr<Collector>> Create(ConfigSection& section,
                                            const CollectorEnv& env) const override {
    const size_t errors_before = section.diagnostics().error_count();
    TailOptions options;
    ReadTailOptions(section, env, &options);
    if (reads_workers()) {
      // Replay only (the consumer's AccessBuildPool); live reading stays on one thread.
      options.workers = static_cast<size_t>(section.Int("workers", 2, 1, 16));
    }
    UserRedaction redaction = ReadUserRedaction(section, env);
    section.Finish();
    if (section.diagnostics().error_count() > errors_before) {
      return Status::InvalidArgument("invalid " + std::string(name()) +
                                     " collector configuration");
    }
    return std::unique_ptr<Collector>(std::make_unique<TailedCollector<Lines>>(std::move(options), std::move(redaction)));
  }
  // Whether the consumer builds events on `workers` threads in replay (auth_log).
  virtual bool reads_workers() const { return false; }
  // Log files are often root:adm 0640.
  std::vector<Capability> capabilities() const override { return {Capability::kDacReadSearch}; }
};

}  // namespace vigil::access
