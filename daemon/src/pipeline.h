// Pipeline: collectors → bounded queue → engine thread → EventConsumer.
//
// Each collector runs on its own thread (Collector::Run); all of them push into one
// BoundedQueue; one engine thread pops batches and hands each event to the consumer.
// RunMode decides what a full queue means: kReplay blocks the collector (nothing is lost),
// kLive drops the event and counts it against its collector. Collectors may push in batches
// (PushBatch, through CollectorContext::EmitBatched). Once a collector has asked for spare
// events (TakeSpares, through CollectorContext::NewEvent), the engine thread empties each
// event the consumers left (Event::Clear, buffers kept) and hands it back through a free
// list of at most kMaxSpares events, taken and returned in batches; events a consumer moved
// into its alerts are not among them.
//
// Threading: the owner (the daemon's main thread, or replay) calls every public method
// except WriteMetrics; Start/Stop calls are not concurrent with each other. WriteMetrics
// and the counters may be read from any thread (the metrics server's).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bounded_queue.h"
#include "vigil/collector.h"
#include "vigil/event_consumer.h"
#include "vigil/metric_writer.h"

namespace vigil {

struct PipelineOptions {
  size_t queue_capacity = 65536;
  size_t batch_size = 256;
  RunMode mode = RunMode::kLive;
};

class Pipeline : public EventSink {
 public:
  Pipeline(PipelineOptions options, EventConsumer& consumer);
  ~Pipeline() override;  // stops collectors and drains
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Starts the engine thread. Call once, before adding collectors.
  void Start();
  // Starts `collector` on its own thread under the name `instance`.
  void AddCollector(const std::string& instance, std::unique_ptr<Collector> collector,
                    CollectorContext::SkipReporter reporter);
  // Waits until every collector's Run() has returned by itself (replay: input exhausted).
  void WaitForCollectors();
  // Asks every collector to stop and joins them (live: shutdown or reload).
  void StopCollectors();
  // Stops and joins one collector; false if no collector runs under that name.
  bool StopCollector(const std::string& instance);
  // Closes the queue, lets the engine finish what is queued, joins it. Idempotent.
  void Drain();

  // EventSink, for collectors.
  bool Push(Event&& event) override;
  size_t PushBatch(std::vector<Event>& events) override;
  // Consumed events are kept for reuse (Event::Clear), up to kMaxSpares, once a collector
  // has asked for some.
  void TakeSpares(std::vector<Event>& out, size_t max) override;
  static constexpr size_t kMaxSpares = 1024;
  // The daemon's own events (health events): queued even when the queue is full, never
  // counted as drops; false only once the pipeline is drained. Any thread. The caller bounds
  // how many it pushes.
  bool PushOwn(Event&& event);
  // Queued behind what was pushed before it, even when the queue is full (one per collector
  // checkpoint); handed to the consumer's Barrier on the engine thread.
  void Barrier(std::function<void()> done) override;

  struct CollectorView {
    std::string instance;
    const CollectorCounters* counters;
    bool running;
  };
  // The collectors of this pipeline (those stopped by StopCollectors are gone). Owner thread.
  std::vector<CollectorView> collectors() const;

  // vigil_collector_* and vigil_queue_* / vigil_events_* samples. Counters of a stopped
  // collector are kept under its name, so they never go backwards across a reload.
  void WriteMetrics(MetricWriter& out) const;

  size_t queue_depth() const { return queue_.depth(); }
  size_t queue_capacity() const { return queue_.capacity(); }
  size_t queue_high_water() const { return queue_.high_water(); }
  uint64_t processed() const { return processed_.load(std::memory_order_relaxed); }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }
  // Collector runs that ended with an error.
  uint64_t collector_failures() const { return failures_.load(std::memory_order_relaxed); }

  // A collector's counters summed over its runs (metrics).
  struct Totals {
    uint64_t events = 0, dropped = 0, skipped = 0, errors = 0, gaps = 0;
    int64_t last_event_unix = 0;
  };
  // Each collector's counters summed over its runs, and whether it runs: kEnded when its
  // Run() returned by itself, kStopped when the owner stopped it and did not restart it.
  // Any thread (the health monitor's).
  enum class CollectorState { kRunning, kEnded, kStopped };
  struct CollectorStatus {
    Totals totals;
    CollectorState state = CollectorState::kRunning;
    uint64_t runs = 0;  // times a collector of this name was started
  };
  std::map<std::string, CollectorStatus> CollectorStatuses() const;

 private:
  struct Running {
    std::unique_ptr<CollectorContext> ctx;
    std::unique_ptr<Collector> collector;
    std::thread thread;
    std::atomic<bool> done{false};
  };

  void EngineLoop();
  // Moves a finished collector's counters into retired_ (caller holds views_mu_).
  void RetireLocked(const Running& r);

  PipelineOptions options_;
  EventConsumer& consumer_;
  // An event, or (barrier set) a collector's barrier.
  struct Item {
    Event event;
    std::function<void()> barrier;
  };
  BoundedQueue<Item> queue_;
  std::thread engine_;
  mutable std::mutex views_mu_;  // guards changes to running_ and retired_ (owner writes)
  std::vector<std::unique_ptr<Running>> running_;
  std::map<std::string, Totals> retired_;
  std::map<std::string, uint64_t> runs_;  // starts per name; guarded by views_mu_
  std::atomic<uint64_t> processed_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> failures_{0};
  bool drained_ = false;
  std::atomic<bool> recycle_{false};  // someone took spares: keep consumed events
  std::mutex spares_mu_;
  std::vector<Event> spares_;  // guarded by spares_mu_
};

}  // namespace vigil
