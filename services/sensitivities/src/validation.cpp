// Registration, upload and dataset validation (model/validation.hpp).

#include "gridke/services/sensitivities/model/validation.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace gridke::services::sensitivities {
namespace {

// Collects problems and renders one message listing up to kMaxListedProblems of them.
class Problems {
 public:
  void add(std::string problem) {
    ++count_;
    if (listed_.size() < kMaxListedProblems) listed_.push_back(std::move(problem));
  }
  bool empty() const { return count_ == 0; }
  std::string message(const std::string& what) const {
    std::string m = what + ": " + std::to_string(count_) + " problem" + (count_ == 1 ? "" : "s");
    for (const auto& p : listed_) m += "; " + p;
    if (count_ > listed_.size()) {
      m += "; ... and " + std::to_string(count_ - listed_.size()) + " more";
    }
    return m;
  }

 private:
  std::vector<std::string> listed_;
  std::size_t count_ = 0;
};

std::string quoted(const std::string& id) { return "'" + id + "'"; }

std::string days(std::int64_t seconds) {
  return std::to_string(static_cast<double>(seconds) / 86400.0).substr(0, 6) + " days";
}

}  // namespace

const char* to_string(ApplianceType type) noexcept {
  switch (type) {
    case ApplianceType::ev: return "EV";
    case ApplianceType::heat_pump: return "heat pump";
    case ApplianceType::pv: return "PV";
    case ApplianceType::other: return "other";
  }
  return "other";
}

Result<void> validate_registration(const GridRegistration& grid,
                                   const DataRequirements& requirements) {
  Problems problems;
  if (grid.network_id.empty()) problems.add("network id is empty");
  std::set<std::string> ids;
  std::set<int> substation_phases;
  std::size_t regular = 0;
  for (std::size_t k = 0; k < grid.meters.size(); ++k) {
    const auto& m = grid.meters[k];
    const std::string where = "meter " + std::to_string(k) + " " + quoted(m.meter_id);
    if (m.meter_id.empty()) problems.add("meter " + std::to_string(k) + ": meter_id is empty");
    if (!ids.insert(m.meter_id).second) problems.add(where + ": duplicate meter_id");
    if (m.kind == MeterKind::substation) {
      if (m.phase < 1 || m.phase > 3) {
        problems.add(where + ": substation meter phase " + std::to_string(m.phase) +
                     " is not 1 (R), 2 (S) or 3 (T)");
      } else if (!substation_phases.insert(m.phase).second) {
        problems.add(where + ": a second substation meter on phase " + std::to_string(m.phase));
      }
    } else {
      ++regular;
      if (m.phase < 0 || m.phase > 3) {
        problems.add(where + ": phase " + std::to_string(m.phase) +
                     " is not 0 (unknown), 1 (R), 2 (S) or 3 (T)");
      }
    }
  }
  if (regular == 0) problems.add("no regular meter registered");
  if (regular > requirements.max_regular_meters) {
    problems.add(std::to_string(regular) + " regular meters exceed the limit of " +
                 std::to_string(requirements.max_regular_meters) +
                 " per secondary substation; split the grid by feeder");
  }
  if (!problems.empty()) {
    return invalid_argument(problems.message("grid " + quoted(grid.network_id)));
  }
  return ok();
}

Result<void> validate_upload(const GridRegistration& grid, const HistoricalData& upload) {
  std::unordered_map<std::string, const MeterInfo*> registered;
  for (const auto& m : grid.meters) registered.emplace(m.meter_id, &m);
  Problems problems;
  std::set<std::string> seen;
  for (std::size_t k = 0; k < upload.meters.size(); ++k) {
    const auto& h = upload.meters[k];
    const std::string where =
        "historicalFromMeters[" + std::to_string(k) + "] meter " + quoted(h.meter.meter_id);
    const auto it = registered.find(h.meter.meter_id);
    if (it == registered.end()) {
      problems.add(where + ": unknown meter (not registered in grid " + quoted(grid.network_id) +
                   ")");
      continue;
    }
    if (!seen.insert(h.meter.meter_id).second) problems.add(where + ": meter appears twice");
    if (it->second->kind != h.meter.kind) {
      problems.add(where + ": info " + std::to_string(static_cast<int>(h.meter.kind)) +
                   " differs from the registered " +
                   std::to_string(static_cast<int>(it->second->kind)));
    }
    if (h.meter.phase != it->second->phase) {
      problems.add(where + ": bad phase " + std::to_string(h.meter.phase) + " (registered " +
                   std::to_string(it->second->phase) + ")");
    }
    for (std::size_t r = 0; r < h.measurements.size(); ++r) {
      const auto& row = h.measurements[r];
      const std::string at = where + " row " + std::to_string(r);
      if (!std::isfinite(row.v_measured_v)) problems.add(at + ": v_measured is not a number");
      if (!std::isfinite(row.p_measured_kw)) problems.add(at + ": p_measured is not a number");
      if (row.timestamp_s < 0) problems.add(at + ": negative timestamp");
      if (r > 0) {
        const auto prev = h.measurements[r - 1].timestamp_s;
        if (row.timestamp_s == prev) {
          problems.add(at + ": duplicate timestamp " + std::to_string(row.timestamp_s));
        } else if (row.timestamp_s < prev) {
          problems.add(at + ": timestamp " + std::to_string(row.timestamp_s) +
                       " is earlier than the previous row's " + std::to_string(prev) +
                       " (timestamps must increase)");
        }
      }
    }
  }
  if (!problems.empty()) {
    return invalid_argument(
        problems.message("historical data for grid " + quoted(grid.network_id)));
  }
  return ok();
}

std::int64_t nominal_step_s(const MeterHistory& meter) {
  std::map<std::int64_t, std::size_t> counts;
  for (std::size_t r = 1; r < meter.measurements.size(); ++r) {
    const auto step = meter.measurements[r].timestamp_s - meter.measurements[r - 1].timestamp_s;
    if (step > 0) ++counts[step];
  }
  std::int64_t best = 0;
  std::size_t best_count = 0;
  for (const auto& [step, count] : counts) {
    if (count > best_count) {
      best = step;
      best_count = count;
    }
  }
  return best;
}

Result<void> validate_dataset(const GridRegistration& grid, const HistoricalData& data,
                              const DataRequirements& requirements) {
  const std::string what = "grid " + quoted(grid.network_id);
  std::unordered_map<std::string, const MeterHistory*> by_id;
  for (const auto& h : data.meters) {
    if (!h.measurements.empty()) by_id.emplace(h.meter.meter_id, &h);
  }
  std::vector<std::string> missing;
  for (const auto& m : grid.meters) {
    if (!by_id.contains(m.meter_id)) missing.push_back(m.meter_id);
  }
  if (!missing.empty()) {
    std::string list;
    for (std::size_t k = 0; k < missing.size() && k < kMaxListedProblems; ++k) {
      list += (k ? ", " : "") + quoted(missing[k]);
    }
    if (missing.size() > kMaxListedProblems) list += ", ...";
    return failed_precondition(what + ": partial network: " + std::to_string(missing.size()) +
                               " of " + std::to_string(grid.meters.size()) +
                               " registered meters have no data (" + list +
                               "); the whole network under one secondary substation is required");
  }
  Problems problems;
  std::int64_t common_step = 0;
  std::string common_step_meter;
  for (const auto& m : grid.meters) {
    const auto& h = *by_id.at(m.meter_id);
    const auto step = nominal_step_s(h);
    if (step == 0) {
      problems.add("meter " + quoted(m.meter_id) + ": a single record has no time step");
      continue;
    }
    if (step > requirements.max_step_s) {
      problems.add("meter " + quoted(m.meter_id) + ": time step " + std::to_string(step) +
                   " s exceeds " + std::to_string(requirements.max_step_s) + " s");
    }
    if (common_step == 0) {
      common_step = step;
      common_step_meter = m.meter_id;
    } else if (step != common_step) {
      problems.add("meter " + quoted(m.meter_id) + ": time step " + std::to_string(step) +
                   " s differs from meter " + quoted(common_step_meter) + "'s " +
                   std::to_string(common_step) + " s");
    }
    // Coverage: each record stands for one step, so N records at step s cover N * s.
    const auto span = h.measurements.back().timestamp_s - h.measurements.front().timestamp_s + step;
    if (span < requirements.min_span_s) {
      problems.add("meter " + quoted(m.meter_id) + ": data span " + days(span) +
                   " is shorter than the required " + days(requirements.min_span_s));
    }
  }
  if (!problems.empty()) return failed_precondition(problems.message(what));

  // Energy balance against the substation meters (partial network detection from the data).
  std::map<std::int64_t, double> substation_kw;
  std::map<std::int64_t, int> substation_meters;
  int substations = 0;
  for (const auto& m : grid.meters) {
    if (m.kind != MeterKind::substation) continue;
    ++substations;
    for (const auto& r : by_id.at(m.meter_id)->measurements) {
      substation_kw[r.timestamp_s] += r.p_measured_kw;
      ++substation_meters[r.timestamp_s];
    }
  }
  if (substations == 0) return ok();
  std::map<std::int64_t, double> customers_kw;
  std::map<std::int64_t, std::size_t> customers_count;
  std::size_t regular = 0;
  for (const auto& m : grid.meters) {
    if (m.kind != MeterKind::regular) continue;
    ++regular;
    for (const auto& r : by_id.at(m.meter_id)->measurements) {
      if (substation_meters.contains(r.timestamp_s)) {
        customers_kw[r.timestamp_s] += r.p_measured_kw;
        ++customers_count[r.timestamp_s];
      }
    }
  }
  double sum_sub = 0, sum_cust = 0;
  std::size_t used = 0;
  for (const auto& [t, kw] : customers_kw) {
    if (customers_count[t] == regular && substation_meters[t] == substations) {
      sum_sub += substation_kw[t];
      sum_cust += kw;
      ++used;
    }
  }
  if (used == 0) return ok();
  const double mean_sub = sum_sub / static_cast<double>(used);
  const double mean_cust = sum_cust / static_cast<double>(used);
  if (mean_sub > requirements.min_substation_import_kw &&
      mean_cust < requirements.min_energy_balance * mean_sub) {
    return failed_precondition(
        what + ": partial network: the customers' mean consumption " + std::to_string(mean_cust) +
        " kW explains only " + std::to_string(100.0 * mean_cust / mean_sub).substr(0, 5) +
        " % of the substation's mean import " + std::to_string(mean_sub) + " kW (at least " +
        std::to_string(100.0 * requirements.min_energy_balance).substr(0, 5) +
        " % required); the whole network under one secondary substation is required");
  }
  return ok();
}

}  // namespace gridke::services::sensitivities
