#include "thread_pool.hpp"

#include <gtest/gtest.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace gridke::engine::detail {
namespace {

using namespace std::chrono_literals;

// CPU time of the whole process (every thread) so far.
std::chrono::nanoseconds process_cpu_time() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

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

TEST(ThreadPool, StartsOneWorkerWhenAskedForNone) {
  ThreadPool::Options options;
  options.threads = 0;
  ThreadPool pool(options);
  EXPECT_EQ(pool.size(), 1u);
  std::promise<void> ran;
  ASSERT_TRUE(pool.submit([&] { ran.set_value(); }));
  EXPECT_EQ(ran.get_future().wait_for(10s), std::future_status::ready);
}

// Spinning workers skip notifications; a task must still never be left in the queue while
// every worker sleeps. Producers submit in bursts separated by pauses longer and shorter than
// the spin, from several threads and from inside tasks.
void expect_no_task_is_stranded(ThreadPool::Options options) {
  ThreadPool pool(options);
  constexpr int producers = 4;
  constexpr int per_producer = 1500;
  std::atomic<int> ran{0};
  std::promise<void> all_ran;
  auto one_done = [&] {
    if (ran.fetch_add(1) + 1 == 2 * producers * per_producer) all_ran.set_value();
  };
  std::vector<std::thread> threads;
  for (int p = 0; p < producers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < per_producer; ++i) {
        // Each task submits a follow-up from a worker thread.
        EXPECT_TRUE(pool.submit([&] {
          one_done();
          pool.submit(one_done);
        }));
        if ((i + p) % 97 == 0) std::this_thread::sleep_for(1ms);   // longer than the spin
        if ((i + p) % 13 == 0) std::this_thread::sleep_for(20us);  // about the spin
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(all_ran.get_future().wait_for(30s), std::future_status::ready)
      << "tasks run: " << ran.load() << " of " << 2 * producers * per_producer;
  pool.shutdown();
}

TEST(ThreadPool, NeverStrandsATaskWhileWorkersSpin) {
  ThreadPool::Options options;
  options.threads = 3;
  options.spin = 20us;
  options.max_spinners = 2;
  expect_no_task_is_stranded(options);
}

TEST(ThreadPool, NeverStrandsATaskWithSpinningOff) {
  ThreadPool::Options options;
  options.threads = 3;
  options.spin = 0us;
  options.max_spinners = 0;
  expect_no_task_is_stranded(options);
}

TEST(ThreadPool, IdleWorkersStopSpinningAndUseNoCpu) {
  ThreadPool::Options options;
  options.threads = 4;
  options.spin = 50us;
  options.max_spinners = 4;
  ThreadPool pool(options);
  for (int i = 0; i < 200; ++i) {
    std::promise<void> done;
    ASSERT_TRUE(pool.submit([&] { done.set_value(); }));
    done.get_future().wait();
  }
  std::this_thread::sleep_for(20ms);  // every spin is over by now
  const auto before = process_cpu_time();
  std::this_thread::sleep_for(300ms);
  const auto used = process_cpu_time() - before;
  // Four workers spinning would use 1.2 s of CPU here; parked ones use none.
  EXPECT_LT(used, 30ms) << "the idle pool used "
                        << std::chrono::duration_cast<std::chrono::microseconds>(used).count()
                        << " µs of CPU in 300 ms";
}

TEST(AdaptiveSpin, StopsSpinningAfterLongWaitsAndResumesAfterShortOnes) {
  AdaptiveSpin policy(50us);
  EXPECT_EQ(policy.budget(), 50us);
  for (int i = 0; i < 8; ++i) policy.record(5ms);  // the awaited thread keeps being late
  EXPECT_EQ(policy.budget(), 0us);
  for (int i = 0; i < 3; ++i) policy.record(10us);
  EXPECT_EQ(policy.budget(), 50us);
  // Three short waits for every long one keep it spinning.
  AdaptiveSpin mixed(50us);
  for (int i = 0; i < 30; ++i) {
    mixed.record(10us);
    mixed.record(10us);
    mixed.record(10us);
    mixed.record(1ms);
  }
  EXPECT_EQ(mixed.budget(), 50us);
}

TEST(AdaptiveSpin, NeverSpinsWithAZeroMaximum) {
  AdaptiveSpin policy(0us);
  EXPECT_EQ(policy.budget(), 0us);
  policy.record(1us);
  EXPECT_EQ(policy.budget(), 0us);
}

TEST(Completion, ReturnsAValueSetBeforeTheWait) {
  Completion<std::string> done;
  done.set("ready");
  EXPECT_EQ(done.get(0us), "ready");
}

TEST(Completion, ReturnsAValueSetDuringTheSpin) {
  auto done = std::make_shared<Completion<int>>();
  ThreadPool pool(1);
  ASSERT_TRUE(pool.submit([done] { done->set(42); }));
  EXPECT_EQ(done->get(10ms), 42);
}

TEST(Completion, RecordsItsWaitInTheCallersPolicy) {
  AdaptiveSpin policy(50us);
  for (int i = 0; i < 10; ++i) {
    auto done = std::make_shared<Completion<int>>();
    std::thread setter([done] {
      std::this_thread::sleep_for(5ms);
      done->set(1);
    });
    EXPECT_EQ(done->get(policy), 1);
    setter.join();
  }
  EXPECT_EQ(policy.budget(), 0us);  // every wait took milliseconds: stop spinning
}

TEST(Completion, WakesAWaiterThatBlockedAfterItsSpin) {
  auto done = std::make_shared<Completion<int>>();
  std::thread setter([done] {
    std::this_thread::sleep_for(50ms);  // far beyond the waiter's 10 µs spin
    done->set(7);
  });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(done->get(10us), 7);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 40ms);
  setter.join();
}

}  // namespace
}  // namespace gridke::engine::detail
