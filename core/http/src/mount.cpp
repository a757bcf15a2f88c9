// Mount (transport.hpp): several handlers on one AsyncServer per (bind address, port), chosen
// by the longest matching path prefix.
#include <map>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "gridke/http/transport.hpp"

namespace gridke::http {

struct Mount::Shared {
  std::string key;  // "address port", the registry key
  bool tls = false;
  std::unique_ptr<AsyncServer> server;
  std::shared_mutex mu;
  std::map<std::string, RequestHandler, std::greater<>> handlers;  // GUARDED_BY(mu); longest first

  // The handler of the longest prefix matching `path`, or nullptr.
  RequestHandler find(std::string_view path) {
    std::shared_lock lock(mu);
    for (const auto& [prefix, handler] : handlers) {
      if (prefix.empty()) return handler;
      if (path.starts_with(prefix) &&
          (path.size() == prefix.size() || path[prefix.size()] == '/')) {
        return handler;
      }
    }
    return nullptr;
  }

  void route(RawRequest request, std::shared_ptr<Responder> responder) {
    auto path = request.path();
    RequestHandler handler = path ? find(*path) : nullptr;
    if (handler) return handler(std::move(request), std::move(responder));
    std::string body = "{\"message\":\"No such endpoint on this port\"}";
    responder->send(RawResponse{404, {{"Content-Type", "application/json"}}, std::move(body)});
  }
};

namespace {

std::mutex& registry_mu() {
  static std::mutex mu;
  return mu;
}
// Live shared servers by "address port".
std::map<std::string, std::weak_ptr<Mount::Shared>>& registry() {
  static std::map<std::string, std::weak_ptr<Mount::Shared>> r;
  return r;
}

std::string normalised_prefix(std::string prefix) {
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  return prefix;
}

}  // namespace

Mount::Mount(std::shared_ptr<Shared> shared, std::string prefix, std::uint16_t port)
    : shared_(std::move(shared)), prefix_(std::move(prefix)), port_(port) {}

Mount::~Mount() { close(); }

Result<std::unique_ptr<Mount>> Mount::open(AsyncServerOptions options, std::string prefix,
                                           RequestHandler handler) {
  if (!handler) return invalid_argument("a mount needs a request handler");
  prefix = normalised_prefix(std::move(prefix));
  if (!prefix.empty() && prefix.front() != '/') {
    return invalid_argument("a mount prefix must start with '/', got '" + prefix + "'");
  }
  std::lock_guard lock(registry_mu());
  std::shared_ptr<Shared> shared;
  if (options.port != 0) {
    auto it = registry().find(options.bind_address + " " + std::to_string(options.port));
    if (it != registry().end()) shared = it->second.lock();
  }
  if (shared) {
    if (shared->tls != options.tls.has_value()) {
      return invalid_argument("port " + std::to_string(options.port) + " already serves " +
                              (shared->tls ? "https" : "http") + " in this process");
    }
  } else {
    shared = std::make_shared<Shared>();
    shared->tls = options.tls.has_value();
    const std::string address = options.bind_address;
    Shared* raw = shared.get();
    GRIDKE_ASSIGN_OR_RETURN(
        shared->server,
        AsyncServer::start(std::move(options),
                           [raw](RawRequest request, std::shared_ptr<Responder> responder) {
                             raw->route(std::move(request), std::move(responder));
                           }));
    shared->key = address + " " + std::to_string(shared->server->port());
    registry()[shared->key] = shared;
  }
  {
    std::unique_lock mounts(shared->mu);
    if (!shared->handlers.emplace(prefix, std::move(handler)).second) {
      return unavailable("the path '" + (prefix.empty() ? std::string("/") : prefix) +
                         "' is already served on port " + std::to_string(shared->server->port()));
    }
  }
  const std::uint16_t port = shared->server->port();
  return std::unique_ptr<Mount>(new Mount(std::move(shared), std::move(prefix), port));
}

void Mount::close() {
  if (!shared_) return;
  bool last = false;
  {
    std::lock_guard lock(registry_mu());
    std::unique_lock mounts(shared_->mu);
    shared_->handlers.erase(prefix_);
    last = shared_->handlers.empty();
    if (last) registry().erase(shared_->key);
  }
  if (last) shared_->server->stop();
  shared_.reset();
}

}  // namespace gridke::http
