// Outputs 2 and 3 (voltage_analysis.hpp).

#include "gridke/services/sensitivities/voltage_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace gridke::services::sensitivities {
namespace {

struct Appliance {
  const ApplianceHistory* source = nullptr;
  Eigen::Index column = -1;  // injection column of its meter, -1 if not identifiable
  std::unordered_map<std::int64_t, double> consumption_kw;  // PV as -generation
};

struct Record {
  Eigen::Index row;
  std::int64_t t;
  double v;
  int period;
};

struct Prepared {
  std::int64_t start = 0, end = 0;
  int periods = 0;
  std::vector<Record> records;
  std::vector<Appliance> appliances;
};

std::string fmt(double value, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

int period_of(std::int64_t t, const AnalysisOptions& o) {
  const std::int64_t day = 86400;
  const std::int64_t local = ((t + o.utc_offset_s) % day + day) % day;
  return static_cast<int>(local / (o.period_minutes * 60));
}

Result<Prepared> prepare(const HistoricalData& meters, const SensitivityMatrix& s,
                         const std::vector<ApplianceHistory>& appliances,
                         const AnalysisOptions& o) {
  const auto& l = o.limits;
  if (!(l.lower_v > 0 && l.lower_v < l.nominal_v && l.nominal_v < l.upper_v)) {
    return invalid_argument("voltage limits must satisfy 0 < lower < nominal < upper (got " +
                            fmt(l.lower_v) + " / " + fmt(l.nominal_v) + " / " + fmt(l.upper_v) +
                            " V)");
  }
  if (o.period_minutes <= 0 || 1440 % o.period_minutes != 0) {
    return invalid_argument("period length " + std::to_string(o.period_minutes) +
                            " min does not divide the day");
  }
  if (appliances.empty()) return invalid_argument("no appliance data (historicalFromAppliances)");
  Prepared p;
  p.periods = 1440 / o.period_minutes;
  std::unordered_map<std::string, Eigen::Index> row_of, col_of;
  for (std::size_t k = 0; k < s.voltage_meters.size(); ++k) {
    row_of[s.voltage_meters[k]] = static_cast<Eigen::Index>(k);
  }
  for (std::size_t k = 0; k < s.injection_meters.size(); ++k) {
    col_of[s.injection_meters[k]] = static_cast<Eigen::Index>(k);
  }
  p.start = std::numeric_limits<std::int64_t>::max();
  p.end = std::numeric_limits<std::int64_t>::min();
  for (std::size_t k = 0; k < appliances.size(); ++k) {
    const auto& a = appliances[k];
    if (!row_of.contains(a.meter_id)) {
      return invalid_argument("historicalFromAppliances[" + std::to_string(k) + "] appliance '" +
                              a.appliance_id + "': meter '" + a.meter_id +
                              "' is not a regular meter of grid '" + s.network_id + "'");
    }
    Appliance ap;
    ap.source = &a;
    const auto c = col_of.find(a.meter_id);
    ap.column = c == col_of.end() ? -1 : c->second;
    for (const auto& m : a.measurements) {
      if (!std::isfinite(m.p_measured_kw)) {
        return invalid_argument("appliance '" + a.appliance_id + "' at " +
                                std::to_string(m.timestamp_s) + ": p_measured is not a number");
      }
      const double x = a.type == ApplianceType::pv ? -m.p_measured_kw : m.p_measured_kw;
      ap.consumption_kw[m.timestamp_s] = x;
      p.start = std::min(p.start, m.timestamp_s);
      p.end = std::max(p.end, m.timestamp_s);
    }
    p.appliances.push_back(std::move(ap));
  }
  for (const auto& h : meters.meters) {
    const auto r = row_of.find(h.meter.meter_id);
    if (r == row_of.end()) continue;
    for (const auto& m : h.measurements) {
      if (m.timestamp_s < p.start || m.timestamp_s > p.end) continue;
      const double ratio = m.v_measured_v / l.nominal_v;
      if (ratio < kPlausibleLow || ratio > kPlausibleHigh) continue;
      p.records.push_back({r->second, m.timestamp_s, m.v_measured_v, period_of(m.timestamp_s, o)});
    }
  }
  if (p.records.empty()) {
    return failed_precondition("no voltage record of grid '" + s.network_id +
                               "' falls inside the appliance data's time range [" +
                               std::to_string(p.start) + ", " + std::to_string(p.end) + "]");
  }
  return p;
}

// Impact of every appliance on the voltage of `r`, accumulated by (meter, type).
void accumulate(const Prepared& p, const SensitivityMatrix& s, const Record& r,
                std::map<std::pair<std::string, ApplianceType>, double>& impact) {
  for (const auto& a : p.appliances) {
    if (a.column < 0) continue;
    const auto x = a.consumption_kw.find(r.t);
    if (x == a.consumption_kw.end()) continue;
    const double dv = s.sensitivity_v_per_kw(r.row, a.column) * x->second;
    impact[{a.source->meter_id, a.source->type}] += dv;
  }
}

std::vector<ProblemCause> causes_of(
    const std::map<std::pair<std::string, ApplianceType>, double>& impact, double direction,
    const AnalysisOptions& o) {
  double total = 0;
  for (const auto& [key, dv] : impact) {
    if (dv * direction > 0) total += dv * direction;
  }
  std::vector<ProblemCause> out;
  if (total <= 0) return out;
  for (const auto& [key, dv] : impact) {
    const double share = dv * direction / total;
    if (share >= o.cause_share) out.push_back({key.first, key.second, dv, share});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.share > b.share; });
  if (out.size() > o.max_causes) out.resize(o.max_causes);
  return out;
}

// "EV charging at 2 customers (a, b) accounts for 64 % of the voltage drop ..."
std::string cause_warning(const std::vector<ProblemCause>& causes, bool under) {
  std::map<ApplianceType, std::pair<double, std::vector<std::string>>> by_type;
  for (const auto& c : causes) {
    by_type[c.load_type].first += c.share;
    by_type[c.load_type].second.push_back(c.meter_id);
  }
  auto best = by_type.begin();
  for (auto it = by_type.begin(); it != by_type.end(); ++it) {
    if (it->second.first > best->second.first) best = it;
  }
  std::string who;
  for (std::size_t k = 0; k < best->second.second.size() && k < 5; ++k) {
    who += (k ? ", " : "") + best->second.second[k];
  }
  if (best->second.second.size() > 5) who += ", ...";
  const char* what = best->first == ApplianceType::ev          ? "EV charging"
                     : best->first == ApplianceType::heat_pump ? "Heat-pump consumption"
                     : best->first == ApplianceType::pv        ? "PV generation"
                                                               : "Consumption of other appliances";
  std::string w = std::string(what) + " at " + std::to_string(best->second.second.size()) +
                  " customer" + (best->second.second.size() == 1 ? "" : "s") + " (" + who +
                  ") accounts for " + fmt(100 * best->second.first, 0) + " % of the voltage " +
                  (under ? "drop" : "rise") + " during " +
                  (under ? "undervoltage" : "overvoltage") + " events in this period.";
  if (!under && best->first == ApplianceType::pv) {
    w += " Consumption is low compared with the PV generation.";
  }
  if (under && best->first == ApplianceType::ev) {
    w += " Many EVs charge at the same time, causing a voltage drop.";
  }
  return w;
}

}  // namespace

std::string period_label(int period, int period_minutes) {
  const int a = period * period_minutes;
  const int b = a + period_minutes;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02dh%02d-%02dh%02d", a / 60, a % 60, b / 60, b % 60);
  return buf;
}

Result<VoltageAnalysis> analyse_voltages(const HistoricalData& meters, const SensitivityMatrix& s,
                                         const std::vector<ApplianceHistory>& appliances,
                                         const AnalysisOptions& o) {
  GRIDKE_ASSIGN_OR_RETURN(const Prepared p, prepare(meters, s, appliances, o));
  VoltageAnalysis out;
  out.start_time_s = p.start;
  out.end_time_s = p.end;
  const auto& l = o.limits;
  const double near = o.near_limit_fraction * l.nominal_v;
  for (int per = 0; per < p.periods; ++per) {
    PeriodAnalysis pa;
    pa.period = per;
    pa.label = period_label(per, o.period_minutes);
    double sum = 0;
    std::int64_t under = 0, over = 0, near_low = 0, near_high = 0;
    double worst_low = std::numeric_limits<double>::infinity();
    double worst_high = -std::numeric_limits<double>::infinity();
    std::map<std::pair<std::string, ApplianceType>, double> impact_under, impact_over;
    for (const auto& r : p.records) {
      if (r.period != per) continue;
      ++pa.records;
      sum += r.v;
      const std::string& id = s.voltage_meters[static_cast<std::size_t>(r.row)];
      if (r.v < l.lower_v) {
        ++under;
        accumulate(p, s, r, impact_under);
        if (r.v < worst_low) worst_low = r.v, pa.undervoltage.worst_meter = id;
      } else if (r.v < l.lower_v + near) {
        ++near_low;
      }
      if (r.v > l.upper_v) {
        ++over;
        accumulate(p, s, r, impact_over);
        if (r.v > worst_high) worst_high = r.v, pa.overvoltage.worst_meter = id;
      } else if (r.v > l.upper_v - near) {
        ++near_high;
      }
    }
    if (pa.records == 0) continue;
    const double n = static_cast<double>(pa.records);
    pa.average_voltage_v = sum / n;
    pa.undervoltage.probability_percent = 100.0 * static_cast<double>(under) / n;
    pa.overvoltage.probability_percent = 100.0 * static_cast<double>(over) / n;
    if (under > 0) pa.undervoltage.worst_value_v = worst_low;
    if (over > 0) pa.overvoltage.worst_value_v = worst_high;
    pa.undervoltage.causes = causes_of(impact_under, -1.0, o);
    pa.overvoltage.causes = causes_of(impact_over, +1.0, o);
    if (under > 0) {
      pa.warnings.push_back("Undervoltage (below " + fmt(l.lower_v) + " V) in " +
                            fmt(pa.undervoltage.probability_percent) + " % of records; worst " +
                            fmt(worst_low, 2) + " V at meter " + pa.undervoltage.worst_meter + ".");
      if (!pa.undervoltage.causes.empty()) {
        pa.warnings.push_back(cause_warning(pa.undervoltage.causes, true));
      }
    }
    if (over > 0) {
      pa.warnings.push_back("Overvoltage (above " + fmt(l.upper_v) + " V) in " +
                            fmt(pa.overvoltage.probability_percent) + " % of records; worst " +
                            fmt(worst_high, 2) + " V at meter " + pa.overvoltage.worst_meter + ".");
      if (!pa.overvoltage.causes.empty()) {
        pa.warnings.push_back(cause_warning(pa.overvoltage.causes, false));
      }
    }
    if (near_low > 0) {
      pa.warnings.push_back("Voltage is within " + fmt(100 * o.near_limit_fraction, 0) +
                            " % of the lower limit in " +
                            fmt(100.0 * static_cast<double>(near_low) / n) + " % of records.");
    }
    if (near_high > 0) {
      pa.warnings.push_back("Voltage is within " + fmt(100 * o.near_limit_fraction, 0) +
                            " % of the upper limit in " +
                            fmt(100.0 * static_cast<double>(near_high) / n) + " % of records.");
    }
    out.periods.push_back(std::move(pa));
  }
  return out;
}

Result<FlexibilityRequirements> flexibility_requirements(
    const HistoricalData& meters, const SensitivityMatrix& s,
    const std::vector<ApplianceHistory>& appliances, const AnalysisOptions& o) {
  GRIDKE_ASSIGN_OR_RETURN(const Prepared p, prepare(meters, s, appliances, o));
  FlexibilityRequirements out;
  out.start_time_s = p.start;
  out.end_time_s = p.end;
  const auto& l = o.limits;
  const Eigen::Index rows = s.sensitivity_v_per_kw.rows();
  // Mean EV charging power in the data, and EVs per meter.
  double ev_sum = 0, ev_n = 0;
  std::unordered_map<std::string, int> evs_at;
  for (const auto& a : appliances) {
    if (a.type != ApplianceType::ev) continue;
    ++evs_at[a.meter_id];
    for (const auto& m : a.measurements) {
      if (m.p_measured_kw > kRunningThresholdKw) ev_sum += m.p_measured_kw, ev_n += 1;
    }
  }
  const double ev_kw = ev_n > 0 ? ev_sum / ev_n : kDefaultEvChargingKw;

  for (int per = 0; per < p.periods; ++per) {
    Eigen::VectorXd low = Eigen::VectorXd::Constant(rows, std::numeric_limits<double>::infinity());
    Eigen::VectorXd high =
        Eigen::VectorXd::Constant(rows, -std::numeric_limits<double>::infinity());
    for (const auto& r : p.records) {
      if (r.period != per) continue;
      low(r.row) = std::min(low(r.row), r.v);
      high(r.row) = std::max(high(r.row), r.v);
    }
    PeriodRequirements pr;
    pr.period = per;
    pr.label = period_label(per, o.period_minutes);
    bool unresolved = false;
    for (int rank = 0; rank < o.max_perimeters; ++rank) {
      // Largest deviation beyond a limit.
      Eigen::Index critical = -1;
      double deviation = 0;
      for (Eigen::Index i = 0; i < rows; ++i) {
        if (!std::isfinite(low(i))) continue;
        if (low(i) < l.lower_v && l.lower_v + o.margin_v - low(i) > std::abs(deviation)) {
          critical = i, deviation = l.lower_v + o.margin_v - low(i);
        }
        if (high(i) > l.upper_v && high(i) - (l.upper_v - o.margin_v) > std::abs(deviation)) {
          critical = i, deviation = l.upper_v - o.margin_v - high(i);
        }
      }
      if (critical < 0) break;
      const auto srow = s.sensitivity_v_per_kw.row(critical);
      const double strongest = srow.cwiseAbs().maxCoeff();
      InterventionPerimeter ip;
      ip.critical_meter = s.voltage_meters[static_cast<std::size_t>(critical)];
      ip.voltage_deviation_v = deviation;
      std::vector<Eigen::Index> members;
      double mean_s = 0;
      for (Eigen::Index j = 0; j < srow.size(); ++j) {
        if (std::abs(srow(j)) >= o.perimeter_fraction * strongest) {
          members.push_back(j);
          ip.meter_ids.push_back(s.injection_meters[static_cast<std::size_t>(j)]);
          mean_s += srow(j);
        }
      }
      mean_s /= static_cast<double>(members.size());
      if (strongest <= 0 || mean_s >= 0) {
        pr.recommendations.push_back("No customer's consumption lowers the voltage of meter " +
                                     ip.critical_meter +
                                     " measurably; its voltage problem cannot be solved with "
                                     "customer flexibility.");
        unresolved = true;
        break;
      }
      ip.power_variation_kw = deviation / mean_s;
      ip.perimeter_id = std::to_string(per + 1) + "_" + std::to_string(rank + 1);
      const double share = ip.power_variation_kw / static_cast<double>(members.size());
      for (const auto j : members) {
        low += s.sensitivity_v_per_kw.col(j) * share;
        high += s.sensitivity_v_per_kw.col(j) * share;
      }
      int evs = 0;
      for (const auto& id : ip.meter_ids) evs += evs_at.contains(id) ? evs_at[id] : 0;
      const double kw = std::abs(ip.power_variation_kw);
      const int ev_count = static_cast<int>(std::ceil(kw / ev_kw));
      if (ip.power_variation_kw > 0) {
        pr.recommendations.push_back("Consumption should increase by " + fmt(kw) +
                                     " kW in perimeter " + ip.perimeter_id + " to keep meter " +
                                     ip.critical_meter + " below " + fmt(l.upper_v) + " V.");
        pr.recommendations.push_back("Charging " + std::to_string(ev_count) + " EV" +
                                     (ev_count == 1 ? "" : "s") + " (at " + fmt(ev_kw) +
                                     " kW) in perimeter " + ip.perimeter_id +
                                     " during this period would absorb the surplus (" +
                                     std::to_string(evs) + " EVs found there).");
      } else {
        pr.recommendations.push_back("Consumption is too high in perimeter " + ip.perimeter_id +
                                     ": it should decrease by " + fmt(kw) + " kW to keep meter " +
                                     ip.critical_meter + " above " + fmt(l.lower_v) + " V.");
        if (evs > 0) {
          pr.recommendations.push_back("The number of EVs charging in perimeter " +
                                       ip.perimeter_id + " during this period should decrease by " +
                                       std::to_string(std::min(ev_count, evs)) + " (" +
                                       std::to_string(evs) + " EVs found there).");
        }
      }
      pr.perimeters.push_back(std::move(ip));
    }
    if (pr.perimeters.empty() && !unresolved) continue;
    bool remaining = false;
    for (Eigen::Index i = 0; i < rows; ++i) {
      remaining =
          remaining || (std::isfinite(low(i)) && (low(i) < l.lower_v || high(i) > l.upper_v));
    }
    if (remaining && !unresolved) {
      pr.recommendations.push_back("Limits are not restored with " +
                                   std::to_string(o.max_perimeters) +
                                   " perimeters; network reinforcement may be needed.");
    }
    pr.recommendations.push_back(
        "Storage is not among the reported appliance types; distributed "
        "storage could provide this flexibility as an alternative.");
    out.periods.push_back(std::move(pr));
  }
  return out;
}

}  // namespace gridke::services::sensitivities
