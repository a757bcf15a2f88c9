#include "scheduler.hpp"

#include <exception>
#include <utility>

namespace gridke::engine::rest {

Scheduler::Scheduler() : thread_([this] { loop(); }) {}

Scheduler::~Scheduler() { stop(); }

void Scheduler::schedule(Clock::duration delay, std::function<void()> f) {
  std::lock_guard lock(mu_);
  if (stop_) return;
  due_.emplace(Clock::now() + delay, std::move(f));
  cv_.notify_one();
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    due_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    if (on_scheduler_thread()) {
      thread_.detach();
    } else {
      thread_.join();
    }
  }
}

void Scheduler::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (due_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = due_.begin();
    if (first->first > Clock::now()) {
      // Copy the deadline: wait_until reads it again after waking, when stop() or another
      // schedule() may have erased the map node it lives in (found by ASan).
      const Clock::time_point when = first->first;
      cv_.wait_until(lock, when);
      continue;
    }
    auto f = std::move(first->second);
    due_.erase(first);
    lock.unlock();
    try {
      f();
    } catch (const std::exception&) {
      // Callbacks report their own errors; one failing must not end the scheduler.
    }
    f = nullptr;  // destroy captures outside the lock
    lock.lock();
  }
}

}  // namespace gridke::engine::rest
