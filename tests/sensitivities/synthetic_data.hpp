#pragma once
// Synthetic smart-meter data from a known linear model, for the estimator tests:
//   P_k(t) = base_k + daily shape + AR(1) noise (kW, consumption),
//   V_i(t) = V0 + sum_j S(i, j) P_j(t) + N(0, sigma_v)  (V),
// at 15-min steps. Deterministic (fixed seed).

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include <Eigen/Core>

#include "gridke/services/sensitivities/model/meter_data.hpp"

namespace gridke::services::sensitivities::testing {

inline constexpr std::int64_t kStart = 1'600'000'200;  // a multiple of 900 s
inline constexpr std::int64_t kStep = 900;

struct SyntheticGrid {
  GridRegistration grid;
  HistoricalData data;
  Eigen::MatrixXd s_true;  // V per kW consumed
};

/// A radial-looking S: every customer shares the transformer drop (-0.02 V/kW) and feeder f's
/// customers share a feeder drop growing with position.
inline Eigen::MatrixXd feeder_like_s(int meters, int feeders) {
  Eigen::MatrixXd s(meters, meters);
  for (int i = 0; i < meters; ++i) {
    for (int j = 0; j < meters; ++j) {
      const int pi = i / feeders + 1, pj = j / feeders + 1;
      const bool same = i % feeders == j % feeders;
      s(i, j) = -0.02 - (same ? 0.05 * std::min(pi, pj) : 0.0) - (i == j ? 0.1 : 0.0);
    }
  }
  return s;
}

inline SyntheticGrid make_synthetic(int meters, int samples, double sigma_v, double gap_rate = 0,
                                    unsigned seed = 7) {
  SyntheticGrid out;
  out.s_true = feeder_like_s(meters, 3);
  out.grid.network_id = "synthetic";
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  Eigen::MatrixXd p(samples, meters);
  for (int j = 0; j < meters; ++j) {
    double ar = 0;
    const double base = 0.5 + 0.1 * j;
    for (int t = 0; t < samples; ++t) {
      ar = 0.7 * ar + 0.5 * normal(rng);
      const double hour = std::fmod(t * 0.25, 24.0);
      p(t, j) = base + 0.8 * std::sin(2 * M_PI * (hour - 8) / 24.0) + ar;
    }
  }
  const Eigen::MatrixXd v = (p * out.s_true.transpose()).array() + 231.0;
  for (int j = 0; j < meters; ++j) {
    MeterHistory h;
    h.meter.meter_id = "m" + std::to_string(j);
    out.grid.meters.push_back(h.meter);
    for (int t = 0; t < samples; ++t) {
      if (gap_rate > 0 && t > 0 && t + 1 < samples && uniform(rng) < gap_rate) continue;
      h.measurements.push_back({kStart + t * kStep, v(t, j) + sigma_v * normal(rng), p(t, j)});
    }
    out.data.meters.push_back(std::move(h));
  }
  return out;
}

}  // namespace gridke::services::sensitivities::testing
