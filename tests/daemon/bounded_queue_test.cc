// BoundedQueue: non-blocking and blocking push, batched FIFO pop, Close semantics, the
// high-water mark, and exactness under several producers.
//
// No assertion depends on timing. Sleeps only give a blocked thread the chance to do the
// wrong thing (return early); the checks hold whatever the scheduler does.
#include "bounded_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <memory>
#include <thread>
#include <vector>

namespace vigil {
namespace {

using namespace std::chrono_literals;

// Hang guard: waits for `f`; if it is still blocked after 10 s the queue is broken, and the
// binary aborts with a message (a std::async future would otherwise block in its destructor).
template <typename T>
bool Ready(std::future<T>& f) {
  if (f.wait_for(10s) == std::future_status::ready) return true;
  std::fprintf(stderr, "bounded_queue_test: a thread is still blocked after 10 s\n");
  std::abort();
}

TEST(BoundedQueueTest, CapacityZeroMeansOne) {
  BoundedQueue<int> q(0);
  EXPECT_EQ(q.capacity(), 1u);
  EXPECT_TRUE(q.TryPush(1));
  EXPECT_FALSE(q.TryPush(2));
}

TEST(BoundedQueueTest, ForcePushGoesInWhenFullButNotWhenClosed) {
  BoundedQueue<int> q(2);
  EXPECT_TRUE(q.TryPush(1));
  EXPECT_TRUE(q.TryPush(2));
  EXPECT_FALSE(q.TryPush(3));
  EXPECT_TRUE(q.ForcePush(4));
  EXPECT_EQ(q.depth(), 3u);
  EXPECT_EQ(q.high_water(), 3u);
  std::vector<int> out;
  q.PopBatch(out, 10);
  EXPECT_EQ(out, (std::vector<int>{1, 2, 4}));
  q.Close();
  EXPECT_FALSE(q.ForcePush(5));
}

TEST(BoundedQueueTest, TryPushFailsWhenFull) {
  BoundedQueue<int> q(3);
  EXPECT_EQ(q.capacity(), 3u);
  EXPECT_EQ(q.depth(), 0u);
  EXPECT_TRUE(q.TryPush(1));
  EXPECT_TRUE(q.TryPush(2));
  EXPECT_TRUE(q.TryPush(3));
  EXPECT_EQ(q.depth(), 3u);
  EXPECT_FALSE(q.TryPush(4));
  EXPECT_EQ(q.depth(), 3u);

  std::vector<int> out;
  q.PopBatch(out, 1);
  EXPECT_EQ(out, std::vector<int>{1});
  EXPECT_TRUE(q.TryPush(5));  // room again
  q.PopBatch(out, 10);
  EXPECT_EQ(out, (std::vector<int>{2, 3, 5}));  // 4 was refused, not queued
  EXPECT_EQ(q.depth(), 0u);
}

TEST(BoundedQueueTest, PushBlocksUntilRoom) {
  BoundedQueue<int> q(2);
  ASSERT_TRUE(q.Push(1));
  ASSERT_TRUE(q.Push(2));
  std::atomic<bool> pushed{false};
  auto producer = std::async(std::launch::async, [&] {
    bool ok = q.Push(3);
    pushed.store(true);
    return ok;
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(pushed.load()) << "Push returned while the queue was full";
  EXPECT_EQ(q.depth(), 2u);

  std::vector<int> out;
  q.PopBatch(out, 1);
  EXPECT_EQ(out, std::vector<int>{1});
  ASSERT_TRUE(Ready(producer));
  EXPECT_TRUE(producer.get());
  q.PopBatch(out, 10);
  EXPECT_EQ(out, (std::vector<int>{2, 3}));
}

TEST(BoundedQueueTest, PopBatchSizesAndFifoOrder) {
  BoundedQueue<int> q(100);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(q.TryPush(int{i}));
  std::vector<int> out;
  q.PopBatch(out, 4);
  EXPECT_EQ(out, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(q.depth(), 6u);
  q.PopBatch(out, 4);
  EXPECT_EQ(out, (std::vector<int>{4, 5, 6, 7}));
  q.PopBatch(out, 4);
  EXPECT_EQ(out, (std::vector<int>{8, 9}));  // fewer than max: what is there
  EXPECT_EQ(q.depth(), 0u);

  ASSERT_TRUE(q.TryPush(10));
  q.PopBatch(out, 1000);
  EXPECT_EQ(out, std::vector<int>{10});
}

TEST(BoundedQueueTest, PopBatchOfZeroStillTakesOne) {
  // An empty batch means "closed and drained"; asking for 0 must not fake that.
  BoundedQueue<int> q(4);
  ASSERT_TRUE(q.TryPush(1));
  ASSERT_TRUE(q.TryPush(2));
  std::vector<int> out;
  q.PopBatch(out, 0);
  EXPECT_EQ(out, std::vector<int>{1});
}

TEST(BoundedQueueTest, PopBatchClearsOutput) {
  BoundedQueue<int> q(4);
  ASSERT_TRUE(q.TryPush(7));
  std::vector<int> out = {100, 200, 300};
  q.PopBatch(out, 8);
  EXPECT_EQ(out, std::vector<int>{7});
}

TEST(BoundedQueueTest, PopBatchWaitsForAnItem) {
  BoundedQueue<int> q(4);
  std::vector<int> out;
  auto consumer = std::async(std::launch::async, [&] {
    q.PopBatch(out, 8);
    return out.size();
  });
  std::this_thread::sleep_for(50ms);
  EXPECT_NE(consumer.wait_for(0s), std::future_status::ready)
      << "PopBatch returned from an empty, open queue";
  ASSERT_TRUE(q.TryPush(42));
  ASSERT_TRUE(Ready(consumer));
  EXPECT_EQ(consumer.get(), 1u);
  EXPECT_EQ(out, std::vector<int>{42});
}

// After a busy batch the consumer lingers for more items, which do not wake it one by one:
// fewer than kWakeBatch items still reach it (when the linger ends), and after that it
// sleeps until the next item, which does wake it.
TEST(BoundedQueueTest, AConsumerThatLingersStillGetsAFewItems) {
  BoundedQueue<int> q(1000);
  std::vector<int> out;
  ASSERT_TRUE(q.TryPush(1));
  q.PopBatch(out, 8);  // busy: the next PopBatch on an empty queue lingers
  ASSERT_EQ(out, std::vector<int>{1});
  auto consumer = std::async(std::launch::async, [&] {
    std::vector<int> got, batch;
    while (got.size() < 3) {
      q.PopBatch(batch, 100);
      got.insert(got.end(), batch.begin(), batch.end());
    }
    return got;
  });
  ASSERT_TRUE(q.TryPush(2));
  ASSERT_TRUE(q.TryPush(3));
  std::this_thread::sleep_for(50ms);  // the consumer is past its linger, asleep or not
  ASSERT_TRUE(q.TryPush(4));
  ASSERT_TRUE(Ready(consumer));
  EXPECT_EQ(consumer.get(), (std::vector<int>{2, 3, 4}));
}

// A full wake batch wakes a lingering consumer (it does not need the linger to end).
TEST(BoundedQueueTest, AWakeBatchWakesALingeringConsumer) {
  BoundedQueue<int> q(1000);
  std::vector<int> out;
  ASSERT_TRUE(q.TryPush(0));
  q.PopBatch(out, 8);
  auto consumer = std::async(std::launch::async, [&] {
    size_t n = 0;
    std::vector<int> got;
    while (n < BoundedQueue<int>::kWakeBatch) {
      q.PopBatch(got, 1000);
      n += got.size();
    }
    return n;
  });
  for (size_t i = 0; i < BoundedQueue<int>::kWakeBatch; ++i) ASSERT_TRUE(q.TryPush(static_cast<int>(i)));
  ASSERT_TRUE(Ready(consumer));
  EXPECT_EQ(consumer.get(), BoundedQueue<int>::kWakeBatch);
}

TEST(BoundedQueueTest, MoveOnlyItems) {
  BoundedQueue<std::unique_ptr<int>> q(2);
  ASSERT_TRUE(q.TryPush(std::make_unique<int>(1)));
  ASSERT_TRUE(q.Push(std::make_unique<int>(2)));
  std::vector<std::unique_ptr<int>> out;
  q.PopBatch(out, 5);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(*out[0], 1);
  EXPECT_EQ(*out[1], 2);
}

TEST(BoundedQueueTest, FifoAcrossGrowthAndWrapAround) {
  // Pops between pushes move the ring's head, so that it wraps and grows while wrapped.
  BoundedQueue<int> q(10'000);
  std::vector<int> out;
  int next_in = 0, next_out = 0;
  for (int round = 0; round < 200; ++round) {
    for (int i = 0; i < 37; ++i) ASSERT_TRUE(q.TryPush(int{next_in++}));
    q.PopBatch(out, 20);
    for (int v : out) ASSERT_EQ(v, next_out++);
  }
  while (q.depth() > 0) {
    q.PopBatch(out, 1000);
    for (int v : out) ASSERT_EQ(v, next_out++);
  }
  EXPECT_EQ(next_out, next_in);
}

TEST(BoundedQueueTest, PushManyWithoutWaitStopsWhenFull) {
  BoundedQueue<int> q(5);
  std::vector<int> in = {1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(q.PushMany(in.begin(), in.end(), false, [](int&& v) { return v * 10; }), 5u);
  std::vector<int> out;
  q.PopBatch(out, 10);
  EXPECT_EQ(out, (std::vector<int>{10, 20, 30, 40, 50}));
  q.Close();
  EXPECT_EQ(q.PushMany(in.begin(), in.end(), true, [](int&& v) { return v; }), 0u);
}

TEST(BoundedQueueTest, PushManyWaitsForRoomAndKeepsOrder) {
  BoundedQueue<int> q(4);
  std::vector<int> in(1000);
  for (int i = 0; i < 1000; ++i) in[static_cast<size_t>(i)] = i;
  auto producer = std::async(std::launch::async, [&] {
    return q.PushMany(in.begin(), in.end(), true, [](int&& v) { return v; });
  });
  std::vector<int> got, out;
  while (got.size() < in.size()) {
    q.PopBatch(out, 3);
    got.insert(got.end(), out.begin(), out.end());
  }
  ASSERT_TRUE(Ready(producer));
  EXPECT_EQ(producer.get(), in.size());
  EXPECT_EQ(got, in);
  EXPECT_LE(q.high_water(), 4u);
}

TEST(BoundedQueueTest, CloseWakesBlockedProducer) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.Push(1));
  auto producer = std::async(std::launch::async, [&] { return q.Push(2); });
  std::this_thread::sleep_for(20ms);  // let it block (not required for correctness)
  q.Close();
  ASSERT_TRUE(Ready(producer));
  EXPECT_FALSE(producer.get());  // refused: the queue is closed
  // The item queued before Close is still delivered; the refused one is not.
  std::vector<int> out;
  q.PopBatch(out, 10);
  EXPECT_EQ(out, std::vector<int>{1});
  q.PopBatch(out, 10);
  EXPECT_TRUE(out.empty());
}

TEST(BoundedQueueTest, CloseWakesBlockedConsumer) {
  BoundedQueue<int> q(4);
  auto consumer = std::async(std::launch::async, [&] {
    std::vector<int> out = {-1};
    q.PopBatch(out, 4);
    return out.size();
  });
  std::this_thread::sleep_for(20ms);
  q.Close();
  ASSERT_TRUE(Ready(consumer));
  EXPECT_EQ(consumer.get(), 0u);  // empty batch: closed and drained
}

TEST(BoundedQueueTest, CloseWakesManyBlockedProducers) {
  BoundedQueue<int> q(1);
  ASSERT_TRUE(q.TryPush(0));
  std::vector<std::future<bool>> producers;
  for (int i = 0; i < 4; ++i) {
    producers.push_back(std::async(std::launch::async, [&q, i] { return q.Push(int{i + 1}); }));
  }
  std::this_thread::sleep_for(20ms);
  q.Close();
  for (auto& p : producers) {
    ASSERT_TRUE(Ready(p));
    EXPECT_FALSE(p.get());
  }
}

TEST(BoundedQueueTest, DrainAfterClose) {
  BoundedQueue<int> q(10);
  for (int i = 0; i < 7; ++i) ASSERT_TRUE(q.TryPush(int{i}));
  q.Close();
  EXPECT_FALSE(q.TryPush(100));
  EXPECT_FALSE(q.Push(101));
  std::vector<int> out;
  std::vector<int> all;
  for (;;) {
    q.PopBatch(out, 3);
    if (out.empty()) break;
    EXPECT_LE(out.size(), 3u);
    all.insert(all.end(), out.begin(), out.end());
  }
  EXPECT_EQ(all, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(q.depth(), 0u);
  // Stays closed and empty; Close is idempotent.
  q.Close();
  q.PopBatch(out, 3);
  EXPECT_TRUE(out.empty());
}

TEST(BoundedQueueTest, HighWaterMark) {
  BoundedQueue<int> q(10);
  EXPECT_EQ(q.high_water(), 0u);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(q.TryPush(int{i}));
  EXPECT_EQ(q.high_water(), 3u);
  std::vector<int> out;
  q.PopBatch(out, 10);
  EXPECT_EQ(q.depth(), 0u);
  EXPECT_EQ(q.high_water(), 3u);  // a mark, not the current depth
  ASSERT_TRUE(q.TryPush(1));
  EXPECT_EQ(q.high_water(), 3u);
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(q.TryPush(int{i}));
  EXPECT_EQ(q.depth(), 10u);
  EXPECT_EQ(q.high_water(), 10u);
  EXPECT_FALSE(q.TryPush(99));
  EXPECT_EQ(q.high_water(), 10u);  // never above capacity
}

TEST(BoundedQueueTest, MultiProducerDeliversEachItemExactlyOnce) {
  constexpr int kProducers = 4;
  constexpr int kPerProducer = 100'000;
  BoundedQueue<uint64_t> q(1024);

  std::vector<std::thread> producers;
  std::atomic<int> refused{0};
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&q, &refused, p] {
      for (uint64_t i = 0; i < kPerProducer; ++i) {
        if (!q.Push((uint64_t{static_cast<uint64_t>(p)} << 32) | i)) refused.fetch_add(1);
      }
    });
  }

  // Single consumer: counts every item, checks per-producer FIFO order.
  std::vector<std::vector<uint8_t>> seen(kProducers, std::vector<uint8_t>(kPerProducer, 0));
  std::vector<int64_t> last(kProducers, -1);
  uint64_t total = 0;
  uint64_t duplicates = 0;
  uint64_t out_of_order = 0;
  uint64_t bad = 0;
  std::thread consumer([&] {
    std::vector<uint64_t> batch;
    for (;;) {
      q.PopBatch(batch, 256);
      if (batch.empty()) break;
      for (uint64_t item : batch) {
        auto p = static_cast<size_t>(item >> 32);
        auto i = static_cast<int64_t>(item & 0xffffffffu);
        if (p >= kProducers || i >= kPerProducer) {
          ++bad;
          continue;
        }
        if (seen[p][static_cast<size_t>(i)]++ != 0) ++duplicates;
        if (i <= last[p]) ++out_of_order;
        last[p] = i;
        ++total;
      }
    }
  });

  for (auto& t : producers) t.join();
  q.Close();  // after every producer is done: the consumer drains, then stops
  consumer.join();

  EXPECT_EQ(refused.load(), 0);
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(duplicates, 0u);
  EXPECT_EQ(out_of_order, 0u);
  EXPECT_EQ(total, uint64_t{kProducers} * kPerProducer);
  for (int p = 0; p < kProducers; ++p) EXPECT_EQ(last[p], kPerProducer - 1) << p;
  EXPECT_LE(q.high_water(), q.capacity());
  EXPECT_EQ(q.depth(), 0u);
}

}  // namespace
}  // namespace vigil
