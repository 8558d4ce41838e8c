// WorkerPool: a fixed set of threads that run submitted tasks in submission order (FIFO),
// for the retention scan's parallel directory listing and hashing.
//
// Each task gets the index of the thread that runs it (0..size-1), so that callers can keep
// per-thread state (a FileHasher) without locks. The destructor drops the tasks that have not
// started and joins the threads; tasks that run keep running to their end.
//
// Threading: Submit from any thread; the tasks' own data is the caller's to synchronise.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
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

 private:
  void Loop(size_t worker);

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace vigil::retention
