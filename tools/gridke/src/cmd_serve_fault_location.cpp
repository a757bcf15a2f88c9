// `gridke serve` module "fault-location": the fault-location service (services/fault_location)
// with its REST front door under /GridObservability on the KE port and its SSA
// (adapters/fault_location: contracts (a) react-hems-voltage, (b) post-potential-fault, (c)
// answer-hems-communication-status) on the embedded engine. A detection thread ticks the
// service; raised faults are POSTed through the engine and to REST subscribers.
// Storage: DATA/fault-location.sqlite (in memory without --data).
// Configuration (environment, read at start-up):
//   GRIDKE_FAULT_READING_PERIOD_S  expected interval between readings of one HEMS (default 60).
//     The onset window (2 periods), the checkpoint interval (1 period) and the default T_min
//     (5 periods, at least 1 s) follow it, so a demo can run with 1 s readings.
//   GRIDKE_FAULT_READING_PERIOD_MS the same in milliseconds (50..3,600,000); takes precedence,
//     so tests with real processes can run with sub-second readings.
//   GRIDKE_FAULT_TICK_MS           detection period (default period/4, within [50, 1000] ms)

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"  // GRIDKE_CLI_CONCAT_, used by GRIDKE_SERVE_MODULE
#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/fault_location/fault_location_ssa.hpp"
#include "gridke/services/fault_location/fault_location_service.hpp"
#include "gridke/services/fault_location/rest_api.hpp"
#include "serve_module.hpp"

namespace gridke::cli {
namespace {

namespace fl = services::fault_location;

class FaultLocationModule final : public ServeModule {
 public:
  std::string describe() const override {
    return "fault-location: " + rest_->base_url() + " (SSA " + ssa_options_.knowledge_base_id +
           ", reading period " + std::to_string(service_->settings().reading_period.count()) +
           " ms)";
  }

  static Result<std::unique_ptr<ServeModule>> start(ServeContext& ctx) {
    auto m = std::unique_ptr<FaultLocationModule>(new FaultLocationModule());
    GRIDKE_ASSIGN_OR_RETURN(const long long period_s,
                            env_integer("GRIDKE_FAULT_READING_PERIOD_S", 60, 1, 3600));
    GRIDKE_ASSIGN_OR_RETURN(const long long period_ms, env_integer("GRIDKE_FAULT_READING_PERIOD_MS",
                                                                   period_s * 1000, 50, 3'600'000));
    const fl::Duration period(period_ms);
    GRIDKE_ASSIGN_OR_RETURN(
        const long long tick_ms,
        env_integer("GRIDKE_FAULT_TICK_MS", std::clamp<long long>(period.count() / 4, 50, 1000), 5,
                    60'000));
    fl::ServiceOptions options;
    options.database_path = ctx.database_path("fault-location");
    options.detection.reading_period = period;
    options.detection.onset_window = 2 * period;
    options.detection.checkpoint_interval = period;
    // T_min is whole seconds and must exceed the reading period.
    options.default_parameters.min_silence = std::max(
        std::chrono::duration_cast<std::chrono::seconds>(5 * period), std::chrono::seconds(1));
    GRIDKE_ASSIGN_OR_RETURN(
        m->service_, fl::FaultLocationService::open(options, std::make_shared<fl::SystemClock>()));
    GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                            adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                                    "graph-patterns" / "fault_location"));
    GRIDKE_ASSIGN_OR_RETURN(m->ssa_, adapters::fault_location::FaultLocationSsa::start(
                                         ctx.engine, contracts, *m->service_, m->ssa_options_));
    fl::RestOptions rest;
    rest.bind_address = ctx.bind_address;
    rest.port = ctx.port;
    rest.tls = ctx.tls;
    rest.base_path = "/GridObservability";
    rest.detection_period = std::chrono::milliseconds(tick_ms);
    GRIDKE_ASSIGN_OR_RETURN(m->rest_, fl::RestApi::start(*m->service_, rest));
    return std::unique_ptr<ServeModule>(std::move(m));
  }

 private:
  FaultLocationModule() = default;
  // Destroyed in reverse: the REST front door stops first (with it the detection thread, so
  // nothing posts any more), then the SSA leaves the engine, then the service checkpoints.
  adapters::fault_location::SsaOptions ssa_options_;
  std::unique_ptr<fl::FaultLocationService> service_;
  std::unique_ptr<adapters::fault_location::FaultLocationSsa> ssa_;
  std::unique_ptr<fl::RestApi> rest_;
};

}  // namespace
}  // namespace gridke::cli

GRIDKE_SERVE_MODULE({"fault-location",
                     "fault location from HEMS voltages: /GridObservability REST, contracts (a) "
                     "REACT, (b) POST, (c) ANSWER",
                     gridke::cli::FaultLocationModule::start});
