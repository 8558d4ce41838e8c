// QueuedOutput: queue, worker, retries, rate limit and counters shared by every output type.
// See queued_output.h for the contract and threading.
#include "queued_output.h"

#include <algorithm>

#include "vigil/log.h"

namespace vigil {

std::string_view DropReasonName(DropReason r) {
  switch (r) {
    case DropReason::kQueueFull: return "queue_full";
    case DropReason::kRetriesExhausted: return "retries_exhausted";
    case DropReason::kShutdown: return "shutdown";
    case DropReason::kRejected: return "rejected";
  }
  return "unknown";
}

RateLimiter::RateLimiter(const RateLimit& limit, Clock::time_point now)
    : capacity_ns_(std::max<int64_t>(1, limit.per.count())),
      cost_ns_(std::max<int64_t>(
          1, capacity_ns_ / static_cast<int64_t>(std::max<uint64_t>(1, limit.alerts)))),
      credit_ns_(capacity_ns_),
      last_(now) {}

bool RateLimiter::Allow(Clock::time_point now) {
  if (now > last_) {
    int64_t elapsed = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_).count();
    credit_ns_ = elapsed >= capacity_ns_ - credit_ns_ ? capacity_ns_ : credit_ns_ + elapsed;
    last_ = now;
  }
  if (credit_ns_ < cost_ns_) return false;
  credit_ns_ -= cost_ns_;
  return true;
}

QueuedOutput::QueuedOutput(OutputEnv env) : Output(std::move(env)) {
  if (options().rate_limit) {
    limiter_ = std::make_unique<RateLimiter>(*options().rate_limit, Clock::now());
  }
}

QueuedOutput::~QueuedOutput() { StopWorker(); }

Status QueuedOutput::Start() {
  std::lock_guard lock(mu_);
  if (started_ || stopping_) return Status::FailedPrecondition("output started twice");
  started_ = true;
  if (options().rate_limit) next_summary_ = Clock::now() + options().rate_limit->per;
  worker_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void QueuedOutput::Submit(std::shared_ptr<const AlertMessage> m) {
  std::unique_lock lock(mu_);
  if (stopping_) {
    lock.unlock();
    CountDrop(DropReason::kShutdown);
    return;
  }
  if (limiter_ && !limiter_->Allow(Clock::now())) {
    ++held_unreported_;
    lock.unlock();
    rate_limited_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (queue_.size() >= options().queue) {
    lock.unlock();
    CountDrop(DropReason::kQueueFull);
    return;
  }
  queue_.push_back(std::move(m));
  depth_.store(queue_.size(), std::memory_order_relaxed);
  lock.unlock();
  cv_.notify_all();
}

void QueuedOutput::Reopen() {
  {
    std::lock_guard lock(mu_);
    reopen_ = true;
  }
  cv_.notify_all();
}

void QueuedOutput::Stop(std::chrono::milliseconds drain) {
  std::lock_guard stop_lock(stop_mu_);
  if (joined_) return;
  joined_ = true;
  bool running;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    drain_deadline_ = Clock::now() + std::max(drain, std::chrono::milliseconds(0));
    running = started_;
  }
  cv_.notify_all();
  if (running) {
    worker_.join();
  }
  // Anything still queued (never started, or the worker gave up at the deadline).
  std::lock_guard lock(mu_);
  if (!queue_.empty()) {
    CountDrop(DropReason::kShutdown, queue_.size());
    queue_.clear();
    depth_.store(0, std::memory_order_relaxed);
  }
}

void QueuedOutput::CountDrop(DropReason r, uint64_t n) {
  dropped_[static_cast<size_t>(r)].fetch_add(n, std::memory_order_relaxed);
}

void QueuedOutput::NoteFailure(const Delivery& d) {
  if (up_.exchange(false, std::memory_order_relaxed)) {
    VIGIL_LOG(kWarning) << "output '" << name() << "': delivery failed: " << d.error
                        << (d.outcome == Delivery::kRetry ? " (will retry)" : " (rejected)");
  }
}

void QueuedOutput::ReportRateLimit(uint64_t held) const {
  if (held == 0) return;
  const RateLimit& r = *options().rate_limit;
  VIGIL_LOG(kWarning) << "output '" << name() << "': rate limit (" << r.alerts << " per "
                      << std::chrono::duration_cast<std::chrono::milliseconds>(r.per).count()
                      << "ms) held back " << held << " alerts";
}

uint64_t QueuedOutput::TakeHeldBack(Clock::time_point now) {
  // mu_ held by the caller.
  uint64_t held = held_unreported_;
  held_unreported_ = 0;
  next_summary_ = now + options().rate_limit->per;
  return held;
}

void QueuedOutput::Run() {
  const bool limited = options().rate_limit.has_value();
  for (;;) {
    enum class Next { kDeliver, kReopen, kWait, kExit } next;
    std::shared_ptr<const AlertMessage> m;
    uint64_t held = 0;
    {
      std::unique_lock lock(mu_);
      auto ready = [&] { return !queue_.empty() || stopping_ || reopen_; };
      if (limited) {
        while (!ready() && Clock::now() < next_summary_) cv_.wait_until(lock, next_summary_);
        if (Clock::now() >= next_summary_) held = TakeHeldBack(Clock::now());
      } else {
        cv_.wait(lock, ready);
      }
      if (reopen_) {
        reopen_ = false;
        next = Next::kReopen;
      } else if (queue_.empty()) {
        next = stopping_ ? Next::kExit : Next::kWait;
      } else if (stopping_ && Clock::now() >= drain_deadline_) {
        next = Next::kExit;  // Stop() counts what is left
      } else {
        m = std::move(queue_.front());
        queue_.pop_front();
        depth_.store(queue_.size(), std::memory_order_relaxed);
        next = Next::kDeliver;
      }
      if (next == Next::kExit && limited) held += TakeHeldBack(Clock::now());
    }
    ReportRateLimit(held);  // logged outside the lock: Submit() never waits for stderr
    if (next == Next::kExit) break;
    if (next == Next::kReopen) OnReopen();
    if (next == Next::kDeliver) DeliverWithRetries(*m);
  }
  OnStop();
}

void QueuedOutput::DeliverWithRetries(const AlertMessage& m) {
  const RetryPolicy& policy = options().retry;
  for (int attempt = 1;; ++attempt) {
    Delivery d;
    try {
      d = Deliver(m);
    } catch (const std::exception& e) {  // a bug in an output must not end the worker
      d = Delivery::Retry(std::string("internal error: ") + e.what());
    }
    if (d.outcome == Delivery::kDelivered) {
      sent_.fetch_add(1, std::memory_order_relaxed);
      if (!up_.exchange(true, std::memory_order_relaxed)) {
        VIGIL_LOG(kNotice) << "output '" << name() << "': delivering again";
      }
      return;
    }
    NoteFailure(d);
    if (d.outcome == Delivery::kReject) {
      CountDrop(DropReason::kRejected);
      return;
    }
    if (attempt >= policy.attempts) {
      CountDrop(DropReason::kRetriesExhausted);
      VIGIL_LOG(kWarning) << "output '" << name() << "': alert " << m.id << " dropped after "
                          << attempt << " attempts: " << d.error;
      return;
    }
    // Back off, cut short by the end of a shutdown drain.
    const auto retry_at = Clock::now() + policy.Delay(attempt);
    std::unique_lock lock(mu_);
    for (;;) {
      auto until = stopping_ ? std::min(retry_at, drain_deadline_) : retry_at;
      if (Clock::now() >= until) break;
      cv_.wait_until(lock, until);
    }
    if (stopping_ && Clock::now() >= drain_deadline_) {
      lock.unlock();
      CountDrop(DropReason::kShutdown);
      return;
    }
    lock.unlock();
    retries_.fetch_add(1, std::memory_order_relaxed);
  }
}

void QueuedOutput::WriteMetrics(MetricWriter& out) const {
  const MetricLabels labels = {{"output", name()}};
  out.Gauge("vigil_output_queue_depth", "Alerts waiting in the output's queue.", labels,
            static_cast<double>(queue_depth()));
  out.Counter("vigil_output_sent_total", "Alerts delivered by the output.", labels,
              static_cast<double>(sent()));
  out.Counter("vigil_output_retries_total", "Delivery attempts repeated after a failure.", labels,
              static_cast<double>(retries()));
  for (size_t i = 0; i < kDropReasons; ++i) {
    auto r = static_cast<DropReason>(i);
    out.Counter("vigil_output_dropped_total", "Alerts the output did not deliver, by reason.",
                {{"output", name()}, {"reason", std::string(DropReasonName(r))}},
                static_cast<double>(dropped(r)));
  }
  out.Counter("vigil_output_rate_limited_total",
              "Alerts held back (not delivered) by the output's rate limit.", labels,
              static_cast<double>(rate_limited()));
  out.Gauge("vigil_output_up",
            "1 when the output's last delivery succeeded (or none failed yet), else 0.", labels,
            up() ? 1 : 0);
}

}  // namespace vigil
