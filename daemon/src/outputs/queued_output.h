// QueuedOutput: the base of every output type. It gives each output its own bounded queue,
// a worker thread that delivers one alert at a time, a retry policy with capped exponential
// back-off, an optional rate limit, and the counters behind the vigil_output_* metrics.
//
// An output type implements Deliver() (and, where it holds a file or socket, OnReopen() and
// OnStop()); it never sees the queue. Outcomes of one delivery attempt:
//   delivered → counted as sent, `up` becomes 1;
//   retry     → `up` becomes 0; tried again after RetryPolicy::Delay() until `attempts`
//               attempts were made, then dropped (retries_exhausted);
//   reject    → `up` becomes 0; dropped at once (rejected), e.g. an HTTP 4xx answer.
// Submit() drops (queue_full) when the queue is full and holds back (rate_limited) alerts
// over the rate limit; Stop(drain) drops (shutdown) what could not be delivered in time.
//
// Threading: Submit(), Reopen() and the counters from any thread; Deliver(), OnReopen() and
// OnStop() only on the worker thread; Start() and Stop() from the owner, once each.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "vigil/output.h"

namespace vigil {

enum class DropReason { kQueueFull, kRetriesExhausted, kShutdown, kRejected };
inline constexpr size_t kDropReasons = 4;
std::string_view DropReasonName(DropReason r);  // "queue_full", ... (the metric label)

// A token bucket of `alerts` tokens refilled evenly over `per`; integer arithmetic, starts
// full. Not thread-safe (QueuedOutput calls it under its lock). Times come from the caller.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(const RateLimit& limit, Clock::time_point now);
  // True when one alert may pass at `now` (and takes its token).
  bool Allow(Clock::time_point now);

 private:
  int64_t capacity_ns_;  // `per`
  int64_t cost_ns_;      // per / alerts: the budget one alert uses
  int64_t credit_ns_;
  Clock::time_point last_;
};

class QueuedOutput : public Output {
 public:
  explicit QueuedOutput(OutputEnv env);
  ~QueuedOutput() override;  // subclasses call StopWorker() in theirs (see below)

  Status Start() override;
  void Submit(std::shared_ptr<const AlertMessage> m) override;
  void Reopen() override;
  void Stop(std::chrono::milliseconds drain) override;
  void WriteMetrics(MetricWriter& out) const override;

  uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }
  uint64_t retries() const { return retries_.load(std::memory_order_relaxed); }
  uint64_t dropped(DropReason r) const {
    return dropped_[static_cast<size_t>(r)].load(std::memory_order_relaxed);
  }
  uint64_t rate_limited() const { return rate_limited_.load(std::memory_order_relaxed); }
  size_t queue_depth() const { return depth_.load(std::memory_order_relaxed); }
  bool up() const { return up_.load(std::memory_order_relaxed); }

 protected:
  struct Delivery {
    enum Outcome { kDelivered, kRetry, kReject };
    Outcome outcome = kDelivered;
    std::string error;  // why, for the log, when not delivered
    static Delivery Ok() { return {}; }
    static Delivery Retry(std::string why) { return {kRetry, std::move(why)}; }
    static Delivery Reject(std::string why) { return {kReject, std::move(why)}; }
  };

  // Tries to deliver one alert. Worker thread. Must not block longer than the type's own
  // timeout (a socket or HTTP timeout), so that Stop() is bounded.
  virtual Delivery Deliver(const AlertMessage& m) = 0;
  // Worker thread: after Reopen() was called (before the next delivery). Default: nothing.
  virtual void OnReopen() {}
  // Worker thread, once, after the last delivery: close files and sockets. Default: nothing.
  virtual void OnStop() {}
  // Stops the worker with no drain if it still runs. A subclass whose Deliver() uses its
  // own members calls this first thing in its destructor, so that the worker never runs
  // against a half-destroyed object.
  void StopWorker() { Stop(std::chrono::milliseconds(0)); }

 private:
  using Clock = std::chrono::steady_clock;
  void Run();
  void DeliverWithRetries(const AlertMessage& m);
  void CountDrop(DropReason r, uint64_t n = 1);
  void NoteFailure(const Delivery& d);
  uint64_t TakeHeldBack(Clock::time_point now);  // worker, with mu_ held
  void ReportRateLimit(uint64_t held) const;      // worker, without mu_

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<const AlertMessage>> queue_;  // guarded by mu_
  bool started_ = false;                                    // guarded by mu_
  bool stopping_ = false;                                   // guarded by mu_
  bool reopen_ = false;                                     // guarded by mu_
  Clock::time_point drain_deadline_;                        // guarded by mu_
  std::unique_ptr<RateLimiter> limiter_;                    // guarded by mu_
  uint64_t held_unreported_ = 0;                            // guarded by mu_
  Clock::time_point next_summary_;                          // guarded by mu_
  std::thread worker_;
  std::mutex stop_mu_;  // serialises Stop() calls (destructors and owners)
  bool joined_ = false;  // guarded by stop_mu_

  std::atomic<uint64_t> sent_{0};
  std::atomic<uint64_t> retries_{0};
  std::array<std::atomic<uint64_t>, kDropReasons> dropped_{};
  std::atomic<uint64_t> rate_limited_{0};
  std::atomic<size_t> depth_{0};
  std::atomic<bool> up_{true};
};

}  // namespace vigil
