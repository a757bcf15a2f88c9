// `gridke serve` module "metering": the smart-meter data platform (services/metering) with its
// REST front door under /metering on the KE port, REST callbacks to providers, and its SSA
// (adapters/metering, contract (j)) on the embedded engine. Storage: DATA/metering.sqlite.
// The PdL encryption key (AES-256, 64 hex digits) comes from GRIDKE_METERING_KEY; without it a
// key is generated once and kept in DATA/metering.key (mode 0600), or per process without
// --data. The key is never logged.
// Open data: the minimum k of consumption releases comes from GRIDKE_METERING_OPEN_DATA_K
// (default 5). Flexibility data per zone is read from a flexibility market's GET …/Needs:
// GRIDKE_METERING_FLEXIBILITY_URL when set ("none" disables it); otherwise, over plain HTTP,
// this server's own /Flexibility/Needs, which answers 404 — reported as "no flexibility data
// source is configured" — when the flexibility-market module is not selected.

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

// GRIDKE_METERING_FLEXIBILITY_URL, or this server's /Flexibility/Needs (plain HTTP only: a
// TLS server would need client credentials for the loopback call); empty = no source.
std::string flexibility_needs_url(const ServeContext& ctx) {
  if (const char* v = std::getenv("GRIDKE_METERING_FLEXIBILITY_URL"); v != nullptr && *v != '\0') {
    return std::string(v) == "none" ? std::string() : std::string(v);
  }
  if (ctx.tls) return {};
  const std::string& ke = ctx.ke_base_url;  // e.g. http://127.0.0.1:8280/rest
  const auto scheme = ke.find("://");
  if (scheme == std::string::npos) return {};
  const auto path = ke.find('/', scheme + 3);
  return ke.substr(0, path) + "/Flexibility/Needs";
}

class MeteringModule final : public ServeModule {
 public:
  std::string describe() const override {
    return "metering: " + server_->base_url() + " (SSA " + ssa_options_.knowledge_base_id +
           ", PdL key from " + key_origin_ + ", flexibility data from " +
           (flexibility_origin_.empty() ? std::string("nowhere") : flexibility_origin_) + ")";
  }

  static Result<std::unique_ptr<ServeModule>> start(ServeContext& ctx) {
    auto m = std::unique_ptr<MeteringModule>(new MeteringModule());
    mt::MeteringOptions options;
    GRIDKE_ASSIGN_OR_RETURN(options.key_hex, key(ctx, m->key_origin_));
    GRIDKE_ASSIGN_OR_RETURN(const long long k,
                            env_integer("GRIDKE_METERING_OPEN_DATA_K", 5, 1, 1'000'000));
    options.open_data_k = static_cast<std::size_t>(k);
    auto service = mt::MeteringService::open(ctx.database_path("metering"), options);
    if (!service) return service.error().with_context("metering (key from " + m->key_origin_ + ")");
    m->service_ = std::move(*service);
    m->flexibility_origin_ = flexibility_needs_url(ctx);
    if (!m->flexibility_origin_.empty()) {
      m->service_->set_flexibility_source(mt::http_needs_source(m->flexibility_origin_));
    }
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
  std::string flexibility_origin_;  ///< the needs URL, empty without a source
  std::unique_ptr<mt::MeteringService> service_;
  std::unique_ptr<adapters::metering::MeteringSsa> ssa_;
  std::unique_ptr<mt::CallbackForwarder> callbacks_;
  std::unique_ptr<http::JsonServer> server_;
};

}  // namespace
}  // namespace gridke::cli

GRIDKE_SERVE_MODULE({"metering",
                     "smart-meter data platform: /metering REST (TIC, consents, power limits, open "
                     "data), contracts (j), (k), (m)",
                     gridke::cli::MeteringModule::start});
