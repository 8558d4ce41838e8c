// Throughput of the in-process event path: the bounded queue alone, then the whole pipeline
// (collector threads → queue → engine thread → consumer) in replay and live mode.
//
// Events are built before the timed region and moved in by fake collectors, so the figures
// are the cost of the pipeline itself (emit, observer stamping, queueing, batching, handing
// over, destruction), not of parsing. The consumer does nothing: no rules are loaded.
// See RESULTS.md for figures and how to read them.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bounded_queue.h"
#include "pipeline.h"
#include "vigil/ecs_fields.h"
#include "vigil/event.h"
#include "vigil/log.h"

namespace vigil {
namespace {

// Total events per pipeline run, split across the collectors.
constexpr int64_t kEventsPerRun = 100'000;

// ~10 fields, as an sshd authentication failure parsed by the access collector.
Event MakeRealisticEvent(int64_t seq) {
  static const std::array<const char*, 8> kUsers = {"alice", "bob",      "carol", "dave",
                                                    "root",  "postgres", "admin", "svc-payroll"};
  static const std::array<const char*, 4> kHosts = {"fin-app-01", "fin-app-02", "hr-db-01",
                                                    "records-01"};
  const char* user = kUsers[static_cast<size_t>(seq) % kUsers.size()];
  uint32_t ip = 0xCB007100u + static_cast<uint32_t>(seq % 250);  // 203.0.113.0/24
  int64_t port = 30000 + seq % 30000;
  IpAddress src = IpAddress::FromV4(ip);

  Event e;
  e.Set(ecs::kTimestamp, Timestamp(std::chrono::milliseconds(1'795'000'000'000LL + seq * 7)));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, std::string("access.sshd"));
  e.Set(ecs::kEventOutcome, std::string(seq % 5 == 0 ? "success" : "failure"));
  e.Set(ecs::kSourceIp, src);
  e.Set(ecs::kSourcePort, port);
  e.Set(ecs::kUserName, std::string(user));
  e.Set(ecs::kHostName, std::string(kHosts[static_cast<size_t>(seq) % kHosts.size()]));
  e.Set(ecs::kProcessName, std::string("sshd"));
  e.Set(ecs::kMessage, std::string("Failed password for ") + user + " from " + src.ToString() +
                           " port " + std::to_string(port) + " ssh2");
  return e;
}

std::vector<Event> MakeEvents(int64_t n, int64_t first_seq) {
  std::vector<Event> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.push_back(MakeRealisticEvent(first_seq + i));
  return out;
}

// ---------------------------------------------------------------------------------------
// (a) BoundedQueue, one producer thread, one consumer popping batches of 256.

template <typename T>
T MakeItem(int64_t i);
template <>
uint64_t MakeItem<uint64_t>(int64_t i) {
  return static_cast<uint64_t>(i);
}

template <typename T>
void BM_QueueOneProducer(benchmark::State& state) {
  const int64_t kItems = 1 << 20;
  const auto capacity = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    BoundedQueue<T> q(capacity);
    std::thread producer([&] {
      for (int64_t i = 0; i < kItems; ++i) q.Push(MakeItem<T>(i));
      q.Close();
    });
    std::vector<T> batch;
    batch.reserve(256);
    int64_t got = 0;
    for (;;) {
      q.PopBatch(batch, 256);
      if (batch.empty()) break;
      got += static_cast<int64_t>(batch.size());
      benchmark::DoNotOptimize(batch.data());
    }
    producer.join();
    if (got != kItems) state.SkipWithError("queue lost items");
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_QueueOneProducer<uint64_t>)
    ->Name("BM_QueueOneProducer/u64")
    ->ArgName("capacity")
    ->Arg(1024)
    ->Arg(65536)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The same with whole Events moved through the queue (what the pipeline carries).
void BM_QueueOneProducerEvents(benchmark::State& state) {
  const int64_t kItems = kEventsPerRun;
  const auto capacity = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Event> events = MakeEvents(kItems, 0);
    state.ResumeTiming();
    BoundedQueue<Event> q(capacity);
    std::thread producer([&] {
      for (Event& e : events) q.Push(std::move(e));
      q.Close();
    });
    std::vector<Event> batch;
    batch.reserve(256);
    int64_t got = 0;
    for (;;) {
      q.PopBatch(batch, 256);
      if (batch.empty()) break;
      got += static_cast<int64_t>(batch.size());
    }
    producer.join();
    if (got != kItems) state.SkipWithError("queue lost items");
    state.PauseTiming();
    events.clear();  // moved-from shells: free outside the timed region
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kItems);
}
BENCHMARK(BM_QueueOneProducerEvents)
    ->ArgName("capacity")
    ->Arg(65536)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// ---------------------------------------------------------------------------------------
// (b), (c) The whole pipeline.

// How the fake collectors get their events.
enum class Source {
  // Built before the timed region and moved in: no allocation in the collector, but the
  // events are cold in cache (a run's events are larger than the L3 cache).
  kPrebuilt,
  // Copied from 256 pre-built templates: a fresh, cache-warm event per emit as a parser
  // would produce, paying the copy (two allocations: the field vector and the message).
  kTemplates,
};

// Moves its pre-built events into the pipeline, then returns (input exhausted).
class PrebuiltCollector : public Collector {
 public:
  explicit PrebuiltCollector(std::vector<Event> events) : events_(std::move(events)) {}
  Status Run(CollectorContext& ctx) override {
    for (Event& e : events_) ctx.Emit(std::move(e));
    return Status::Ok();
  }

 private:
  std::vector<Event> events_;
};

// Emits `n` copies of its templates, round robin, then returns.
class TemplateCollector : public Collector {
 public:
  TemplateCollector(const std::vector<Event>& templates, int64_t n)
      : templates_(templates), n_(n) {}
  Status Run(CollectorContext& ctx) override {
    for (int64_t i = 0; i < n_; ++i) {
      Event e = templates_[static_cast<size_t>(i) % templates_.size()];
      ctx.Emit(std::move(e));
    }
    return Status::Ok();
  }

 private:
  const std::vector<Event>& templates_;
  int64_t n_;
};

// No rules: looks at one field so the event is touched, as any consumer would.
class NoopConsumer : public EventConsumer {
 public:
  void Consume(Event& event) override {
    benchmark::DoNotOptimize(event.Get(ecs::kEventDataset));
    ++consumed_;
  }
  uint64_t consumed() const { return consumed_; }

 private:
  uint64_t consumed_ = 0;
};

void RunPipeline(benchmark::State& state, RunMode mode, size_t queue_capacity) {
  SetLogLevel(LogLevel::kError);
  const auto collectors = static_cast<int64_t>(state.range(0));
  const auto source = static_cast<Source>(state.range(1));
  const int64_t per_collector = kEventsPerRun / collectors;
  const std::vector<Event> templates = MakeEvents(256, 0);
  uint64_t processed = 0;
  uint64_t dropped = 0;
  size_t high_water = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::unique_ptr<Collector>> fakes;
    for (int64_t c = 0; c < collectors; ++c) {
      if (source == Source::kPrebuilt) {
        fakes.push_back(
            std::make_unique<PrebuiltCollector>(MakeEvents(per_collector, c * per_collector)));
      } else {
        fakes.push_back(std::make_unique<TemplateCollector>(templates, per_collector));
      }
    }
    NoopConsumer consumer;
    state.ResumeTiming();

    Pipeline pipeline({.queue_capacity = queue_capacity, .batch_size = 256, .mode = mode},
                      consumer);
    pipeline.Start();
    for (int64_t c = 0; c < collectors; ++c) {
      pipeline.AddCollector("bench-" + std::to_string(c), std::move(fakes[static_cast<size_t>(c)]),
                            nullptr);
    }
    pipeline.WaitForCollectors();
    pipeline.Drain();
    processed += pipeline.processed();
    dropped += pipeline.dropped();
    high_water = std::max(high_water, pipeline.queue_high_water());
    if (consumer.consumed() != pipeline.processed()) state.SkipWithError("consumer count");
    if (mode == RunMode::kReplay && pipeline.dropped() != 0) state.SkipWithError("replay dropped");

    state.PauseTiming();
    pipeline.StopCollectors();  // destroys the (emptied) collectors outside the timed region
    state.ResumeTiming();
  }
  // Events that reached the consumer; in live mode drops are reported, not counted as work.
  state.SetItemsProcessed(static_cast<int64_t>(processed));
  state.counters["dropped"] = static_cast<double>(dropped);
  state.counters["queue_high_water"] = static_cast<double>(high_water);
}

void BM_PipelineReplay(benchmark::State& state) {
  RunPipeline(state, RunMode::kReplay, PipelineOptions{}.queue_capacity);
}
BENCHMARK(BM_PipelineReplay)
    ->ArgNames({"collectors", "templates"})
    ->ArgsProduct({{1, 4},
                   {static_cast<int64_t>(Source::kPrebuilt),
                    static_cast<int64_t>(Source::kTemplates)}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Live mode with a queue larger than a run's input, so that nothing needs to be dropped:
// the cost of the non-blocking path.
void BM_PipelineLive(benchmark::State& state) { RunPipeline(state, RunMode::kLive, 1 << 18); }
BENCHMARK(BM_PipelineLive)
    ->ArgNames({"collectors", "templates"})
    ->ArgsProduct({{1, 4},
                   {static_cast<int64_t>(Source::kPrebuilt),
                    static_cast<int64_t>(Source::kTemplates)}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace vigil

BENCHMARK_MAIN();
