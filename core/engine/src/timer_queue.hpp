#pragma once
// TimerQueue: one thread that runs callbacks at their deadlines; the engine uses it for per-call
// deadlines (a KI that has not answered by then is FAILED with a TimeoutException message).
// Thread safety: schedule()/cancel() may be called from any thread, including from a callback.
// Callbacks run on the timer thread, one at a time, without the queue's lock held.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

namespace gridke::engine::detail {

class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;

  TimerQueue();
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  /// Runs `callback` at `when` unless cancelled first. Returns an id for cancel(). After
  /// shutdown() the callback runs at once on the calling thread.
  std::uint64_t schedule(Clock::time_point when, std::function<void()> callback);
  /// Drops a pending callback; no effect when it already ran or is running.
  void cancel(std::uint64_t id);
  /// Runs every pending callback now (on the calling thread), then stops the timer thread.
  /// Idempotent. REQUIRES: not called from a timer callback.
  void shutdown();

 private:
  void loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::pair<Clock::time_point, std::uint64_t>, std::function<void()>> pending_;
  std::unordered_map<std::uint64_t, Clock::time_point> when_of_;
  // The deadline the timer thread sleeps until (max: idle; min: awake and re-checking).
  Clock::time_point waiting_until_ = Clock::time_point::min();
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gridke::engine::detail
