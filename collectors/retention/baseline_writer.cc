#include "baseline_writer.h"

#include <utility>

namespace vigil::retention {

BaselineWriter::BaselineWriter(BaselineStore& store) : store_(store) {
  filling_.reserve(kChunk);
  thread_ = std::thread([this] { Loop(); });
}

BaselineWriter::~BaselineWriter() { (void)Finish(); }

bool BaselineWriter::Put(BaselineRecord&& record) {
  filling_.push_back(std::move(record));
  if (filling_.size() < kChunk) return true;
  std::vector<BaselineRecord> chunk;
  chunk.reserve(kChunk);
  std::swap(chunk, filling_);
  return Hand(std::move(chunk));
}

bool BaselineWriter::Hand(std::vector<BaselineRecord>&& chunk) {
  {
    std::unique_lock lock(mu_);
    space_cv_.wait(lock, [&] { return failed_ || queued_rows_ < kMaxQueued; });
    if (failed_) return false;
    queued_rows_ += chunk.size();
    queue_.push_back(std::move(chunk));
  }
  work_cv_.notify_one();
  return true;
}

Status BaselineWriter::Finish() {
  if (finished_) {
    std::lock_guard lock(mu_);
    return status_;
  }
  finished_ = true;
  if (!filling_.empty()) (void)Hand(std::move(filling_));
  filling_.clear();
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
  std::lock_guard lock(mu_);
  return status_;
}

void BaselineWriter::Loop() {
  std::vector<std::vector<BaselineRecord>> taken;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      // Idle: wake up after kMaxTransaction to commit a batch that waits for more rows.
      work_cv_.wait_for(lock, BaselineStore::kMaxTransaction, [&] { return closing_ || !queue_.empty(); });
      if (queue_.empty() && closing_) return;
      std::swap(taken, queue_);
    }
    Status st;
    size_t rows = 0;
    for (std::vector<BaselineRecord>& chunk : taken) {
      if (st.ok()) st = store_.PutMany(chunk);
      if (st.ok()) st = store_.Flush();
      rows += chunk.size();
    }
    if (taken.empty()) st = store_.Flush();
    taken.clear();
    {
      std::lock_guard lock(mu_);
      queued_rows_ -= rows;
      if (!st.ok() && !failed_) {
        failed_ = true;
        status_ = st;
      }
    }
    space_cv_.notify_one();
    if (!st.ok()) {
      // Failed: drop what comes until the producer finishes (it sees Put return false).
      std::unique_lock lock(mu_);
      for (;;) {
        work_cv_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        queue_.clear();
        queued_rows_ = 0;
        if (closing_) return;
      }
    }
  }
}

}  // namespace vigil::retention
