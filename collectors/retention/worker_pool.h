// WorkerPool: a fixed set of threads that run submitted tasks in submission order (FIFO),
// for the retention scan's parallel directory listing and hashing.
//
// Each task gets the index of the thread that runs it (0..size-1), so that callers can keep
// per-thread state (a FileHasher) without locks. The destructor drops the tasks that have not
// started and joins the threads; tasks that run keep running to their end.
//
// Threading: Submit from any thread; the tasks' own data is the caller's to synchronise.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::retention {

class WorkerPool {
 public:
  using Task = std::function<void(size_t worker)>;

  explicit WorkerPool(size_t threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  size_t size() const { return threads_.size(); }
  void Submit(Task task);

  // Runs fn(i, worker) for i in [0, n) on the pool's threads and returns when all are done.
  void ParallelFor(size_t n, const std::function<void(size_t i, size_t worker)>& fn);

  // A ParallelFor under way (Start): Wait() returns when every item has run. It must be
  // waited for before the pool is destroyed.
  class Job {
   public:
    void Wait();

   private:
    friend class WorkerPool;
    std::function<void(size_t, size_t)> fn_;
    size_t n_ = 0;
    size_t tasks_ = 0;
    std::atomic<size_t> next_{0};
    std::mutex mu_;
    std::condition_variable cv_;
    size_t finished_ = 0;  // tasks done; guarded by mu_
  };
  // As ParallelFor, but returns at once: the caller does other work, then waits. What `fn`
  // refers to must live until then.
  std::shared_ptr<Job> Start(size_t n, std::function<void(size_t i, size_t worker)> fn);

 private:
  void Loop(size_t worker);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigil::retention
