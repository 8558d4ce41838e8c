// Output: where alerts go once the router has them (stdout, a file, syslog, a webhook).
//
// Life of an output
//   1. The OutputRegistry holds one OutputFactory per output type, each registered by name
//      with VIGIL_REGISTER_OUTPUT. A name registered twice makes Validate() fail.
//   2. For each `outputs:` entry of the config, CreateOutput() reads the keys every output
//      has (type, name, enabled, min_severity, tags, queue, retry, rate_limit) into an
//      OutputEnv, then the factory's Create() reads the type's own keys and returns an Output
//      that has not started. Create() has no side effects (no file opened, no socket, no
//      thread): `vigil check` calls it to validate a config, with located diagnostics.
//   3. OutputSet::Create() builds every enabled output and calls Start() on each; from then
//      on each output runs its own worker thread (see QueuedOutput).
//   4. The router renders each alert once into an AlertMessage and calls OutputSet::Route(),
//      which hands a shared pointer to every output whose Accepts() is true. Submit() never
//      blocks: it enqueues, or counts the alert as dropped (queue full, rate limited).
//   5. SIGUSR1 calls Reopen() (the file output reopens its path, for logrotate). Shutdown calls
//      Stop(drain): what is queued is delivered within `drain`, the rest is counted as dropped
//      for reason `shutdown`, and the worker is joined.
//
// Nothing is dropped without a counter: see docs/outputs.md and docs/metrics.md.
//
// Threading: Accepts(), Submit(), Reopen() may be called from any thread; Start() and Stop()
// from the owning thread, once each; WriteMetrics() from the metrics thread at any time.
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config_section.h"
#include "vigil/diagnostic.h"
#include "vigil/factory_registry.h"
#include "vigil/event.h"
#include "vigil/metric_writer.h"
#include "vigil/rules/alert.h"
#include "vigil/status.h"

namespace vigil {

// One alert, rendered once by the router and shared (read-only) by all outputs.
struct AlertMessage {
  uint64_t id = 0;  // the store's alert id
  AlertSeverity severity = AlertSeverity::kInfo;
  std::string rule_id;
  std::vector<std::string> tags;
  Timestamp timestamp;
  std::string host_name;
  std::string json;  // one JSON line, no newline (AlertToJson + vigil.alert.id)
  std::string text;  // the rule's rendered output text
};

// How often a failed delivery is tried again.
struct RetryPolicy {
  int attempts = 5;  // deliveries tried per alert, the first one included (1 = no retry)
  std::chrono::milliseconds initial{1000};  // wait before the first retry
  std::chrono::milliseconds max{60000};     // cap of the doubling waits
  // The wait before retry number `retry` (1 = after the first failure):
  // initial * 2^(retry-1), capped at max.
  std::chrono::milliseconds Delay(int retry) const;
};

// At most `alerts` per `per` (a token bucket holding `alerts`, refilled evenly over `per`).
struct RateLimit {
  uint64_t alerts = 0;
  std::chrono::nanoseconds per{};
};

// The keys every output has.
struct OutputOptions {
  AlertSeverity min_severity = AlertSeverity::kInfo;
  std::vector<std::string> tags;  // any-of; empty = every alert
  size_t queue = 1000;            // capacity of the output's own queue
  RetryPolicy retry;
  std::optional<RateLimit> rate_limit;
};

// What Create() gets besides its config section.
struct OutputEnv {
  std::string name;  // the entry's `name` (defaults to the type); unique; the metric label
  std::string type;
  OutputOptions options;
};

class Output {
 public:
  explicit Output(OutputEnv env);
  virtual ~Output();
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  const std::string& name() const { return env_.name; }
  const std::string& type() const { return env_.type; }
  const OutputOptions& options() const { return env_.options; }

  // Routing: the alert is at least min_severity and, when tags are configured, carries one.
  bool Accepts(const AlertMessage& m) const;

  // Opens what the output needs lazily and starts its worker. Called once, after Create().
  virtual Status Start() = 0;
  // Never blocks: enqueues the alert, or counts it as dropped / rate limited.
  virtual void Submit(std::shared_ptr<const AlertMessage> m) = 0;
  // SIGUSR1: reopen files (the default does nothing).
  virtual void Reopen();
  // Delivers what is queued within `drain`, counts the rest as dropped (shutdown), joins.
  virtual void Stop(std::chrono::milliseconds drain) = 0;
  // Every series labelled {output=name}, written from the start (at 0).
  virtual void WriteMetrics(MetricWriter& out) const;

 private:
  OutputEnv env_;
};

class OutputFactory {
 public:
  virtual ~OutputFactory() = default;
  // The `type:` users write in the config; lowercase, unique.
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // Reads the type's own keys from `section` (the common ones were read already and are in
  // `env`), calls section.Finish(), and builds an output that has not started. On invalid
  // config, records diagnostics in the section and returns an error. No side effects.
  virtual Result<std::unique_ptr<Output>> Create(ConfigSection& section,
                                                 const OutputEnv& env) const = 0;
};

class OutputRegistry : public FactoryRegistry<OutputFactory> {
 public:
  OutputRegistry() : FactoryRegistry("output") {}
  static OutputRegistry& Global();
};

// One item of the `outputs:` list of the daemon config.
struct OutputEntry {
  std::string type;
  std::string name;  // unique; defaults to `type`
  bool enabled = true;
  YAML::Node node;   // the whole entry
  std::string file;  // the file it was read from, for diagnostics
};

// Reads the `outputs:` list of the daemon config's root section, validating every entry
// through its factory (problems go to root's diagnostics, located). When the key is absent
// or empty (`outputs:`) the list is one stdout output in JSON (Vigil's behaviour before
// outputs were configurable); `outputs: []` means none.
std::vector<OutputEntry> ReadOutputEntries(
    ConfigSection& root, const OutputRegistry& registry = OutputRegistry::Global());

// Builds the (not started) output of entry `e`: the code path that validated it at load.
Result<std::unique_ptr<Output>> CreateOutput(
    const OutputEntry& e, Diagnostics& diags,
    const OutputRegistry& registry = OutputRegistry::Global());

// All configured outputs of a running daemon. Owned by the router's owner; Route() may be
// called from one thread at a time (the router's), the rest as for Output.
class OutputSet {
 public:
  OutputSet() = default;
  OutputSet(OutputSet&&) = default;
  OutputSet& operator=(OutputSet&&);
  ~OutputSet();  // Stop(0ms) if not stopped: queued alerts are counted as dropped

  // Creates and starts every enabled entry. On failure nothing is left running.
  static Result<OutputSet> Create(const std::vector<OutputEntry>& entries, Diagnostics& diags,
                                  const OutputRegistry& registry = OutputRegistry::Global());
  // Starts `output` and adds it (tests, and outputs built outside the config).
  Status Add(std::unique_ptr<Output> output);

  void Route(const std::shared_ptr<const AlertMessage>& m);
  void Reopen();
  void Stop(std::chrono::milliseconds drain);  // all outputs drain in parallel
  void WriteMetrics(MetricWriter& out) const;

  size_t size() const { return outputs_.size(); }
  const Output& at(size_t i) const { return *outputs_[i]; }

 private:
  std::vector<std::unique_ptr<Output>> outputs_;
  bool stopped_ = false;
};

}  // namespace vigil

// One line per output type, at namespace scope in the output's .cc file.
#define VIGIL_REGISTER_OUTPUT(FactoryClass)                             \
  [[maybe_unused]] static const bool vigil_registered_output_##FactoryClass = \
      ::vigil::OutputRegistry::Global().Add(std::make_unique<FactoryClass>())
