// `gridke serve` module "sensitivities": the Sensitivities Engine (services/sensitivities) with
// its REST front door under /sensitivitiesengine on the KE port (D4.3 Table 15, service 3) and
// its SSA (adapters/sensitivities: contracts (d) react-register-lv-grid, react-meter-history,
// (d2) react-appliance-measurements, (e) answer-voltage-sensitivities, (e2)
// answer-voltage-load-correlation, (e3) answer-flexibility-requirements) on the embedded engine.
// Storage: DATA/sensitivities.sqlite (in memory without --data); jobs survive a restart.
// Configuration (environment, read at start-up):
//   GRIDKE_SENSITIVITIES_MAX_BODY_MB  largest accepted request body (default 128, 1..1024)
//   GRIDKE_SENSITIVITIES_REFERENCE    "source" (default) or "busbar" (needs a substation meter)

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"  // GRIDKE_CLI_CONCAT_, used by GRIDKE_SERVE_MODULE
#include "gridke/adapters/sensitivities/sensitivities_ssa.hpp"
#include "gridke/services/sensitivities/http/rest_api.hpp"
#include "gridke/services/sensitivities/sensitivities_service.hpp"
#include "serve_module.hpp"

namespace gridke::cli {
namespace {

namespace se = services::sensitivities;

Result<se::ReferenceVoltage> env_reference() {
  const char* v = std::getenv("GRIDKE_SENSITIVITIES_REFERENCE");
  if (v == nullptr || *v == '\0' || std::string(v) == "source") {
    return se::ReferenceVoltage::source;
  }
  if (std::string(v) == "busbar") return se::ReferenceVoltage::busbar;
  return invalid_argument(std::string("GRIDKE_SENSITIVITIES_REFERENCE: '") + v +
                          "' must be 'source' or 'busbar'");
}

class SensitivitiesModule final : public ServeModule {
 public:
  std::string describe() const override {
    return "sensitivities: " + rest_->base_url() + " (SSA " + ssa_options_.knowledge_base_id +
           ", " + std::to_string(contracts_) + " contracts)";
  }

  static Result<std::unique_ptr<ServeModule>> start(ServeContext& ctx) {
    auto m = std::unique_ptr<SensitivitiesModule>(new SensitivitiesModule());
    GRIDKE_ASSIGN_OR_RETURN(const long long max_mb,
                            env_integer("GRIDKE_SENSITIVITIES_MAX_BODY_MB", 128, 1, 1024));
    se::ServiceOptions options;
    GRIDKE_ASSIGN_OR_RETURN(options.estimator.reference, env_reference());
    GRIDKE_ASSIGN_OR_RETURN(
        m->service_, se::SensitivitiesService::open(ctx.database_path("sensitivities"), options));
    GRIDKE_ASSIGN_OR_RETURN(
        auto contracts,
        adapters::sensitivities::load_ssa_contracts(
            (std::filesystem::path(GRIDKE_SOURCE_DIR) / "graph-patterns").string()));
    m->contracts_ = contracts.size();
    GRIDKE_ASSIGN_OR_RETURN(m->ssa_, adapters::sensitivities::SensitivitiesSsa::start(
                                         ctx.engine, contracts, *m->service_, m->ssa_options_));
    se::RestOptions rest;
    rest.bind_address = ctx.bind_address;
    rest.port = ctx.port;
    rest.tls = ctx.tls;
    rest.base_path = "/sensitivitiesengine";
    rest.max_body_bytes = static_cast<std::size_t>(max_mb) << 20;
    GRIDKE_ASSIGN_OR_RETURN(m->rest_, se::RestApi::start(*m->service_, rest));
    return std::unique_ptr<ServeModule>(std::move(m));
  }

 private:
  SensitivitiesModule() = default;
  // Destroyed in reverse: the REST front door stops first, then the SSA leaves the engine, then
  // the service finishes its running job and closes the database.
  adapters::sensitivities::SsaOptions ssa_options_;
  std::size_t contracts_ = 0;
  std::unique_ptr<se::SensitivitiesService> service_;
  std::unique_ptr<adapters::sensitivities::SensitivitiesSsa> ssa_;
  std::unique_ptr<se::RestApi> rest_;
};

}  // namespace
}  // namespace gridke::cli

GRIDKE_SERVE_MODULE({"sensitivities",
                     "LV voltage Sensitivities Engine: /sensitivitiesengine REST, contracts (d), "
                     "(d2) REACT, (e), (e2), (e3) ANSWER",
                     gridke::cli::SensitivitiesModule::start});
