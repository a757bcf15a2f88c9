#pragma once
// Clock: the flexibility market's one source of "now", injectable so that tests and demos run a
// whole market day (needs at 12:00 D-1, offers until 16:00, activation plan until 18:00, delivery
// on D) in seconds.
//
// Thread safety: internally synchronised (now(), set(), advance() may run concurrently).
// Ownership: the market keeps a shared_ptr; a clock outlives every market using it.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gridke::services::flexibility_market {

/// Millisecond UTC time points, stored in SQLite as ms since the Unix epoch.
using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

constexpr std::int64_t to_epoch_ms(TimePoint t) noexcept { return t.time_since_epoch().count(); }
constexpr TimePoint from_epoch_ms(std::int64_t ms) noexcept { return TimePoint(Duration(ms)); }

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

/// Wall-clock time.
class SystemClock final : public Clock {
 public:
  TimePoint now() const override {
    return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  }
};

/// Moves only when told to (tests, simulations).
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_ms_(to_epoch_ms(start)) {}
  TimePoint now() const override { return from_epoch_ms(now_ms_.load()); }
  void set(TimePoint t) { now_ms_.store(to_epoch_ms(t)); }
  void advance(Duration d) { now_ms_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

/// Simulated time running `speedup` times faster than the wall clock from `start` (demos: a
/// day in ~10 s is speedup 8640). REQUIRES: speedup > 0.
class ScaledClock final : public Clock {
 public:
  ScaledClock(TimePoint start, double speedup)
      : start_(start), origin_(std::chrono::steady_clock::now()), speedup_(speedup) {}
  TimePoint now() const override {
    const auto real = std::chrono::duration<double>(std::chrono::steady_clock::now() - origin_);
    return start_ + std::chrono::duration_cast<Duration>(real * speedup_);
  }

 private:
  TimePoint start_;
  std::chrono::steady_clock::time_point origin_;
  double speedup_;
};

}  // namespace gridke::services::flexibility_market
