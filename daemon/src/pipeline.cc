#include "pipeline.h"

#include <algorithm>

#include "vigil/log.h"

namespace vigil {

Pipeline::Pipeline(PipelineOptions options, EventConsumer& consumer)
    : options_(options), consumer_(consumer), queue_(options.queue_capacity) {}

Pipeline::~Pipeline() {
  StopCollectors();
  Drain();
}

void Pipeline::Start() {
  engine_ = std::thread([this] { EngineLoop(); });
}

void Pipeline::AddCollector(const std::string& instance, std::unique_ptr<Collector> collector,
                            CollectorContext::SkipReporter reporter) {
  auto r = std::make_unique<Running>();
  r->ctx = std::make_unique<CollectorContext>(instance, *this, options_.mode, std::move(reporter));
  r->collector = std::move(collector);
  Running* raw = r.get();
  r->thread = std::thread([this, raw] {
    Status s = raw->collector->Run(*raw->ctx);
    raw->ctx->FlushEmits();
    if (!s.ok()) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      raw->ctx->CountError();
      VIGIL_LOG(kError) << "collector '" << raw->ctx->instance() << "' stopped: " << s.ToString();
    }
    raw->done.store(true, std::memory_order_release);
  });
  std::lock_guard lock(views_mu_);
  ++runs_[instance];
  running_.push_back(std::move(r));
}

void Pipeline::WaitForCollectors() {
  for (auto& r : running_) {
    if (r->thread.joinable()) r->thread.join();
  }
}

void Pipeline::StopCollectors() {
  for (auto& r : running_) r->ctx->RequestStop();
  WaitForCollectors();
  std::lock_guard lock(views_mu_);
  for (auto& r : running_) RetireLocked(*r);
  running_.clear();
}

bool Pipeline::StopCollector(const std::string& instance) {
  for (auto it = running_.begin(); it != running_.end(); ++it) {
    if ((*it)->ctx->instance() != instance) continue;
    (*it)->ctx->RequestStop();
    if ((*it)->thread.joinable()) (*it)->thread.join();
    std::lock_guard lock(views_mu_);
    RetireLocked(**it);
    running_.erase(it);
    return true;
  }
  return false;
}

void Pipeline::Drain() {
  if (drained_) return;
  drained_ = true;
  queue_.Close();
  if (engine_.joinable()) engine_.join();
}

bool Pipeline::Push(Event&& event) {
  bool ok = options_.mode == RunMode::kReplay ? queue_.Push(Item{std::move(event), nullptr})
                                              : queue_.TryPush(Item{std::move(event), nullptr});
  if (!ok) dropped_.fetch_add(1, std::memory_order_relaxed);
  return ok;
}

size_t Pipeline::PushBatch(std::vector<Event>& events) {
  const size_t queued =
      queue_.PushMany(events.begin(), events.end(), options_.mode == RunMode::kReplay,
                      [](Event&& e) { return Item{std::move(e), nullptr}; });
  if (queued < events.size()) dropped_.fetch_add(events.size() - queued, std::memory_order_relaxed);
  events.clear();
  return queued;
}

void Pipeline::TakeSpares(std::vector<Event>& out, size_t max) {
  if (!recycle_.load(std::memory_order_relaxed)) recycle_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(spares_mu_);
  while (max > 0 && !spares_.empty()) {
    out.push_back(std::move(spares_.back()));
    spares_.pop_back();
    --max;
  }
}

bool Pipeline::PushOwn(Event&& event) { return queue_.ForcePush(Item{std::move(event), nullptr}); }

void Pipeline::Barrier(std::function<void()> done) {
  // Once closed, nothing more is consumed: `done` is never called (see EventSink::Barrier).
  if (done) queue_.ForcePush(Item{Event(), std::move(done)});
}

namespace {

// Adds what a collector's counters hold now to `t`.
void AddCounters(const CollectorCounters& c, Pipeline::Totals& t) {
  t.events += c.events.load(std::memory_order_relaxed);
  t.dropped += c.dropped.load(std::memory_order_relaxed);
  t.skipped += c.skipped.load(std::memory_order_relaxed);
  t.errors += c.errors.load(std::memory_order_relaxed);
  t.gaps += c.gaps.load(std::memory_order_relaxed);
  t.last_event_unix = std::max(t.last_event_unix, c.last_event_unix.load(std::memory_order_relaxed));
}

}  // namespace

void Pipeline::RetireLocked(const Running& r) {
  AddCounters(r.ctx->counters(), retired_[r.ctx->instance()]);
}

void Pipeline::WriteMetrics(MetricWriter& out) const {
  std::map<std::string, Totals> totals;
  std::map<std::string, bool> up;
  {
    std::lock_guard lock(views_mu_);
    totals = retired_;
    for (const auto& [name, t] : retired_) up[name] = false;
    for (const auto& r : running_) {
      AddCounters(r->ctx->counters(), totals[r->ctx->instance()]);
      up[r->ctx->instance()] = !r->done.load(std::memory_order_acquire);
      // The collector's own series; the lock keeps it alive while it writes.
      r->collector->WriteMetrics(out, r->ctx->instance());
    }
  }
  for (const auto& [name, t] : totals) {
    MetricLabels l = {{"collector", name}};
    out.Counter("vigil_collector_events_total", "Events a collector handed to the pipeline.", l,
                static_cast<double>(t.events));
    out.Counter("vigil_collector_dropped_total",
                "Events dropped because the pipeline queue was full (live mode).", l,
                static_cast<double>(t.dropped));
    out.Counter("vigil_collector_skipped_total",
                "Input a collector could not use (malformed lines, oversize records).", l,
                static_cast<double>(t.skipped));
    out.Counter("vigil_collector_errors_total", "Read errors and collector runs that failed.", l,
                static_cast<double>(t.errors));
    out.Counter("vigil_collector_gaps_total",
                "Input a collector knows it missed outside the queue (kernel capture drops, unreadable "
                "paths, lost change notifications).",
                l, static_cast<double>(t.gaps));
    out.Gauge("vigil_collector_up", "1 while the collector runs, 0 once it has stopped.", l,
              up[name] ? 1 : 0);
    out.Gauge("vigil_collector_last_event_timestamp_seconds",
              "When the collector last handed over an event (0: never).", l,
              static_cast<double>(t.last_event_unix));
  }
  out.Gauge("vigil_queue_depth", "Events waiting in the pipeline queue.", {},
            static_cast<double>(queue_.depth()));
  out.Gauge("vigil_queue_capacity", "Capacity of the pipeline queue.", {},
            static_cast<double>(queue_.capacity()));
  out.Gauge("vigil_queue_high_water", "Largest queue depth seen since start.", {},
            static_cast<double>(queue_.high_water()));
  out.Counter("vigil_events_processed_total", "Events the engine thread has evaluated.", {},
              static_cast<double>(processed()));
  out.Counter("vigil_events_dropped_total", "Events dropped at the full queue, all collectors.",
              {}, static_cast<double>(dropped()));
}

std::map<std::string, Pipeline::CollectorStatus> Pipeline::CollectorStatuses() const {
  std::map<std::string, CollectorStatus> out;
  std::lock_guard lock(views_mu_);
  for (const auto& [name, t] : retired_) out[name] = {t, CollectorState::kStopped};
  for (const auto& r : running_) {
    CollectorStatus& s = out[r->ctx->instance()];
    AddCounters(r->ctx->counters(), s.totals);
    s.state = r->done.load(std::memory_order_acquire) ? CollectorState::kEnded
                                                      : CollectorState::kRunning;
  }
  for (auto& [name, s] : out) s.runs = runs_.count(name) ? runs_.at(name) : 0;
  return out;
}

std::vector<Pipeline::CollectorView> Pipeline::collectors() const {
  std::vector<CollectorView> out;
  for (const auto& r : running_) {
    out.push_back({r->ctx->instance(), &r->ctx->counters(),
                   !r->done.load(std::memory_order_acquire)});
  }
  return out;
}

void Pipeline::EngineLoop() {
  std::vector<Item> batch;
  batch.reserve(options_.batch_size);
  std::vector<Event> spent;  // consumed events on their way back to the collectors
  for (;;) {
    if (recycle_.load(std::memory_order_relaxed)) {
      for (Item& item : batch) {
        // An event a consumer took (an alert's) has nothing left worth keeping.
        if (item.barrier || item.event.capacity() == 0) continue;
        item.event.Clear();
        spent.push_back(std::move(item.event));
      }
      if (!spent.empty()) {
        std::lock_guard lock(spares_mu_);
        for (Event& e : spent) {
          if (spares_.size() >= kMaxSpares) break;
          spares_.push_back(std::move(e));
        }
      }
      spent.clear();
    }
    queue_.PopBatch(batch, options_.batch_size);
    if (batch.empty()) break;  // closed and drained
    size_t events = 0;
    for (Item& item : batch) {
      if (item.barrier) {
        consumer_.Barrier(std::move(item.barrier));
      } else {
        consumer_.Consume(item.event);
        ++events;
      }
    }
    processed_.fetch_add(events, std::memory_order_relaxed);
    if (queue_.depth() == 0) consumer_.Flush();
  }
  consumer_.Flush();
}

}  // namespace vigil
