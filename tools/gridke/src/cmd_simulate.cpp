// gridke simulate KIND: simulators that play data providers against GridKE services.
//   hems — a fleet of HEMS in grid zones feeding the fault-location service, with injected
//          power faults, ISP outages, dropouts and voltage sags; prints the evaluation
//          (detection delay, precision/recall, false alarms per zone-day). In-process on a
//          simulated clock by default; with --engine URL a live DSP in real time: it registers
//          its fleet on the service's REST front door and POSTs voltage readings through a
//          RemoteEngine (contract (a) post-hems-voltage, one POST per reading period).

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/json_fields.hpp"
#include "gridke/services/fault_location/fault_injector.hpp"
#include "gridke/services/fault_location/hems_simulator.hpp"

namespace {

using namespace gridke;
namespace fl = gridke::services::fault_location;

constexpr const char* verb = "simulate";

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

nlohmann::json to_json(const fl::SimulationReport& r, const fl::SimulationConfig& c) {
  nlohmann::json j;
  j["fleet"] = {{"cities", r.cities}, {"zones", r.zones},        {"hems", r.hems},
                {"days", r.days},     {"zoneDays", r.zone_days}, {"readings", r.readings},
                {"seed", c.seed}};
  j["parameters"] = {{"minSilentHems", c.parameters.min_silent_hems},
                     {"minSilenceSeconds", c.parameters.min_silence.count()}};
  j["faults"] = {{"injected", r.power_faults},
                 {"eligible", r.eligible_faults},
                 {"detected", r.detected_faults},
                 {"detectedInTime", r.detected_in_time},
                 {"deadlineSeconds", r.deadline_s},
                 {"delayMeanSeconds", r.delay_mean_s},
                 {"delayP95Seconds", r.delay_p95_s},
                 {"delayMaxSeconds", r.delay_max_s},
                 {"misses", r.misses}};
  j["notifications"] = {{"fault", r.fault_notifications},
                        {"truePositive", r.true_notifications},
                        {"ispFalseAlarms", r.isp_false_alarms},
                        {"dropoutFalseAlarms", r.dropout_false_alarms},
                        {"voltage", r.voltage_notifications}};
  j["ispOutages"] = {{"injected", r.isp_outages},
                     {"communicationOutageVerdicts", r.communication_outage_verdicts}};
  j["voltageSags"] = {{"injected", r.voltage_sags}, {"detected", r.sags_detected}};
  j["precision"] = r.precision;
  j["recall"] = r.recall;
  j["dropoutFalseAlarmsPer1000ZoneDays"] = r.dropout_false_alarms_per_1000_zone_days;
  j["targetsMet"] = r.meets_targets();
  j["wallSeconds"] = r.wall_seconds;
  j["readingsPerSecond"] = r.readings_per_second;
  return j;
}

void print_text(const fl::SimulationReport& r, const fl::SimulationConfig& c) {
  std::cout << "HEMS fleet: " << r.cities << " cities, " << r.zones << " zones, " << r.hems
            << " HEMS, " << r.days << " days (" << fixed(r.zone_days, 0) << " zone-days), "
            << r.readings << " readings\n"
            << "Parameters: N_min=" << c.parameters.min_silent_hems
            << ", T_min=" << c.parameters.min_silence.count() << " s, seed " << c.seed << "\n\n"
            << "Power faults: " << r.power_faults << " injected, " << r.eligible_faults
            << " eligible (>= N_min HEMS reporting), " << r.detected_faults << " detected, "
            << r.detected_in_time << " within " << fixed(r.deadline_s, 0) << " s\n"
            << "Detection delay: mean " << fixed(r.delay_mean_s, 1) << " s, p95 "
            << fixed(r.delay_p95_s, 1) << " s, max " << fixed(r.delay_max_s, 1) << " s\n"
            << "Fault notifications: " << r.fault_notifications << " (" << r.true_notifications
            << " true), precision " << fixed(r.precision, 4) << ", recall " << fixed(r.recall, 4)
            << "\n"
            << "False alarms: " << r.isp_false_alarms << " from " << r.isp_outages
            << " ISP outages (" << r.communication_outage_verdicts
            << " group-ticks classified as communication outages), " << r.dropout_false_alarms
            << " from random dropouts = " << fixed(r.dropout_false_alarms_per_1000_zone_days, 3)
            << " per 1,000 zone-days\n"
            << "Voltage sags: " << r.voltage_sags << " injected, " << r.sags_detected
            << " notified (" << r.voltage_notifications << " abnormal-voltage notifications)\n"
            << "Run: " << fixed(r.wall_seconds, 1) << " s wall, " << fixed(r.readings_per_second, 0)
            << " readings/s\n";
  for (const auto& m : r.misses) std::cout << "  missed: " << m << "\n";
  std::cout << "Targets " << (r.meets_targets() ? "met" : "NOT met") << "\n";
}

int run_hems(const cli::Args& args) {
  fl::SimulationConfig c;
  std::map<std::string, long long> ints;
  for (const char* name :
       {"days", "cities", "seed", "min-silent-hems", "min-silence-s", "min-hems", "max-hems"}) {
    auto v = args.get_int(name);
    if (!v) return cli::usage_error(verb, v.error().message());
    if (*v) ints[name] = **v;
  }
  auto positive = [&](const char* name, long long lo) -> std::optional<std::string> {
    if (ints.contains(name) && ints[name] < lo) {
      return "--" + std::string(name) + " must be >= " + std::to_string(lo) + ", got " +
             std::to_string(ints[name]);
    }
    return std::nullopt;
  };
  for (auto [name, lo] :
       {std::pair{"days", 1LL}, std::pair{"cities", 1LL}, std::pair{"min-silent-hems", 1LL},
        std::pair{"min-silence-s", 61LL}, std::pair{"min-hems", 1LL}, std::pair{"max-hems", 1LL},
        std::pair{"seed", 0LL}}) {
    if (auto e = positive(name, lo)) return cli::usage_error(verb, *e);
  }
  if (ints.contains("days")) c.days = static_cast<int>(ints["days"]);
  if (ints.contains("cities")) c.cities = static_cast<int>(ints["cities"]);
  if (ints.contains("seed")) c.seed = static_cast<std::uint64_t>(ints["seed"]);
  if (ints.contains("min-hems")) c.min_hems_per_zone = static_cast<int>(ints["min-hems"]);
  if (ints.contains("max-hems")) c.max_hems_per_zone = static_cast<int>(ints["max-hems"]);
  if (ints.contains("min-silent-hems")) {
    c.parameters.min_silent_hems = static_cast<int>(ints["min-silent-hems"]);
  }
  if (ints.contains("min-silence-s")) {
    c.parameters.min_silence = std::chrono::seconds(ints["min-silence-s"]);
  }
  if (auto db = args.get("db")) {
    c.service.database_path = *db;
    c.service.persist_readings = true;
  }
  const std::string format = args.get_or("format", "text");
  if (format != "text" && format != "json") {
    return cli::usage_error(verb, "--format must be text or json, got '" + format + "'");
  }
  std::cerr << "gridke simulate hems: " << c.days << " days, seed " << c.seed << "\n";
  auto report = fl::simulate_hems_fleet(c, [](int day, int days) {
    if (day % 5 == 0 || day == days) {
      std::cerr << "gridke simulate hems: day " << day << "/" << days << "\n";
    }
  });
  if (!report) return cli::fail(verb, report.error());
  if (format == "json") {
    std::cout << to_json(*report, c).dump(2) << "\n";
  } else {
    print_text(*report, c);
  }
  return report->meets_targets() ? cli::exit_ok : cli::exit_findings;
}

// ---- Live DSP (--engine URL) ----------------------------------------------------------------
// The fleet: zones live-Z1..N spread round-robin over the cities live-city-1..M, HEMS i of a zone
// on phase L(i%3+1) and access network isp<A + i%K>. Everything injected — scheduled and random
// events, dropouts, the voltages — comes from fl::FaultInjector, the in-process evaluation's code.

volatile std::sig_atomic_t stop_requested = 0;
extern "C" void on_stop_signal(int) { stop_requested = 1; }

/// One --fault / --isp-outage / --sag: TARGET[:QUALIFIER]@SECONDS[+DURATION].
struct LiveEventSpec {
  fl::InjectedKind kind = fl::InjectedKind::zone_fault;
  std::string target;     ///< zone (faults, sags) or access network (ISP outages)
  std::string qualifier;  ///< phase (faults, sags) or city (ISP outages); empty = all
  double at_s = 0;        ///< seconds after the first period
  double duration_s = 0;  ///< 0 = until the simulator stops
};

struct LiveConfig {
  std::string engine_url;
  std::string service_url;
  int zones = 3;
  int hems_per_zone = 20;
  int cities = 1;
  int isps = 2;
  double period_s = 60;
  double duration_s = 0;      ///< 0 = until SIGINT/SIGTERM
  std::size_t batch = 0;      ///< bindings per POST; 0 = one POST per period
  double dropout = 0.01;      ///< dropout episodes per HEMS and reading period
  double mean_dropout_s = 0;  ///< 0 = one reading period
  double flaky_fraction = 0;  ///< HEMS that drop out 10x as often
  double fault_rate = 0;      ///< random power faults per hour over the fleet
  double isp_outage_rate = 0;
  double sag_rate = 0;
  double single_phase_fraction = 0.4;
  double sag_depth_pu = 0.85;  ///< of scheduled sags (random ones: 0.80-0.88)
  double warmup_s = 0;         ///< no random event before; 0 = ten periods
  std::uint64_t seed = 20261127;
  int min_silent_hems = 3;
  int min_silence_s = 0;  ///< 0 = the service default
  std::vector<LiveEventSpec> events;
  bool json = false;
  std::string log_path;  ///< ground-truth log file; empty = stdout
  bool log_dropouts = false;
};

constexpr const char* dsp_kb = "https://dsp.example.org/kb/hems-platform";
constexpr const char* hems_base = "https://dsp.example.org/hems/";
constexpr const char* dso_ns = "https://w3id.org/gridke/dso#";
constexpr std::int64_t open_end_ms = std::numeric_limits<std::int64_t>::max() / 4;
constexpr std::int64_t random_window_ms = 3'600'000;  // random events are placed hour by hour

std::string live_zone(int z) { return "live-Z" + std::to_string(z + 1); }
std::string live_hems(int z, int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-h%03d", i);
  return live_zone(z) + buf;
}
std::string live_city(int c) { return "live-city-" + std::to_string(c + 1); }
std::string live_isp(int a) { return std::string("isp") + static_cast<char>('A' + a); }

fl::Fleet live_fleet(const LiveConfig& c, std::mt19937_64& rng) {
  fl::Fleet f;
  for (int k = 0; k < c.cities; ++k) f.regions.push_back(live_city(k));
  for (int a = 0; a < c.isps; ++a) f.networks.push_back(live_isp(a));
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int z = 0; z < c.zones; ++z) {
    fl::FleetZone zone{live_zone(z), z % c.cities, {}};
    for (int i = 0; i < c.hems_per_zone; ++i) {
      fl::FleetHems h;
      h.id = live_hems(z, i);
      h.zone = z;
      h.region = zone.region;
      h.phase = i % 3;
      h.network = i % c.isps;
      h.dropouts_per_period = c.dropout * (unit(rng) < c.flaky_fraction ? 10.0 : 1.0);
      zone.hems.push_back(static_cast<int>(f.hems.size()));
      f.hems.push_back(std::move(h));
    }
    f.zones.push_back(std::move(zone));
  }
  return f;
}

/// PUT/POST on the service front door; an "already exists" answer (a re-run against the same
/// data directory) is fine.
Result<void> call_tolerant(const std::string& method, const std::string& url,
                           const nlohmann::json& body) {
  auto r = http::call_json(method, url, body);
  if (r || r.error().message().find("already exists") != std::string::npos) return ok();
  return r.error().with_context(method + " " + url);
}

Result<void> register_fleet(const LiveConfig& c, const fl::Fleet& fleet) {
  for (const auto& zone : fleet.zones) {
    GRIDKE_TRY(call_tolerant("PUT", c.service_url + "/zones/" + zone.id,
                             {{"description", "simulated zone " + zone.id},
                              {"nominalVoltage", 230},
                              {"region", fleet.regions[static_cast<std::size_t>(zone.region)]}}));
    for (int i : zone.hems) {
      const auto& h = fleet.hems[static_cast<std::size_t>(i)];
      GRIDKE_TRY(
          call_tolerant("PUT", c.service_url + "/hems/" + h.id,
                        {{"gridZone", zone.id},
                         {"phase", "L" + std::to_string(h.phase + 1)},
                         {"accessNetwork", fleet.networks[static_cast<std::size_t>(h.network)]}}));
    }
    nlohmann::json monitoring = {{"gridZone", zone.id}, {"minSilentHems", c.min_silent_hems}};
    if (c.min_silence_s > 0) monitoring["minSilenceSeconds"] = c.min_silence_s;
    GRIDKE_ASSIGN_OR_RETURN(auto decision,
                            http::call_json("POST", c.service_url + "/monitoring", monitoring));
    std::cerr << "[dsp] zone " << zone.id << " ("
              << fleet.regions[static_cast<std::size_t>(zone.region)] << "): " << zone.hems.size()
              << " HEMS, monitoring " << decision.value("status", std::string("?")) << "\n";
  }
  return ok();
}

Result<pattern::Binding> reading_binding(const fl::VoltageReading& r, int phase) {
  namespace ad = gridke::adapter;
  const ad::IriCodec hems_iri{hems_base};
  pattern::Binding b;
  GRIDKE_TRY(ad::put(b, "hems", r.hems_id, hems_iri));
  GRIDKE_TRY(ad::put(b, "hemsId", r.hems_id, ad::StringCodec{}));
  GRIDKE_TRY(
      ad::put(b, "m", r.hems_id + "/v/" + std::to_string(fl::to_epoch_ms(r.time)), hems_iri));
  GRIDKE_TRY(ad::put(b, "voltage", r.voltage_v, ad::DoubleCodec{}));
  GRIDKE_TRY(
      ad::put(b, "timestamp", std::chrono::system_clock::time_point(r.time), ad::DateTimeCodec{}));
  GRIDKE_TRY(ad::put(b, "phase", std::string(dso_ns) + "PhaseL" + std::to_string(phase + 1),
                     ad::IriCodec{}));
  return b;
}

// --- The ground-truth log --------------------------------------------------------------------

std::string count_of(std::size_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string iso_ms(std::int64_t ms) {
  return http::format_time(
      std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(ms)));
}

int affected_hems(const fl::Fleet& f, const fl::InjectedEvent& e) {
  int n = 0;
  for (const auto& h : f.hems) {
    if (e.kind == fl::InjectedKind::isp_outage) {
      n += h.network == e.network && (e.region < 0 || e.region == h.region) ? 1 : 0;
    } else {
      n += h.zone == e.zone && (e.phase < 0 || h.phase == e.phase) ? 1 : 0;
    }
  }
  return n;
}

/// What the service should make of an event (its ground-truth verdict).
std::string expected_outcome(const fl::InjectedEvent& e, int min_silent_hems) {
  switch (e.kind) {
    case fl::InjectedKind::isp_outage: return "no_fault_notification";
    case fl::InjectedKind::voltage_sag: return "abnormal_voltage_notification";
    default:
      return e.eligible_count >= 0 && e.eligible_count < min_silent_hems
                 ? "none_fewer_than_min_silent_hems_reporting"
                 : "power_fault_notification";
  }
}

nlohmann::json describe_event(const fl::InjectedEvent& e, std::size_t index, const fl::Fleet& f,
                              std::int64_t t0_ms, int min_silent_hems) {
  nlohmann::json j{{"id", "E" + std::to_string(index + 1)},
                   {"kind", std::string(fl::to_string(e.kind))},
                   {"scheduled", e.scheduled}};
  if (e.zone >= 0) j["gridZone"] = f.zones[static_cast<std::size_t>(e.zone)].id;
  j["region"] = e.region >= 0 ? f.regions[static_cast<std::size_t>(e.region)] : "all";
  if (e.phase >= 0) j["phase"] = "L" + std::to_string(e.phase + 1);
  if (e.network >= 0) j["accessNetwork"] = f.networks[static_cast<std::size_t>(e.network)];
  if (e.kind == fl::InjectedKind::voltage_sag) j["depthPu"] = e.depth_pu;
  if (e.sag_before) j["lowVoltageBefore"] = true;
  j["start"] = iso_ms(e.start_ms);
  j["startSeconds"] = static_cast<double>(e.start_ms - t0_ms) / 1000.0;
  if (e.end_ms < open_end_ms) {
    j["end"] = iso_ms(e.end_ms);
    j["durationSeconds"] = static_cast<double>(e.end_ms - e.start_ms) / 1000.0;
  } else {
    j["end"] = nullptr;
  }
  j["affectedHems"] = affected_hems(f, e);
  if (e.eligible_count >= 0) j["reportingAtStart"] = e.eligible_count;
  j["expected"] = expected_outcome(e, min_silent_hems);
  return j;
}

/// Writes the log: one JSON object per line (--format json) or one sentence per line.
class TruthLog {
 public:
  TruthLog(std::ostream& out, bool json, std::int64_t t0_ms)
      : out_(out), json_(json), t0_ms_(t0_ms) {}

  void write(const std::string& record, nlohmann::json j, const std::string& text) {
    if (json_) {
      nlohmann::json line{{"record", record}};
      line.update(j);
      out_ << line.dump() << std::endl;
    } else {
      out_ << "[truth] " << text << std::endl;
    }
  }
  std::string at(std::int64_t ms) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "t=%.1f s", static_cast<double>(ms - t0_ms_) / 1000.0);
    return buf;
  }

 private:
  std::ostream& out_;
  bool json_;
  std::int64_t t0_ms_;
};

std::string event_sentence(const nlohmann::json& j) {
  std::string s = j["id"].get<std::string>() + " " + j["kind"].get<std::string>();
  if (j.contains("gridZone")) s += " in " + j["gridZone"].get<std::string>();
  if (j.contains("phase")) s += " phase " + j["phase"].get<std::string>();
  if (j.contains("accessNetwork")) {
    s += " of " + j["accessNetwork"].get<std::string>() + " in " + j["region"].get<std::string>();
  }
  if (j.contains("depthPu")) {
    char d[32];
    std::snprintf(d, sizeof d, " to %.3f pu", j["depthPu"].get<double>());
    s += d;
  }
  s += " (" + std::to_string(j["affectedHems"].get<int>()) + " HEMS";
  if (j.contains("reportingAtStart")) {
    s += ", " + std::to_string(j["reportingAtStart"].get<int>()) + " reporting at the start";
  }
  s += j["end"].is_null()
           ? ", until the end"
           : ", for " + std::to_string(static_cast<long long>(j["durationSeconds"].get<double>())) +
                 " s";
  return s + (j["scheduled"].get<bool>() ? ", scheduled" : ", random") +
         "); expected: " + j["expected"].get<std::string>();
}

struct PostStats {
  std::int64_t posted = 0;
  std::int64_t posts = 0;
  std::int64_t failed = 0;
};

// POSTs one period's readings through the engine, `chunk` bindings per POST.
Result<void> post_readings(adapter::GenericAdapter& dsp, const std::vector<fl::VoltageReading>& rs,
                           const std::unordered_map<std::string, int>& phase_of, std::size_t batch,
                           PostStats& stats) {
  std::vector<pattern::Binding> readings;
  readings.reserve(rs.size());
  for (const auto& r : rs) {
    GRIDKE_ASSIGN_OR_RETURN(auto b, reading_binding(r, phase_of.at(r.hems_id)));
    readings.push_back(std::move(b));
  }
  const std::size_t chunk = batch == 0 ? std::max<std::size_t>(readings.size(), 1) : batch;
  for (std::size_t from = 0; from < readings.size(); from += chunk) {
    pattern::BindingSet set;
    for (std::size_t i = from; i < std::min(readings.size(), from + chunk); ++i) {
      set.insert(readings[i]);
    }
    const auto n = static_cast<std::int64_t>(set.size());
    auto r = dsp.post("post-hems-voltage", std::move(set));
    ++stats.posts;
    bool delivered = r.has_value();
    if (r) {
      for (const auto& info : r->exchange_info) {
        if (info.status != engine::ExchangeStatus::succeeded) {
          delivered = false;
          std::cerr << "[dsp] POST failed at " << info.knowledge_base_id << ": "
                    << info.failed_message << "\n";
        }
      }
    } else {
      std::cerr << "[dsp] POST failed: " << r.error().message() << "\n";
    }
    if (delivered) {
      stats.posted += n;
    } else {
      ++stats.failed;
    }
  }
  return ok();
}

// The scheduled events of the command line, resolved against the fleet.
Result<void> schedule_events(const LiveConfig& c, fl::FaultInjector& injector, std::int64_t t0_ms) {
  const auto& f = injector.fleet();
  for (const auto& s : c.events) {
    fl::InjectedEvent e;
    e.kind = s.kind;
    e.start_ms = t0_ms + static_cast<std::int64_t>(std::llround(s.at_s * 1000.0));
    e.end_ms = s.duration_s > 0
                   ? e.start_ms + static_cast<std::int64_t>(std::llround(s.duration_s * 1000.0))
                   : open_end_ms;
    if (s.kind == fl::InjectedKind::isp_outage) {
      e.network = f.network_index(s.target);
      e.region = s.qualifier.empty() ? -1 : f.region_index(s.qualifier);
    } else {
      e.zone = f.zone_index(s.target);
      e.phase = s.qualifier.empty() ? -1 : static_cast<int>(*fl::parse_phase(s.qualifier));
      e.depth_pu = c.sag_depth_pu;
    }
    GRIDKE_TRY(injector.add_event(e));
  }
  return ok();
}

int run_live(const LiveConfig& c) {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::ofstream log_file;
  if (!c.log_path.empty()) {
    log_file.open(c.log_path, std::ios::out | std::ios::trunc);
    if (!log_file) {
      return cli::fail(verb, invalid_argument("--log " + c.log_path + ": cannot be written"));
    }
  }
  std::mt19937_64 rng(c.seed);
  const std::int64_t period_ms = std::max<long long>(1, std::llround(c.period_s * 1000.0));
  fl::InjectorConfig ic;
  ic.reading_period_ms = period_ms;
  ic.mean_dropout_ms = c.mean_dropout_s > 0
                           ? std::max<long long>(1, std::llround(c.mean_dropout_s * 1000.0))
                           : period_ms;
  ic.single_phase_fault_fraction = c.single_phase_fraction;
  ic.conflict_margin_ms =
      (c.min_silence_s > 0 ? c.min_silence_s * 1000LL : 5 * period_ms) + 30 * period_ms;
  ic.record_dropouts = c.log_dropouts;
  auto injector = fl::FaultInjector::create(live_fleet(c, rng), ic, rng);
  if (!injector) return cli::fail(verb, injector.error());
  const auto& fleet = injector->fleet();
  if (auto r = register_fleet(c, fleet); !r) return cli::fail(verb, r.error());
  auto contracts = adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                           "graph-patterns" / "fault_location");
  if (!contracts) return cli::fail(verb, contracts.error());
  engine::RemoteEngineOptions options;
  options.base_url = c.engine_url;
  auto remote = engine::RemoteEngine::connect(options);
  if (!remote) return cli::fail(verb, remote.error());
  adapter::Ssa ssa(dsp_kb, "HEMS platform (gridke simulate hems)",
                   "Data service provider posting HEMS voltage readings");
  ssa.post("post-hems-voltage");
  auto dsp = adapter::GenericAdapter::start(**remote, *contracts, std::move(ssa));
  if (!dsp) return cli::fail(verb, dsp.error());

  std::unordered_map<std::string, int> phase_of;
  for (const auto& h : fleet.hems) phase_of.emplace(h.id, h.phase);
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t t0_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch())
                                 .count();
  if (auto r = schedule_events(c, *injector, t0_ms); !r) return cli::fail(verb, r.error());
  const bool random = c.fault_rate > 0 || c.isp_outage_rate > 0 || c.sag_rate > 0;
  const std::int64_t warmup_ms =
      c.warmup_s > 0 ? std::llround(c.warmup_s * 1000.0) : 10 * period_ms;
  const std::int64_t duration_ms = std::llround(c.duration_s * 1000.0);
  auto place_random = [&](std::int64_t from_ms, std::int64_t to_ms) {
    const double hours = static_cast<double>(to_ms - from_ms) / 3'600'000.0;
    if (hours > 0) {
      injector->place_random_events(
          {c.fault_rate * hours, c.isp_outage_rate * hours, c.sag_rate * hours}, from_ms, to_ms);
    }
  };
  std::int64_t next_window_ms = t0_ms;  // unbounded runs: random events an hour ahead
  if (random && duration_ms > 0) {
    place_random(t0_ms + warmup_ms, t0_ms + duration_ms);
    next_window_ms = open_end_ms;
  }
  injector->start_dropouts(t0_ms);

  std::ostream& out = c.log_path.empty() ? std::cout : log_file;
  TruthLog log(out, c.json, t0_ms);
  {
    nlohmann::json zones = nlohmann::json::array();
    for (const auto& z : fleet.zones) {
      zones.push_back({{"gridZone", z.id},
                       {"region", fleet.regions[static_cast<std::size_t>(z.region)]},
                       {"hems", z.hems.size()}});
    }
    log.write("fleet",
              {{"start", iso_ms(t0_ms)},
               {"periodSeconds", static_cast<double>(period_ms) / 1000.0},
               {"seed", c.seed},
               {"gridZones", zones},
               {"accessNetworks", fleet.networks}},
              "fleet: " + count_of(fleet.zones.size(), "zone", "zones") + " in " +
                  count_of(fleet.regions.size(), "city", "cities") + ", " +
                  std::to_string(fleet.hems.size()) + " HEMS on " +
                  count_of(fleet.networks.size(), "access network", "access networks") +
                  ", a reading every " + fixed(static_cast<double>(period_ms) / 1000.0, 3) +
                  " s, seed " + std::to_string(c.seed) + ", start " + iso_ms(t0_ms));
  }

  PostStats stats;
  std::vector<char> begun, ended;
  for (long long k = 0; !stop_requested; ++k) {
    const auto due = start + k * std::chrono::milliseconds(period_ms);
    // Short slices, so SIGINT/SIGTERM stop the loop promptly even with a long period.
    while (!stop_requested && std::chrono::steady_clock::now() < due) {
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          due - std::chrono::steady_clock::now(), std::chrono::milliseconds(100)));
    }
    if (stop_requested) break;
    const std::int64_t t = t0_ms + k * period_ms;
    if (duration_ms > 0 && t - t0_ms > duration_ms) break;
    if (random && t >= next_window_ms) {
      place_random(std::max(next_window_ms, t0_ms + warmup_ms), next_window_ms + random_window_ms);
      next_window_ms += random_window_ms;
    }
    const auto readings = injector->readings(t);
    const auto& events = injector->events();
    begun.resize(events.size(), 0);
    ended.resize(events.size(), 0);
    for (std::size_t i = 0; i < events.size(); ++i) {
      const auto& e = events[i];
      if (!begun[i] && e.start_ms < t + period_ms) {
        begun[i] = 1;
        auto j = describe_event(e, i, fleet, t0_ms, c.min_silent_hems);
        log.write("begin", j, log.at(e.start_ms) + " BEGIN " + event_sentence(j));
      }
      if (begun[i] && !ended[i] && e.end_ms < t + period_ms) {
        ended[i] = 1;
        log.write("end",
                  {{"id", "E" + std::to_string(i + 1)},
                   {"kind", std::string(fl::to_string(e.kind))},
                   {"end", iso_ms(e.end_ms)},
                   {"endSeconds", static_cast<double>(e.end_ms - t0_ms) / 1000.0}},
                  log.at(e.end_ms) + " END E" + std::to_string(i + 1) + " " +
                      std::string(fl::to_string(e.kind)));
      }
    }
    for (const auto& d : injector->take_dropouts()) {
      const auto& id = fleet.hems[static_cast<std::size_t>(d.hems)].id;
      log.write("dropout",
                {{"hemsId", id}, {"start", iso_ms(d.start_ms)}, {"end", iso_ms(d.end_ms)}},
                log.at(d.start_ms) + " DROPOUT " + id + " for " +
                    fixed(static_cast<double>(d.end_ms - d.start_ms) / 1000.0, 1) + " s");
    }
    if (auto r = post_readings(**dsp, readings, phase_of, c.batch, stats); !r) {
      return cli::fail(verb, r.error());
    }
    if (k % 10 == 0) {
      std::cerr << "[dsp] " << log.at(t) << ": " << stats.posted << " readings in " << stats.posts
                << " POSTs (" << stats.failed << " failed)\n";
    }
  }
  const auto& n = injector->counts();
  nlohmann::json events = nlohmann::json::array();
  for (std::size_t i = 0; i < injector->events().size(); ++i) {
    events.push_back(describe_event(injector->events()[i], i, fleet, t0_ms, c.min_silent_hems));
  }
  log.write("summary",
            {{"periods", n.periods},
             {"readings", n.readings},
             {"readingsPosted", stats.posted},
             {"posts", stats.posts},
             {"failedPosts", stats.failed},
             {"lostToFaults", n.lost_to_faults},
             {"lostToIspOutages", n.lost_to_isp},
             {"lostToDropouts", n.lost_to_dropouts},
             {"dropouts", n.dropouts},
             {"sagged", n.sagged},
             {"events", events}},
            "summary: " + std::to_string(n.periods) + " periods, " + std::to_string(n.readings) +
                " readings (" + std::to_string(stats.posted) + " posted in " +
                std::to_string(stats.posts) + " POSTs, " + std::to_string(stats.failed) +
                " failed); lost " + std::to_string(n.lost_to_faults) + " to power faults, " +
                std::to_string(n.lost_to_isp) + " to ISP outages, " +
                std::to_string(n.lost_to_dropouts) + " to " + std::to_string(n.dropouts) +
                " dropouts; " + std::to_string(n.sagged) + " sagged readings; " +
                count_of(events.size(), "event", "events") + " injected");
  std::cerr << "[dsp] stopping: " << stats.posted << " readings in " << stats.posts << " POSTs ("
            << stats.failed << " failed)\n";
  return cli::exit_ok;
}

/// TARGET[:QUALIFIER]@SECONDS[+DURATION] of `option` (e.g. "fault").
Result<LiveEventSpec> parse_event_spec(fl::InjectedKind kind, const std::string& option,
                                       const std::string& text) {
  const std::string form = "--" + option + ": '" + text + "' must be " +
                           (kind == fl::InjectedKind::isp_outage ? "ISP[:CITY]" : "ZONE[:PHASE]") +
                           "@SECONDS[+DURATION] with SECONDS >= 0, DURATION > 0";
  const auto at = text.find('@');
  if (at == std::string::npos || at == 0) return invalid_argument(form);
  LiveEventSpec s;
  s.kind = kind;
  s.target = text.substr(0, at);
  if (const auto colon = s.target.find(':'); colon != std::string::npos) {
    s.qualifier = s.target.substr(colon + 1);
    s.target.resize(colon);
    if (s.target.empty() || s.qualifier.empty()) return invalid_argument(form);
  }
  const std::string rest = text.substr(at + 1);
  const auto plus = rest.find('+');
  try {
    std::size_t used = 0;
    const std::string begin = rest.substr(0, plus);
    s.at_s = std::stod(begin, &used);
    if (used != begin.size() || !(s.at_s >= 0) || !std::isfinite(s.at_s))
      return invalid_argument(form);
    if (plus != std::string::npos) {
      const std::string length = rest.substr(plus + 1);
      s.duration_s = std::stod(length, &used);
      if (used != length.size() || !(s.duration_s > 0) || !std::isfinite(s.duration_s)) {
        return invalid_argument(form);
      }
    }
  } catch (const std::exception&) {
    return invalid_argument(form);
  }
  if (kind == fl::InjectedKind::zone_fault && !s.qualifier.empty()) {
    s.kind = fl::InjectedKind::phase_fault;
  }
  if (kind != fl::InjectedKind::isp_outage && !s.qualifier.empty() &&
      !fl::parse_phase(s.qualifier)) {
    return invalid_argument("--" + option + ": '" + text + "': phase '" + s.qualifier +
                            "' must be L1, L2 or L3");
  }
  return s;
}

/// Checks that a parsed event names a zone, ISP and city of the live fleet.
Result<void> check_event_names(const LiveConfig& c, const std::string& option,
                               const LiveEventSpec& s) {
  if (s.kind == fl::InjectedKind::isp_outage) {
    bool isp = false, city = s.qualifier.empty();
    for (int a = 0; a < c.isps; ++a) isp = isp || live_isp(a) == s.target;
    for (int k = 0; k < c.cities; ++k) city = city || live_city(k) == s.qualifier;
    if (!isp) {
      return invalid_argument("--" + option + ": no access network '" + s.target +
                              "' (they are ispA .. " + live_isp(c.isps - 1) + ", see --isps)");
    }
    if (!city) {
      return invalid_argument("--" + option + ": no city '" + s.qualifier +
                              "' (they are live-city-1 .. " + live_city(c.cities - 1) +
                              ", see --cities)");
    }
    return ok();
  }
  for (int z = 0; z < c.zones; ++z) {
    if (live_zone(z) == s.target) return ok();
  }
  return invalid_argument("--" + option + ": no zone '" + s.target + "' (zones are live-Z1 .. " +
                          live_zone(c.zones - 1) + ")");
}

/// A number option: absent → `fallback`; else within [lo, hi] (hi_open: < hi).
Result<double> number_option(const cli::Args& args, const char* name, double fallback, double lo,
                             double hi, bool lo_open = false) {
  const auto v = args.get(name);
  if (!v) return fallback;
  auto g = [](double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", x);
    return std::string(buf);
  };
  const std::string range = std::string(lo_open ? "(" : "[") + g(lo) + ", " + g(hi) + "]";
  try {
    std::size_t used = 0;
    const double x = std::stod(*v, &used);
    if (used == v->size() && std::isfinite(x) && (lo_open ? x > lo : x >= lo) && x <= hi) {
      return x;
    }
  } catch (const std::exception&) {
  }
  return invalid_argument("--" + std::string(name) + " must be a number in " + range + ", got '" +
                          *v + "'");
}

int run_hems_live(const cli::Args& args) {
  LiveConfig c;
  c.engine_url = *args.get("engine");
  while (!c.engine_url.empty() && c.engine_url.back() == '/') c.engine_url.pop_back();
  if (auto s = args.get("service")) {
    c.service_url = *s;
  } else {
    const auto rest = c.engine_url.rfind("/rest");
    if (rest == std::string::npos || rest + 5 != c.engine_url.size()) {
      return cli::usage_error(verb, "--engine URL does not end in /rest; give --service URL");
    }
    c.service_url = c.engine_url.substr(0, rest) + "/GridObservability";
  }
  for (const auto& [name, target, lo, hi] :
       {std::tuple{"zones", &c.zones, 1, 100'000}, std::tuple{"hems", &c.hems_per_zone, 1, 100'000},
        std::tuple{"cities", &c.cities, 1, 1000}, std::tuple{"isps", &c.isps, 1, 26},
        std::tuple{"min-silent-hems", &c.min_silent_hems, 1, 100'000},
        std::tuple{"min-silence-s", &c.min_silence_s, 1, 100'000}}) {
    auto v = args.get_int(name);
    if (!v) return cli::usage_error(verb, v.error().message());
    if (!*v) continue;
    if (**v < lo || **v > hi) {
      return cli::usage_error(verb, "--" + std::string(name) + " must be in [" +
                                        std::to_string(lo) + ", " + std::to_string(hi) + "], got " +
                                        std::to_string(**v));
    }
    *target = static_cast<int>(**v);
  }
  if (c.cities > c.zones) {
    return cli::usage_error(verb, "--cities (" + std::to_string(c.cities) +
                                      ") must not exceed --zones (" + std::to_string(c.zones) +
                                      ")");
  }
  constexpr double big = 1e9;
  for (const auto& [name, target, lo, hi, lo_open] :
       {std::tuple{"period-s", &c.period_s, 0.0, 86'400.0, true},
        std::tuple{"duration-s", &c.duration_s, 0.0, big, true},
        std::tuple{"dropout", &c.dropout, 0.0, 1.0, false},
        std::tuple{"mean-dropout-s", &c.mean_dropout_s, 0.0, big, true},
        std::tuple{"flaky-fraction", &c.flaky_fraction, 0.0, 1.0, false},
        std::tuple{"fault-rate", &c.fault_rate, 0.0, 1e6, false},
        std::tuple{"isp-outage-rate", &c.isp_outage_rate, 0.0, 1e6, false},
        std::tuple{"sag-rate", &c.sag_rate, 0.0, 1e6, false},
        std::tuple{"single-phase-fraction", &c.single_phase_fraction, 0.0, 1.0, false},
        std::tuple{"sag-depth-pu", &c.sag_depth_pu, 0.0, 0.99, true},
        std::tuple{"warmup-s", &c.warmup_s, 0.0, big, true}}) {
    auto v = number_option(args, name, *target, lo, hi, lo_open);
    if (!v) return cli::usage_error(verb, v.error().message());
    *target = *v;
  }
  if (c.period_s < 0.05) return cli::usage_error(verb, "--period-s must be >= 0.05");
  auto batch = args.get_int("batch");
  if (!batch) return cli::usage_error(verb, batch.error().message());
  if (*batch) {
    if (**batch < 1) return cli::usage_error(verb, "--batch must be >= 1");
    c.batch = static_cast<std::size_t>(**batch);
  }
  if (auto seed = args.get_int("seed"); !seed) {
    return cli::usage_error(verb, seed.error().message());
  } else if (*seed) {
    if (**seed < 0) return cli::usage_error(verb, "--seed must be >= 0");
    c.seed = static_cast<std::uint64_t>(**seed);
  }
  const std::string format = args.get_or("format", "text");
  if (format != "text" && format != "json") {
    return cli::usage_error(verb, "--format must be text or json, got '" + format + "'");
  }
  c.json = format == "json";
  c.log_path = args.get_or("log", "");
  c.log_dropouts = args.has("log-dropouts");
  for (const auto& [option, kind] : {std::pair{"fault", fl::InjectedKind::zone_fault},
                                     std::pair{"isp-outage", fl::InjectedKind::isp_outage},
                                     std::pair{"sag", fl::InjectedKind::voltage_sag}}) {
    for (const auto& text : args.get_all(option)) {
      auto s = parse_event_spec(kind, option, text);
      if (!s) return cli::usage_error(verb, s.error().message());
      if (auto r = check_event_names(c, option, *s); !r) {
        return cli::usage_error(verb, r.error().message());
      }
      c.events.push_back(std::move(*s));
    }
  }
  return run_live(c);
}

int run_simulate(const std::vector<std::string>& argv) {
  auto args = cli::Args::parse(argv, {"help", "log-dropouts"});
  if (!args) return cli::usage_error(verb, args.error().message());
  const bool live = args->has("engine");
  const std::vector<std::string> offline_options = {
      "days",     "cities",   "seed", "min-silent-hems", "min-silence-s",
      "min-hems", "max-hems", "db",   "format"};
  const std::vector<std::string> live_options = {"engine",
                                                 "service",
                                                 "zones",
                                                 "hems",
                                                 "cities",
                                                 "isps",
                                                 "period-s",
                                                 "duration-s",
                                                 "batch",
                                                 "dropout",
                                                 "mean-dropout-s",
                                                 "flaky-fraction",
                                                 "seed",
                                                 "fault",
                                                 "isp-outage",
                                                 "sag",
                                                 "sag-depth-pu",
                                                 "fault-rate",
                                                 "isp-outage-rate",
                                                 "sag-rate",
                                                 "single-phase-fraction",
                                                 "warmup-s",
                                                 "min-silent-hems",
                                                 "min-silence-s",
                                                 "format",
                                                 "log",
                                                 "log-dropouts"};
  if (auto unknown = args->unknown(live ? live_options : offline_options); !unknown.empty()) {
    return cli::usage_error(verb, "unknown option --" + unknown.front() +
                                      (live ? " (with --engine)" : " (without --engine)"));
  }
  if (args->positionals().size() != 1) {
    return cli::usage_error(verb, "expected one KIND (known: hems)");
  }
  const std::string kind = args->positionals().front();
  if (kind == "hems") return live ? run_hems_live(*args) : run_hems(*args);
  return cli::usage_error(verb, "unknown simulation kind '" + kind + "' (known: hems)");
}

}  // namespace

GRIDKE_COMMAND({"simulate", "run a data-provider simulator against a service (hems)",
                "Usage: gridke simulate KIND [OPTIONS]\n"
                "\n"
                "Kinds:\n"
                "  hems   a fleet of HEMS in grid zones (5 cities, 10-150 HEMS per zone) feeding\n"
                "         the fault-location service in-process, with injected power faults\n"
                "         (whole zone, single phase), ISP outages across zones, random dropouts\n"
                "         and voltage sags; reports detection delay, precision/recall and false\n"
                "         alarms per zone-day (docs/fault-location.md).\n"
                "\n"
                "Options (hems):\n"
                "  --days N              simulated days (default 30)\n"
                "  --cities N            cities, 4-7 zones each (default 5)\n"
                "  --min-hems N          smallest zone (default 10)\n"
                "  --max-hems N          largest zone (default 150)\n"
                "  --seed N              random seed (default 20261127)\n"
                "  --min-silent-hems N   N_min of every monitoring request (default 3)\n"
                "  --min-silence-s S     T_min in seconds, > 60 (default 300)\n"
                "  --db PATH             SQLite file, readings persisted (default: in memory,\n"
                "                        readings not persisted)\n"
                "  --format text|json    output format (default text)\n"
                "\n"
                "\n"
                "Live DSP (hems with --engine): real time against a running `gridke serve`\n"
                "(fault-location module). Registers zones live-Z1..live-ZN (round-robin over\n"
                "cities live-city-1..M; HEMS i on phase L(i%3+1) and access network ispA, ispB,\n"
                "... by i) on the service's REST front door, requests monitoring, then POSTs\n"
                "every reporting HEMS's voltage each period through a RemoteEngine (contract (a)\n"
                "post-hems-voltage). It injects the in-process evaluation's four kinds of event\n"
                "(same code) and prints a ground-truth log of what it injected on stdout: the\n"
                "fleet, each event's begin and end (with the HEMS reporting when it began and\n"
                "the expected verdict) and a summary.\n"
                "  --engine URL          the KE REST base, e.g. http://127.0.0.1:8280/rest\n"
                "  --service URL         the front door (default: URL with /rest replaced by\n"
                "                        /GridObservability)\n"
                "  --zones N             zones (default 3)\n"
                "  --hems N              HEMS per zone (default 20)\n"
                "  --cities N            cities (regions) the zones are spread over (default 1)\n"
                "  --isps N              access networks, ispA.. (default 2, at most 26)\n"
                "  --period-s S          reading period; match the server's\n"
                "                        GRIDKE_FAULT_READING_PERIOD_S (default 60)\n"
                "  --duration-s S        stop after S seconds (default: on SIGINT/SIGTERM)\n"
                "  --batch N             bindings per POST (default: one POST per period)\n"
                "Scheduled events (repeatable; S seconds after the start, for D seconds, default\n"
                "until the end):\n"
                "  --fault ZONE[:PHASE]@S[+D]    power fault of the whole zone, or of one phase\n"
                "                                (L1, L2, L3): its HEMS fall silent\n"
                "  --isp-outage ISP[:CITY]@S[+D] access network ISP down in CITY (default: in\n"
                "                                every city), across all the zones there\n"
                "  --sag ZONE[:PHASE]@S[+D]      voltage sag of the zone (or one phase) to\n"
                "                                --sag-depth-pu X (default 0.85)\n"
                "Random events and dropouts:\n"
                "  --fault-rate N        random power faults per hour over the fleet (default 0)\n"
                "  --single-phase-fraction F  of them on one phase only (default 0.4)\n"
                "  --isp-outage-rate N   random ISP outages per hour (default 0)\n"
                "  --sag-rate N          random voltage sags per hour (default 0)\n"
                "  --warmup-s S          no random event before S s (default 10 periods)\n"
                "  --dropout P           dropouts per HEMS and period (default 0.01)\n"
                "  --mean-dropout-s S    mean dropout length, exponential (default one period)\n"
                "  --flaky-fraction F    HEMS that drop out 10x as often (default 0)\n"
                "Output and monitoring:\n"
                "  --format text|json    ground-truth log as sentences or JSON lines (default\n"
                "                        text)\n"
                "  --log PATH            write the ground-truth log to PATH (default stdout)\n"
                "  --log-dropouts        log every dropout too\n"
                "  --min-silent-hems N   N_min of the monitoring requests (default 3)\n"
                "  --min-silence-s S     T_min (default: the service's default)\n"
                "  --seed N              random seed (default 20261127)\n"
                "\n"
                "Exit codes: 0 targets met (live: stopped cleanly), 1 targets not met, 2 usage\n"
                "error, other: see 'gridke --help'. Progress goes to stderr.\n",
                run_simulate});
