// QueuedOutput and the output contract: retry schedule, rate limiter, queue-full, rate-limit,
// retry, rejection and shutdown drops (each counted), routing filters, metrics from the
// start, and the registry. A test output type stands in for a destination; its Deliver()
// follows a script and can be held at a gate.
#include "outputs/queued_output.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "output_test_util.h"
#include "support/test_support.h"

namespace vigil {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::MakeMessage;
using testing::TestEnv;

// Delivers by the script (outcome per attempt, then `then`), recording delivered ids.
// With hold(), each delivery waits until release().
class ScriptedOutput : public QueuedOutput {
 public:
  using QueuedOutput::Delivery;
  explicit ScriptedOutput(OutputEnv env) : QueuedOutput(std::move(env)) {}
  ~ScriptedOutput() override {
    Release();
    StopWorker();
  }

  void Hold() {
    std::lock_guard l(mu_);
    held_ = true;
  }
  void Release() {
    {
      std::lock_guard l(mu_);
      held_ = false;
    }
    cv_.notify_all();
  }
  bool WaitingAtGate() {
    std::lock_guard l(mu_);
    return waiting_;
  }
  std::vector<uint64_t> delivered() {
    std::lock_guard l(mu_);
    return delivered_;
  }
  int attempts() {
    std::lock_guard l(mu_);
    return attempts_;
  }

  std::vector<Delivery::Outcome> script;
  Delivery::Outcome then = Delivery::kDelivered;

 protected:
  Delivery Deliver(const AlertMessage& m) override {
    std::unique_lock l(mu_);
    waiting_ = true;
    cv_.wait(l, [&] { return !held_; });
    waiting_ = false;
    auto outcome = static_cast<size_t>(attempts_) < script.size() ? script[attempts_] : then;
    ++attempts_;
    if (outcome == Delivery::kDelivered) {
      delivered_.push_back(m.id);
      return Delivery::Ok();
    }
    return outcome == Delivery::kRetry ? Delivery::Retry("scripted failure")
                                       : Delivery::Reject("scripted rejection");
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool held_ = false;
  bool waiting_ = false;
  int attempts_ = 0;
  std::vector<uint64_t> delivered_;
};

TEST(RetryPolicyTest, DelaysDoubleUpToTheCap) {
  RetryPolicy p;
  p.initial = 100ms;
  p.max = 1s;
  EXPECT_EQ(p.Delay(1), 100ms);
  EXPECT_EQ(p.Delay(2), 200ms);
  EXPECT_EQ(p.Delay(3), 400ms);
  EXPECT_EQ(p.Delay(4), 800ms);
  EXPECT_EQ(p.Delay(5), 1s);
  EXPECT_EQ(p.Delay(6), 1s);
  EXPECT_EQ(p.Delay(1000000), 1s);  // no overflow
  EXPECT_EQ(p.Delay(0), 100ms);
}

TEST(RateLimiterTest, TokenBucketRefillsEvenly) {
  using Clock = RateLimiter::Clock;
  const Clock::time_point t0{};
  RateLimiter r(RateLimit{2, 1min}, t0);
  EXPECT_TRUE(r.Allow(t0));
  EXPECT_TRUE(r.Allow(t0));
  EXPECT_FALSE(r.Allow(t0));
  EXPECT_FALSE(r.Allow(t0 + 29s));
  EXPECT_TRUE(r.Allow(t0 + 30s));  // one token per 30s
  EXPECT_FALSE(r.Allow(t0 + 31s));
  // A long pause refills the bucket to its size, not beyond.
  EXPECT_TRUE(r.Allow(t0 + 1h));
  EXPECT_TRUE(r.Allow(t0 + 1h));
  EXPECT_FALSE(r.Allow(t0 + 1h));
}

TEST(QueuedOutputTest, DeliversInOrder) {
  ScriptedOutput out(TestEnv("t"));
  ASSERT_TRUE(out.Start().ok());
  for (uint64_t i = 1; i <= 5; ++i) out.Submit(MakeMessage(i));
  out.Stop(10s);
  EXPECT_EQ(out.delivered(), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(out.sent(), 5u);
  EXPECT_EQ(out.queue_depth(), 0u);
  EXPECT_TRUE(out.up());
}

TEST(QueuedOutputTest, FullQueueDropsAreCounted) {
  OutputEnv env = TestEnv("t");
  env.options.queue = 2;
  ScriptedOutput out(env);
  out.Hold();
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(1));
  ASSERT_TRUE(Eventually([&] { return out.WaitingAtGate(); }));  // 1 is being delivered
  for (uint64_t i = 2; i <= 6; ++i) out.Submit(MakeMessage(i));  // 2, 3 fit; 4, 5, 6 do not
  EXPECT_EQ(out.queue_depth(), 2u);
  EXPECT_EQ(out.dropped(DropReason::kQueueFull), 3u);
  out.Release();
  out.Stop(10s);
  EXPECT_EQ(out.delivered(), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(out.dropped(DropReason::kShutdown), 0u);
}

TEST(QueuedOutputTest, RateLimitedAlertsAreCounted) {
  OutputEnv env = TestEnv("t");
  env.options.rate_limit = RateLimit{2, 1h};
  ScriptedOutput out(env);
  ASSERT_TRUE(out.Start().ok());
  for (uint64_t i = 1; i <= 5; ++i) out.Submit(MakeMessage(i));
  out.Stop(10s);
  EXPECT_EQ(out.delivered(), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(out.rate_limited(), 3u);
}

TEST(QueuedOutputTest, RateLimitSummaryIsLogged) {
  OutputEnv env = TestEnv("chat");
  env.options.rate_limit = RateLimit{1, 1h};
  ScriptedOutput out(env);
  ::testing::internal::CaptureStderr();
  ASSERT_TRUE(out.Start().ok());
  for (uint64_t i = 1; i <= 3; ++i) out.Submit(MakeMessage(i));
  out.Stop(10s);  // the period has not ended: the summary comes at stop
  const std::string log = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(log.find("output 'chat': rate limit (1 per 3600000ms) held back 2 alerts"),
            std::string::npos)
      << log;
  EXPECT_EQ(out.rate_limited(), 2u);
}

TEST(QueuedOutputTest, RetriesUntilDelivered) {
  ScriptedOutput out(TestEnv("t"));
  out.script = {ScriptedOutput::Delivery::kRetry, ScriptedOutput::Delivery::kRetry};
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(7));
  out.Stop(10s);
  EXPECT_EQ(out.delivered(), (std::vector<uint64_t>{7}));
  EXPECT_EQ(out.retries(), 2u);
  EXPECT_EQ(out.attempts(), 3);
  EXPECT_TRUE(out.up());
}

TEST(QueuedOutputTest, GivesUpAfterTheConfiguredAttempts) {
  ScriptedOutput out(TestEnv("t"));  // 3 attempts
  out.then = ScriptedOutput::Delivery::kRetry;
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(1));
  out.Submit(MakeMessage(2));
  out.Stop(10s);
  EXPECT_EQ(out.attempts(), 6);
  EXPECT_EQ(out.retries(), 4u);
  EXPECT_EQ(out.dropped(DropReason::kRetriesExhausted), 2u);
  EXPECT_EQ(out.sent(), 0u);
  EXPECT_FALSE(out.up());
}

TEST(QueuedOutputTest, RejectedAlertsAreNotRetried) {
  ScriptedOutput out(TestEnv("t"));
  out.script = {ScriptedOutput::Delivery::kReject};
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(1));
  out.Submit(MakeMessage(2));
  out.Stop(10s);
  EXPECT_EQ(out.dropped(DropReason::kRejected), 1u);
  EXPECT_EQ(out.retries(), 0u);
  EXPECT_EQ(out.delivered(), (std::vector<uint64_t>{2}));
  EXPECT_TRUE(out.up());  // the last delivery succeeded
}

TEST(QueuedOutputTest, StopCountsWhatCouldNotBeDelivered) {
  ScriptedOutput out(TestEnv("t"));
  out.Hold();
  ASSERT_TRUE(out.Start().ok());
  for (uint64_t i = 1; i <= 4; ++i) out.Submit(MakeMessage(i));
  ASSERT_TRUE(Eventually([&] { return out.WaitingAtGate(); }));
  std::thread stopper([&] { out.Stop(0ms); });  // the drain time is over at once
  // Let the delivery under way finish once Stop() has begun.
  ASSERT_TRUE(Eventually([&] {
    out.Submit(MakeMessage(99));  // refused once stopping: counted as a shutdown drop
    return out.dropped(DropReason::kShutdown) > 0;
  }));
  out.Release();
  stopper.join();
  EXPECT_EQ(out.delivered(), (std::vector<uint64_t>{1}));
  // 2, 3, 4 were queued; each refused submission of 99 counted too.
  EXPECT_GE(out.dropped(DropReason::kShutdown), 4u);
  EXPECT_EQ(out.queue_depth(), 0u);
}

TEST(QueuedOutputTest, StopCutsABackOffShort) {
  OutputEnv env = TestEnv("t");
  env.options.retry.initial = 1h;  // a test that waited it out would time out
  env.options.retry.max = 1h;
  ScriptedOutput out(env);
  out.then = ScriptedOutput::Delivery::kRetry;
  ASSERT_TRUE(out.Start().ok());
  out.Submit(MakeMessage(1));
  ASSERT_TRUE(Eventually([&] { return out.attempts() == 1; }));
  out.Stop(0ms);
  EXPECT_EQ(out.dropped(DropReason::kShutdown), 1u);
  EXPECT_EQ(out.dropped(DropReason::kRetriesExhausted), 0u);
}

TEST(QueuedOutputTest, NeverStartedOutputCountsItsQueueOnStop) {
  ScriptedOutput out(TestEnv("t"));
  out.Submit(MakeMessage(1));
  out.Submit(MakeMessage(2));
  out.Stop(1s);
  EXPECT_EQ(out.dropped(DropReason::kShutdown), 2u);
}

TEST(OutputTest, AcceptsFiltersBySeverityAndTags) {
  OutputEnv env = TestEnv("t");
  env.options.min_severity = AlertSeverity::kMedium;
  env.options.tags = {"pci", "auth"};
  ScriptedOutput out(env);
  EXPECT_TRUE(out.Accepts(*MakeMessage(1, AlertSeverity::kMedium, {"x", "auth"})));
  EXPECT_TRUE(out.Accepts(*MakeMessage(1, AlertSeverity::kCritical, {"pci"})));
  EXPECT_FALSE(out.Accepts(*MakeMessage(1, AlertSeverity::kLow, {"pci"})));
  EXPECT_FALSE(out.Accepts(*MakeMessage(1, AlertSeverity::kHigh, {"network"})));
  EXPECT_FALSE(out.Accepts(*MakeMessage(1, AlertSeverity::kHigh, {})));

  ScriptedOutput all(TestEnv("all"));  // no filters
  EXPECT_TRUE(all.Accepts(*MakeMessage(1, AlertSeverity::kInfo, {})));
}

TEST(OutputSetTest, RoutesToEachOutputThatAccepts) {
  OutputEnv high = TestEnv("high");
  high.options.min_severity = AlertSeverity::kHigh;
  OutputEnv net = TestEnv("net");
  net.options.tags = {"network"};
  auto a = std::make_unique<ScriptedOutput>(high);
  auto b = std::make_unique<ScriptedOutput>(net);
  ScriptedOutput* pa = a.get();
  ScriptedOutput* pb = b.get();
  OutputSet set;
  ASSERT_TRUE(set.Add(std::move(a)).ok());
  ASSERT_TRUE(set.Add(std::move(b)).ok());
  set.Route(MakeMessage(1, AlertSeverity::kCritical, {"auth"}));
  set.Route(MakeMessage(2, AlertSeverity::kLow, {"network"}));
  set.Route(MakeMessage(3, AlertSeverity::kHigh, {"network"}));
  set.Route(MakeMessage(4, AlertSeverity::kLow, {"auth"}));
  set.Stop(10s);
  EXPECT_EQ(pa->delivered(), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(pb->delivered(), (std::vector<uint64_t>{2, 3}));
}

TEST(OutputSetTest, EverySeriesExistsAtZeroFromTheStart) {
  OutputSet set;
  ASSERT_TRUE(set.Add(std::make_unique<ScriptedOutput>(TestEnv("siem"))).ok());
  testing::SampleWriter w;
  set.WriteMetrics(w);
  const std::map<std::string, double> want = {
      {"vigil_output_queue_depth{output=siem}", 0},
      {"vigil_output_sent_total{output=siem}", 0},
      {"vigil_output_retries_total{output=siem}", 0},
      {"vigil_output_dropped_total{output=siem,reason=queue_full}", 0},
      {"vigil_output_dropped_total{output=siem,reason=retries_exhausted}", 0},
      {"vigil_output_dropped_total{output=siem,reason=shutdown}", 0},
      {"vigil_output_dropped_total{output=siem,reason=rejected}", 0},
      {"vigil_output_rate_limited_total{output=siem}", 0},
      {"vigil_output_up{output=siem}", 1},
  };
  EXPECT_EQ(w.samples, want);
  set.Route(MakeMessage(1));
  set.Stop(10s);
  set.WriteMetrics(w);
  EXPECT_EQ(w.samples["vigil_output_sent_total{output=siem}"], 1);
}

TEST(OutputRegistryTest, ListsTheBuiltInTypes) {
  EXPECT_TRUE(OutputRegistry::Global().Validate().ok());
  EXPECT_EQ(OutputRegistry::Global().Names(),
            (std::vector<std::string>{"file", "stdout", "syslog", "webhook"}));
}

TEST(OutputRegistryTest, DuplicateNamesFailValidation) {
  class Dummy : public OutputFactory {
   public:
    std::string_view name() const override { return "dummy"; }
    std::string_view description() const override { return ""; }
    Result<std::unique_ptr<Output>> Create(ConfigSection&, const OutputEnv&) const override {
      return Status::Unimplemented("no");
    }
  };
  OutputRegistry r;
  EXPECT_TRUE(r.Add(std::make_unique<Dummy>()));
  EXPECT_FALSE(r.Add(std::make_unique<Dummy>()));
  EXPECT_FALSE(r.Validate().ok());
}

}  // namespace
}  // namespace vigil
