// HealthMonitor: the daemon's own health as events, every `health.interval`.
//
// Vigil must not be quiet about losing what it watches. The monitor samples the counters the
// daemon already keeps (each collector's events, drops, errors and state, packet capture
// drops, the queue, each rule's evicted state) and both clocks, lets a HealthDetector compare
// the sample with the previous one, and pushes the resulting `vigil.health` events into the
// pipeline, where rules (rules/packs/vigil-health.yaml) turn them into alerts.
//
// Why a built-in component and not a collector type: a collector exists only if the config
// lists it, and a health source that can be lost by leaving a line out of a file is not one.
// The monitor is part of `vigil run` whatever the config says (its `health:` section only
// tunes it); `vigil replay` has no monitor, so the same input gives the same output.
// It is also not a collector in the pipeline's sense: its events must not be dropped by the
// full queue whose drops they report, so it pushes with Pipeline::PushOwn, which queues them
// even when the queue is full. That stays bounded: one sample per interval gives at most a
// few events per collector and per rule.
//
// Other parts of the daemon that find a fault of their own (the audit log verifier) hand
// their health events to Emit(), so every health event is counted and logged in one place.
//
// Threading: Start() runs Tick() on the monitor's own thread every interval until Stop()
// (idempotent; the destructor calls it). Emit() may be called from any thread. The sampler and the sink are called on that thread
// and must be safe there (SampleDaemonHealth reads only atomics and locked snapshots).
// SetOptions and WriteMetrics may be called from any thread. Tick() may also be called
// directly when the monitor is not started (tests).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>

#include "health_detector.h"
#include "health_event.h"
#include "config.h"
#include "periodic_thread.h"
#include "pipeline.h"
#include "vigil/metric_writer.h"
#include "vigil/rules/rule_engine_consumer.h"

namespace vigil {

struct HealthMonitorOptions {
  std::chrono::nanoseconds interval = std::chrono::seconds(10);
  HealthOptions detector;
};

class HealthMonitor {
 public:
  using Sampler = std::function<HealthSample()>;
  using Sink = std::function<void(Event&&)>;

  HealthMonitor(HealthMonitorOptions options, const HealthFields& fields, Sampler sampler,
                Sink sink);
  ~HealthMonitor();
  HealthMonitor(const HealthMonitor&) = delete;
  HealthMonitor& operator=(const HealthMonitor&) = delete;

  void Start();
  void Stop();
  // Takes the options from the next tick on (SIGHUP).
  void SetOptions(HealthMonitorOptions options);
  // One sample: compare, emit, count. Returns the number of events emitted.
  size_t Tick();
  // Counts, logs and sinks one health event made elsewhere (its event.action names it).
  void Emit(Event&& event);

  // vigil_health_events_total{action}, every action from the start (at 0).
  void WriteMetrics(MetricWriter& out) const;

 private:
  mutable std::mutex mu_;
  HealthMonitorOptions options_;  // guarded by mu_
  HealthDetector detector_;       // guarded by mu_ (Tick holds it throughout)
  Sampler sampler_;
  Sink sink_;
  std::array<std::atomic<uint64_t>, static_cast<size_t>(HealthAction::kCount)> counts_{};
  PeriodicThread thread_;
};

// The `health:` section and host name of a configuration as options.
HealthMonitorOptions HealthOptionsFor(const DaemonConfig& config);

// What the daemon's counters hold now: the pipeline's collectors and queue, the capture
// counters that packet collectors export (vigil_capture_packets_received_total,
// vigil_capture_packets_dropped_total, vigil_capture_interface_dropped_total, read through
// their metrics so that events and /metrics agree), the rules' evictions, and the clocks.
// `engine` may be null. Any thread.
HealthSample SampleDaemonHealth(const Pipeline& pipeline, const RuleEngineConsumer* engine);

}  // namespace vigil
