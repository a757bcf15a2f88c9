// `gridke serve` module "flexibility-market": the DSO side of the flexibility process
// (InterConnect D4.3 §3.2, §4.2.2, §4.4) —
//   /Flexibility  the market's REST front door (services/flexibility_market/http)
//   /Congestion   the congestion forecast of the IEEE European LV EV-evening scenario
//                 (services/congestion), publishing its needs into the market
//   SSA           adapters/flexibility MarketSsa on the embedded engine (contracts (f), (g), (h))
// Storage: DATA/flexibility-market.sqlite (in memory without --data).
// Configuration (environment, read at start-up):
//   GRIDKE_FLEX_CLOCK   "system" (default); "manual:<ISO time>" — a clock that only moves on
//                       POST /Flexibility/Clock {"now": ISO} (demos run a market day in
//                       seconds); "scaled:<ISO time>:<speed-up>"
//   GRIDKE_FLEX_RESPONSE_MINUTES   activation response delay (default 30)

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "command.hpp"  // GRIDKE_CLI_CONCAT_, used by GRIDKE_SERVE_MODULE
#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/flexibility/market_ssa.hpp"
#include "gridke/http/json_fields.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/congestion/ieee_european_lv_scenario.hpp"
#include "gridke/services/flexibility_market/http/rest_api.hpp"
#include "gridke/services/flexibility_market/model_json.hpp"
#include "serve_module.hpp"

namespace gridke::cli {
namespace {

namespace fm = services::flexibility_market;
namespace cg = services::congestion;
using nlohmann::json;

struct ClockChoice {
  std::shared_ptr<const fm::Clock> clock;
  std::shared_ptr<fm::ManualClock> manual;  ///< set when the clock is settable over REST
  std::string description = "system";
};

Result<ClockChoice> clock_from_env() {
  const char* v = std::getenv("GRIDKE_FLEX_CLOCK");
  ClockChoice c;
  const std::string text = v ? v : "";
  if (text.empty() || text == "system") {
    c.clock = std::make_shared<fm::SystemClock>();
    return c;
  }
  if (text.rfind("manual:", 0) == 0) {
    GRIDKE_ASSIGN_OR_RETURN(auto t, fm::parse_time(text.substr(7), "GRIDKE_FLEX_CLOCK"));
    c.manual = std::make_shared<fm::ManualClock>(t);
    c.clock = c.manual;
    c.description = "manual from " + fm::format_time(t);
    return c;
  }
  if (text.rfind("scaled:", 0) == 0) {
    const auto last = text.rfind(':');
    if (last <= 7)
      return invalid_argument("GRIDKE_FLEX_CLOCK: expected scaled:<ISO time>:<speed-up>");
    GRIDKE_ASSIGN_OR_RETURN(auto t, fm::parse_time(text.substr(7, last - 7), "GRIDKE_FLEX_CLOCK"));
    char* end = nullptr;
    const double speed = std::strtod(text.c_str() + last + 1, &end);
    if (*end != '\0' || !(speed > 0)) {
      return invalid_argument("GRIDKE_FLEX_CLOCK: speed-up must be a positive number, got '" +
                              text.substr(last + 1) + "'");
    }
    c.clock = std::make_shared<fm::ScaledClock>(t, speed);
    c.description = "scaled ×" + text.substr(last + 1) + " from " + fm::format_time(t);
    return c;
  }
  return invalid_argument(
      "GRIDKE_FLEX_CLOCK: expected system, manual:<ISO> or scaled:<ISO>:<x>, got '" + text + "'");
}

json interval_json(const cg::IntervalResult& i) {
  json needs = json::array();
  for (const auto& n : i.needs) {
    needs.push_back({{"zone", n.zone},
                     {"needs", n.needs_kw},
                     {"direction", n.direction == cg::NeedDirection::down ? "Down" : "Up"},
                     {"cause", n.cause},
                     {"resolved", n.resolved}});
  }
  return {{"startTime", fm::format_time(i.start)},
          {"loadKw", i.load_kw},
          {"minVoltagePu", i.min_voltage_pu},
          {"lineLoading", i.line_loading},
          {"lineLoadingAfter", i.line_loading_after},
          {"violations", i.violations.size()},
          {"violationsAfter", i.violations_after.size()},
          {"needs", needs}};
}

class FlexibilityMarketModule final : public ServeModule {
 public:
  std::string describe() const override {
    return "flexibility-market: " + market_server_->base_url() + ", " +
           congestion_server_->base_url() + " (SSA " + ssa_options_.iris.market_kb + ", clock " +
           clock_.description + ")";
  }

  static Result<std::unique_ptr<ServeModule>> start(ServeContext& ctx) {
    auto m = std::unique_ptr<FlexibilityMarketModule>(new FlexibilityMarketModule());
    GRIDKE_ASSIGN_OR_RETURN(m->clock_, clock_from_env());
    fm::MarketOptions options;
    GRIDKE_ASSIGN_OR_RETURN(const long long minutes,
                            env_integer("GRIDKE_FLEX_RESPONSE_MINUTES",
                                        std::chrono::duration_cast<std::chrono::minutes>(
                                            options.activation_response_delay)
                                            .count(),
                                        1, 7 * 24 * 60));
    options.activation_response_delay = std::chrono::minutes(minutes);
    m->notifier_ = std::make_shared<fm::CallbackNotifier>();
    GRIDKE_ASSIGN_OR_RETURN(m->market_,
                            fm::FlexibilityMarket::open(ctx.database_path("flexibility-market"),
                                                        m->clock_.clock, m->notifier_, options));
    GRIDKE_ASSIGN_OR_RETURN(m->scenario_, cg::ieee_european_lv_ev_evening(GRIDKE_SOURCE_DIR));
    GRIDKE_ASSIGN_OR_RETURN(auto forecaster, cg::CongestionForecaster::create(m->scenario_.network,
                                                                              m->scenario_.config));
    m->forecaster_ = std::make_unique<cg::CongestionForecaster>(std::move(forecaster));
    GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                            adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                                    "graph-patterns" / "flexibility_market"));
    GRIDKE_ASSIGN_OR_RETURN(m->ssa_, adapters::flexibility::MarketSsa::start(
                                         ctx.engine, contracts, *m->market_, m->ssa_options_));
    http::Router market_router = fm::make_router(*m->market_);
    if (m->clock_.manual) {
      auto manual = m->clock_.manual;
      market_router.post("/Clock", [manual](const http::Request& req) -> Result<http::Response> {
        GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
        GRIDKE_TRY(http::check_object(body, "", {"now"}));
        GRIDKE_ASSIGN_OR_RETURN(auto text, http::get_string(body, "", "now"));
        GRIDKE_ASSIGN_OR_RETURN(auto t, fm::parse_time(text, "now"));
        manual->set(t);
        return http::Response::json(200, {{"now", fm::format_time(t)}});
      });
    }
    http::ServerOptions server = ctx.server_options("/Flexibility");
    GRIDKE_ASSIGN_OR_RETURN(m->market_server_,
                            http::JsonServer::start(std::move(market_router), server));
    server.base_path = "/Congestion";
    GRIDKE_ASSIGN_OR_RETURN(m->congestion_server_,
                            http::JsonServer::start(m->congestion_router(), server));
    return std::unique_ptr<ServeModule>(std::move(m));
  }

 private:
  FlexibilityMarketModule() = default;

  // POST /Congestion/day-ahead {"day": "YYYY-MM-DD", "publish": true}: the forecast of the
  // scenario for that day; with publish, its needs go to the market (day-ahead window).
  http::Router congestion_router() {
    http::Router r;
    r.post("/day-ahead", [this](const http::Request& req) -> Result<http::Response> {
      GRIDKE_ASSIGN_OR_RETURN(json body, req.json());
      GRIDKE_TRY(http::check_object(body, "", {"day", "publish"}));
      GRIDKE_ASSIGN_OR_RETURN(auto day_text, http::get_string(body, "", "day"));
      GRIDKE_ASSIGN_OR_RETURN(auto day, fm::parse_time(day_text + "T00:00:00Z", "day"));
      bool publish = true;
      if (body.contains("publish")) {
        GRIDKE_ASSIGN_OR_RETURN(publish, http::get_bool(body, "", "publish"));
      }
      std::lock_guard lock(forecast_mu_);
      GRIDKE_ASSIGN_OR_RETURN(auto forecast, forecaster_->day_ahead(day, scenario_.forecast));
      json intervals = json::array();
      std::vector<fm::NeedInput> needs;
      for (const auto& i : forecast.intervals) {
        intervals.push_back(interval_json(i));
        for (const auto& n : i.needs) {
          fm::NeedInput in;
          in.zone = n.zone;
          in.needs_kw = n.needs_kw;
          in.direction =
              n.direction == cg::NeedDirection::down ? fm::Direction::down : fm::Direction::up;
          in.start = n.start;
          in.end = n.end;
          in.hems_ids = n.hems_ids;
          needs.push_back(std::move(in));
        }
      }
      json published = json::array();
      if (publish && !needs.empty()) {
        GRIDKE_ASSIGN_OR_RETURN(auto stored,
                                market_->publish_needs(fm::Window::day_ahead, std::move(needs)));
        for (const auto& n : stored) published.push_back(fm::to_json(n));
      }
      return http::Response::json(
          200, {{"day", day_text}, {"intervals", intervals}, {"published", published}});
    });
    return r;
  }

  // Destroyed in reverse: servers first, then the SSA, the market, the notifier.
  ClockChoice clock_;
  adapters::flexibility::MarketSsaOptions ssa_options_;
  std::shared_ptr<fm::CallbackNotifier> notifier_;
  std::unique_ptr<fm::FlexibilityMarket> market_;
  cg::Scenario scenario_;
  std::unique_ptr<cg::CongestionForecaster> forecaster_;
  std::mutex forecast_mu_;
  std::unique_ptr<adapters::flexibility::MarketSsa> ssa_;
  std::unique_ptr<http::JsonServer> market_server_;
  std::unique_ptr<http::JsonServer> congestion_server_;
};

}  // namespace
}  // namespace gridke::cli

GRIDKE_SERVE_MODULE({"flexibility-market",
                     "flexibility market + congestion forecast: /Flexibility and /Congestion REST, "
                     "contracts (f), (g), (h)",
                     gridke::cli::FlexibilityMarketModule::start});
