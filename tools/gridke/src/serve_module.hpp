#pragma once
// Service modules of `gridke serve`: each DSO service (fault location, sensitivities,
// flexibility response, tariffs, metering, flexibility market, …) plugs itself into the server
// from its own file tools/gridke/src/cmd_serve_<service>.cpp with GRIDKE_SERVE_MODULE. At
// start-up `gridke serve` starts every selected module after the KE REST server: the module
// opens its storage under the data directory, starts its REST front door (a gridke::http
// JsonServer on the same bind address and port as the KE API, under its own base path) and
// registers its SSA on the embedded engine. Modules are stopped in reverse order, before the
// KE REST server.
//
// Thread safety: start() is called on the main thread; the module owns its threads.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "command.hpp"  // GRIDKE_CLI_CONCAT_
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "gridke/http/server.hpp"

namespace gridke::cli {

struct ServeContext {
  engine::KnowledgeEngine& engine;
  /// Where the module keeps its SQLite files (DIR/<module>.sqlite); nullopt when `gridke serve`
  /// runs without --data: the module then keeps state in memory (":memory:").
  std::optional<std::filesystem::path> data_dir;
  std::string bind_address;
  std::uint16_t port = 0;   ///< the KE REST port; front doors listen on it too
  std::string ke_base_url;  ///< e.g. http://127.0.0.1:8280/rest
  std::function<void(engine::LogLevel, std::string_view)> log;
  /// Set when the KE API serves https: front doors on the same port must use it too
  /// (one port serves either http or https).
  std::optional<http::TlsOptions> tls;

  /// Options for a front door on the KE port under `base_path`.
  http::ServerOptions server_options(std::string base_path) const {
    http::ServerOptions options;
    options.bind_address = bind_address;
    options.port = port;
    options.base_path = std::move(base_path);
    options.tls = tls;
    return options;
  }

  /// DIR/<name>.sqlite, or ":memory:" without a data directory.
  std::string database_path(std::string_view name) const {
    return data_dir ? (*data_dir / (std::string(name) + ".sqlite")).string()
                    : std::string(":memory:");
  }
};

/// A running module; destroying it stops it.
class ServeModule {
 public:
  virtual ~ServeModule() = default;
  /// One line for the start-up banner, e.g. "fault-location: http://…/GridObservability".
  virtual std::string describe() const = 0;
};

struct ServeModuleSpec {
  std::string name;     ///< e.g. "fault-location"
  std::string summary;  ///< one line for `gridke serve --help`
  std::function<Result<std::unique_ptr<ServeModule>>(ServeContext&)> start;
};

std::map<std::string, ServeModuleSpec>& serve_modules();

/// A module setting from the environment: the integer in NAME, `fallback` when it is unset or
/// empty. Errors: invalid_argument naming the variable, its value and the range [lo, hi].
Result<long long> env_integer(const char* name, long long fallback, long long lo, long long hi);

struct ServeModuleRegistrar {
  explicit ServeModuleRegistrar(ServeModuleSpec spec) {
    serve_modules().emplace(spec.name, std::move(spec));
  }
};

}  // namespace gridke::cli

/// GRIDKE_SERVE_MODULE({"fault-location", "summary", start_fn});
#define GRIDKE_SERVE_MODULE(...)                                       \
  static const ::gridke::cli::ServeModuleRegistrar GRIDKE_CLI_CONCAT_( \
      gridke_module_, __LINE__)(::gridke::cli::ServeModuleSpec __VA_ARGS__)
