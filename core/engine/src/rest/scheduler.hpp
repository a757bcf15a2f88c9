#pragma once
// Scheduler: one thread that runs callbacks at given times (back-off retries, lease renewals,
// re-registration), so waiting never occupies an I/O or handler thread.
// Thread safety: internally synchronised. Callbacks run on the scheduler thread, one at a time;
// after stop() nothing more runs and schedule() is a no-op.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace gridke::engine::rest {

class Scheduler {
 public:
  using Clock = std::chrono::steady_clock;
  Scheduler();
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void schedule(Clock::duration delay, std::function<void()> f);
  /// Stops and joins the thread (unless called from it). Pending callbacks are dropped.
  void stop();
  bool on_scheduler_thread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void loop();
  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<Clock::time_point, std::function<void()>> due_;  // GUARDED_BY(mu_)
  bool stop_ = false;                                            // GUARDED_BY(mu_)
  std::thread thread_;
};

}  // namespace gridke::engine::rest
