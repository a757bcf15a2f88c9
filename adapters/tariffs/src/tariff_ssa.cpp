#include "gridke/adapters/tariffs/tariff_ssa.hpp"

#include <algorithm>
#include <atomic>
#include <map>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/rdf/vocabulary.hpp"

namespace gridke::adapters::tariffs {

namespace tf = services::tariffs;
using adapter::DateTimeCodec;
using adapter::DoubleCodec;
using adapter::IriCodec;
using adapter::StringCodec;
using namespace std::chrono;

namespace {

constexpr std::string_view kDateTimeStamp = "http://www.w3.org/2001/XMLSchema#dateTimeStamp";

// "2026-11-28T10:00:00Z" for literals; "2026-11-28T10:00Z" inside IRIs (as the contract's
// example bindings).
std::string iso(tf::TimePoint t, bool seconds = true) {
  const auto day = floor<days>(t);
  const hh_mm_ss hms(t - day);
  char buf[48];
  if (seconds) {
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", tf::format_day(day).c_str(),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
  } else {
    std::snprintf(buf, sizeof buf, "%sT%02d:%02dZ", tf::format_day(day).c_str(),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()));
  }
  return buf;
}

Result<void> put_iri(pattern::Binding& b, const char* var, const std::string& iri) {
  return adapter::put(b, var, iri, IriCodec{}, kPostGridTariff);
}

}  // namespace

Result<pattern::BindingSet> tariff_bindings(const tf::PublishedTariff& t, const SsaOptions& o) {
  const std::string day = tf::format_day(t.day);
  const std::string tariff_iri = o.base + "tariff/" + t.zone + "/" + day;
  pattern::BindingSet out;
  out.reserve(t.price_per_kwh.size());
  const DoubleCodec decimal{std::string(rdf::vocab::xsd_decimal)};
  for (std::size_t q = 0; q < t.price_per_kwh.size(); ++q) {
    const std::string start = iso(t.quarter_start(q));
    const std::string end = iso(t.quarter_start(q + 1));
    const std::string start_iri = iso(t.quarter_start(q), false);
    const std::string end_iri = iso(t.quarter_start(q + 1), false);
    pattern::Binding b;
    auto fill = [&]() -> Result<void> {
      GRIDKE_TRY(put_iri(b, "tariff", tariff_iri));
      GRIDKE_TRY(adapter::put(b, "tariffId", t.zone + "/" + day, StringCodec{}, kPostGridTariff));
      GRIDKE_TRY(adapter::put(b, "zone", t.zone, IriCodec{o.zone_base}, kPostGridTariff));
      GRIDKE_TRY(adapter::put(b, "zoneId", t.zone, StringCodec{}, kPostGridTariff));
      GRIDKE_TRY(put_iri(b, "price", tariff_iri + "/q/" + std::to_string(q)));
      GRIDKE_TRY(adapter::put(b, "eurPerKwh", t.price_per_kwh[q], decimal, kPostGridTariff));
      GRIDKE_TRY(put_iri(b, "quarter", o.base + "period/" + start_iri + "/PT15M"));
      GRIDKE_TRY(put_iri(b, "quarterStartInstant", o.base + "instant/" + start_iri));
      GRIDKE_TRY(put_iri(b, "quarterEndInstant", o.base + "instant/" + end_iri));
      b.set("quarterStart", rdf::Term::literal(start, std::string(kDateTimeStamp)));
      b.set("quarterEnd", rdf::Term::literal(end, std::string(kDateTimeStamp)));
      return ok();
    };
    if (auto r = fill(); !r) {
      return r.error().with_context("zone '" + t.zone + "', " + day + ", quarter " +
                                    std::to_string(q));
    }
    out.insert(std::move(b));
  }
  return out;
}

Result<std::vector<tf::PublishedTariff>> tariffs_from_bindings(const pattern::BindingSet& bs) {
  // (zone, day) → quarter start → price
  std::map<std::pair<std::string, tf::Day>, std::map<tf::TimePoint, double>> days_seen;
  const DateTimeCodec time_codec;
  for (const auto& b : bs) {
    GRIDKE_ASSIGN_OR_RETURN(auto zone, adapter::get(b, "zoneId", StringCodec{}, kPostGridTariff));
    GRIDKE_ASSIGN_OR_RETURN(auto price,
                            adapter::get(b, "eurPerKwh", DoubleCodec{}, kPostGridTariff));
    GRIDKE_ASSIGN_OR_RETURN(auto start,
                            adapter::get(b, "quarterStart", time_codec, kPostGridTariff));
    const auto t = time_point_cast<milliseconds>(start);
    days_seen[{zone, floor<days>(t)}][t] = price;
  }
  std::vector<tf::PublishedTariff> out;
  for (auto& [key, quarters] : days_seen) {
    tf::PublishedTariff p;
    p.zone = key.first;
    p.day = key.second;
    for (const auto& [t, price] : quarters) p.price_per_kwh.push_back(price);
    out.push_back(std::move(p));
  }
  return out;
}

struct TariffSsa::Impl {
  tf::TariffService& service;
  SsaOptions options;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  std::unique_ptr<KeForecastSource> forecasts;
  int listener = 0;
  std::atomic<std::int64_t> posted{0}, failures{0}, answers{0};

  Impl(tf::TariffService& s, SsaOptions o) : service(s), options(std::move(o)) {}

  void on_published(const tf::PublishedTariff& t) {
    auto bindings = tariff_bindings(t, options);
    if (!bindings) {
      ++failures;
      return;
    }
    engine::CallOptions call;
    call.deadline = options.post_deadline;
    auto r = adapter->post(kPostGridTariff, std::move(*bindings), call);
    ++(r ? posted : failures);
  }

  // Today's and later published days; every answer binding must agree with one ask binding
  // (an empty ask set is unconstrained).
  Result<pattern::BindingSet> on_ask(const adapter::Request& req) {
    const tf::Day today = floor<days>(service.now());
    GRIDKE_ASSIGN_OR_RETURN(auto published, service.list_from(today));
    pattern::BindingSet out;
    for (const auto& t : published) {
      GRIDKE_ASSIGN_OR_RETURN(auto all, tariff_bindings(t, options));
      for (const auto& b : all) {
        bool wanted = req.bindings().empty();
        for (const auto& asked : req.bindings()) {
          if (b.is_compatible_with(asked)) {
            wanted = true;
            break;
          }
        }
        if (wanted) out.insert(b);
      }
    }
    answers += static_cast<std::int64_t>(out.size());
    return out;
  }
};

TariffSsa::TariffSsa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TariffSsa::~TariffSsa() {
  if (!impl_) return;
  impl_->service.remove_listener(impl_->listener);
  (void)impl_->adapter->stop();
}

Result<std::unique_ptr<TariffSsa>> TariffSsa::start(engine::KnowledgeEngine& engine,
                                                    const adapter::ContractSet& contracts,
                                                    tf::TariffService& service,
                                                    SsaOptions options) {
  auto impl = std::make_unique<Impl>(service, std::move(options));
  Impl* raw = impl.get();
  adapter::Ssa ssa(raw->options.knowledge_base_id, "Dynamic grid tariff service",
                   "InterConnect Dutch pilot dynamic grid capacity tariffs (D4.3 §2.1.1.4, §4.3)");
  ssa.post(kPostGridTariff);
  ssa.answer(kAnswerGridTariff, [raw](const adapter::Request& r) { return raw->on_ask(r); });
  if (raw->options.fetch_forecasts) ssa.ask(kAskLoadForecast);
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  if (raw->options.fetch_forecasts) {
    impl->forecasts =
        std::make_unique<KeForecastSource>(*impl->adapter, raw->options.forecast_deadline);
  }
  impl->listener =
      service.add_listener([raw](const tf::PublishedTariff& t) { raw->on_published(t); });
  return std::unique_ptr<TariffSsa>(new TariffSsa(std::move(impl)));
}

tf::ForecastSource* TariffSsa::forecast_source() noexcept { return impl_->forecasts.get(); }

SsaStats TariffSsa::stats() const {
  return {impl_->posted.load(), impl_->failures.load(), impl_->answers.load()};
}

}  // namespace gridke::adapters::tariffs
