#pragma once
// ThreadPool: a fixed set of worker threads running queued tasks in FIFO order. The engine runs
// every ANSWER/REACT handler and every completion callback here, never on the caller's thread.
//
// Spin-then-park (docs/performance.md): a worker that runs out of work first polls the queue for
// a short, bounded time (`Options::spin`, a pause instruction per poll) before it parks on a
// condition variable. An exchange submits its next task within microseconds of the previous
// one, so a spinning worker takes it without a kernel wake-up (a futex wake plus, on a VM, an
// inter-processor interrupt: 10–30 µs each). At most `Options::max_spinners` workers spin at a
// time, only after running a task, and only while their recent idle gaps were short
// (AdaptiveSpin), so an idle pool, or one starved of CPU by other processes, does not poll.
// submit() notifies only when there are parked workers and more queued tasks than spinning
// workers. Completion is the caller's side: a blocking call spins (adaptively) on its result
// before it sleeps.
//
// Thread safety: submit() may be called from any thread, including from a task.
// Ownership: the pool owns its threads; shutdown() (or the destructor) drains the queue and joins.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

namespace gridke::engine::detail {

/// One pause instruction (x86 `pause`, ARM `yield`): the polite body of a spin loop.
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  asm volatile("yield");
#endif
}

/// AdaptiveSpin: decides whether one thread's next wait should spin, from how long its recent
/// waits really took. A wait that ended within `max` (whether it spun or slept) is a success
/// (+1), a longer one a failure (−2); the thread spins while its score is positive, i.e. while
/// more than two thirds of its waits are short. So a thread spins only where spinning pays: on a
/// busy machine, or between bursts, the thread it waits for is often descheduled for
/// milliseconds, the waits run long and the thread stops spinning (it parks at once, and the
/// kernel's wake-up preference gets it back quickly); once waits are short again, it resumes.
/// Thread safety: none; one per thread.
class AdaptiveSpin {
 public:
  explicit AdaptiveSpin(std::chrono::microseconds max) noexcept : max_(max) {}
  /// How long the next wait may spin (zero: park at once).
  std::chrono::microseconds budget() const noexcept {
    return score_ > 0 ? max_ : std::chrono::microseconds(0);
  }
  /// Records how long a wait took from its start until the awaited event.
  void record(std::chrono::steady_clock::duration waited) noexcept {
    if (max_.count() <= 0) return;
    score_ = waited <= max_ ? std::min(score_ + 1, kMaxScore) : std::max(score_ - 2, 0);
  }

 private:
  static constexpr int kMaxScore = 16;
  std::chrono::microseconds max_;
  int score_ = kMaxScore;
};

/// Polls `ready` with a pause per poll for at most `budget`; true when it became true.
template <class Ready>
bool spin_until(Ready ready, std::chrono::microseconds budget) noexcept {
  if (budget.count() <= 0) return ready();
  const auto until = std::chrono::steady_clock::now() + budget;
  for (unsigned i = 1;; ++i) {
    if (ready()) return true;
    cpu_relax();
    // Reading the clock costs ~20 ns (vDSO); every 16th poll keeps it off the hot loop.
    if (i % 16 == 0 && std::chrono::steady_clock::now() >= until) return ready();
  }
}

/// How long a blocking engine call may poll for its result before sleeping (see Completion).
inline constexpr std::chrono::microseconds caller_spin{50};

/// The calling thread's spin policy for blocking engine calls (one per thread; see Completion).
AdaptiveSpin& caller_spin_policy() noexcept;

class ThreadPool {
 public:
  struct Options {
    /// Worker threads (at least one is started).
    std::size_t threads = 8;
    /// How long an idle worker polls for new work before parking; zero parks at once.
    std::chrono::microseconds spin{50};
    /// Upper bound on workers spinning at the same time (zero: none spins).
    std::size_t max_spinners = 1;
  };

  /// Starts `threads` workers (at least one) with the default spin settings.
  explicit ThreadPool(std::size_t threads);
  explicit ThreadPool(Options options);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  /// Queues a task. Returns false (and does not run it) once shutdown() has begun.
  bool submit(std::function<void()> task);

  /// Runs the tasks already queued, then stops and joins the workers. Idempotent. REQUIRES:
  /// not called from a worker of this pool.
  void shutdown();

  /// True when the calling thread is one of this pool's workers.
  bool on_worker_thread() const noexcept;

  std::size_t size() const noexcept { return workers_.size(); }

  /// Kernel wake-ups (condition-variable notifications) submit() has issued so far; a task a
  /// spinning worker took needed none. For tests and benchmarks.
  std::uint64_t wakeups() const noexcept { return wakeups_.load(std::memory_order_relaxed); }

 private:
  void work();
  // Claims one of the spinner slots; false when max_spinners already spin.
  bool try_begin_spin() noexcept;
  // Polls until a task is queued or the pool stops (true) or `budget` passes (false).
  bool spin_for_work(std::chrono::microseconds budget) const noexcept;

  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // GUARDED_BY(mu_)
  std::size_t parked_ = 0;                   // GUARDED_BY(mu_): workers waiting on cv_
  bool stopping_ = false;                    // GUARDED_BY(mu_)
  // Lock-free mirrors read by spinning workers: queue_.size() and stopping_.
  std::atomic<std::size_t> queued_{0};
  std::atomic<bool> stop_requested_{false};
  std::atomic<std::size_t> spinning_{0};
  std::atomic<std::uint64_t> wakeups_{0};
  std::vector<std::thread> workers_;
};

/// Completion: the one-shot slot a blocking call (KnowledgeEngine::ask/post) waits on while the
/// pool finishes its exchange. get() first polls for `spin` (a pause instruction per poll), then
/// blocks on a condition variable; set() notifies only when get() is blocked. An in-process
/// exchange completes within the spin, so the caller needs no kernel wake-up.
/// Thread safety: set() once, from any thread; get() once, from one thread. Share the
/// Completion by shared_ptr between the two (set() may still be returning when get() has).
template <class T>
class Completion {
 public:
  void set(T value) {
    bool notify = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      value_.emplace(std::move(value));
      ready_.store(true, std::memory_order_release);
      notify = waiting_;
    }
    if (notify) cv_.notify_one();
  }

  /// Waits for set() (polling at most `spin` first) and returns the value.
  T get(std::chrono::microseconds spin) {
    spin_until([this] { return ready_.load(std::memory_order_acquire); }, spin);
    return wait_blocking();
  }

  /// Waits for set(), spinning as `policy` allows, and records the wait in it.
  T get(AdaptiveSpin& policy) {
    const auto start = std::chrono::steady_clock::now();
    spin_until([this] { return ready_.load(std::memory_order_acquire); }, policy.budget());
    T value = wait_blocking();
    policy.record(std::chrono::steady_clock::now() - start);
    return value;
  }

 private:
  T wait_blocking() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!value_) {
      waiting_ = true;
      cv_.wait(lock, [this] { return value_.has_value(); });
    }
    return std::move(*value_);
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<T> value_;  // GUARDED_BY(mu_)
  bool waiting_ = false;    // GUARDED_BY(mu_)
  std::atomic<bool> ready_{false};
};

}  // namespace gridke::engine::detail
