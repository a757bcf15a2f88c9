#pragma once
// Histogram: latencies in microseconds, 32 linear buckets per power of two (≤ 3 % error),
// lock-free recording and constant memory, so a load driver's own RSS does not grow with the
// run. Used by gridke_load (bench/load) and gridke_rest_load (bench/rest).
// Thread safety: record() from any thread; quantile()/drain_into() are approximate while
// records are in flight (fine for periodic reports).

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

namespace gridke::bench {

class Histogram {
 public:
  void record(std::uint64_t us) noexcept {
    counts_[index(us)].fetch_add(1, std::memory_order_relaxed);
    total_.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t m = max_.load(std::memory_order_relaxed);
    while (us > m && !max_.compare_exchange_weak(m, us, std::memory_order_relaxed)) {
    }
  }
  std::uint64_t count() const noexcept { return total_.load(std::memory_order_relaxed); }
  std::uint64_t max() const noexcept { return max_.load(std::memory_order_relaxed); }
  /// The q-quantile (0..1), as the middle of its bucket; 0 when empty.
  double quantile(double q) const noexcept {
    const std::uint64_t n = count();
    if (n == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(n - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i].load(std::memory_order_relaxed);
      if (seen >= rank) return middle(i);
    }
    return static_cast<double>(max());
  }
  /// Moves the counts into `into` (added) and clears this one.
  void drain_into(Histogram& into) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) {
      into.counts_[i].fetch_add(counts_[i].exchange(0, std::memory_order_relaxed),
                                std::memory_order_relaxed);
    }
    into.total_.fetch_add(total_.exchange(0, std::memory_order_relaxed), std::memory_order_relaxed);
    const std::uint64_t m = max_.exchange(0, std::memory_order_relaxed);
    std::uint64_t cur = into.max_.load(std::memory_order_relaxed);
    while (m > cur && !into.max_.compare_exchange_weak(cur, m, std::memory_order_relaxed)) {
    }
  }

 private:
  static constexpr std::size_t kSub = 32;
  static constexpr std::size_t kBuckets = kSub * 40;
  static std::size_t index(std::uint64_t v) noexcept {
    if (v < kSub) return static_cast<std::size_t>(v);
    const int msb = 63 - __builtin_clzll(v);
    const int shift = msb - 5;
    const std::size_t i =
        static_cast<std::size_t>(shift + 1) * kSub + static_cast<std::size_t>((v >> shift) - kSub);
    return std::min(i, kBuckets - 1);
  }
  static double middle(std::size_t i) noexcept {
    if (i < kSub) return static_cast<double>(i);
    const std::size_t shift = i / kSub - 1;
    const double low = static_cast<double>((kSub + i % kSub) << shift);
    return low + static_cast<double>(std::uint64_t{1} << shift) / 2.0;
  }
  std::array<std::atomic<std::uint64_t>, kBuckets> counts_{};
  std::atomic<std::uint64_t> total_{0};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace gridke::bench
