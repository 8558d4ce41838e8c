#include "worker_pool.h"

#include <algorithm>
#include <atomic>

namespace vigil::retention {

WorkerPool::WorkerPool(size_t threads) {
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this, i] { Loop(i); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    tasks_.clear();
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Submit(Task task) {
  {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  cv_.notify_one();
}

void WorkerPool::Loop(size_t worker) {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task(worker);
  }
}

void WorkerPool::ParallelFor(size_t n, const std::function<void(size_t, size_t)>& fn) {
  if (n == 0) return;
  // Items are claimed one at a time from a shared counter: large files do not hold up a chunk.
  std::atomic<size_t> next{0};
  std::mutex done_mu;
  std::condition_variable done_cv;
  size_t finished = 0;
  const size_t tasks = std::min(n, threads_.size());
  for (size_t t = 0; t < tasks; ++t) {
    Submit([&](size_t worker) {
      for (size_t i; (i = next.fetch_add(1)) < n;) fn(i, worker);
      std::lock_guard lock(done_mu);
      if (++finished == tasks) done_cv.notify_all();
    });
  }
  std::unique_lock lock(done_mu);
  done_cv.wait(lock, [&] { return finished == tasks; });
}

}  // namespace vigil::retention
