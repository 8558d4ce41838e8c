// PeriodicThread: runs one task on a thread of its own, every interval, until stopped.
//
// The daemon's background duties (the health monitor's sample, the audit log verifier) share
// this loop: a first run after `first_delay`, then one every `interval`. SetInterval takes
// effect at once: a shorter interval counts from the last run, so the next run may be now.
// Stop() wakes the thread and waits for a task in progress to finish.
//
// Threading: Start/Stop from the owner's thread; SetInterval from any thread. The task runs
// on the periodic thread, without any lock of this class held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace vigil {

class PeriodicThread {
 public:
  using Task = std::function<void()>;

  PeriodicThread() = default;
  ~PeriodicThread() { Stop(); }
  PeriodicThread(const PeriodicThread&) = delete;
  PeriodicThread& operator=(const PeriodicThread&) = delete;

  // Starts the thread; a second Start() without Stop() is ignored.
  void Start(std::chrono::nanoseconds interval, Task task,
             std::chrono::nanoseconds first_delay);
  void Start(std::chrono::nanoseconds interval, Task task) { Start(interval, std::move(task), interval); }
  // Idempotent.
  void Stop();
  void SetInterval(std::chrono::nanoseconds interval);

 private:
  void Loop(std::chrono::nanoseconds first_delay);

  std::mutex mu_;
  std::condition_variable wake_;
  std::chrono::nanoseconds interval_{};  // guarded by mu_
  bool stopping_ = false;                // guarded by mu_
  Task task_;
  std::thread thread_;
};

}  // namespace vigil
