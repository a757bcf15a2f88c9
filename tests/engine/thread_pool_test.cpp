#include "thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

namespace gridke::engine::detail {
namespace {

TEST(ThreadPool, RunsEveryTaskOffTheCallersThread) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  std::atomic<int> ran{0};
  std::atomic<int> on_caller{0};
  const auto caller = std::this_thread::get_id();
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(pool.submit([&] {
      if (std::this_thread::get_id() == caller) ++on_caller;
      ++ran;
    }));
  }
  pool.shutdown();  // drains the queue
  EXPECT_EQ(ran.load(), 100);
  EXPECT_EQ(on_caller.load(), 0);
  EXPECT_FALSE(pool.on_worker_thread());
}

TEST(ThreadPool, RecognisesItsWorkersAndRefusesWorkAfterShutdown) {
  ThreadPool pool(1);
  std::promise<bool> inside;
  ASSERT_TRUE(pool.submit([&] { inside.set_value(pool.on_worker_thread()); }));
  EXPECT_TRUE(inside.get_future().get());
  pool.shutdown();
  pool.shutdown();  // idempotent
  EXPECT_FALSE(pool.submit([] {}));
}

}  // namespace
}  // namespace gridke::engine::detail
