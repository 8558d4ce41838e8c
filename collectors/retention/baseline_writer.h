// BaselineWriter: the stat phase's baseline rows written on a thread of their own, so that
// the walk, the lookups and the evaluation of the next files overlap SQLite's inserts: the
// stat phase then costs about the longer of the two, not their sum.
//
// Rows are written in the order they were queued, through the store's batched transactions
// (BaselineStore::PutMany and Flush, a chunk at a time), and a batch open longer than
// BaselineStore::kMaxTransaction is committed even while no rows come. The queue is bounded
// (kMaxQueued rows): a writer that falls behind makes Put wait, so memory does not grow with
// the tree.
//
// Threading: one producer thread calls Put and Finish. From construction until Finish returns
// the writer's thread alone uses the store; after Finish the store is the caller's again
// (Finish joins the thread). The first error of a write stops the writer: Put then returns
// false and Finish returns that error. The destructor finishes a writer not yet finished.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

#include "baseline_store.h"
#include "vigil/status.h"

namespace vigil::retention {

class BaselineWriter {
 public:
  static constexpr size_t kChunk = 256;       // rows handed to the thread together
  static constexpr size_t kMaxQueued = 4096;  // rows queued and not yet written, at most

  // `store` must be in a batch (BaselineStore::Begin) and outlive the writer.
  explicit BaselineWriter(BaselineStore& store);
  ~BaselineWriter();
  BaselineWriter(const BaselineWriter&) = delete;
  BaselineWriter& operator=(const BaselineWriter&) = delete;

  // Queues a row (insert or replace). False: an earlier write failed (see Finish).
  bool Put(BaselineRecord&& record);
  // Writes what is queued, stops the thread, and returns the first error of a write.
  Status Finish();

 private:
  void Loop();
  bool Hand(std::vector<BaselineRecord>&& chunk);

  BaselineStore& store_;
  std::vector<BaselineRecord> filling_;  // the producer's, not yet handed over

  std::mutex mu_;
  std::condition_variable work_cv_;   // the thread waits for chunks
  std::condition_variable space_cv_;  // the producer waits for room
  std::vector<std::vector<BaselineRecord>> queue_;  // guarded by mu_
  size_t queued_rows_ = 0;                           // guarded by mu_
  bool closing_ = false;                             // guarded by mu_
  bool failed_ = false;                              // guarded by mu_
  Status status_;                                    // guarded by mu_
  bool finished_ = false;  // the producer's
  std::thread thread_;
};

}  // namespace vigil::retention
