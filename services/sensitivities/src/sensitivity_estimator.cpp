// The translation step model/ -> solver/ and back (sensitivity_estimator.hpp).

#include "gridke/services/sensitivities/sensitivity_estimator.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ranges>
#include <string>
#include <unordered_map>
#include <vector>

#include "gridke/services/sensitivities/solver/regression.hpp"

namespace gridke::services::sensitivities {
namespace {

using solver::Matrix;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Median of the finite entries of a column and their MAD; {0, 0} when fewer than 2 entries.
std::pair<double, double> median_mad(const Eigen::Ref<const Eigen::VectorXd>& column) {
  std::vector<double> v;
  v.reserve(static_cast<std::size_t>(column.size()));
  for (Eigen::Index k = 0; k < column.size(); ++k) {
    if (std::isfinite(column(k))) v.push_back(column(k));
  }
  if (v.size() < 2) return {0.0, 0.0};
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  const double median = *mid;
  for (double& x : v) x = std::abs(x - median);
  std::nth_element(v.begin(), mid, v.end());
  return {median, *mid};
}

// Sets entries beyond threshold robust standard deviations to NaN; returns how many.
std::int64_t mad_filter(Matrix& m, double threshold) {
  std::int64_t dropped = 0;
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    const auto [median, mad] = median_mad(m.col(j));
    if (mad <= 0.0) continue;
    const double limit = threshold * solver::kMadToSigma * mad;
    for (Eigen::Index k = 0; k < m.rows(); ++k) {
      if (std::isfinite(m(k, j)) && std::abs(m(k, j) - median) > limit) {
        m(k, j) = kNaN;
        ++dropped;
      }
    }
  }
  return dropped;
}

// Pearson correlation over rows where both are finite (0 when undefined).
double correlation(const Eigen::Ref<const Eigen::VectorXd>& a,
                   const Eigen::Ref<const Eigen::VectorXd>& b) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
  for (Eigen::Index k = 0; k < a.size(); ++k) {
    if (!std::isfinite(a(k)) || !std::isfinite(b(k))) continue;
    sa += a(k), sb += b(k), saa += a(k) * a(k), sbb += b(k) * b(k), sab += a(k) * b(k), ++n;
  }
  if (n < 2) return 0.0;
  const double cov = sab - sa * sb / n;
  const double va = saa - sa * sa / n;
  const double vb = sbb - sb * sb / n;
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0.0;
}

// NaN -> 0 with a 0/1 mask; the mask is left empty when nothing is missing.
void split_missing(const Matrix& m, Matrix& values, Matrix& mask) {
  values = m;
  mask.resize(0, 0);
  bool any_missing = false;
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    if (!std::isfinite(m.data()[k])) {
      any_missing = true;
      break;
    }
  }
  if (!any_missing) return;
  mask = Matrix::Ones(m.rows(), m.cols());
  for (Eigen::Index k = 0; k < m.size(); ++k) {
    if (!std::isfinite(m.data()[k])) {
      values.data()[k] = 0.0;
      mask.data()[k] = 0.0;
    }
  }
}

}  // namespace

const char* to_string(ReferenceVoltage reference) noexcept {
  return reference == ReferenceVoltage::busbar ? "busbar" : "source";
}
const char* to_string(EstimatorMode mode) noexcept {
  return mode == EstimatorMode::ols ? "ols" : "robust";
}

Result<SensitivityMatrix> estimate_sensitivities(const GridRegistration& grid,
                                                 const HistoricalData& data,
                                                 const EstimatorOptions& options) {
  GRIDKE_TRY(validate_registration(grid, options.requirements));
  GRIDKE_TRY(validate_upload(grid, data));
  GRIDKE_TRY(validate_dataset(grid, data, options.requirements));
  std::unordered_map<std::string, const MeterHistory*> by_id;
  for (const auto& h : data.meters) by_id.emplace(h.meter.meter_id, &h);

  std::vector<const MeterHistory*> regular;
  std::vector<const MeterHistory*> substation;
  for (const auto& m : grid.meters) {
    (m.kind == MeterKind::regular ? regular : substation).push_back(by_id.at(m.meter_id));
  }
  if (options.reference == ReferenceVoltage::busbar && substation.empty()) {
    return failed_precondition("grid '" + grid.network_id +
                               "': busbar-referenced sensitivities need a substation meter "
                               "(info 1); none is registered — use the source reference");
  }

  SensitivityMatrix out;
  out.network_id = grid.network_id;
  out.reference = options.reference;
  out.mode = options.mode;
  DataQuality& q = out.quality;
  q.step_s = nominal_step_s(*regular.front());
  std::int64_t origin = std::numeric_limits<std::int64_t>::max();
  std::int64_t last = std::numeric_limits<std::int64_t>::min();
  // Not `by_id | std::views::values`: clang 14 (the fuzz build) rejects libstdc++ 12's views.
  for (const auto& [id, h] : by_id) {
    origin = std::min(origin, h->measurements.front().timestamp_s);
    last = std::max(last, h->measurements.back().timestamp_s);
  }
  out.start_time_s = origin;
  out.end_time_s = last;
  const auto slots = static_cast<Eigen::Index>((last - origin + q.step_s / 2) / q.step_s + 1);
  q.slots = slots;

  // 1-2. Alignment and plausibility. Columns: regular meters, then substation meters.
  std::vector<const MeterHistory*> all = regular;
  all.insert(all.end(), substation.begin(), substation.end());
  const auto meters = static_cast<Eigen::Index>(all.size());
  Matrix v = Matrix::Constant(slots, meters, kNaN);
  Matrix p = Matrix::Constant(slots, meters, kNaN);
  for (Eigen::Index j = 0; j < meters; ++j) {
    for (const auto& r : all[static_cast<std::size_t>(j)]->measurements) {
      ++q.records;
      const double offset =
          static_cast<double>(r.timestamp_s - origin) / static_cast<double>(q.step_s);
      const auto slot = static_cast<Eigen::Index>(std::llround(offset));
      if (static_cast<double>(slot) != offset) ++q.snapped_timestamps;
      if (slot < 0 || slot >= slots || std::isfinite(p(slot, j))) continue;
      p(slot, j) = r.p_measured_kw;
      const double ratio = r.v_measured_v / options.nominal_v;
      if (ratio < kPlausibleLow || ratio > kPlausibleHigh) {
        ++q.implausible_voltages;
      } else {
        v(slot, j) = r.v_measured_v;
      }
    }
  }
  q.missing_records = slots * meters - q.records;

  // 3. First differences; NaN propagates, so a difference exists only for complete pairs.
  const Eigen::Index rows = slots - 1;
  Matrix dv = v.bottomRows(rows) - v.topRows(rows);
  const auto n_regular = static_cast<Eigen::Index>(regular.size());
  Matrix dp = p.bottomRows(rows).leftCols(n_regular) - p.topRows(rows).leftCols(n_regular);

  // 4. Reference removal.
  Matrix y = dv.leftCols(n_regular);
  if (options.reference == ReferenceVoltage::busbar) {
    for (Eigen::Index i = 0; i < n_regular; ++i) {
      const int phase = regular[static_cast<std::size_t>(i)]->meter.phase;
      Eigen::Index ref = -1;
      double best = -2.0;
      for (Eigen::Index s = 0; s < static_cast<Eigen::Index>(substation.size()); ++s) {
        const int sub_phase = substation[static_cast<std::size_t>(s)]->meter.phase;
        if (phase != 0 && sub_phase == phase) {
          ref = s;
          break;
        }
        if (const double r = correlation(y.col(i), dv.col(n_regular + s)); r > best) {
          best = r;
          ref = s;
        }
      }
      y.col(i) -= dv.col(n_regular + ref);
    }
  }

  // 5. Outliers.
  q.voltage_outliers = mad_filter(y, options.mad_threshold);
  q.power_outliers = mad_filter(dp, options.mad_threshold);

  // 6. Identifiable regressors.
  std::vector<Eigen::Index> kept;
  for (Eigen::Index j = 0; j < n_regular; ++j) {
    Eigen::Index count = 0;
    bool varies = false;
    for (Eigen::Index k = 0; k < rows; ++k) {
      if (!std::isfinite(dp(k, j))) continue;
      ++count;
      varies = varies || std::abs(dp(k, j)) > options.power_resolution_kw;
    }
    if (count >= static_cast<Eigen::Index>(solver::kMinPairCount) && varies) {
      kept.push_back(j);
    } else {
      q.not_identifiable.push_back(regular[static_cast<std::size_t>(j)]->meter.meter_id);
    }
  }
  if (kept.empty()) {
    return failed_precondition("grid '" + grid.network_id +
                               "': no meter's power varies; sensitivities cannot be estimated");
  }
  Matrix x(rows, static_cast<Eigen::Index>(kept.size()));
  for (std::size_t c = 0; c < kept.size(); ++c)
    x.col(static_cast<Eigen::Index>(c)) = dp.col(kept[c]);

  // 7. Solve.
  solver::RegressionProblem problem;
  split_missing(x, problem.x, problem.x_mask);
  split_missing(y, problem.y, problem.y_mask);
  solver::RegressionOptions ro;
  if (options.mode == EstimatorMode::robust) {
    ro.select_lambda_gcv = true;
    ro.robust_iterations = options.robust_iterations;
    ro.trim_threshold = options.trim_threshold;
  }
  auto fitted = solver::fit(problem, ro);
  if (!fitted) {
    return fitted.error().with_context("grid '" + grid.network_id +
                                       "' (regressor columns are "
                                       "the identifiable regular meters in registration order)");
  }
  const auto& f = *fitted;
  for (const auto* h : regular) out.voltage_meters.push_back(h->meter.meter_id);
  for (const auto j : kept) {
    out.injection_meters.push_back(regular[static_cast<std::size_t>(j)]->meter.meter_id);
  }
  out.sensitivity_v_per_kw = f.coefficients.transpose();
  out.standard_error_v_per_kw = f.standard_errors.transpose();
  for (Eigen::Index i = 0; i < n_regular; ++i) {
    out.r_squared.push_back(f.r_squared(i));
    out.residual_sigma_v.push_back(f.residual_sigma(i));
    out.samples.push_back(f.samples(i));
    q.residual_outliers += f.trimmed_rows[static_cast<std::size_t>(i)];
  }
  out.lambda = f.lambda;
  out.condition_number = f.condition_number;
  return out;
}

}  // namespace gridke::services::sensitivities
