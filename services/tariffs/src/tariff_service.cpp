#include "gridke/services/tariffs/tariff_service.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "gridke/storage/sqlite.hpp"

namespace gridke::services::tariffs {
namespace {

using namespace std::chrono;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS published_tariff (
  zone TEXT NOT NULL,
  day TEXT NOT NULL,
  mode TEXT NOT NULL,
  prices TEXT NOT NULL,
  status TEXT NOT NULL,
  demand TEXT NOT NULL,
  published_at_ms INTEGER NOT NULL,
  PRIMARY KEY (zone, day));
CREATE TABLE IF NOT EXISTS static_tariff (
  zone TEXT PRIMARY KEY,
  prices TEXT NOT NULL);
)sql";

// Doubles as text: "%.17g" round-trips exactly.
std::string encode_values(const std::vector<double>& v) {
  std::string out;
  char buf[32];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.17g", v[i]);
    if (i > 0) out += ' ';
    out += buf;
  }
  return out;
}

std::vector<double> decode_values(const std::string& text) {
  std::vector<double> out;
  std::istringstream in(text);
  double x = 0.0;
  while (in >> x) out.push_back(x);
  return out;
}

std::string encode_status(const std::vector<solver::PriceStatus>& v) {
  std::string out;
  for (auto s : v) out += static_cast<char>('0' + static_cast<int>(s));
  return out;
}

std::vector<solver::PriceStatus> decode_status(const std::string& text) {
  std::vector<solver::PriceStatus> out;
  for (char c : text) out.push_back(static_cast<solver::PriceStatus>(c - '0'));
  return out;
}

std::string format_instant(TimePoint t) {
  const auto day = floor<days>(t);
  const hh_mm_ss hms(t - day);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", format_day(day).c_str(),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

Result<void> check_prices(const std::string& zone, const std::vector<double>& prices) {
  if (zone.empty()) return invalid_argument("static tariff: zone must not be empty");
  if (prices.size() != kQuartersPerDay) {
    return invalid_argument("static tariff of zone '" + zone +
                            "': " + std::to_string(prices.size()) + " prices, expected " +
                            std::to_string(kQuartersPerDay) + " (one per quarter hour)");
  }
  for (std::size_t q = 0; q < prices.size(); ++q) {
    if (!std::isfinite(prices[q]) || prices[q] < 0.0) {
      std::ostringstream m;
      m << "static tariff of zone '" << zone << "': price_per_kwh[" << q << "] = " << prices[q]
        << " must be finite and >= 0";
      return invalid_argument(m.str());
    }
  }
  return ok();
}

}  // namespace

Result<Day> parse_day(std::string_view text, std::string_view field) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  const std::string s(text);
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
      s[4] != '-' || s[7] != '-') {
    return invalid_argument(std::string(field) + ": '" + s + "' is not a date YYYY-MM-DD");
  }
  const year_month_day ymd{year{y}, month{m}, day{d}};
  if (!ymd.ok()) {
    return invalid_argument(std::string(field) + ": '" + s + "' is not a valid calendar date");
  }
  return sys_days{ymd};
}

std::string format_day(Day d) {
  const year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string_view to_string(TariffMode mode) noexcept {
  return mode == TariffMode::dynamic ? "dynamic" : "static";
}

TimePoint PublishedTariff::quarter_start(std::size_t q) const {
  return TimePoint(day) + minutes(kQuarterMinutes * static_cast<int>(q));
}

struct TariffService::Impl {
  TariffServiceOptions options;
  std::optional<CapacityTariffCalculator> calculator;
  mutable std::mutex mu;  // guards db, listeners, next_listener
  storage::Database db;
  std::map<int, Listener> listeners;
  int next_listener = 1;
};

TariffService::TariffService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TariffService::~TariffService() = default;

Result<std::unique_ptr<TariffService>> TariffService::open(const std::string& database_path,
                                                           TariffServiceOptions options) {
  if (options.lead_time.count() < 0) {
    return invalid_argument("tariff service: lead_time " +
                            std::to_string(options.lead_time.count()) + " min must be >= 0");
  }
  if (!options.now) {
    options.now = [] { return time_point_cast<milliseconds>(system_clock::now()); };
  }
  auto impl = std::make_unique<Impl>();
  GRIDKE_ASSIGN_OR_RETURN(auto calc, CapacityTariffCalculator::create(options.capacity));
  impl->calculator.emplace(std::move(calc));
  impl->options = std::move(options);
  GRIDKE_ASSIGN_OR_RETURN(impl->db, storage::Database::open(database_path));
  GRIDKE_TRY(impl->db.exec(kSchema));
  return std::unique_ptr<TariffService>(new TariffService(std::move(impl)));
}

const TariffServiceOptions& TariffService::options() const noexcept { return impl_->options; }
TimePoint TariffService::now() const { return impl_->options.now(); }

TimePoint TariffService::deadline(Day day) const {
  return TimePoint(day) - duration_cast<milliseconds>(impl_->options.lead_time);
}

Result<void> TariffService::check_deadline(Day day) const {
  const TimePoint t = now();
  const TimePoint limit = deadline(day);
  if (t > limit) {
    return failed_precondition("late publication: the tariffs of " + format_day(day) +
                               " had to be published by " + format_instant(limit) + " (" +
                               std::to_string(impl_->options.lead_time.count()) +
                               " min before the day), now is " + format_instant(t));
  }
  return ok();
}

Result<void> TariffService::store_and_notify(const std::vector<PublishedTariff>& published) {
  std::vector<Listener> to_call;
  {
    std::lock_guard lock(impl_->mu);
    GRIDKE_ASSIGN_OR_RETURN(auto tx, storage::Transaction::begin(impl_->db));
    GRIDKE_ASSIGN_OR_RETURN(
        auto insert, impl_->db.prepare("INSERT OR REPLACE INTO published_tariff (zone, day, mode, "
                                       "prices, status, demand, published_at_ms) VALUES "
                                       "(?, ?, ?, ?, ?, ?, ?)"));
    for (const auto& p : published) {
      insert.bind(1, p.zone)
          .bind(2, format_day(p.day))
          .bind(3, std::string(to_string(p.mode)))
          .bind(4, encode_values(p.price_per_kwh))
          .bind(5, encode_status(p.status))
          .bind(6, encode_values(p.expected_demand_kw))
          .bind(7, static_cast<std::int64_t>(p.published_at.time_since_epoch().count()));
      GRIDKE_TRY(insert.run());
    }
    GRIDKE_TRY(tx.commit());
    for (const auto& [id, l] : impl_->listeners) to_call.push_back(l);
  }
  for (const auto& p : published) {
    for (const auto& l : to_call) l(p);
  }
  return ok();
}

Result<std::vector<PublishedTariff>> TariffService::publish_capacity_tariffs(
    Day day, std::span<const ZoneForecast> forecasts,
    const std::optional<CapacityTariffConfig>& config) {
  GRIDKE_TRY(check_deadline(day));
  if (forecasts.empty()) {
    return invalid_argument("publication of " + format_day(day) + ": no zone forecasts");
  }
  std::optional<CapacityTariffCalculator> own;
  if (config) {
    GRIDKE_ASSIGN_OR_RETURN(auto c, CapacityTariffCalculator::create(*config));
    own.emplace(std::move(c));
  }
  const CapacityTariffCalculator& calc = own ? *own : *impl_->calculator;
  std::set<std::string, std::less<>> zones;
  std::vector<PublishedTariff> out;
  out.reserve(forecasts.size());
  const TimePoint published_at = now();
  ZoneTariff tariff;
  for (const auto& f : forecasts) {
    if (!zones.insert(f.zone).second) {
      return invalid_argument("publication of " + format_day(day) + ": zone '" + f.zone +
                              "' is given twice");
    }
    if (f.baseline_kw.size() != kQuartersPerDay) {
      return invalid_argument("zone '" + f.zone + "': the forecast of " + format_day(day) +
                              " has " + std::to_string(f.baseline_kw.size()) +
                              " intervals, expected " + std::to_string(kQuartersPerDay) +
                              " quarter hours");
    }
    GRIDKE_TRY(calc.compute_into(f, tariff));
    PublishedTariff p;
    p.zone = f.zone;
    p.day = day;
    p.mode = TariffMode::dynamic;
    p.price_per_kwh = tariff.price_per_kwh;
    p.status = tariff.status;
    p.expected_demand_kw = tariff.demand_kw;
    p.published_at = published_at;
    out.push_back(std::move(p));
  }
  GRIDKE_TRY(store_and_notify(out));
  return out;
}

Result<FetchedPublication> TariffService::publish_with_fetched_forecasts(
    Day day, std::span<const ZoneForecast> requested, ForecastSource* source, FetchPolicy policy,
    const std::optional<CapacityTariffConfig>& config) {
  GRIDKE_TRY(check_deadline(day));
  if (requested.empty()) {
    return invalid_argument("publication of " + format_day(day) + ": no zone forecasts");
  }
  GRIDKE_ASSIGN_OR_RETURN(auto resolved, resolve_forecasts(day, requested, source, policy));
  FetchedPublication out;
  GRIDKE_ASSIGN_OR_RETURN(out.tariffs, publish_capacity_tariffs(day, resolved.forecasts, config));
  out.forecasts = std::move(resolved.uses);
  return out;
}

Result<void> TariffService::set_static_tariff(const std::string& zone,
                                              std::vector<double> price_per_kwh) {
  GRIDKE_TRY(check_prices(zone, price_per_kwh));
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(
      auto st,
      impl_->db.prepare("INSERT OR REPLACE INTO static_tariff (zone, prices) VALUES (?, ?)"));
  st.bind(1, zone).bind(2, encode_values(price_per_kwh));
  GRIDKE_TRY(st.run());
  return ok();
}

std::optional<std::vector<double>> TariffService::static_tariff(std::string_view zone) const {
  std::lock_guard lock(impl_->mu);
  auto st = impl_->db.prepare("SELECT prices FROM static_tariff WHERE zone = ?");
  if (!st) return std::nullopt;
  st->bind(1, zone);
  auto row = st->step();
  if (!row || !*row) return std::nullopt;
  return decode_values(st->column_text(0));
}

Result<std::vector<PublishedTariff>> TariffService::publish_static_tariffs(Day day) {
  GRIDKE_TRY(check_deadline(day));
  std::vector<PublishedTariff> out;
  const TimePoint published_at = now();
  {
    std::lock_guard lock(impl_->mu);
    GRIDKE_ASSIGN_OR_RETURN(
        auto st, impl_->db.prepare("SELECT zone, prices FROM static_tariff ORDER BY zone"));
    while (true) {
      GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
      if (!row) break;
      PublishedTariff p;
      p.zone = st.column_text(0);
      p.day = day;
      p.mode = TariffMode::static_tariff;
      p.price_per_kwh = decode_values(st.column_text(1));
      p.status.assign(p.price_per_kwh.size(), solver::PriceStatus::at_floor);
      p.published_at = published_at;
      out.push_back(std::move(p));
    }
  }
  if (out.empty()) {
    return failed_precondition("publication of " + format_day(day) +
                               ": no static tariff is set (PUT one per zone first)");
  }
  GRIDKE_TRY(store_and_notify(out));
  return out;
}

namespace {

constexpr const char* kSelect =
    "SELECT zone, day, mode, prices, status, demand, published_at_ms FROM published_tariff ";

Result<PublishedTariff> read_row(const storage::Statement& st) {
  PublishedTariff p;
  p.zone = st.column_text(0);
  GRIDKE_ASSIGN_OR_RETURN(p.day, parse_day(st.column_text(1), "stored day"));
  p.mode = st.column_text(2) == "dynamic" ? TariffMode::dynamic : TariffMode::static_tariff;
  p.price_per_kwh = decode_values(st.column_text(3));
  p.status = decode_status(st.column_text(4));
  p.expected_demand_kw = decode_values(st.column_text(5));
  p.published_at = TimePoint(milliseconds(st.column_int(6)));
  return p;
}

Result<std::vector<PublishedTariff>> read_all(storage::Statement& st) {
  std::vector<PublishedTariff> out;
  while (true) {
    GRIDKE_ASSIGN_OR_RETURN(const bool row, st.step());
    if (!row) break;
    GRIDKE_ASSIGN_OR_RETURN(auto p, read_row(st));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<std::optional<PublishedTariff>> TariffService::find(std::string_view zone, Day day) const {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto st,
                          impl_->db.prepare(std::string(kSelect) + "WHERE zone = ? AND day = ?"));
  st.bind(1, zone).bind(2, format_day(day));
  GRIDKE_ASSIGN_OR_RETURN(auto all, read_all(st));
  if (all.empty()) return std::optional<PublishedTariff>();
  return std::optional<PublishedTariff>(std::move(all.front()));
}

Result<std::vector<PublishedTariff>> TariffService::list(Day day) const {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(auto st,
                          impl_->db.prepare(std::string(kSelect) + "WHERE day = ? ORDER BY zone"));
  st.bind(1, format_day(day));
  return read_all(st);
}

Result<std::vector<PublishedTariff>> TariffService::list_from(Day from) const {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(
      auto st, impl_->db.prepare(std::string(kSelect) + "WHERE day >= ? ORDER BY day, zone"));
  st.bind(1, format_day(from));
  return read_all(st);
}

Result<Bill> TariffService::settle(std::string_view zone, Day day,
                                   std::span<const double> consumption_kwh) const {
  GRIDKE_ASSIGN_OR_RETURN(auto p, find(zone, day));
  if (!p) {
    return not_found("no tariff published for zone '" + std::string(zone) + "' on " +
                     format_day(day));
  }
  auto bill = tariffs::settle(p->price_per_kwh, consumption_kwh);
  if (!bill) {
    return bill.error().with_context("settling zone '" + std::string(zone) + "' on " +
                                     format_day(day));
  }
  return bill;
}

int TariffService::add_listener(Listener listener) {
  std::lock_guard lock(impl_->mu);
  const int id = impl_->next_listener++;
  impl_->listeners.emplace(id, std::move(listener));
  return id;
}

void TariffService::remove_listener(int id) {
  std::lock_guard lock(impl_->mu);
  impl_->listeners.erase(id);
}

}  // namespace gridke::services::tariffs
