#pragma once
// Clock: the one source of "now" for the fault-location service, injectable so that tests and
// the HEMS simulator can run days of monitoring in seconds.
// Thread safety: internally synchronised (now(), set() and advance() may run concurrently).
// Ownership: the service keeps a shared_ptr; a clock outlives every service using it.

#include <atomic>
#include <chrono>
#include <cstdint>

namespace gridke::services::fault_location {

/// Millisecond UTC time points and durations, as stored in SQLite (ms since the Unix epoch).
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

/// Milliseconds since the Unix epoch, and back.
constexpr std::int64_t to_epoch_ms(Timestamp t) noexcept { return t.time_since_epoch().count(); }
constexpr Timestamp from_epoch_ms(std::int64_t ms) noexcept { return Timestamp(Duration(ms)); }

/// The source of the current time.
class Clock {
 public:
  virtual ~Clock() = default;
  /// The current time.
  virtual Timestamp now() const = 0;
};

/// Wall-clock time (std::chrono::system_clock truncated to milliseconds).
class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

/// A clock that only moves when told to: tests and the simulator drive it.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_ms_(to_epoch_ms(start)) {}
  Timestamp now() const override { return from_epoch_ms(now_ms_.load()); }
  void set(Timestamp t) { now_ms_.store(to_epoch_ms(t)); }
  void advance(Duration d) { now_ms_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> now_ms_;
};

}  // namespace gridke::services::fault_location
