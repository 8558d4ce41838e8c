#include "health_monitor.h"

#include <time.h>

#include <string_view>

#include "process_metrics.h"
#include "vigil/log.h"

namespace vigil {
namespace {

// Picks the capture counters out of the collectors' own metrics.
class CaptureCounterReader : public MetricWriter {
 public:
  explicit CaptureCounterReader(std::map<std::string, CollectorHealth>& out) : out_(out) {}

  void Write(std::string_view name, std::string_view, MetricKind, const MetricLabels& labels,
             double value) override {
    const bool received = name == "vigil_capture_packets_received_total";
    const bool dropped = name == "vigil_capture_packets_dropped_total" ||
                         name == "vigil_capture_interface_dropped_total";
    if (!received && !dropped) return;
    for (const auto& [key, instance] : labels) {
      if (key != "collector") continue;
      CollectorHealth& c = out_[instance];
      c.captures = true;
      const auto v = value > 0 ? static_cast<uint64_t>(value) : uint64_t{0};
      (received ? c.capture_received : c.capture_dropped) += v;
    }
  }

 private:
  std::map<std::string, CollectorHealth>& out_;
};

CollectorHealth::State StateOf(Pipeline::CollectorState s) {
  switch (s) {
    case Pipeline::CollectorState::kEnded:
      return CollectorHealth::State::kEnded;
    case Pipeline::CollectorState::kStopped:
      return CollectorHealth::State::kStopped;
    case Pipeline::CollectorState::kRunning:
      break;
  }
  return CollectorHealth::State::kRunning;
}

}  // namespace

HealthMonitor::HealthMonitor(HealthMonitorOptions options, const HealthFields& fields,
                             Sampler sampler, Sink sink)
    : options_(options),
      detector_(options.detector, fields),
      sampler_(std::move(sampler)),
      sink_(std::move(sink)) {}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::Start() {
  std::chrono::nanoseconds interval;
  {
    std::lock_guard lock(mu_);
    interval = options_.interval;
  }
  thread_.Start(interval, [this] { Tick(); });
}

void HealthMonitor::Stop() { thread_.Stop(); }

void HealthMonitor::SetOptions(HealthMonitorOptions options) {
  {
    std::lock_guard lock(mu_);
    options_ = options;
    detector_.set_options(options.detector);
  }
  thread_.SetInterval(options.interval);  // a shorter interval starts now
}

size_t HealthMonitor::Tick() {
  std::vector<Event> events;
  {
    std::lock_guard lock(mu_);
    events = detector_.Next(sampler_());
  }
  for (Event& e : events) Emit(std::move(e));
  return events.size();
}

void HealthMonitor::Emit(Event&& e) {
  const std::string* action = e.GetString(ecs::kEventAction);
  for (size_t i = 0; action && i < counts_.size(); ++i) {
    if (HealthActionName(static_cast<HealthAction>(i)) == *action) {
      counts_[i].fetch_add(1, std::memory_order_relaxed);
    }
  }
  const std::string* outcome = e.GetString(ecs::kEventOutcome);
  if (const std::string* m = e.GetString(ecs::kMessage)) {
    if (outcome && *outcome == "success") {
      VIGIL_LOG(kNotice) << "health: " << *m;
    } else {
      VIGIL_LOG(kWarning) << "health: " << *m;
    }
  }
  sink_(std::move(e));
}

void HealthMonitor::WriteMetrics(MetricWriter& out) const {
  for (size_t i = 0; i < counts_.size(); ++i) {
    out.Counter("vigil_health_events_total",
                "Health events the daemon raised about itself, by event.action.",
                {{"action", std::string(HealthActionName(static_cast<HealthAction>(i)))}},
                static_cast<double>(counts_[i].load(std::memory_order_relaxed)));
  }
}

HealthMonitorOptions HealthOptionsFor(const DaemonConfig& config) {
  HealthMonitorOptions o;
  o.interval = config.health_interval;
  o.detector.host_name = config.host_name;
  o.detector.clock_jump_threshold = config.health_clock_jump;
  o.detector.memory_limit = config.health_memory_limit;
  return o;
}

HealthSample SampleDaemonHealth(const Pipeline& pipeline, const RuleEngineConsumer* engine) {
  HealthSample s;
  s.wall = std::chrono::time_point_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now());
  // CLOCK_BOOTTIME rather than steady_clock: it keeps counting while the host is suspended,
  // so waking up from sleep is not mistaken for the clock being set.
  timespec boot{};
  clock_gettime(CLOCK_BOOTTIME, &boot);
  s.monotonic = std::chrono::seconds(boot.tv_sec) + std::chrono::nanoseconds(boot.tv_nsec);
  for (const auto& [name, status] : pipeline.CollectorStatuses()) {
    CollectorHealth& c = s.collectors[name];
    c.state = StateOf(status.state);
    c.runs = status.runs;
    c.events = status.totals.events;
    c.dropped = status.totals.dropped;
    c.errors = status.totals.errors;
  }
  CaptureCounterReader capture(s.collectors);
  pipeline.WriteMetrics(capture);
  s.queue_depth = pipeline.queue_depth();
  s.queue_capacity = pipeline.queue_capacity();
  s.resident_bytes = ResidentMemoryBytes();
  if (engine) {
    for (const RuleStateStats& st : engine->StateStats()) {
      s.rule_evictions[st.rule_id] = st.evicted_groups + st.evicted_entries;
    }
  }
  return s;
}

}  // namespace vigil
