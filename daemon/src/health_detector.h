// HealthDetector: turns two samples of Vigil's own counters into health events.
//
// A HealthSample is what the daemon's counters held at one moment: per collector (events,
// drops, errors, whether it runs, the capture counters of packet collectors), the queue,
// each rule's evicted correlation state, and both clocks. Next() compares a sample with the
// previous one and returns one event per thing a person should hear about (see
// health_event.h for the actions). Counts in events are differences between the samples, so
// the counts of successive events add up to the metric (vigil.health.total is the metric).
//
// The first sample is compared with the daemon's start: every counter at zero, every
// collector running, no clock reading (so no clock_jump on the first sample).
// A counter that went backwards (which the pipeline's totals never do) is taken as the new
// baseline without an event.
//
// Pure logic, no clocks and no threads of its own: the HealthMonitor feeds it, and tests feed
// it fake samples. Not thread-safe; one caller at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "health_event.h"
#include "vigil/event.h"

namespace vigil {

struct CollectorHealth {
  enum class State {
    kRunning,  // its Run() has not returned
    kEnded,    // its Run() returned by itself (failed, or its source ended): it is down
    kStopped,  // the daemon stopped it (reload removed or changed it): not a failure
  };
  State state = State::kRunning;
  uint64_t runs = 0;     // times it was started (a restart between samples shows here)
  uint64_t events = 0;   // handed to the pipeline
  uint64_t dropped = 0;  // refused by the full queue
  uint64_t errors = 0;   // read errors and failed runs
  // Packet capture counters (pcap_stats), for collectors that capture.
  bool captures = false;
  uint64_t capture_received = 0;  // packets the kernel passed (Linux: including dropped)
  uint64_t capture_dropped = 0;   // dropped by the kernel buffer and by the interface
};

struct HealthSample {
  Timestamp wall{};                        // system_clock
  std::chrono::nanoseconds monotonic{0};   // a monotonic clock (CLOCK_BOOTTIME), any origin
  std::map<std::string, CollectorHealth> collectors;
  size_t queue_depth = 0;
  size_t queue_capacity = 0;
  std::map<std::string, uint64_t> rule_evictions;  // rule id → groups + entries evicted
  uint64_t resident_bytes = 0;                     // Vigil's resident memory; 0: unknown
};

struct HealthOptions {
  std::string host_name;
  // clock_jump when the clocks' movements between two samples differ by more than this.
  std::chrono::nanoseconds clock_jump_threshold = std::chrono::seconds(2);
  // queue_saturated when a sample finds the queue at least this full (0..1).
  double queue_saturation = 0.9;
  // memory_high when a sample finds resident memory above this many bytes, once per
  // crossing (again only after a sample found it back under). 0: not watched.
  uint64_t memory_limit = 0;
};

class HealthDetector {
 public:
  HealthDetector(HealthOptions options, const HealthFields& fields);

  // The events `now` gives against the previous sample; `now` becomes the previous one.
  std::vector<Event> Next(const HealthSample& now);

  void set_options(HealthOptions options) { options_ = std::move(options); }

 private:
  void CompareCollector(const std::string& name, const CollectorHealth& was,
                        const CollectorHealth& now, const HealthSample& sample,
                        std::vector<Event>& out);
  void CompareClocks(const HealthSample& now, std::vector<Event>& out);
  Event Make(HealthAction action, const HealthSample& sample, std::string message) const;

  HealthOptions options_;
  HealthFields fields_;
  std::optional<HealthSample> previous_;
  bool queue_was_saturated_ = false;
  bool memory_was_high_ = false;
};

}  // namespace vigil
