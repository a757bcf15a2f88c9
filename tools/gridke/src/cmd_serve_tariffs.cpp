// `gridke serve` module "tariffs": the dynamic grid tariff service (services/tariffs) with its
// REST front door under /tariffs on the KE port and its SSA (adapters/tariffs, contract (i)) on
// the embedded engine. Storage: DATA/tariffs.sqlite (in memory without --data).
// Configuration (environment, read at start-up):
//   GRIDKE_TARIFF_LEAD_MINUTES   publication deadline before the day (default 60)
//   GRIDKE_TARIFF_REFERENCE, GRIDKE_TARIFF_FLOOR, GRIDKE_TARIFF_CAP   €/kWh (0.10, 0.10, 1.00)
//   GRIDKE_TARIFF_ELASTICITY     constant price elasticity of controllable demand (-0.3)
//   GRIDKE_TARIFF_FORECAST_SOURCE  forecast_source of a capacity publication that names none:
//                                "forecast-kb" (default; D4.3 Table 16 step 1: fetch each zone's
//                                day-ahead load from a forecast KB on the engine through ASK
//                                ask-load-forecast, falling back to the request's DSO-computed
//                                forecast, stated in the answer and logged) or "dso"
//   GRIDKE_TARIFF_FORECAST_DEADLINE_MS  deadline of one forecast ASK (5000)

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"  // GRIDKE_CLI_CONCAT_, used by GRIDKE_SERVE_MODULE
#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/tariffs/tariff_ssa.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/tariffs/rest_api.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"
#include "serve_module.hpp"

namespace gridke::cli {
namespace {

namespace tf = services::tariffs;

Result<double> env_number(const char* name, double fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const double x = std::strtod(v, &end);
  if (end == v || *end != '\0') {
    return invalid_argument(std::string(name) + ": '" + v + "' is not a number");
  }
  return x;
}

class TariffsModule final : public ServeModule {
 public:
  std::string describe() const override {
    return "tariffs: " + server_->base_url() + " (SSA " + ssa_options_.knowledge_base_id +
           ", lead time " + std::to_string(service_->options().lead_time.count()) +
           " min, forecasts from " + (fetch_by_default_ ? "the forecast KB" : "the DSO") + ")";
  }

  static Result<std::unique_ptr<ServeModule>> start(ServeContext& ctx) {
    auto m = std::unique_ptr<TariffsModule>(new TariffsModule());
    tf::TariffServiceOptions options;
    GRIDKE_ASSIGN_OR_RETURN(const double lead, env_number("GRIDKE_TARIFF_LEAD_MINUTES", 60));
    options.lead_time = std::chrono::minutes(static_cast<long long>(lead));
    GRIDKE_ASSIGN_OR_RETURN(options.capacity.bounds.reference,
                            env_number("GRIDKE_TARIFF_REFERENCE", 0.10));
    GRIDKE_ASSIGN_OR_RETURN(options.capacity.bounds.floor, env_number("GRIDKE_TARIFF_FLOOR", 0.10));
    GRIDKE_ASSIGN_OR_RETURN(options.capacity.bounds.cap, env_number("GRIDKE_TARIFF_CAP", 1.00));
    GRIDKE_ASSIGN_OR_RETURN(const double eps, env_number("GRIDKE_TARIFF_ELASTICITY", -0.3));
    options.capacity.response = tf::solver::ConstantElasticity{eps};
    GRIDKE_ASSIGN_OR_RETURN(m->service_,
                            tf::TariffService::open(ctx.database_path("tariffs"), options));
    GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                            adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                                    "graph-patterns" / "tariffs"));
    const char* source_env = std::getenv("GRIDKE_TARIFF_FORECAST_SOURCE");
    const std::string source = source_env && *source_env ? source_env : "forecast-kb";
    if (source != "forecast-kb" && source != "dso") {
      return invalid_argument("GRIDKE_TARIFF_FORECAST_SOURCE: '" + source +
                              "' is not forecast-kb or dso");
    }
    m->fetch_by_default_ = source == "forecast-kb";
    GRIDKE_ASSIGN_OR_RETURN(const double deadline_ms,
                            env_number("GRIDKE_TARIFF_FORECAST_DEADLINE_MS", 5000));
    if (!(deadline_ms > 0)) {
      return invalid_argument("GRIDKE_TARIFF_FORECAST_DEADLINE_MS must be > 0");
    }
    m->ssa_options_.forecast_deadline =
        std::chrono::milliseconds(static_cast<long long>(deadline_ms));
    GRIDKE_ASSIGN_OR_RETURN(m->ssa_, adapters::tariffs::TariffSsa::start(
                                         ctx.engine, contracts, *m->service_, m->ssa_options_));
    http::ServerOptions server = ctx.server_options("/tariffs");
    tf::RouterOptions router;
    router.forecast_source = m->ssa_->forecast_source();
    router.fetch_by_default = m->fetch_by_default_;
    router.log = [log = ctx.log](const std::string& line) {
      if (!log) return;
      log(line.find("fallback") != std::string::npos ? engine::LogLevel::warn
                                                     : engine::LogLevel::info,
          line);
    };
    GRIDKE_ASSIGN_OR_RETURN(m->server_,
                            http::JsonServer::start(tf::make_router(*m->service_, router), server));
    return std::unique_ptr<ServeModule>(std::move(m));
  }

 private:
  TariffsModule() = default;
  // Destroyed in reverse: the server stops (no more publications), then the SSA, then the
  // service the other two use.
  adapters::tariffs::SsaOptions ssa_options_;
  bool fetch_by_default_ = true;
  std::unique_ptr<tf::TariffService> service_;
  std::unique_ptr<adapters::tariffs::TariffSsa> ssa_;
  std::unique_ptr<http::JsonServer> server_;
};

}  // namespace
}  // namespace gridke::cli

GRIDKE_SERVE_MODULE({"tariffs", "dynamic grid tariffs: /tariffs REST, contract (i) POST and ANSWER",
                     gridke::cli::TariffsModule::start});
