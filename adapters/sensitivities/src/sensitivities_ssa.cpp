// SensitivitiesSsa: contracts (d), (d2), (e), (e2), (e3) → SensitivitiesService
// (sensitivities_ssa.hpp).

#include "gridke/adapters/sensitivities/sensitivities_ssa.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>

#include "gridke/adapter/generic_adapter.hpp"

namespace gridke::adapters::sensitivities {

namespace se = services::sensitivities;
using adapter::DateTimeCodec;
using adapter::DoubleCodec;
using adapter::IriCodec;
using adapter::StringCodec;
using Clock = std::chrono::system_clock;

namespace {

constexpr const char* react_register = "react-register-lv-grid";
constexpr const char* react_history = "react-meter-history";
constexpr const char* react_appliances = "react-appliance-measurements";
constexpr const char* answer_sensitivities = "answer-voltage-sensitivities";
constexpr const char* answer_correlation = "answer-voltage-load-correlation";
constexpr const char* answer_flexibility = "answer-flexibility-requirements";
constexpr const char* dso_ns = "https://w3id.org/gridke/dso#";
constexpr const char* s4ener_ns = "https://saref.etsi.org/saref4ener/";
constexpr const char* xsd_date_time_stamp = "http://www.w3.org/2001/XMLSchema#dateTimeStamp";
constexpr std::int64_t kPeriodS = 1800;  // D4.3: 30-min periods of the typical day
constexpr std::int64_t kDayS = 86400;

std::int64_t unix_s(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
Clock::time_point from_unix_s(std::int64_t s) { return Clock::time_point(std::chrono::seconds(s)); }

std::string stamp(std::int64_t s) {
  // "2026-11-27T10:00Z" style ids for result IRIs.
  const std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%MZ", &tm);
  return buf;
}

// xsd:dateTimeStamp literal (the contracts' ?start/?end).
rdf::Term date_time_stamp(std::int64_t s) {
  const std::time_t t = static_cast<std::time_t>(s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return rdf::Term::literal(buf, xsd_date_time_stamp);
}

// Keeps the answer bindings that agree with at least one ask binding (none = unconstrained).
pattern::BindingSet filter(const pattern::BindingSet& asked, pattern::BindingSet answers) {
  if (asked.empty()) return answers;
  bool unconstrained = false;
  for (const auto& a : asked) unconstrained = unconstrained || a.empty();
  if (unconstrained) return answers;
  pattern::BindingSet out;
  for (const auto& b : answers) {
    for (const auto& a : asked) {
      if (a.is_compatible_with(b)) {
        out.insert(b);
        break;
      }
    }
  }
  return out;
}

// dso:PhaseL1..3 → 1..3; anything else → 0 (unknown).
int phase_of(const std::string& iri) {
  for (int k = 1; k <= 3; ++k) {
    if (iri == std::string(dso_ns) + "PhaseL" + std::to_string(k)) return k;
  }
  return 0;
}

}  // namespace

struct SensitivitiesSsa::Impl {
  engine::KnowledgeEngine& engine;
  se::SensitivitiesService& service;
  SsaOptions options;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  std::atomic<std::int64_t> registered{0}, meter_records{0}, appliance_records{0}, uploads{0},
      answered{0};

  Impl(engine::KnowledgeEngine& e, se::SensitivitiesService& s, SsaOptions o)
      : engine(e), service(s), options(std::move(o)) {}

  // The grid each meter belongs to (registered meters only).
  Result<std::map<std::string, std::string>> meter_grids() const {
    GRIDKE_ASSIGN_OR_RETURN(const auto ids, service.grids());
    std::map<std::string, std::string> out;
    for (const auto& id : ids) {
      GRIDKE_ASSIGN_OR_RETURN(const auto g, service.grid(id));
      for (const auto& m : g.meters) out.emplace(m.meter_id, id);
    }
    return out;
  }

  // (d) one binding per meter; grouped by grid.
  Result<pattern::BindingSet> on_register(const adapter::Request& req) {
    std::map<std::string, se::GridRegistration> grids;
    for (const auto& b : req.bindings()) {
      GRIDKE_ASSIGN_OR_RETURN(const auto grid_id, req.get(b, "gridId", StringCodec{}));
      se::MeterInfo m;
      GRIDKE_ASSIGN_OR_RETURN(m.meter_id, req.get(b, "meterId", StringCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(m.master_id, req.get(b, "masterId", StringCodec{}));
      if (m.master_id == m.meter_id) m.master_id.clear();
      GRIDKE_ASSIGN_OR_RETURN(const auto info, req.get(b, "info", StringCodec{}));
      m.kind = info.find("substation") != std::string::npos ? se::MeterKind::substation
                                                            : se::MeterKind::regular;
      GRIDKE_ASSIGN_OR_RETURN(const auto phase, req.get(b, "phase", IriCodec{}));
      m.phase = phase_of(phase);
      auto& g = grids[grid_id];
      g.network_id = grid_id;
      const bool seen = std::any_of(g.meters.begin(), g.meters.end(), [&](const se::MeterInfo& x) {
        return x.meter_id == m.meter_id;
      });
      if (!seen) g.meters.push_back(std::move(m));
    }
    pattern::BindingSet out;
    for (const auto& [id, g] : grids) {
      std::string status = "registered";
      if (auto r = service.register_grid(g); !r) {
        if (r.error().code() != ErrorCode::already_exists) {
          return r.error().with_context("grid '" + id + "'");
        }
        status = "already registered";
      } else {
        ++registered;
      }
      pattern::Binding b;
      GRIDKE_TRY(req.put(b, "grid", id, IriCodec{options.grid_base}));
      GRIDKE_TRY(req.put(b, "status", status, StringCodec{}));
      out.insert(std::move(b));
    }
    return out;
  }

  // (d) V and P records; one upload per grid.
  Result<pattern::BindingSet> on_history(const adapter::Request& req) {
    GRIDKE_ASSIGN_OR_RETURN(const auto grid_of, meter_grids());
    std::map<std::string, std::map<std::string, std::map<std::int64_t, std::pair<double, double>>>>
        by_grid;  // grid → meter → t → (v, p)
    for (const auto& b : req.bindings()) {
      GRIDKE_ASSIGN_OR_RETURN(const auto meter, req.get(b, "meterId", StringCodec{}));
      const auto it = grid_of.find(meter);
      if (it == grid_of.end()) {
        return not_found("KI " + std::string(react_history) + ": meter '" + meter +
                         "' is not in a registered grid (register it with " + react_register +
                         " first)");
      }
      GRIDKE_ASSIGN_OR_RETURN(const double v, req.get(b, "vMeasured", DoubleCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(const double p, req.get(b, "pMeasured", DoubleCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(const auto t, req.get(b, "timestamp", DateTimeCodec{}));
      by_grid[it->second][meter][unix_s(t)] = {v, p};
    }
    pattern::BindingSet out;
    for (auto& [grid, meters] : by_grid) {
      GRIDKE_ASSIGN_OR_RETURN(const auto g, service.grid(grid));
      se::HistoricalData data;
      for (auto& [meter, records] : meters) {
        se::MeterHistory h;
        for (const auto& m : g.meters) {
          if (m.meter_id == meter) h.meter = m;
        }
        for (const auto& [t, vp] : records) h.measurements.push_back({t, vp.first, vp.second});
        meter_records += static_cast<std::int64_t>(h.measurements.size());
        pattern::Binding b;
        GRIDKE_TRY(req.put(b, "meter", meter, IriCodec{options.meter_base}));
        GRIDKE_TRY(req.put(b, "lastTs", from_unix_s(records.rbegin()->first), DateTimeCodec{}));
        out.insert(std::move(b));
        data.meters.push_back(std::move(h));
      }
      GRIDKE_TRY(service.submit_historical_data(grid, std::move(data)));
      ++uploads;
    }
    return out;
  }

  // (d2) appliance power, stored by the service per grid (it survives restarts) for (e3).
  // All-or-nothing per grid: the service validates each grid's records in one transaction.
  Result<pattern::BindingSet> on_appliances(const adapter::Request& req) {
    GRIDKE_ASSIGN_OR_RETURN(const auto grid_of, meter_grids());
    // grid → appliance id → appliance (a repeated timestamp in one POST: the last value wins)
    std::map<std::string, std::map<std::string, se::ApplianceHistory>> by_grid;
    std::map<std::string, std::map<std::string, std::map<std::int64_t, double>>> power;
    std::int64_t records = 0;
    for (const auto& b : req.bindings()) {
      GRIDKE_ASSIGN_OR_RETURN(const auto id, req.get(b, "applianceId", StringCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(const auto meter, req.get(b, "meterId", StringCodec{}));
      const auto it = grid_of.find(meter);
      if (it == grid_of.end()) {
        return not_found("KI " + std::string(react_appliances) + ": appliance '" + id +
                         "' is behind meter '" + meter + "', which is not in a registered grid");
      }
      GRIDKE_ASSIGN_OR_RETURN(const auto type_iri, req.get(b, "applianceType", IriCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(const double kw, req.get(b, "power", DoubleCodec{}));
      if (!std::isfinite(kw)) {
        return invalid_argument("KI " + std::string(react_appliances) + ": ?power of appliance '" +
                                id + "' is not a finite number");
      }
      GRIDKE_ASSIGN_OR_RETURN(const auto t, req.get(b, "timestamp", DateTimeCodec{}));
      auto& a = by_grid[it->second][id];
      a.appliance_id = id;
      a.meter_id = meter;
      a.type = type_of(type_iri);
      power[it->second][id][unix_s(t)] = kw;
      ++records;
    }
    for (auto& [grid, apps] : by_grid) {
      std::vector<se::ApplianceHistory> data;
      for (auto& [id, a] : apps) {
        for (const auto& [t, kw] : power[grid][id]) a.measurements.push_back({t, kw});
        data.push_back(std::move(a));
      }
      auto stored = service.store_appliance_data(grid, data);
      if (!stored) {
        return stored.error().with_context("KI " + std::string(react_appliances) + ", grid '" +
                                           grid + "'");
      }
    }
    appliance_records += records;
    return pattern::BindingSet{};
  }

  // Appliance type IRIs: dso:ElectricVehicle, dso:HeatPump, dso:PhotovoltaicSystem (or any IRI
  // ending in EV / PV / HeatPump); anything else is "other".
  static se::ApplianceType type_of(const std::string& iri) {
    auto ends = [&](const char* s) {
      const std::string x(s);
      return iri.size() >= x.size() && iri.compare(iri.size() - x.size(), x.size(), x) == 0;
    };
    if (ends("ElectricVehicle") || ends("EV") || ends("EVCharger")) return se::ApplianceType::ev;
    if (ends("HeatPump")) return se::ApplianceType::heat_pump;
    if (ends("PhotovoltaicSystem") || ends("PV") || ends("SolarPanel")) {
      return se::ApplianceType::pv;
    }
    return se::ApplianceType::other;
  }

  // (e) every coefficient of every grid's latest matrix.
  Result<pattern::BindingSet> on_sensitivities(const adapter::Request& req) {
    GRIDKE_ASSIGN_OR_RETURN(const auto ids, service.grids());
    pattern::BindingSet all;
    const IriCodec grid_iri{options.grid_base}, meter_iri{options.meter_base},
        result_iri{options.result_base};
    for (const auto& id : ids) {
      auto s = service.sensitivities(id);
      if (!s) continue;  // nothing computed yet: nothing to state
      for (Eigen::Index i = 0; i < s->sensitivity_v_per_kw.rows(); ++i) {
        for (Eigen::Index j = 0; j < s->sensitivity_v_per_kw.cols(); ++j) {
          const auto& mv = s->voltage_meters[static_cast<std::size_t>(i)];
          const auto& mp = s->injection_meters[static_cast<std::size_t>(j)];
          pattern::Binding b;
          GRIDKE_TRY(req.put(b, "sf", id + "/sf/" + mv + "/" + mp, result_iri));
          GRIDKE_TRY(req.put(b, "meterV", mv, meter_iri));
          GRIDKE_TRY(req.put(b, "meterP", mp, meter_iri));
          GRIDKE_TRY(req.put(b, "sensitivity", s->sensitivity_v_per_kw(i, j), DoubleCodec{}));
          GRIDKE_TRY(req.put(b, "grid", id, grid_iri));
          GRIDKE_TRY(req.put(b, "computedAt", from_unix_s(s->end_time_s), DateTimeCodec{}));
          GRIDKE_TRY(req.put(b, "meterIdV", mv, StringCodec{}));
          GRIDKE_TRY(req.put(b, "meterIdP", mp, StringCodec{}));
          GRIDKE_TRY(req.put(b, "gridId", id, StringCodec{}));
          all.insert(std::move(b));
        }
      }
    }
    auto out = filter(req.bindings(), std::move(all));
    answered += static_cast<std::int64_t>(out.size());
    return out;
  }

  // The period variables shared by (e2) and (e3).
  Result<void> put_period(const adapter::Request& req, pattern::Binding& b, std::int64_t start) {
    const std::string period = stamp(start) + "/PT30M";
    GRIDKE_TRY(req.put(b, "period", "period/" + period, IriCodec{options.result_base}));
    GRIDKE_TRY(
        req.put(b, "startInstant", "instant/" + stamp(start), IriCodec{options.result_base}));
    GRIDKE_TRY(req.put(b, "endInstant", "instant/" + stamp(start + kPeriodS),
                       IriCodec{options.result_base}));
    b.set("start", date_time_stamp(start));
    b.set("end", date_time_stamp(start + kPeriodS));
    return ok();
  }

  // (e2) per meter and period of the typical day: min/max V and corr(P, V).
  Result<pattern::BindingSet> on_correlation(const adapter::Request& req) {
    GRIDKE_ASSIGN_OR_RETURN(const auto ids, service.grids());
    pattern::BindingSet all;
    const IriCodec meter_iri{options.meter_base}, result_iri{options.result_base};
    for (const auto& id : ids) {
      GRIDKE_ASSIGN_OR_RETURN(const auto h, service.history(id));
      std::int64_t last = 0;
      for (const auto& m : h.meters) {
        if (!m.measurements.empty()) last = std::max(last, m.measurements.back().timestamp_s);
      }
      if (last == 0) continue;
      const std::int64_t day0 = last - ((last % kDayS) + kDayS) % kDayS;
      for (const auto& m : h.meters) {
        struct Acc {
          double n = 0, sv = 0, sp = 0, svv = 0, spp = 0, svp = 0;
          double vmin = INFINITY, vmax = -INFINITY;
        };
        std::array<Acc, kDayS / kPeriodS> acc{};
        for (const auto& r : m.measurements) {
          const auto k =
              static_cast<std::size_t>(((r.timestamp_s % kDayS) + kDayS) % kDayS / kPeriodS);
          auto& a = acc[k];
          a.n += 1, a.sv += r.v_measured_v, a.sp += r.p_measured_kw;
          a.svv += r.v_measured_v * r.v_measured_v, a.spp += r.p_measured_kw * r.p_measured_kw;
          a.svp += r.v_measured_v * r.p_measured_kw;
          a.vmin = std::min(a.vmin, r.v_measured_v), a.vmax = std::max(a.vmax, r.v_measured_v);
        }
        for (std::size_t k = 0; k < acc.size(); ++k) {
          const auto& a = acc[k];
          if (a.n < 2) continue;
          const double cov = a.svp - a.sv * a.sp / a.n;
          const double var_v = a.svv - a.sv * a.sv / a.n, var_p = a.spp - a.sp * a.sp / a.n;
          const double corr = var_v > 0 && var_p > 0 ? cov / std::sqrt(var_v * var_p) : 0.0;
          const std::int64_t start = day0 + static_cast<std::int64_t>(k) * kPeriodS;
          pattern::Binding b;
          GRIDKE_TRY(req.put(b, "r", m.meter.meter_id + "/vlc/" + stamp(start), result_iri));
          GRIDKE_TRY(req.put(b, "meter", m.meter.meter_id, meter_iri));
          GRIDKE_TRY(req.put(b, "vMin", a.vmin, DoubleCodec{}));
          GRIDKE_TRY(req.put(b, "vMax", a.vmax, DoubleCodec{}));
          GRIDKE_TRY(req.put(b, "correlation", std::clamp(corr, -1.0, 1.0), DoubleCodec{}));
          GRIDKE_TRY(req.put(b, "meterId", m.meter.meter_id, StringCodec{}));
          GRIDKE_TRY(put_period(req, b, start));
          all.insert(std::move(b));
        }
      }
    }
    auto out = filter(req.bindings(), std::move(all));
    answered += static_cast<std::int64_t>(out.size());
    return out;
  }

  // (e3) Output 3 per perimeter and period.
  Result<pattern::BindingSet> on_flexibility(const adapter::Request& req) {
    GRIDKE_ASSIGN_OR_RETURN(const auto ids, service.grids());
    pattern::BindingSet all;
    const IriCodec perimeter_iri{options.perimeter_base};
    for (const auto& id : ids) {
      GRIDKE_ASSIGN_OR_RETURN(const auto apps, service.appliance_data(id));
      if (apps.empty()) continue;  // no (d2) data for this grid
      auto s = service.sensitivities(id);
      if (!s) continue;
      GRIDKE_ASSIGN_OR_RETURN(const auto h, service.history(id));
      GRIDKE_ASSIGN_OR_RETURN(const auto f,
                              se::flexibility_requirements(h, *s, apps, options.analysis));
      const std::int64_t day0 = f.end_time_s - ((f.end_time_s % kDayS) + kDayS) % kDayS;
      for (const auto& p : f.periods) {
        const std::int64_t start = day0 + static_cast<std::int64_t>(p.period) * kPeriodS;
        for (const auto& ip : p.perimeters) {
          const std::string perimeter = id + "/" + ip.perimeter_id;
          pattern::Binding b;
          GRIDKE_TRY(req.put(b, "req", perimeter + "/req/" + stamp(start), perimeter_iri));
          GRIDKE_TRY(req.put(b, "perimeter", perimeter, perimeter_iri));
          GRIDKE_TRY(req.put(b, "requiredKw", std::abs(ip.power_variation_kw), DoubleCodec{}));
          GRIDKE_TRY(
              req.put(b, "direction",
                      std::string(s4ener_ns) + (ip.power_variation_kw >= 0 ? "Upflex" : "Downflex"),
                      IriCodec{}));
          GRIDKE_TRY(req.put(b, "perimeterId", perimeter, StringCodec{}));
          GRIDKE_TRY(put_period(req, b, start));
          all.insert(std::move(b));
        }
      }
    }
    auto out = filter(req.bindings(), std::move(all));
    answered += static_cast<std::int64_t>(out.size());
    return out;
  }
};

SensitivitiesSsa::SensitivitiesSsa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SensitivitiesSsa::~SensitivitiesSsa() {
  if (impl_ && impl_->adapter) (void)impl_->adapter->stop();
}

Result<std::unique_ptr<SensitivitiesSsa>> SensitivitiesSsa::start(
    engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
    se::SensitivitiesService& service, SsaOptions options) {
  auto impl = std::make_unique<Impl>(engine, service, std::move(options));
  Impl* raw = impl.get();
  adapter::Ssa ssa(raw->options.knowledge_base_id, "Sensitivities Engine",
                   "InterConnect Observability service 3 (D4.3 §4.1.3): LV voltage sensitivities");
  ssa.react(react_register, [raw](const adapter::Request& r) { return raw->on_register(r); });
  ssa.react(react_history, [raw](const adapter::Request& r) { return raw->on_history(r); });
  ssa.react(react_appliances, [raw](const adapter::Request& r) { return raw->on_appliances(r); });
  ssa.answer(answer_sensitivities,
             [raw](const adapter::Request& r) { return raw->on_sensitivities(r); });
  ssa.answer(answer_correlation,
             [raw](const adapter::Request& r) { return raw->on_correlation(r); });
  ssa.answer(answer_flexibility,
             [raw](const adapter::Request& r) { return raw->on_flexibility(r); });
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  return std::unique_ptr<SensitivitiesSsa>(new SensitivitiesSsa(std::move(impl)));
}

SsaStats SensitivitiesSsa::stats() const {
  return {impl_->registered.load(), impl_->meter_records.load(), impl_->appliance_records.load(),
          impl_->uploads.load(), impl_->answered.load()};
}

Result<adapter::ContractSet> load_ssa_contracts(const std::string& graph_patterns) {
  adapter::ContractSet out;
  for (const char* folder : {"fault_location", "sensitivities"}) {
    GRIDKE_ASSIGN_OR_RETURN(
        const auto set, adapter::load_contracts(std::filesystem::path(graph_patterns) / folder));
    for (const auto* c : set.contracts()) {
      const bool wanted = std::any_of(std::begin(kSsaContracts), std::end(kSsaContracts),
                                      [&](const char* n) { return c->name == n; });
      if (wanted) GRIDKE_TRY(out.add(*c));
    }
  }
  for (const char* n : kSsaContracts) {
    if (out.find(n) == nullptr) {
      return not_found("contract '" + std::string(n) + "' is not in " + graph_patterns +
                       "/fault_location or /sensitivities");
    }
  }
  return out;
}

}  // namespace gridke::adapters::sensitivities
