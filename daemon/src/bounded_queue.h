// BoundedQueue: a multi-producer, single-consumer FIFO with a fixed capacity.
//
// Producers (collector threads) either block until there is room (replay) or fail fast
// (live); the single consumer (engine thread) takes items in batches to amortise locking.
// Close() wakes everyone: producers then fail, and the consumer drains what is left and
// then gets an empty batch. Depth and high-water mark are readable from any thread.
//
// Wake-ups are paid only when someone sleeps: a push signals the consumer only if it is
// waiting, and a pop signals producers only if one is blocked, so a busy pipeline moves
// events without a futex call per event.
//
// A consumer that just handled a batch and finds the queue empty lingers: it waits at most
// kLinger for the next items, and producers wake it only once kWakeBatch items are queued
// (or the linger ends by itself). A steady stream slower than the consumer (replaying a log:
// the reader parses, the engine has little to do) then costs one wake-up per kWakeBatch
// events instead of one per event, adding at most kLinger to an event's wait. After a linger
// that brought nothing, the consumer sleeps until the first item (an idle daemon uses no
// CPU, and the first event after a quiet spell wakes it at once).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

namespace vigil {

template <typename T>
class BoundedQueue {
 public:
  static constexpr std::chrono::microseconds kLinger{200};
  static constexpr size_t kWakeBatch = 64;

  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Adds unless full or closed; never blocks.
  bool TryPush(T&& item) {
    std::unique_lock lock(mu_);
    if (closed_ || items_.size() >= capacity_) return false;
    PushLocked(std::move(item));
    bool wake = ShouldWakeLocked();
    lock.unlock();
    if (wake) not_empty_.notify_one();
    return true;
  }

  // Waits for room; false only when the queue is closed.
  bool Push(T&& item) {
    std::unique_lock lock(mu_);
    if (!closed_ && items_.size() >= capacity_) {
      ++producers_waiting_;
      not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
      --producers_waiting_;
    }
    if (closed_) return false;
    PushLocked(std::move(item));
    bool wake = ShouldWakeLocked();
    lock.unlock();
    if (wake) not_empty_.notify_one();
    return true;
  }

  // Push (wait) or TryPush (!wait) of make(std::move(*it)) for each item of [first, last),
  // in order, under one lock as long as there is room, waking the consumer at most once per
  // stretch. Returns how many were added: all, unless the queue closed or (without wait)
  // filled up, and then the first that many.
  template <typename It, typename Make>
  size_t PushMany(It first, It last, bool wait, Make make) {
    size_t added = 0;
    std::unique_lock lock(mu_);
    while (first != last && !closed_) {
      if (items_.size() >= capacity_) {
        if (!wait) break;
        // Let the consumer at what is queued before sleeping on it.
        if (ShouldWakeLocked()) not_empty_.notify_one();
        ++producers_waiting_;
        not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
        --producers_waiting_;
        continue;
      }
      PushLocked(make(std::move(*first)));
      ++first;
      ++added;
    }
    bool wake = added > 0 && ShouldWakeLocked();
    lock.unlock();
    if (wake) not_empty_.notify_one();
    return added;
  }

  // Adds even when full (never blocks); false only when closed. For the daemon's own few
  // events (health), which must not be lost to the saturation they report: the caller bounds
  // how many it adds, so the queue exceeds its capacity by at most that many.
  bool ForcePush(T&& item) {
    std::unique_lock lock(mu_);
    if (closed_) return false;
    PushLocked(std::move(item));
    bool wake = ShouldWakeLocked();
    lock.unlock();
    if (wake) not_empty_.notify_one();
    return true;
  }

  // Moves up to `max` items into `out` (cleared first), waiting until there is at least one
  // or the queue is closed. An empty `out` means closed and drained.
  void PopBatch(std::vector<T>& out, size_t max) {
    out.clear();
    if (max == 0) max = 1;  // an empty batch must only ever mean "closed and drained"
    std::unique_lock lock(mu_);
    if (!closed_ && items_.empty() && busy_) {
      consumer_lingering_ = true;
      not_empty_.wait_for(lock, kLinger, [&] { return closed_ || items_.size() >= kWakeBatch; });
      consumer_lingering_ = false;
    }
    if (!closed_ && items_.empty()) {
      consumer_waiting_ = true;
      not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
      consumer_waiting_ = false;
    }
    busy_ = !items_.empty();
    size_t n = std::min(max, items_.size());
    for (size_t i = 0; i < n; ++i) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    depth_.store(items_.size(), std::memory_order_relaxed);
    bool wake = n > 0 && producers_waiting_ > 0;
    lock.unlock();
    if (wake) not_full_.notify_all();
  }

  void Close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  size_t capacity() const { return capacity_; }
  size_t depth() const { return depth_.load(std::memory_order_relaxed); }
  size_t high_water() const { return high_water_.load(std::memory_order_relaxed); }

 private:
  // Whether a push that left the queue as it is should wake the consumer.
  bool ShouldWakeLocked() const {
    return consumer_waiting_ || (consumer_lingering_ && items_.size() >= kWakeBatch);
  }
  void PushLocked(T&& item) {
    items_.push_back(std::move(item));
    size_t d = items_.size();
    depth_.store(d, std::memory_order_relaxed);
    if (d > high_water_.load(std::memory_order_relaxed)) {
      high_water_.store(d, std::memory_order_relaxed);
    }
  }

  // A FIFO in one growing array (never shrinks: it stays at the high-water mark's size, as
  // a deque's memory would), so that pushing and popping allocate nothing in steady state;
  // a std::deque allocates a chunk for every few items. Popped slots keep moved-from items.
  class Ring {
   public:
    size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    T& front() { return slots_[head_]; }
    void pop_front() {
      head_ = (head_ + 1) & (slots_.size() - 1);
      --count_;
    }
    void push_back(T&& item) {
      if (count_ == slots_.size()) Grow();
      slots_[(head_ + count_) & (slots_.size() - 1)] = std::move(item);
      ++count_;
    }

   private:
    void Grow() {
      std::vector<T> bigger(slots_.empty() ? 64 : slots_.size() * 2);  // a power of two
      for (size_t i = 0; i < count_; ++i) {
        bigger[i] = std::move(slots_[(head_ + i) & (slots_.size() - 1)]);
      }
      slots_.swap(bigger);
      head_ = 0;
    }

    std::vector<T> slots_;
    size_t head_ = 0;
    size_t count_ = 0;
  };

  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  Ring items_;  // guarded by mu_
  bool closed_ = false;  // guarded by mu_
  bool consumer_waiting_ = false;  // guarded by mu_: asleep until the first item
  bool consumer_lingering_ = false;  // guarded by mu_: waiting briefly for kWakeBatch items
  bool busy_ = false;  // guarded by mu_: the consumer's last batch was not empty
  int producers_waiting_ = 0;      // guarded by mu_
  std::atomic<size_t> depth_{0};
  std::atomic<size_t> high_water_{0};
};

}  // namespace vigil
