#include "pipeline.h"

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
    if (!s.ok()) {
      failures_.fetch_add(1, std::memory_order_relaxed);
      raw->ctx->CountError();
      VIGIL_LOG(kError) << "collector '" << raw->ctx->instance() << "' stopped: " << s.ToString();
    }
    raw->done.store(true, std::memory_order_release);
  });
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
  running_.clear();
}

bool Pipeline::StopCollector(const std::string& instance) {
  for (auto it = running_.begin(); it != running_.end(); ++it) {
    if ((*it)->ctx->instance() != instance) continue;
    (*it)->ctx->RequestStop();
    if ((*it)->thread.joinable()) (*it)->thread.join();
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
  bool ok = options_.mode == RunMode::kReplay ? queue_.Push(std::move(event))
                                              : queue_.TryPush(std::move(event));
  if (!ok) dropped_.fetch_add(1, std::memory_order_relaxed);
  return ok;
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
  std::vector<Event> batch;
  batch.reserve(options_.batch_size);
  for (;;) {
    queue_.PopBatch(batch, options_.batch_size);
    if (batch.empty()) break;  // closed and drained
    for (Event& e : batch) consumer_.Consume(e);
    processed_.fetch_add(batch.size(), std::memory_order_relaxed);
    if (queue_.depth() == 0) consumer_.Flush();
  }
  consumer_.Flush();
}

}  // namespace vigil
