#include "thread_pool.hpp"

#include <utility>

namespace gridke::engine::detail {
namespace {
// The pool whose worker the current thread is (nullptr elsewhere). Per thread, so it is not
// shared state: it only lets a pool recognise its own workers.
thread_local const ThreadPool* current_pool = nullptr;
}  // namespace

ThreadPool::ThreadPool(std::size_t threads)
    : ThreadPool([threads] {
        Options o;
        o.threads = threads;
        return o;
      }()) {}

ThreadPool::ThreadPool(Options options)
    : options_([&] {
        Options o = options;
        if (o.threads == 0) o.threads = 1;
        return o;
      }()) {
  workers_.reserve(options_.threads);
  for (std::size_t i = 0; i < options_.threads; ++i) workers_.emplace_back([this] { work(); });
}

ThreadPool::~ThreadPool() { shutdown(); }

bool ThreadPool::submit(std::function<void()> task) {
  bool wake = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return false;
    queue_.push_back(std::move(task));
    queued_.store(queue_.size(), std::memory_order_release);
    // A spinning worker takes the task without a wake-up. Read under mu_: a spinner that gives
    // up decrements spinning_ before it locks mu_ to park, so either this sees the decrement
    // or the spinner sees the task when it re-checks the queue.
    wake = parked_ > 0 && queue_.size() > spinning_.load(std::memory_order_acquire);
  }
  if (wake) {
    wakeups_.fetch_add(1, std::memory_order_relaxed);
    cv_.notify_one();
  }
  return true;
}

void ThreadPool::shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    stop_requested_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
  workers_.clear();
}

bool ThreadPool::on_worker_thread() const noexcept { return current_pool == this; }

bool ThreadPool::try_begin_spin() noexcept {
  std::size_t n = spinning_.load(std::memory_order_relaxed);
  while (n < options_.max_spinners) {
    if (spinning_.compare_exchange_weak(n, n + 1, std::memory_order_acq_rel)) return true;
  }
  return false;
}

bool ThreadPool::spin_for_work(std::chrono::microseconds budget) const noexcept {
  return spin_until(
      [this] {
        return queued_.load(std::memory_order_acquire) > 0 ||
               stop_requested_.load(std::memory_order_acquire);
      },
      budget);
}

AdaptiveSpin& caller_spin_policy() noexcept {
  thread_local AdaptiveSpin policy(caller_spin);
  return policy;
}

void ThreadPool::work() {
  current_pool = this;
  // Spin only after running a task (a worker woken for a task another worker took, or at start,
  // parks at once), and only while this worker's recent idle gaps were short (AdaptiveSpin): an
  // idle pool, or one starved of CPU by other processes, parks instead of polling.
  AdaptiveSpin policy(options_.spin);
  bool may_spin = false;
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      const auto idle_since = std::chrono::steady_clock::now();
      bool waited = false;
      while (queue_.empty() && !stopping_) {
        waited = true;
        const auto budget = policy.budget();
        if (may_spin && budget.count() > 0 && try_begin_spin()) {
          may_spin = false;
          lock.unlock();
          spin_for_work(budget);
          spinning_.fetch_sub(1, std::memory_order_acq_rel);
          lock.lock();
          continue;  // re-check under mu_ before parking
        }
        may_spin = false;
        ++parked_;
        cv_.wait(lock);
        --parked_;
      }
      if (queue_.empty()) return;  // stopping and drained
      if (waited) policy.record(std::chrono::steady_clock::now() - idle_since);
      task = std::move(queue_.front());
      queue_.pop_front();
      queued_.store(queue_.size(), std::memory_order_release);
    }
    task();
    task = nullptr;  // destroy captures before spinning or parking
    may_spin = true;
  }
}

}  // namespace gridke::engine::detail
