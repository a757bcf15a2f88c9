// The flexibility-response model: translation from the dataset (model/) to per-slot regressions
// (solver/) and the three D4.3 outputs. Formulas in flexibility_model.hpp.

#include "gridke/services/flexibility_response/flexibility_model.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>
#include <system_error>
#include <thread>

#include "gridke/services/flexibility_response/solver/student_t.hpp"

namespace gridke::services::flexibility_response {
namespace {

using solver::Matrix;
using solver::Vector;

constexpr int kMinutesPerDay = 1440;
constexpr std::int64_t kSecondsPerDay = 86400;

double sign(double v) { return v > 0.0 ? 1.0 : (v < 0.0 ? -1.0 : 0.0); }

// kW per unit of the dataset's consumption column, for rows `time_step_s` apart.
double to_kw_factor(model::ConsumptionUnit unit, std::int64_t time_step_s) {
  const double hours = static_cast<double>(time_step_s) / 3600.0;
  switch (unit) {
    case model::ConsumptionUnit::w: return 1e-3;
    case model::ConsumptionUnit::kw: return 1.0;
    case model::ConsumptionUnit::wh: return 1e-3 / hours;
    case model::ConsumptionUnit::kwh: return 1.0 / hours;
  }
  return 1.0;
}

// Student-t quantiles and CDFs for the few distinct residual degrees of freedom of one run.
class QuantileCache {
 public:
  explicit QuantileCache(double probability) : probability_(probability) {}
  Result<double> quantile(std::int64_t dof) {
    const auto it = cache_.find(dof);
    if (it != cache_.end()) return it->second;
    GRIDKE_ASSIGN_OR_RETURN(const double q,
                            solver::student_t_quantile(probability_, static_cast<double>(dof)));
    cache_.emplace(dof, q);
    return q;
  }

 private:
  double probability_;
  std::map<std::int64_t, double> cache_;
};

// Reused buffers of one customer's slot regressions.
struct SlotBuffers {
  std::vector<std::vector<std::size_t>> rows_by_slot;
  std::vector<int> level_of_row;
};

}  // namespace

double expected_direction(model::SignalClass signal_class, double level,
                          std::optional<double> baseline_signal_value) {
  using model::SignalClass;
  if (baseline_signal_value) {
    const double s = sign(level - *baseline_signal_value);
    switch (signal_class) {
      case SignalClass::cost:
      case SignalClass::co2_emissions: return -s;
      case SignalClass::renewable_percentage:
      case SignalClass::power_limit: return s;
    }
  }
  return signal_class == SignalClass::renewable_percentage ? 1.0 : -1.0;
}

void rank_customers(FlexibilityResult& result) {
  std::size_t slots = 0;
  for (const auto& c : result.customers) slots = std::max(slots, c.slots.size());
  std::vector<std::pair<double, std::size_t>> scores;
  for (std::size_t h = 0; h < slots; ++h) {
    for (std::size_t k = 0; k < result.levels.size(); ++k) {
      scores.clear();
      for (std::size_t c = 0; c < result.customers.size(); ++c) {
        const auto& customer = result.customers[c];
        if (h >= customer.slots.size() || !customer.slots[h].estimated) continue;
        const auto& level = customer.slots[h].levels[k];
        if (level.estimated)
          scores.emplace_back(level.expected_direction * level.flexibility_kw, c);
      }
      std::sort(scores.begin(), scores.end());
      const std::size_t n = scores.size();
      for (std::size_t i = 0; i < n;) {
        std::size_t j = i;
        while (j + 1 < n && scores[j + 1].first == scores[i].first) ++j;
        const double mean_rank = 0.5 * static_cast<double>(i + j);
        const double percent = n == 1 ? 100.0 : 100.0 * mean_rank / static_cast<double>(n - 1);
        for (std::size_t m = i; m <= j; ++m) {
          result.customers[scores[m].second].slots[h].levels[k].ranking_percent = percent;
        }
        i = j + 1;
      }
    }
  }
}

Result<FlexibilityResult> analyse(const model::Dataset& dataset, const AnalysisOptions& options) {
  if (options.slot_minutes <= 0 || kMinutesPerDay % options.slot_minutes != 0) {
    return invalid_argument("slot_minutes must divide 1440, got " +
                            std::to_string(options.slot_minutes));
  }
  if (!(options.confidence_level > 0.0 && options.confidence_level < 1.0)) {
    return invalid_argument("confidence_level must be in (0, 1), got " +
                            std::to_string(options.confidence_level));
  }
  const auto index = model::index_customers(dataset);
  if (const auto issues = model::validate(dataset, index); !issues.empty()) {
    return model::issues_to_error(issues);
  }
  const std::int64_t slot_s = static_cast<std::int64_t>(options.slot_minutes) * 60;
  for (std::size_t u = 0; u < dataset.user_ids.size(); ++u) {
    if (index.time_step_s[u] > slot_s) {
      return invalid_argument("slot of " + std::to_string(options.slot_minutes) +
                              " min is shorter than the " +
                              std::to_string(index.time_step_s[u] / 60) +
                              " min time step of user " + dataset.user_ids[u]);
    }
  }

  FlexibilityResult result;
  result.signal_class = dataset.signal_class;
  result.signal_unit = dataset.signal_unit;
  result.levels = dataset.signal_levels();
  result.baseline_signal_value = dataset.baseline_signal_value;
  result.slot_minutes = options.slot_minutes;
  result.confidence_level = options.confidence_level;
  result.window = dataset.window;
  const std::size_t level_count = result.levels.size();
  const int slots_per_day = kMinutesPerDay / options.slot_minutes;
  const bool use_indoor = options.use_indoor_temperature && dataset.has_indoor_temperature();
  const bool use_occupancy = options.use_occupancy && dataset.has_occupancy();
  const Eigen::Index base_columns = 2 + (use_indoor ? 1 : 0) + (use_occupancy ? 1 : 0);
  std::vector<double> directions(level_count);
  for (std::size_t k = 0; k < level_count; ++k) {
    directions[k] =
        expected_direction(dataset.signal_class, result.levels[k], dataset.baseline_signal_value);
  }
  const double probability = 1.0 - 0.5 * (1.0 - options.confidence_level);
  result.customers.resize(dataset.user_ids.size());

  std::atomic<std::size_t> customers_done{0};
  // Customers [first_user, last_user) into result.customers; one call per worker thread, each
  // with its own buffers and quantile cache, writing disjoint elements.
  const auto run_range = [&](std::size_t first_user, std::size_t last_user) -> Result<void> {
    QuantileCache quantiles(probability);
    SlotBuffers buffers;
    buffers.rows_by_slot.resize(static_cast<std::size_t>(slots_per_day));
    std::vector<std::int64_t> level_counts(level_count);
    std::vector<Eigen::Index> level_column(level_count);
    Matrix x;
    Vector y;
    for (std::size_t u = first_user; u < last_user; ++u) {
      CustomerResult& customer = result.customers[u];
      customer.user_id = dataset.user_ids[u];
      customer.time_step_s = index.time_step_s[u];
      const double kw_factor = to_kw_factor(dataset.consumption_unit, customer.time_step_s);
      for (auto& rows : buffers.rows_by_slot) rows.clear();
      for (std::size_t k = index.offsets[u]; k < index.offsets[u + 1]; ++k) {
        const std::size_t row = index.rows[k];
        std::int64_t second_of_day = dataset.timestamp_s[row] % kSecondsPerDay;
        if (second_of_day < 0) second_of_day += kSecondsPerDay;
        buffers.rows_by_slot[static_cast<std::size_t>(second_of_day / slot_s)].push_back(row);
      }
      customer.slots.resize(static_cast<std::size_t>(slots_per_day));
      for (int h = 0; h < slots_per_day; ++h) {
        auto& slot = customer.slots[static_cast<std::size_t>(h)];
        slot.slot = h;
        slot.levels.assign(level_count, LevelResult{});
        const auto& rows = buffers.rows_by_slot[static_cast<std::size_t>(h)];
        const auto n = static_cast<Eigen::Index>(rows.size());
        slot.observations = n;
        buffers.level_of_row.resize(rows.size());
        std::fill(level_counts.begin(), level_counts.end(), 0);
        for (std::size_t r = 0; r < rows.size(); ++r) {
          int level = -1;
          if (!dataset.is_baseline(rows[r])) {
            level = static_cast<int>(std::lower_bound(result.levels.begin(), result.levels.end(),
                                                      dataset.signal[rows[r]]) -
                                     result.levels.begin());
            ++level_counts[static_cast<std::size_t>(level)];
          } else {
            ++slot.baseline_observations;
          }
          buffers.level_of_row[r] = level;
        }
        Eigen::Index p = base_columns;
        for (std::size_t k = 0; k < level_count; ++k) {
          slot.levels[k].observations = level_counts[k];
          slot.levels[k].expected_direction = directions[k];
          level_column[k] = level_counts[k] > 0 ? p++ : -1;
        }
        if (slot.baseline_observations == 0) {
          slot.note = "no baseline rows in this slot";
          continue;
        }
        if (n <= p) {
          slot.note = std::to_string(n) + " rows for " + std::to_string(p) + " coefficients";
          continue;
        }
        x.setZero(n, p);
        y.resize(n);
        double temperature_sum = 0.0, indoor_sum = 0.0, occupancy_sum = 0.0;
        for (Eigen::Index r = 0; r < n; ++r) {
          const std::size_t row = rows[static_cast<std::size_t>(r)];
          y(r) = dataset.consumption[row] * kw_factor;
          x(r, 0) = 1.0;
          x(r, 1) = dataset.outside_temperature_c[row];
          temperature_sum += x(r, 1);
          Eigen::Index c = 2;
          if (use_indoor) {
            x(r, c++) = dataset.indoor_temperature_c[row];
            indoor_sum += dataset.indoor_temperature_c[row];
          }
          if (use_occupancy) {
            x(r, c++) = dataset.occupancy[row];
            occupancy_sum += dataset.occupancy[row];
          }
          const int level = buffers.level_of_row[static_cast<std::size_t>(r)];
          if (level >= 0) x(r, level_column[static_cast<std::size_t>(level)]) = 1.0;
        }
        auto fit = solver::fit_ols(x, y);
        if (!fit.has_value()) {
          slot.note = fit.error().message();
          continue;
        }
        slot.estimated = true;
        slot.df_resid = fit->df_resid;
        slot.r_squared = fit->r_squared;
        const double inv_n = 1.0 / static_cast<double>(n);
        slot.reference_temperature_c =
            options.reference_temperature_c.value_or(temperature_sum * inv_n);
        Vector x0 = Vector::Zero(p);
        x0(0) = 1.0;
        x0(1) = slot.reference_temperature_c;
        Eigen::Index c = 2;
        if (use_indoor) x0(c++) = indoor_sum * inv_n;
        if (use_occupancy) x0(c++) = occupancy_sum * inv_n;
        GRIDKE_ASSIGN_OR_RETURN(const double q, quantiles.quantile(fit->df_resid));
        slot.baseline_kw = solver::predict_with_quantile(*fit, x0, q);
        const auto dof = static_cast<double>(fit->df_resid);
        for (std::size_t k = 0; k < level_count; ++k) {
          if (level_column[k] < 0) continue;
          auto& level = slot.levels[k];
          const Eigen::Index column = level_column[k];
          level.estimated = true;
          level.flexibility_kw = fit->coefficients(column);
          level.flexibility_se_kw = fit->standard_errors(column);
          level.t_statistic = level.flexibility_kw / level.flexibility_se_kw;
          GRIDKE_ASSIGN_OR_RETURN(const double lower_tail,
                                  solver::student_t_cdf(-std::fabs(level.t_statistic), dof));
          level.p_value = 2.0 * lower_tail;
          GRIDKE_ASSIGN_OR_RETURN(
              level.reliability,
              solver::student_t_cdf(level.expected_direction * level.t_statistic, dof));
          x0(column) = 1.0;
          level.power_kw = solver::predict_with_quantile(*fit, x0, q);
          x0(column) = 0.0;
        }
      }
      if (options.progress) options.progress(++customers_done, dataset.user_ids.size());
    }
    return {};
  };

  const std::size_t users = dataset.user_ids.size();
  const std::size_t threads = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(options.threads, 1)), 1, std::max<std::size_t>(users, 1));
  if (threads == 1) {
    GRIDKE_TRY(run_range(0, users));
  } else {
    std::vector<std::optional<Error>> errors(threads);
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
      const std::size_t begin = users * t / threads;
      const std::size_t end = users * (t + 1) / threads;
      const auto work = [&run_range, &errors, t, begin, end] {
        auto done = run_range(begin, end);
        if (!done.has_value()) errors[t] = done.error();
      };
      try {
        workers.emplace_back(work);
      } catch (const std::system_error&) {
        work();  // no thread available: run this share here
      }
    }
    for (auto& worker : workers) worker.join();
    for (const auto& error : errors) {
      if (error) return *error;
    }
  }
  rank_customers(result);
  return result;
}

}  // namespace gridke::services::flexibility_response
