// Pipeline and CollectorContext with fake collectors and a counting consumer: replay loses
// nothing, live drops exactly what the queue refused and counts it per collector, stopping
// is prompt for collectors that wait the documented ways, failures and skips are counted.
//
// No assertion depends on timing. Deadlines below are hang guards only: a stuck thread
// aborts the binary with a message instead of hanging until ctest's timeout.
#include "pipeline.h"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <latch>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/test_support.h"
#include "vigil/log.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using vigil::testing::Eventually;

// Runs `fn` on a thread and aborts if it has not returned within `limit`.
void WithinOrAbort(std::chrono::milliseconds limit, const char* what,
                   const std::function<void()>& fn) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::thread t([&] {
    fn();
    std::lock_guard lock(mu);
    done = true;
    cv.notify_one();
  });
  {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, limit, [&] { return done; })) {
      std::fprintf(stderr, "pipeline_test: %s did not return within %lld ms\n", what,
                   static_cast<long long>(limit.count()));
      std::abort();
    }
  }
  t.join();
}

// An sshd-like event with a per-collector sequence number in log.offset.
Event MakeEvent(int64_t seq) {
  Event e;
  e.Set(ecs::kTimestamp, Timestamp(std::chrono::seconds(1'795'000'000 + seq)));
  e.Set(ecs::kEventKind, std::string("event"));
  e.Set(ecs::kEventDataset, std::string("access.sshd"));
  e.Set(ecs::kEventOutcome, std::string("failure"));
  e.Set(ecs::kSourceIp, IpAddress::FromV4(0xC0000200u + static_cast<uint32_t>(seq % 200)));
  e.Set(ecs::kUserName, std::string("alice"));
  e.Set(ecs::kLogOffset, seq);
  return e;
}

// Counts what the engine hands over. Consume/Flush run on the engine thread; the test reads
// the plain members only after Drain() (which joins that thread), the atomics at any time.
class CountingConsumer : public EventConsumer {
 public:
  // With a gate, every Consume waits until the gate is opened.
  explicit CountingConsumer(std::latch* gate = nullptr) : gate_(gate) {}

  void Consume(Event& event) override {
    entered_.fetch_add(1);
    if (gate_ != nullptr) gate_->wait();
    const std::string* observer = event.GetString(ecs::kObserverName);
    std::string name = observer ? *observer : "<none>";
    ++by_observer_[name];
    const int64_t* seq = event.GetInt(ecs::kLogOffset);
    if (seq != nullptr) {
      auto [it, fresh] = last_seq_.try_emplace(name, -1);
      if (*seq <= it->second) ++out_of_order_;
      it->second = *seq;
    }
    consumed_.fetch_add(1);
  }
  void Flush() override {
    consumed_at_last_flush_ = consumed_.load();
    flushes_.fetch_add(1);
  }

  uint64_t consumed() const { return consumed_.load(); }
  uint64_t entered() const { return entered_.load(); }
  uint64_t flushes() const { return flushes_.load(); }
  const std::map<std::string, uint64_t>& by_observer() const { return by_observer_; }
  uint64_t out_of_order() const { return out_of_order_; }
  uint64_t consumed_at_last_flush() const { return consumed_at_last_flush_; }

 private:
  std::latch* gate_;
  std::atomic<uint64_t> consumed_{0};
  std::atomic<uint64_t> entered_{0};
  std::atomic<uint64_t> flushes_{0};
  std::map<std::string, uint64_t> by_observer_;
  std::map<std::string, int64_t> last_seq_;
  uint64_t out_of_order_ = 0;
  uint64_t consumed_at_last_flush_ = 0;
};

// Emits `n` events, then returns. Counts how many Emit() accepted.
class EmitN : public Collector {
 public:
  EmitN(int64_t n, std::atomic<uint64_t>* accepted) : n_(n), accepted_(accepted) {}
  Status Run(CollectorContext& ctx) override {
    for (int64_t i = 0; i < n_; ++i) {
      if (ctx.Emit(MakeEvent(i)) && accepted_ != nullptr) accepted_->fetch_add(1);
    }
    return Status::Ok();
  }

 private:
  int64_t n_;
  std::atomic<uint64_t>* accepted_;
};

// Runs until stopping, waiting in ctx.SleepFor.
class SleepsUntilStopped : public Collector {
 public:
  explicit SleepsUntilStopped(std::atomic<int>* started) : started_(started) {}
  Status Run(CollectorContext& ctx) override {
    started_->fetch_add(1);
    while (ctx.SleepFor(std::chrono::hours(1))) {
    }
    return Status::Ok();
  }

 private:
  std::atomic<int>* started_;
};

// Runs until stopping, blocked in poll() on ctx.stop_fd() (as a blocking source would be,
// with its own fd beside it).
class PollsStopFd : public Collector {
 public:
  explicit PollsStopFd(std::atomic<int>* started) : started_(started) {}
  Status Run(CollectorContext& ctx) override {
    started_->fetch_add(1);
    while (!ctx.stopping()) {
      pollfd p{ctx.stop_fd(), POLLIN, 0};
      if (poll(&p, 1, -1) < 0 && errno != EINTR) return Status::FromErrno("poll", errno);
    }
    return Status::Ok();
  }

 private:
  std::atomic<int>* started_;
};

class Fails : public Collector {
 public:
  Status Run(CollectorContext& ctx) override {
    ctx.Emit(MakeEvent(0));
    return Status::IoError("read /var/log/auth.log: Input/output error");
  }
};

class Skips : public Collector {
 public:
  Status Run(CollectorContext& ctx) override {
    ctx.Skip("/var/log/auth.log:812", "unparsable timestamp");
    ctx.Emit(MakeEvent(0));
    ctx.Skip("/var/log/auth.log:907", "line longer than 64 KiB");
    return Status::Ok();
  }
};

// Emits one event that already names its observer.
class PresetObserver : public Collector {
 public:
  Status Run(CollectorContext& ctx) override {
    Event e = MakeEvent(0);
    e.Set(ecs::kObserverName, std::string("upstream-sensor"));
    ctx.Emit(std::move(e));
    return Status::Ok();
  }
};

// Emits `n` events with EmitBatched, each built into ctx.NewEvent(): even sequence numbers
// carry user.name and a long message, odd ones neither (a reused event must not keep them).
class EmitBatchedN : public Collector {
 public:
  explicit EmitBatchedN(int64_t n) : n_(n) {}
  Status Run(CollectorContext& ctx) override {
    for (int64_t i = 0; i < n_; ++i) {
      Event e = ctx.NewEvent();
      e.AddString(ecs::kEventDataset, "access.sshd");
      if (i % 2 == 0) {
        e.AddString(ecs::kUserName, "alice");
        e.AddString(ecs::kMessage, "Failed password for alice from 192.0.2.7 port 22 ssh2 #" +
                                       std::to_string(i));
      }
      e.Add(ecs::kLogOffset, i);
      if (!ctx.EmitBatched(std::move(e))) return Status::Ok();
    }
    return Status::Ok();  // the pipeline flushes what is held once Run returns
  }

 private:
  int64_t n_;
};

// Checks that each event has exactly the fields EmitBatchedN gave it.
class ShapeCheckingConsumer : public CountingConsumer {
 public:
  void Consume(Event& event) override {
    const int64_t* seq = event.GetInt(ecs::kLogOffset);
    const bool even = seq != nullptr && *seq % 2 == 0;
    const std::string* message = event.GetString(ecs::kMessage);
    const bool ok = seq != nullptr && event.Has(ecs::kUserName) == even &&
                    (message != nullptr) == even &&
                    (!even || *message == "Failed password for alice from 192.0.2.7 port 22 ssh2 #" +
                                              std::to_string(*seq)) &&
                    event.size() == (even ? 5u : 3u);  // with observer.name
    if (!ok) ++misshapen_;
    CountingConsumer::Consume(event);
  }
  uint64_t misshapen() const { return misshapen_; }

 private:
  uint64_t misshapen_ = 0;
};

class PipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { SetLogLevel(LogLevel::kError); }
  void TearDown() override { SetLogLevel(LogLevel::kInfo); }
};

TEST_F(PipelineTest, ReplayDeliversEverythingThroughTinyQueue) {
  constexpr int64_t kPerCollector = 20'000;
  CountingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 4, .batch_size = 2, .mode = RunMode::kReplay}, consumer);
  pipeline.Start();
  std::atomic<uint64_t> accepted{0};
  for (const char* name : {"auth-a", "auth-b", "auth-c"}) {
    pipeline.AddCollector(name, std::make_unique<EmitN>(kPerCollector, &accepted), nullptr);
  }
  WithinOrAbort(60s, "WaitForCollectors (replay)", [&] { pipeline.WaitForCollectors(); });

  auto views = pipeline.collectors();
  ASSERT_EQ(views.size(), 3u);
  for (const auto& v : views) {
    SCOPED_TRACE(v.instance);
    EXPECT_FALSE(v.running);
    EXPECT_EQ(v.counters->events.load(), uint64_t{kPerCollector});
    EXPECT_EQ(v.counters->dropped.load(), 0u);
    EXPECT_EQ(v.counters->errors.load(), 0u);
    EXPECT_GT(v.counters->last_event_unix.load(), 0);
  }

  WithinOrAbort(60s, "Drain (replay)", [&] { pipeline.Drain(); });
  EXPECT_EQ(accepted.load(), 3u * kPerCollector);
  EXPECT_EQ(pipeline.dropped(), 0u);
  EXPECT_EQ(pipeline.processed(), 3u * kPerCollector);
  EXPECT_EQ(consumer.consumed(), 3u * kPerCollector);
  EXPECT_EQ(consumer.by_observer(),
            (std::map<std::string, uint64_t>{
                {"auth-a", kPerCollector}, {"auth-b", kPerCollector}, {"auth-c", kPerCollector}}));
  EXPECT_EQ(consumer.out_of_order(), 0u);  // each collector's events arrive in order
  EXPECT_LE(pipeline.queue_high_water(), 4u);
  EXPECT_EQ(pipeline.queue_capacity(), 4u);
  EXPECT_EQ(pipeline.collector_failures(), 0u);
}

TEST_F(PipelineTest, BatchedEmitsOfReusedEventsArriveWholeAndInOrder) {
  constexpr int64_t kEvents = 5'000;  // not a multiple of the emit batch
  ShapeCheckingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 100, .batch_size = 16, .mode = RunMode::kReplay}, consumer);
  pipeline.Start();
  pipeline.AddCollector("auth-a", std::make_unique<EmitBatchedN>(kEvents), nullptr);
  pipeline.AddCollector("auth-b", std::make_unique<EmitBatchedN>(kEvents), nullptr);
  WithinOrAbort(60s, "WaitForCollectors", [&] { pipeline.WaitForCollectors(); });
  for (const auto& v : pipeline.collectors()) {
    EXPECT_EQ(v.counters->events.load(), uint64_t{kEvents}) << v.instance;
    EXPECT_EQ(v.counters->dropped.load(), 0u) << v.instance;
  }
  WithinOrAbort(60s, "Drain", [&] { pipeline.Drain(); });
  EXPECT_EQ(consumer.consumed(), 2u * kEvents);
  EXPECT_EQ(consumer.by_observer(),
            (std::map<std::string, uint64_t>{{"auth-a", kEvents}, {"auth-b", kEvents}}));
  EXPECT_EQ(consumer.out_of_order(), 0u);
  EXPECT_EQ(consumer.misshapen(), 0u);
  // Consumed events came back for reuse, emptied.
  std::vector<Event> spares;
  pipeline.TakeSpares(spares, 10);
  ASSERT_FALSE(spares.empty());
  for (const Event& e : spares) EXPECT_EQ(e.size(), 0u);
}

// Sets a barrier after each of its events; records how many events the consumer had taken
// when each barrier completed.
class EmitWithBarriers : public Collector {
 public:
  EmitWithBarriers(int64_t n, const CountingConsumer& consumer, std::vector<uint64_t>* seen)
      : n_(n), consumer_(consumer), seen_(seen) {}
  Status Run(CollectorContext& ctx) override {
    for (int64_t i = 0; i < n_; ++i) {
      ctx.Emit(MakeEvent(i));
      ctx.AfterCommitted([this] { seen_->push_back(consumer_.consumed()); });  // engine thread
    }
    return Status::Ok();
  }

 private:
  int64_t n_;
  const CountingConsumer& consumer_;
  std::vector<uint64_t>* seen_;
};

TEST_F(PipelineTest, BarrierCompletesAfterTheEventsBeforeIt) {
  CountingConsumer consumer;
  std::vector<uint64_t> seen;  // written on the engine thread, read after Drain
  Pipeline pipeline({.queue_capacity = 4, .batch_size = 3, .mode = RunMode::kReplay}, consumer);
  pipeline.Start();
  pipeline.AddCollector("auth", std::make_unique<EmitWithBarriers>(50, consumer, &seen), nullptr);
  WithinOrAbort(60s, "WaitForCollectors", [&] { pipeline.WaitForCollectors(); });
  WithinOrAbort(60s, "Drain", [&] { pipeline.Drain(); });
  ASSERT_EQ(seen.size(), 50u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i + 1) << "barrier " << i;
  EXPECT_EQ(pipeline.processed(), 50u) << "barriers are not events";
}

TEST_F(PipelineTest, LiveDropsExactlyWhatTheQueueRefused) {
  constexpr int64_t kOfferedA = 1000;
  constexpr int64_t kOfferedB = 600;
  constexpr size_t kCapacity = 8;
  constexpr size_t kBatch = 4;
  std::latch gate(1);
  CountingConsumer consumer(&gate);
  Pipeline pipeline({.queue_capacity = kCapacity, .batch_size = kBatch, .mode = RunMode::kLive},
                    consumer);
  pipeline.Start();
  std::atomic<uint64_t> accepted{0};
  pipeline.AddCollector("live-a", std::make_unique<EmitN>(kOfferedA, &accepted), nullptr);
  pipeline.AddCollector("live-b", std::make_unique<EmitN>(kOfferedB, &accepted), nullptr);
  // Live pushes never block, so the collectors finish while the consumer is still stuck.
  WithinOrAbort(30s, "WaitForCollectors (live)", [&] { pipeline.WaitForCollectors(); });

  uint64_t dropped_by_collectors = 0;
  uint64_t events_by_collectors = 0;
  std::map<std::string, uint64_t> offered = {{"live-a", kOfferedA}, {"live-b", kOfferedB}};
  auto views = pipeline.collectors();
  EXPECT_EQ(views.size(), 2u);  // no ASSERT before the gate opens: ~Pipeline would hang
  for (const auto& v : views) {
    SCOPED_TRACE(v.instance);
    uint64_t events = v.counters->events.load();
    uint64_t dropped = v.counters->dropped.load();
    EXPECT_EQ(events + dropped, offered[v.instance]);
    // At most one batch left the queue before the consumer blocked, so most were dropped.
    EXPECT_GT(dropped, 0u);
    dropped_by_collectors += dropped;
    events_by_collectors += events;
  }
  EXPECT_EQ(pipeline.dropped(), dropped_by_collectors);
  EXPECT_EQ(accepted.load(), events_by_collectors);
  EXPECT_LE(events_by_collectors, kCapacity + kBatch);
  EXPECT_EQ(pipeline.queue_high_water(), kCapacity);  // drops happen only when full

  gate.count_down();
  WithinOrAbort(30s, "Drain (live)", [&] { pipeline.Drain(); });
  const uint64_t total_offered = kOfferedA + kOfferedB;
  EXPECT_EQ(pipeline.processed(), events_by_collectors);
  EXPECT_EQ(consumer.consumed(), pipeline.processed());
  EXPECT_EQ(pipeline.dropped(), total_offered - pipeline.processed());
  EXPECT_EQ(consumer.out_of_order(), 0u);
}

TEST_F(PipelineTest, StopCollectorsIsPromptForSleepingAndPollingCollectors) {
  CountingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 16, .batch_size = 4, .mode = RunMode::kLive}, consumer);
  pipeline.Start();
  std::atomic<int> started{0};
  pipeline.AddCollector("sleeper", std::make_unique<SleepsUntilStopped>(&started), nullptr);
  pipeline.AddCollector("poller", std::make_unique<PollsStopFd>(&started), nullptr);
  ASSERT_TRUE(Eventually([&] { return started.load() == 2; }));
  for (const auto& v : pipeline.collectors()) EXPECT_TRUE(v.running) << v.instance;

  // Both wait for an hour (or forever) unless stopping wakes them.
  WithinOrAbort(5s, "StopCollectors", [&] { pipeline.StopCollectors(); });
  EXPECT_TRUE(pipeline.collectors().empty());
  EXPECT_EQ(pipeline.collector_failures(), 0u);
  WithinOrAbort(5s, "Drain", [&] { pipeline.Drain(); });
}

TEST_F(PipelineTest, StopBeforeCollectorWaitsIsNotLost) {
  // RequestStop can land before the collector reaches SleepFor/poll; it must still return.
  CountingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 16, .batch_size = 4, .mode = RunMode::kLive}, consumer);
  pipeline.Start();
  std::atomic<int> started{0};
  for (int i = 0; i < 8; ++i) {
    pipeline.AddCollector("s" + std::to_string(i), std::make_unique<SleepsUntilStopped>(&started),
                          nullptr);
    pipeline.AddCollector("p" + std::to_string(i), std::make_unique<PollsStopFd>(&started),
                          nullptr);
  }
  WithinOrAbort(5s, "StopCollectors (immediate)", [&] { pipeline.StopCollectors(); });
  EXPECT_TRUE(pipeline.collectors().empty());
}

TEST_F(PipelineTest, DestructorStopsCollectorsAndDrains) {
  CountingConsumer consumer;
  std::atomic<int> started{0};
  WithinOrAbort(5s, "~Pipeline", [&] {
    Pipeline pipeline({.queue_capacity = 16, .batch_size = 4, .mode = RunMode::kLive}, consumer);
    pipeline.Start();
    pipeline.AddCollector("sleeper", std::make_unique<SleepsUntilStopped>(&started), nullptr);
    pipeline.AddCollector("emitter", std::make_unique<EmitN>(5, nullptr), nullptr);
    Eventually([&] { return started.load() == 1; });
  });
  EXPECT_GE(consumer.flushes(), 1u);
}

TEST_F(PipelineTest, FailedRunIsCounted) {
  CountingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 16, .batch_size = 4, .mode = RunMode::kReplay}, consumer);
  pipeline.Start();
  pipeline.AddCollector("broken", std::make_unique<Fails>(), nullptr);
  pipeline.AddCollector("fine", std::make_unique<EmitN>(3, nullptr), nullptr);
  WithinOrAbort(10s, "WaitForCollectors", [&] { pipeline.WaitForCollectors(); });

  EXPECT_EQ(pipeline.collector_failures(), 1u);
  for (const auto& v : pipeline.collectors()) {
    SCOPED_TRACE(v.instance);
    EXPECT_FALSE(v.running);
    EXPECT_EQ(v.counters->errors.load(), v.instance == "broken" ? 1u : 0u);
  }
  WithinOrAbort(10s, "Drain", [&] { pipeline.Drain(); });
  // What the failing collector emitted before failing is kept.
  EXPECT_EQ(consumer.by_observer().at("broken"), 1u);
  EXPECT_EQ(consumer.by_observer().at("fine"), 3u);
}

TEST_F(PipelineTest, FlushIsCalled) {
  {
    CountingConsumer consumer;
    Pipeline pipeline({.queue_capacity = 16, .batch_size = 4, .mode = RunMode::kReplay}, consumer);
    pipeline.Start();
    pipeline.Drain();
    EXPECT_EQ(consumer.consumed(), 0u);
    EXPECT_EQ(consumer.flushes(), 1u);  // the final flush, even with no events
  }
  CountingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 16, .batch_size = 4, .mode = RunMode::kReplay}, consumer);
  pipeline.Start();
  pipeline.AddCollector("a", std::make_unique<EmitN>(10, nullptr), nullptr);
  pipeline.WaitForCollectors();
  pipeline.Drain();
  // Once when the queue ran empty after the last event, once more on the way out.
  EXPECT_GE(consumer.flushes(), 2u);
  EXPECT_EQ(consumer.consumed_at_last_flush(), 10u);
  uint64_t after = consumer.flushes();
  pipeline.Drain();  // idempotent
  EXPECT_EQ(consumer.flushes(), after);
}

TEST_F(PipelineTest, ObserverNameIsStampedUnlessPresent) {
  CountingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 16, .batch_size = 4, .mode = RunMode::kReplay}, consumer);
  pipeline.Start();
  pipeline.AddCollector("sshd-main", std::make_unique<EmitN>(2, nullptr), nullptr);
  pipeline.AddCollector("relay", std::make_unique<PresetObserver>(), nullptr);
  pipeline.WaitForCollectors();
  pipeline.Drain();
  EXPECT_EQ(consumer.by_observer(),
            (std::map<std::string, uint64_t>{{"sshd-main", 2}, {"upstream-sensor", 1}}));
}

TEST_F(PipelineTest, SkipCountsAndReports) {
  CountingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 16, .batch_size = 4, .mode = RunMode::kReplay}, consumer);
  pipeline.Start();
  std::mutex mu;
  std::vector<std::pair<std::string, std::string>> reports;
  pipeline.AddCollector("auth", std::make_unique<Skips>(),
                        [&](std::string_view where, std::string_view reason) {
                          std::lock_guard lock(mu);
                          reports.emplace_back(std::string(where), std::string(reason));
                        });
  pipeline.AddCollector("auth-unreported", std::make_unique<Skips>(), nullptr);  // no reporter
  pipeline.WaitForCollectors();
  for (const auto& v : pipeline.collectors()) {
    SCOPED_TRACE(v.instance);
    EXPECT_EQ(v.counters->skipped.load(), 2u);
    EXPECT_EQ(v.counters->events.load(), 1u);
  }
  pipeline.Drain();
  std::lock_guard lock(mu);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].first, "/var/log/auth.log:812");
  EXPECT_EQ(reports[0].second, "unparsable timestamp");
  EXPECT_EQ(reports[1].first, "/var/log/auth.log:907");
  EXPECT_EQ(reports[1].second, "line longer than 64 KiB");
}

TEST_F(PipelineTest, PushAfterDrainIsCountedAsDropped) {
  CountingConsumer consumer;
  Pipeline pipeline({.queue_capacity = 4, .batch_size = 4, .mode = RunMode::kReplay}, consumer);
  pipeline.Start();
  pipeline.Drain();
  EXPECT_FALSE(pipeline.Push(MakeEvent(1)));  // closed: refused, never blocks
  EXPECT_EQ(pipeline.dropped(), 1u);
  EXPECT_EQ(consumer.consumed(), 0u);
}

// ---------------------------------------------------------------------------------------
// CollectorContext on its own, with a sink that accepts a fixed number of events.

class FixedSink : public EventSink {
 public:
  explicit FixedSink(size_t room) : room_(room) {}
  bool Push(Event&& event) override {
    if (got.size() >= room_) return false;
    got.push_back(std::move(event));
    return true;
  }
  std::vector<Event> got;

 private:
  size_t room_;
};

TEST(CollectorContextTest, EmitStampsAndCounts) {
  FixedSink sink(2);
  CollectorContext ctx("web-access", sink, RunMode::kLive, nullptr);
  EXPECT_EQ(ctx.instance(), "web-access");
  EXPECT_EQ(ctx.mode(), RunMode::kLive);
  EXPECT_TRUE(ctx.Emit(MakeEvent(1)));
  EXPECT_TRUE(ctx.Emit(MakeEvent(2)));
  EXPECT_FALSE(ctx.Emit(MakeEvent(3)));
  EXPECT_EQ(ctx.counters().events.load(), 2u);
  EXPECT_EQ(ctx.counters().dropped.load(), 1u);
  ASSERT_EQ(sink.got.size(), 2u);
  ASSERT_NE(sink.got[0].GetString(ecs::kObserverName), nullptr);
  EXPECT_EQ(*sink.got[0].GetString(ecs::kObserverName), "web-access");
  ctx.CountError();
  EXPECT_EQ(ctx.counters().errors.load(), 1u);
}

TEST(CollectorContextTest, EmitBatchedHoldsUntilFlushOrAFullBatch) {
  FixedSink sink(1000);
  CollectorContext ctx("auth", sink, RunMode::kReplay, nullptr);
  for (int64_t i = 0; i < 3; ++i) EXPECT_TRUE(ctx.EmitBatched(MakeEvent(i)));
  EXPECT_TRUE(sink.got.empty());
  EXPECT_EQ(ctx.counters().events.load(), 0u);
  EXPECT_TRUE(ctx.FlushEmits());
  ASSERT_EQ(sink.got.size(), 3u);
  EXPECT_EQ(ctx.counters().events.load(), 3u);
  EXPECT_EQ(*sink.got[0].GetString(ecs::kObserverName), "auth");
  EXPECT_TRUE(ctx.FlushEmits());  // nothing held: nothing to do
  for (int64_t i = 3; i < 3 + int64_t{CollectorContext::kEmitBatch}; ++i) {
    EXPECT_TRUE(ctx.EmitBatched(MakeEvent(i)));
  }
  EXPECT_EQ(sink.got.size(), 3u + CollectorContext::kEmitBatch);  // a full batch goes at once
  // Emit and AfterCommitted hand on what is held first, so order is kept.
  EXPECT_TRUE(ctx.EmitBatched(MakeEvent(100)));
  EXPECT_TRUE(ctx.Emit(MakeEvent(101)));
  EXPECT_TRUE(ctx.EmitBatched(MakeEvent(102)));
  size_t seen_at_barrier = 0;
  ctx.AfterCommitted([&] { seen_at_barrier = sink.got.size(); });
  EXPECT_EQ(seen_at_barrier, 3u + CollectorContext::kEmitBatch + 3);
  for (size_t i = 0; i < sink.got.size(); ++i) {
    const int64_t want = i < 3 + CollectorContext::kEmitBatch
                             ? static_cast<int64_t>(i)
                             : 100 + static_cast<int64_t>(i - 3 - CollectorContext::kEmitBatch);
    EXPECT_EQ(*sink.got[i].GetInt(ecs::kLogOffset), want) << i;
  }
}

TEST(CollectorContextTest, EmitBatchedCountsWhatALiveFlushDropped) {
  FixedSink sink(2);
  CollectorContext ctx("auth", sink, RunMode::kLive, nullptr);
  for (int64_t i = 0; i < 3; ++i) EXPECT_TRUE(ctx.EmitBatched(MakeEvent(i)));
  EXPECT_FALSE(ctx.FlushEmits());
  EXPECT_EQ(ctx.counters().events.load(), 2u);
  EXPECT_EQ(ctx.counters().dropped.load(), 1u);
  EXPECT_EQ(sink.got.size(), 2u);
}

TEST(CollectorContextTest, NewEventIsEmptyWithoutSpares) {
  FixedSink sink(1);  // keeps no spares (EventSink's default)
  CollectorContext ctx("auth", sink, RunMode::kReplay, nullptr);
  EXPECT_EQ(ctx.NewEvent().size(), 0u);
}

TEST(CollectorContextTest, StoppingWakesSleepAndStopFd) {
  FixedSink sink(0);
  CollectorContext ctx("c", sink, RunMode::kReplay, nullptr);
  EXPECT_FALSE(ctx.stopping());
  ASSERT_GE(ctx.stop_fd(), 0);
  pollfd p{ctx.stop_fd(), POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 0), 0);    // not readable yet
  EXPECT_TRUE(ctx.SleepFor(1ms));  // full sleep: not stopping
  ctx.RequestStop();
  EXPECT_TRUE(ctx.stopping());
  EXPECT_EQ(poll(&p, 1, 0), 1);                       // readable from now on
  EXPECT_FALSE(ctx.SleepFor(std::chrono::hours(1)));  // returns at once
  ctx.RequestStop();                                  // idempotent
  EXPECT_FALSE(ctx.SleepFor(std::chrono::hours(1)));
}

TEST(CollectorContextTest, SleepForNegativeReturnsAtOnce) {
  FixedSink sink(0);
  CollectorContext ctx("c", sink, RunMode::kLive, nullptr);
  bool result = false;
  // poll() with a negative timeout would wait forever.
  WithinOrAbort(5s, "SleepFor(-1ms)", [&] { result = ctx.SleepFor(-1ms); });
  EXPECT_TRUE(result);
}

TEST(CollectorContextTest, SleepForBeyondIntMillisecondsWaitsForStop) {
  FixedSink sink(0);
  CollectorContext ctx("c", sink, RunMode::kLive, nullptr);
  // 2^32 + 1 ms (about 50 days, e.g. a long rescan interval) must not be truncated to 1 ms
  // when handed to poll(). The only way out before the deadline is a stop: false.
  std::atomic<int> result{-1};
  std::thread sleeper([&] { result = ctx.SleepFor(std::chrono::milliseconds(4294967297LL)); });
  std::this_thread::sleep_for(100ms);  // time for a truncated sleep to (wrongly) end
  EXPECT_EQ(result.load(), -1) << "SleepFor returned long before its deadline";
  ctx.RequestStop();
  WithinOrAbort(5s, "join sleeper", [&] { sleeper.join(); });
  EXPECT_EQ(result.load(), 0);
}

}  // namespace
}  // namespace vigil
