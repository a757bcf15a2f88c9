#include "timer_queue.hpp"

#include <vector>

namespace gridke::engine::detail {

TimerQueue::TimerQueue() : thread_([this] { loop(); }) {}

TimerQueue::~TimerQueue() { shutdown(); }

std::uint64_t TimerQueue::schedule(Clock::time_point when, std::function<void()> callback) {
  std::uint64_t id = 0;
  bool earliest = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      id = next_id_++;
      auto it = pending_.emplace(std::make_pair(when, id), std::move(callback)).first;
      when_of_.emplace(id, when);
      earliest = it == pending_.begin() && when < waiting_until_;
    }
  }
  if (id == 0) {
    callback();
    return 0;
  }
  // Only a deadline earlier than the one the timer thread sleeps until needs a wake-up; not
  // waking it otherwise saves a context switch per exchange (most are cancelled long before).
  if (earliest) cv_.notify_one();
  return id;
}

void TimerQueue::cancel(std::uint64_t id) {
  std::function<void()> dropped;  // destroyed outside the lock: it may own a large state
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = when_of_.find(id);
    if (it == when_of_.end()) return;
    auto node = pending_.find(std::make_pair(it->second, id));
    if (node != pending_.end()) {
      dropped = std::move(node->second);
      pending_.erase(node);
    }
    when_of_.erase(it);
  }
}

void TimerQueue::shutdown() {
  std::vector<std::function<void()>> remaining;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [key, cb] : pending_) remaining.push_back(std::move(cb));
    pending_.clear();
    when_of_.clear();
  }
  for (auto& cb : remaining) cb();
}

void TimerQueue::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      waiting_until_ = Clock::time_point::max();
      cv_.wait(lock);
      continue;
    }
    auto first = pending_.begin();
    const auto when = first->first.first;
    if (Clock::now() < when) {
      waiting_until_ = when;
      // time_point::max() means "no deadline": wait for a change instead of overflowing.
      if (when == Clock::time_point::max()) {
        cv_.wait(lock);
      } else {
        cv_.wait_until(lock, when);
      }
      continue;
    }
    auto callback = std::move(first->second);
    when_of_.erase(first->first.second);
    pending_.erase(first);
    // Awake: schedule() need not notify until the loop sleeps again.
    waiting_until_ = Clock::time_point::min();
    lock.unlock();
    callback();
    callback = nullptr;
    lock.lock();
  }
}

}  // namespace gridke::engine::detail
