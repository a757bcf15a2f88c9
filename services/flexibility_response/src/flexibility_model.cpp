// The flexibility-response model: translation from the dataset (model/) to per-slot regressions
// (solver/) and the three D4.3 outputs. Formulas in flexibility_model.hpp.

#include "gridke/services/flexibility_response/flexibility_model.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <unordered_map>

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

namespace {

// What every customer's (or group's) slot regressions share within one analyse() call.
struct FlexFitContext {
  const FlexibilityResult& header;
  const AnalysisOptions& options;
  std::vector<double> directions;
  double probability = 0.975;
  int slots_per_day = 24;
  std::int64_t slot_s = 3600;
  bool use_indoor = false;
  bool use_occupancy = false;
  Eigen::Index base_columns = 2;
};

// Fits users [first_user, last_user) of `dataset` into out[first_user..last_user); each call
// has its own buffers and quantile cache, so calls on disjoint ranges may run concurrently.
// `done` (optional) counts finished users for progress.
Result<void> flex_fit_users(const model::Dataset& dataset, const model::CustomerIndex& index,
                            const FlexFitContext& ctx, std::size_t first_user,
                            std::size_t last_user, std::vector<CustomerResult>& out,
                            std::atomic<std::size_t>* done) {
  const std::size_t level_count = ctx.header.levels.size();
  const auto& levels = ctx.header.levels;
  const bool empirical = ctx.options.reliability_method == ReliabilityMethod::empirical;
  QuantileCache quantiles(ctx.probability);
  SlotBuffers buffers;
  buffers.rows_by_slot.resize(static_cast<std::size_t>(ctx.slots_per_day));
  std::vector<std::int64_t> level_counts(level_count);
  std::vector<Eigen::Index> level_column(level_count);
  Matrix x;
  Vector y;
  Vector x_row;
  for (std::size_t u = first_user; u < last_user; ++u) {
    CustomerResult& customer = out[u];
    customer.user_id = dataset.user_ids[u];
    customer.time_step_s = index.time_step_s[u];
    const double kw_factor = to_kw_factor(dataset.consumption_unit, customer.time_step_s);
    for (auto& rows : buffers.rows_by_slot) rows.clear();
    for (std::size_t k = index.offsets[u]; k < index.offsets[u + 1]; ++k) {
      const std::size_t row = index.rows[k];
      std::int64_t second_of_day = dataset.timestamp_s[row] % kSecondsPerDay;
      if (second_of_day < 0) second_of_day += kSecondsPerDay;
      buffers.rows_by_slot[static_cast<std::size_t>(second_of_day / ctx.slot_s)].push_back(row);
    }
    customer.slots.resize(static_cast<std::size_t>(ctx.slots_per_day));
    for (int h = 0; h < ctx.slots_per_day; ++h) {
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
          level = static_cast<int>(
              std::lower_bound(levels.begin(), levels.end(), dataset.signal[rows[r]]) -
              levels.begin());
          ++level_counts[static_cast<std::size_t>(level)];
        } else {
          ++slot.baseline_observations;
        }
        buffers.level_of_row[r] = level;
      }
      Eigen::Index p = ctx.base_columns;
      for (std::size_t k = 0; k < level_count; ++k) {
        slot.levels[k].observations = level_counts[k];
        slot.levels[k].expected_direction = ctx.directions[k];
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
        if (ctx.use_indoor) {
          x(r, c++) = dataset.indoor_temperature_c[row];
          indoor_sum += dataset.indoor_temperature_c[row];
        }
        if (ctx.use_occupancy) {
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
          ctx.options.reference_temperature_c.value_or(temperature_sum * inv_n);
      Vector x0 = Vector::Zero(p);
      x0(0) = 1.0;
      x0(1) = slot.reference_temperature_c;
      Eigen::Index c = 2;
      if (ctx.use_indoor) x0(c++) = indoor_sum * inv_n;
      if (ctx.use_occupancy) x0(c++) = occupancy_sum * inv_n;
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
        if (!empirical) {
          GRIDKE_ASSIGN_OR_RETURN(
              level.reliability,
              solver::student_t_cdf(level.expected_direction * level.t_statistic, dof));
        }
        x0(column) = 1.0;
        level.power_kw = solver::predict_with_quantile(*fit, x0, q);
        x0(column) = 0.0;
      }
      if (empirical) {
        // Each signalled interval against the baseline prediction at its own conditions.
        for (Eigen::Index r = 0; r < n; ++r) {
          const int level_index = buffers.level_of_row[static_cast<std::size_t>(r)];
          if (level_index < 0) continue;
          auto& level = slot.levels[static_cast<std::size_t>(level_index)];
          x_row = x.row(r).transpose();
          x_row(level_column[static_cast<std::size_t>(level_index)]) = 0.0;
          const double baseline = x_row.dot(fit->coefficients);
          const double threshold =
              ctx.options.empirical_threshold_kw
                  ? *ctx.options.empirical_threshold_kw
                  : q * std::sqrt(x_row.dot(fit->covariance * x_row) + fit->sigma2);
          if (level.expected_direction * (y(r) - baseline) > threshold) {
            ++level.responded_intervals;
          }
        }
        for (auto& level : slot.levels) {
          if (level.estimated && level.observations > 0) {
            level.reliability = static_cast<double>(level.responded_intervals) /
                                static_cast<double>(level.observations);
          }
        }
      }
    }
    if (done != nullptr && ctx.options.progress) {
      ctx.options.progress(++*done, dataset.user_ids.size());
    }
  }
  return {};
}

// Rank percentages of one population (customers, or groups) per slot and level.
template <typename Member>
void flex_rank_population(std::vector<Member>& population, std::size_t level_count) {
  std::size_t slots = 0;
  for (const auto& m : population) slots = std::max(slots, m.slots.size());
  std::vector<std::pair<double, std::size_t>> scores;
  for (std::size_t h = 0; h < slots; ++h) {
    for (std::size_t k = 0; k < level_count; ++k) {
      scores.clear();
      for (std::size_t c = 0; c < population.size(); ++c) {
        const auto& member = population[c];
        if (h >= member.slots.size() || !member.slots[h].estimated) continue;
        const auto& level = member.slots[h].levels[k];
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
          population[scores[m].second].slots[h].levels[k].ranking_percent = percent;
        }
        i = j + 1;
      }
    }
  }
}

}  // namespace

void rank_customers(FlexibilityResult& result) {
  flex_rank_population(result.customers, result.levels.size());
  flex_rank_population(result.groups, result.levels.size());
}

model::Dataset group_series(const model::Dataset& dataset, const model::CustomerIndex& index,
                            std::size_t group_index, GroupResult& group) {
  const model::CustomerGroup& definition = dataset.groups[group_index];
  std::unordered_map<std::string_view, std::size_t> user_of;
  for (std::size_t u = 0; u < dataset.user_ids.size(); ++u) user_of.emplace(dataset.user_ids[u], u);
  std::vector<std::size_t> members;
  for (const auto& id : definition.user_ids) members.push_back(user_of.at(id));
  const bool indoor = dataset.has_indoor_temperature();
  const bool occupancy = dataset.has_occupancy();

  model::Dataset out;
  out.user_ids = {definition.name};
  out.consumption_unit = model::ConsumptionUnit::kw;
  out.signal_class = dataset.signal_class;
  out.signal_unit = dataset.signal_unit;
  out.baseline_signal_value = dataset.baseline_signal_value;
  out.window = dataset.window;
  // k-way merge over the members' time-sorted rows: one cursor per member.
  std::vector<std::size_t> cursor(members.size());
  std::vector<double> factor(members.size());
  for (std::size_t m = 0; m < members.size(); ++m) {
    cursor[m] = index.offsets[members[m]];
    factor[m] = to_kw_factor(dataset.consumption_unit, index.time_step_s[members[m]]);
  }
  const double inv_members = 1.0 / static_cast<double>(members.size());
  for (;;) {
    std::int64_t t = std::numeric_limits<std::int64_t>::max();
    for (std::size_t m = 0; m < members.size(); ++m) {
      if (cursor[m] < index.offsets[members[m] + 1]) {
        t = std::min(t, dataset.timestamp_s[index.rows[cursor[m]]]);
      }
    }
    if (t == std::numeric_limits<std::int64_t>::max()) break;
    bool complete = true;
    bool mixed = false;
    double y = 0.0, temperature = 0.0, indoor_sum = 0.0, occupancy_sum = 0.0;
    double signal = 0.0;
    bool first = true;
    bool baseline = false;
    for (std::size_t m = 0; m < members.size(); ++m) {
      const std::size_t end = index.offsets[members[m] + 1];
      if (cursor[m] >= end || dataset.timestamp_s[index.rows[cursor[m]]] != t) {
        complete = false;
        continue;
      }
      const std::size_t row = index.rows[cursor[m]++];
      const bool row_baseline = dataset.is_baseline(row);
      if (first) {
        baseline = row_baseline;
        signal = dataset.signal[row];
        first = false;
      } else if (row_baseline != baseline || (!baseline && dataset.signal[row] != signal)) {
        mixed = true;
      }
      y += dataset.consumption[row] * factor[m];
      temperature += dataset.outside_temperature_c[row];
      if (indoor) indoor_sum += dataset.indoor_temperature_c[row];
      if (occupancy) occupancy_sum += dataset.occupancy[row];
    }
    if (!complete) {
      ++group.incomplete_intervals;
      continue;
    }
    if (mixed) {
      ++group.mixed_signal_intervals;
      continue;
    }
    out.user.push_back(0);
    out.timestamp_s.push_back(t);
    out.consumption.push_back(y * inv_members);
    out.signal.push_back(baseline ? std::numeric_limits<double>::quiet_NaN() : signal);
    out.outside_temperature_c.push_back(temperature * inv_members);
    if (indoor) out.indoor_temperature_c.push_back(indoor_sum * inv_members);
    if (occupancy) out.occupancy.push_back(occupancy_sum * inv_members);
  }
  group.intervals = static_cast<std::int64_t>(out.size());
  return out;
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
  if (options.empirical_threshold_kw &&
      !(std::isfinite(*options.empirical_threshold_kw) && *options.empirical_threshold_kw >= 0.0)) {
    return invalid_argument("empirical_threshold_kw must be a finite number >= 0, got " +
                            std::to_string(*options.empirical_threshold_kw));
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
  result.reliability_method = options.reliability_method;
  if (options.reliability_method == ReliabilityMethod::empirical) {
    result.empirical_threshold_kw = options.empirical_threshold_kw;
  }
  result.window = dataset.window;
  FlexFitContext ctx{result, options, {}};
  ctx.slots_per_day = kMinutesPerDay / options.slot_minutes;
  ctx.slot_s = slot_s;
  ctx.use_indoor = options.use_indoor_temperature && dataset.has_indoor_temperature();
  ctx.use_occupancy = options.use_occupancy && dataset.has_occupancy();
  ctx.base_columns = 2 + (ctx.use_indoor ? 1 : 0) + (ctx.use_occupancy ? 1 : 0);
  ctx.directions.resize(result.levels.size());
  for (std::size_t k = 0; k < result.levels.size(); ++k) {
    ctx.directions[k] =
        expected_direction(dataset.signal_class, result.levels[k], dataset.baseline_signal_value);
  }
  ctx.probability = 1.0 - 0.5 * (1.0 - options.confidence_level);
  result.customers.resize(dataset.user_ids.size());

  std::atomic<std::size_t> customers_done{0};
  const std::size_t users = dataset.user_ids.size();
  const std::size_t threads = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::max(options.threads, 1)), 1, std::max<std::size_t>(users, 1));
  if (threads == 1) {
    GRIDKE_TRY(flex_fit_users(dataset, index, ctx, 0, users, result.customers, &customers_done));
  } else {
    std::vector<std::optional<Error>> errors(threads);
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
      const std::size_t begin = users * t / threads;
      const std::size_t end = users * (t + 1) / threads;
      const auto work = [&, t, begin, end] {
        auto done =
            flex_fit_users(dataset, index, ctx, begin, end, result.customers, &customers_done);
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

  result.groups.resize(dataset.groups.size());
  for (std::size_t g = 0; g < dataset.groups.size(); ++g) {
    GroupResult& group = result.groups[g];
    group.name = dataset.groups[g].name;
    group.members = dataset.groups[g].user_ids;
    const model::Dataset series = group_series(dataset, index, g, group);
    const auto series_index = model::index_customers(series);
    std::vector<CustomerResult> fitted(1);
    GRIDKE_TRY(flex_fit_users(series, series_index, ctx, 0, 1, fitted, nullptr));
    group.time_step_s = fitted[0].time_step_s;
    group.slots = std::move(fitted[0].slots);
  }
  rank_customers(result);
  return result;
}

std::string_view to_string(ReliabilityMethod method) {
  return method == ReliabilityMethod::empirical ? "empirical" : "model";
}

std::optional<ReliabilityMethod> parse_reliability_method(std::string_view text) {
  if (text == "model") return ReliabilityMethod::model;
  if (text == "empirical") return ReliabilityMethod::empirical;
  return std::nullopt;
}

}  // namespace gridke::services::flexibility_response
