// `gridke serve` module "flexibility-response": the consumer-flexibility-response service
// (services/flexibility_response, D4.3 §4.1.2) with its REST front door — the D4.3 Table 15
// service-2 URLs /GridObservability/Elasticity_dataset, /GridObservability/Req_ID/…,
// /GridObservability/removeDataset/… on the KE port, beside the fault-location module's
// /GridObservability — and its SSA (adapters/flexibility_response: contract (l)
// answer-flexibility-response) on the embedded engine.
// Storage: DATA/flexibility-response.sqlite (in memory without --data); queued and running jobs
// resume after a restart.
// Configuration (environment, read at start-up):
//   GRIDKE_FLEXRESPONSE_PSEUDONYM_KEY_FILE  file holding the deployment pseudonym key (≥ 16
//     bytes; see docs/flexibility-response.md "GDPR"); unset = a random key per dataset
//   GRIDKE_FLEXRESPONSE_THREADS             worker threads of the model (default 2, 1..64)

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "command.hpp"  // GRIDKE_CLI_CONCAT_, used by GRIDKE_SERVE_MODULE
#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/flexibility_response/flexibility_response_ssa.hpp"
#include "gridke/services/flexibility_response/flexibility_response_service.hpp"
#include "gridke/services/flexibility_response/pseudonymiser.hpp"
#include "gridke/services/flexibility_response/rest_api.hpp"
#include "serve_module.hpp"

namespace gridke::cli {
namespace {

namespace fr = services::flexibility_response;

class FlexibilityResponseModule final : public ServeModule {
 public:
  std::string describe() const override {
    return "flexibility-response: " + rest_->base_url() +
           "/{Elasticity_dataset, Req_ID, removeDataset} (SSA " + ssa_options_.knowledge_base_id +
           ", pseudonym key: " + key_source_ + ")";
  }

  static Result<std::unique_ptr<ServeModule>> start(ServeContext& ctx) {
    auto m = std::unique_ptr<FlexibilityResponseModule>(new FlexibilityResponseModule());
    fr::ServiceOptions options;
    options.database_path = ctx.database_path("flexibility-response");
    m->key_source_ = "random per dataset";
    if (const char* path = std::getenv("GRIDKE_FLEXRESPONSE_PSEUDONYM_KEY_FILE");
        path != nullptr && *path != '\0') {
      auto key = fr::load_pseudonym_key(path);
      if (!key.has_value()) {
        return key.error().with_context("GRIDKE_FLEXRESPONSE_PSEUDONYM_KEY_FILE");
      }
      options.pseudonym_key = std::move(*key);
      m->key_source_ = path;
    }
    GRIDKE_ASSIGN_OR_RETURN(const long long threads,
                            env_integer("GRIDKE_FLEXRESPONSE_THREADS", 2, 1, 64));
    options.analysis_threads = static_cast<int>(threads);
    GRIDKE_ASSIGN_OR_RETURN(m->service_, fr::FlexibilityResponseService::open(options));
    GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                            adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                                    "graph-patterns" / "flexibility_response"));
    GRIDKE_ASSIGN_OR_RETURN(m->ssa_, adapters::flexibility_response::FlexibilityResponseSsa::start(
                                         ctx.engine, contracts, *m->service_, m->ssa_options_));
    fr::RestOptions rest;
    rest.bind_address = ctx.bind_address;
    rest.port = ctx.port;
    rest.tls = ctx.tls;
    rest.base_path = "/GridObservability";
    GRIDKE_ASSIGN_OR_RETURN(m->rest_, fr::RestApi::start(*m->service_, rest));
    return std::unique_ptr<ServeModule>(std::move(m));
  }

 private:
  FlexibilityResponseModule() = default;
  // Destroyed in reverse: the REST front door stops first, then the SSA leaves the engine, then
  // the service stops its worker (a job in progress resumes at the next start).
  adapters::flexibility_response::SsaOptions ssa_options_;
  std::string key_source_;
  std::unique_ptr<fr::FlexibilityResponseService> service_;
  std::unique_ptr<adapters::flexibility_response::FlexibilityResponseSsa> ssa_;
  std::unique_ptr<fr::RestApi> rest_;
};

}  // namespace
}  // namespace gridke::cli

GRIDKE_SERVE_MODULE({"flexibility-response",
                     "consumer flexibility response (D4.3 §4.1.2): /GridObservability "
                     "Elasticity_dataset / Req_ID / removeDataset REST, contract (l) ANSWER",
                     gridke::cli::FlexibilityResponseModule::start});
