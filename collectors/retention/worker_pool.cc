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
  Start(n, fn)->Wait();
}

std::shared_ptr<WorkerPool::Job> WorkerPool::Start(size_t n, std::function<void(size_t, size_t)> fn) {
  auto job = std::make_shared<Job>();
  job->fn_ = std::move(fn);
  job->n_ = n;
  // Items are claimed one at a time from a shared counter: large files do not hold up a chunk.
  job->tasks_ = std::min(n, threads_.size());
  for (size_t t = 0; t < job->tasks_; ++t) {
    Submit([job](size_t worker) {
      for (size_t i; (i = job->next_.fetch_add(1)) < job->n_;) job->fn_(i, worker);
      std::lock_guard lock(job->mu_);
      if (++job->finished_ == job->tasks_) job->cv_.notify_all();
    });
  }
  return job;
}

void WorkerPool::Job::Wait() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return finished_ == tasks_; });
}

}  // namespace vigil::retention
