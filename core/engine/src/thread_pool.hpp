#pragma once
// ThreadPool: a fixed set of worker threads running queued tasks in FIFO order. The engine runs
// every ANSWER/REACT handler and every completion callback here, never on the caller's thread.
// Thread safety: submit() may be called from any thread, including from a task.
// Ownership: the pool owns its threads; shutdown() (or the destructor) drains the queue and joins.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gridke::engine::detail {

class ThreadPool {
 public:
  /// Starts `threads` workers (at least one).
  explicit ThreadPool(std::size_t threads);
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

 private:
  void work();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace gridke::engine::detail
