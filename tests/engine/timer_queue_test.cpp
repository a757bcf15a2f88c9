#include "timer_queue.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <vector>

namespace gridke::engine::detail {
namespace {

using namespace std::chrono_literals;

TEST(TimerQueue, RunsCallbacksInDeadlineOrder) {
  TimerQueue timer;
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> last;
  const auto now = TimerQueue::Clock::now();
  timer.schedule(now + 60ms, [&] {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(3);
    last.set_value();
  });
  timer.schedule(now + 20ms, [&] {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(1);
  });
  timer.schedule(now + 40ms, [&] {
    std::lock_guard<std::mutex> lock(mu);
    order.push_back(2);
  });
  last.get_future().wait();
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerQueue, CancelledCallbacksDoNotRun) {
  TimerQueue timer;
  std::atomic<int> ran{0};
  std::promise<void> done;
  const auto id = timer.schedule(TimerQueue::Clock::now() + 20ms, [&] { ++ran; });
  timer.schedule(TimerQueue::Clock::now() + 50ms, [&] { done.set_value(); });
  timer.cancel(id);
  timer.cancel(id);  // no effect the second time
  done.get_future().wait();
  EXPECT_EQ(ran.load(), 0);
}

TEST(TimerQueue, ShutdownRunsPendingCallbacksAtOnce) {
  std::atomic<int> ran{0};
  TimerQueue timer;
  timer.schedule(TimerQueue::Clock::now() + 1h, [&] { ++ran; });
  timer.schedule(TimerQueue::Clock::time_point::max(), [&] { ++ran; });
  const auto start = std::chrono::steady_clock::now();
  timer.shutdown();
  EXPECT_EQ(ran.load(), 2);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  // After shutdown a new callback runs on the caller at once.
  timer.schedule(TimerQueue::Clock::now() + 1h, [&] { ++ran; });
  EXPECT_EQ(ran.load(), 3);
}

}  // namespace
}  // namespace gridke::engine::detail
