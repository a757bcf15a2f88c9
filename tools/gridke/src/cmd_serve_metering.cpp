// `gridke serve` module "metering": the smart-meter data platform (services/metering) with its
// REST front door under /metering on the KE port, REST callbacks to providers, and its SSA
// (adapters/metering, contract (j)) on the embedded engine. Storage: DATA/metering.sqlite.
// The PdL encryption key (AES-256, 64 hex digits) comes from GRIDKE_METERING_KEY; without it a
// key is generated once and kept in DATA/metering.key (mode 0600), or per process without
// --data. The key is never logged.

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "command.hpp"  // GRIDKE_CLI_CONCAT_, used by GRIDKE_SERVE_MODULE
#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/metering/metering_ssa.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/metering/metering_service.hpp"
#include "gridke/services/metering/rest_api.hpp"
#include "serve_module.hpp"

namespace gridke::cli {
namespace {

namespace mt = services::metering;

std::string random_key() {
  std::random_device rd;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 64; ++i) out += kHex[rd() & 0xF];
  return out;
}

// Where the key comes from, in order: environment, DATA/metering.key, a new key.
Result<std::string> key(const ServeContext& ctx, std::string& origin) {
  if (const char* v = std::getenv("GRIDKE_METERING_KEY"); v != nullptr && *v != '\0') {
    origin = "GRIDKE_METERING_KEY";
    return std::string(v);
  }
  if (!ctx.data_dir) {
    origin = "generated for this process";
    return random_key();
  }
  const auto path = *ctx.data_dir / "metering.key";
  if (std::ifstream in(path); in) {
    std::string k;
    in >> k;
    origin = path.string();
    return k;
  }
  const std::string k = random_key();
  {
    std::ofstream out(path);
    if (!out) return unavailable("cannot write the PdL key file " + path.string());
    out << k << "\n";
  }
  ::chmod(path.c_str(), S_IRUSR | S_IWUSR);
  origin = path.string() + " (generated)";
  return k;
}

class MeteringModule final : public ServeModule {
 public:
  std::string describe() const override {
    return "metering: " + server_->base_url() + " (SSA " + ssa_options_.knowledge_base_id +
           ", PdL key from " + key_origin_ + ")";
  }

  static Result<std::unique_ptr<ServeModule>> start(ServeContext& ctx) {
    auto m = std::unique_ptr<MeteringModule>(new MeteringModule());
    mt::MeteringOptions options;
    GRIDKE_ASSIGN_OR_RETURN(options.key_hex, key(ctx, m->key_origin_));
    auto service = mt::MeteringService::open(ctx.database_path("metering"), options);
    if (!service) return service.error().with_context("metering (key from " + m->key_origin_ + ")");
    m->service_ = std::move(*service);
    GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                            adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                                    "graph-patterns" / "metering"));
    GRIDKE_ASSIGN_OR_RETURN(m->ssa_, adapters::metering::MeteringSsa::start(
                                         ctx.engine, contracts, *m->service_, m->ssa_options_));
    m->callbacks_ = std::make_unique<mt::CallbackForwarder>(*m->service_);
    http::ServerOptions server = ctx.server_options("/metering");
    GRIDKE_ASSIGN_OR_RETURN(m->server_,
                            http::JsonServer::start(mt::make_router(*m->service_), server));
    return std::unique_ptr<ServeModule>(std::move(m));
  }

 private:
  MeteringModule() = default;
  // Destroyed in reverse: server, callbacks, SSA, then the service they use.
  adapters::metering::SsaOptions ssa_options_;
  std::string key_origin_;
  std::unique_ptr<mt::MeteringService> service_;
  std::unique_ptr<adapters::metering::MeteringSsa> ssa_;
  std::unique_ptr<mt::CallbackForwarder> callbacks_;
  std::unique_ptr<http::JsonServer> server_;
};

}  // namespace
}  // namespace gridke::cli

GRIDKE_SERVE_MODULE({"metering",
                     "smart-meter data platform: /metering REST (TIC, consents), contract (j)",
                     gridke::cli::MeteringModule::start});
