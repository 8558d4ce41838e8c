#include "periodic_thread.h"

namespace vigil {

void PeriodicThread::Start(std::chrono::nanoseconds interval, Task task,
                           std::chrono::nanoseconds first_delay) {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    interval_ = interval;
    stopping_ = false;
  }
  task_ = std::move(task);
  thread_ = std::thread([this, first_delay] { Loop(first_delay); });
}

void PeriodicThread::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void PeriodicThread::SetInterval(std::chrono::nanoseconds interval) {
  {
    std::lock_guard lock(mu_);
    interval_ = interval;
  }
  wake_.notify_all();
}

void PeriodicThread::Loop(std::chrono::nanoseconds first_delay) {
  using Clock = std::chrono::steady_clock;
  std::unique_lock lock(mu_);
  Clock::time_point last = Clock::now();
  Clock::time_point deadline = last + first_delay;
  while (!stopping_) {
    // Woken early by SetInterval: the (maybe shorter) interval counts from the last run.
    while (!stopping_ && Clock::now() < deadline) {
      wake_.wait_until(lock, deadline);
      if (last + interval_ < deadline) deadline = last + interval_;
    }
    if (stopping_) break;
    lock.unlock();
    task_();
    lock.lock();
    last = Clock::now();
    deadline = last + interval_;
  }
}

}  // namespace vigil
