// Collector: a source of events (log files, journald, packets, a file tree, JSON lines).
//
// Life of a collector
//   1. At start-up the CollectorRegistry holds one CollectorFactory per collector type,
//      each registered by name with VIGIL_REGISTER_COLLECTOR. Registering a name twice is
//      recorded and makes CollectorRegistry::Validate() fail, so the daemon refuses to start.
//   2. Before any rule is compiled, every factory's DeclareFields() declares the fields its
//      events carry, with types, in the FieldRegistry.
//   3. For each `collectors:` entry of the config (or each replay input), the factory's
//      Create() reads the entry's section, reporting problems as located diagnostics, and
//      returns a Collector that has not started yet. Create() has no side effects (no
//      files opened, no threads): `vigil check` calls it to validate a config.
//   4. The pipeline calls Run() once, on a thread it owns for this collector. Run() blocks:
//      it reads its source and hands each event to CollectorContext::Emit(), and returns
//      when the source is exhausted (replay: end of file) or when ctx.stopping() becomes
//      true (live: shutdown or reload). It must notice stopping promptly: wait on
//      ctx.stop_fd() with poll(), or use ctx.SleepFor(). Returning an error ends only this
//      collector; the error is logged and counted.
//   5. The Collector is destroyed on the thread that owns the pipeline, after Run returned.
//
// Bad input is never fatal: a line or packet that cannot be parsed is passed to
// ctx.Skip() with its location, which counts it and reports it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/config_section.h"
#include "vigil/factory_registry.h"
#include "vigil/event.h"
#include "vigil/field.h"
#include "vigil/metric_writer.h"
#include "vigil/status.h"

namespace vigil {

// How the pipeline behaves when its queue is full.
enum class RunMode {
  kLive,    // drop the event and count it: detection keeps up with the present
  kReplay,  // block the collector until there is room: nothing is dropped
};

// Counters of one collector instance; written by the collector thread, read by metrics.
struct CollectorCounters {
  std::atomic<uint64_t> events{0};   // handed to the pipeline
  std::atomic<uint64_t> dropped{0};  // refused by a full queue (live mode only)
  std::atomic<uint64_t> skipped{0};  // input that could not be parsed (see Skip)
  std::atomic<uint64_t> errors{0};   // read errors and failed runs
  // Input known to have been missed outside the pipeline queue: packets the kernel dropped
  // before capture, paths a scan could not read, change notifications lost to an overflow.
  // Reports show it as a coverage gap.
  std::atomic<uint64_t> gaps{0};
  std::atomic<int64_t> last_event_unix{0};
};

// Where a collector's events go. Implemented by the pipeline.
class EventSink {
 public:
  virtual ~EventSink() = default;
  // Called from a collector thread. Replay mode: blocks until there is room and returns
  // true (false only once the pipeline is closed). Live mode: never blocks; returns false
  // when the event was dropped because the queue is full.
  virtual bool Push(Event&& event) = 0;
  // Push for each event of `events`, in order, in one go (one lock, at most one wake-up of
  // the engine); `events` is left empty. Returns how many were queued: in replay mode all of
  // them unless the pipeline closed; in live mode the rest were dropped at a full queue.
  virtual size_t PushBatch(std::vector<Event>& events) {
    size_t queued = 0;
    for (Event& e : events) queued += Push(std::move(e)) ? 1 : 0;
    events.clear();
    return queued;
  }
  // Appends to `out` up to `max` events the engine consumed and handed back for reuse,
  // emptied with Event::Clear (their buffers kept); none when the sink keeps none. A sink
  // starts keeping them once someone asked. Any collector thread.
  virtual void TakeSpares(std::vector<Event>& out, size_t max) {
    (void)out;
    (void)max;
  }
  // A barrier behind the events this thread pushed: `done` is called, on some other thread
  // (or at once by a sink with nothing to wait for), once each of them has been consumed and
  // what it caused (alerts) is durable; never if that cannot be known (the pipeline closed,
  // alerts could not be stored). Barriers complete in the order they were set. A collector
  // saves its read position from `done`, so a restart never skips an event whose alerts
  // were lost. Never blocks; the caller bounds how many it sets (one per checkpoint).
  virtual void Barrier(std::function<void()> done) { done(); }
};

// What a running collector sees of the daemon. Owned by the pipeline; outlives Run().
class CollectorContext {
 public:
  using SkipReporter = std::function<void(std::string_view where, std::string_view reason)>;

  CollectorContext(std::string instance, EventSink& sink, RunMode mode, SkipReporter reporter);
  ~CollectorContext();
  CollectorContext(const CollectorContext&) = delete;
  CollectorContext& operator=(const CollectorContext&) = delete;

  // Stamps observer.name and hands the event on (after any held by EmitBatched). Returns
  // false if it was dropped.
  bool Emit(Event&& event);
  // Emit, but held with up to kEmitBatch - 1 others and handed on with them in one go: for
  // collectors that emit many events per wake-up (log replay). A collector that uses it
  // calls FlushEmits() before it waits for more input, so that no event waits in a half-full
  // batch, and before Run returns (the pipeline also flushes once Run returned, but a
  // collector run on its own, as in tests, is not); Emit and AfterCommitted flush first.
  // Returns false when a batch it
  // handed on lost events: dropped at a full queue (live), or the pipeline closed (replay).
  bool EmitBatched(Event&& event);
  // Hands on the events EmitBatched holds; false as for EmitBatched.
  bool FlushEmits();
  // Hands on `events` in order, in one go, after any EmitBatched holds; each must carry
  // observer.name already (the collector's instance()). `events` is left empty. False as
  // for EmitBatched.
  bool EmitAll(std::vector<Event>& events);
  // Appends to `out` up to `max` consumed events for reuse (EventSink::TakeSpares), for a
  // collector that builds events on threads of its own. Any thread.
  void TakeSpares(std::vector<Event>& out, size_t max) { sink_.TakeSpares(out, max); }
  // An empty event to fill and emit: when the sink hands consumed events back
  // (EventSink::TakeSpares), one of those, whose buffers the builder's fields reuse.
  Event NewEvent();
  static constexpr size_t kEmitBatch = 64;
  // Counts input that could not be used and reports where (e.g. "/var/log/auth.log:812")
  // and why. Never throws; rate-limited reporting is the reporter's business.
  void Skip(std::string_view where, std::string_view reason);
  // EventSink::Barrier behind the events this collector emitted so far.
  void AfterCommitted(std::function<void()> done) {
    FlushEmits();
    sink_.Barrier(std::move(done));
  }
  void CountError() { counters_.errors.fetch_add(1, std::memory_order_relaxed); }
  void CountGaps(uint64_t n) { counters_.gaps.fetch_add(n, std::memory_order_relaxed); }

  bool stopping() const { return stopping_.load(std::memory_order_acquire); }
  // An eventfd that becomes readable once stopping; for poll() in blocking sources.
  int stop_fd() const { return stop_fd_; }
  // Sleeps up to `d`; returns false (early) when stopping.
  bool SleepFor(std::chrono::milliseconds d) const;
  // Called by the pipeline (any thread).
  void RequestStop();

  const std::string& instance() const { return instance_; }
  RunMode mode() const { return mode_; }
  CollectorCounters& counters() { return counters_; }
  const CollectorCounters& counters() const { return counters_; }

 private:
  std::string instance_;
  EventSink& sink_;
  RunMode mode_;
  SkipReporter reporter_;
  CollectorCounters counters_;
  std::atomic<bool> stopping_{false};
  int stop_fd_ = -1;
  // Pushes `events` to the sink in one go and counts them; false when some were lost.
  bool HandOn(std::vector<Event>& events);

  std::vector<Event> held_;    // EmitBatched's, not handed on yet (collector thread)
  std::vector<Event> spares_;  // taken from the sink for NewEvent (collector thread)
};

class Collector {
 public:
  virtual ~Collector() = default;
  // See "Life of a collector" above. Called once, on the collector's own thread.
  virtual Status Run(CollectorContext& ctx) = 0;
  // Writes the collector's own metrics (capture drops, flow table size, lines read...),
  // beyond the CollectorCounters every collector has. Called on the metrics server's
  // thread, before, during or after Run(): read atomics only. Label every sample with
  // {"collector", instance} first, and write every series from the start (at 0).
  virtual void WriteMetrics(MetricWriter& out, const std::string& instance) const {
    (void)out;
    (void)instance;
  }
};

// Linux capabilities a collector may need to open and read its sources when Vigil does not
// run as root (under systemd with User=, or after dropping root for `user:`). The values
// are the CAP_* numbers of <linux/capability.h>. See docs/installation.md.
enum class Capability : int {
  kDacReadSearch = 2,    // CAP_DAC_READ_SEARCH: read any file or directory (logs, scans)
  kNetBindService = 10,  // CAP_NET_BIND_SERVICE: listen on a port below 1024
  kNetAdmin = 12,        // CAP_NET_ADMIN: promiscuous mode, capture buffer settings
  kNetRaw = 13,          // CAP_NET_RAW: packet sockets (live capture)
  kSysAdmin = 21,        // CAP_SYS_ADMIN: fanotify filesystem marks (optional)
};

// What Create() gets besides its config section.
struct CollectorEnv {
  std::string instance;   // the entry's `name` (defaults to the type)
  std::string state_dir;  // where to persist offsets, cursors, baselines
  RunMode mode = RunMode::kLive;
};

class CollectorFactory {
 public:
  virtual ~CollectorFactory() = default;
  // The `type:` users write in the config; lowercase, unique.
  virtual std::string_view name() const = 0;
  virtual std::string_view description() const = 0;
  // Declares the fields this collector's events carry (beyond the ECS ones).
  virtual Status DeclareFields(FieldRegistry& fields) const = 0;
  // Reads `section` (calling section.Finish()) and builds a collector. On invalid config,
  // records diagnostics in the section and returns an error status.
  virtual Result<std::unique_ptr<Collector>> Create(ConfigSection& section,
                                                    const CollectorEnv& env) const = 0;
  // The capabilities a collector of this type needs beyond those of an ordinary user.
  // When `vigil run` drops root (daemon/src/privileges.h) it keeps the union of those of
  // the enabled collectors, and no other. Default: none.
  virtual std::vector<Capability> capabilities() const { return {}; }
};

class CollectorRegistry : public FactoryRegistry<CollectorFactory> {
 public:
  CollectorRegistry() : FactoryRegistry("collector") {}
  static CollectorRegistry& Global();
  // Calls DeclareFields on every factory.
  Status DeclareAllFields(FieldRegistry& fields) const;
};

}  // namespace vigil

// One line per collector, at namespace scope in the collector's .cc file.
#define VIGIL_REGISTER_COLLECTOR(FactoryClass)                                \
  [[maybe_unused]] static const bool vigil_registered_##FactoryClass =       \
      ::vigil::CollectorRegistry::Global().Add(std::make_unique<FactoryClass>())
