// Plain HTTP/JSON client calls (client.hpp) over the Boost.Beast AsyncClient (transport.hpp):
// one pooled keep-alive client per origin, shared by every request() in the process.

#include "gridke/http/client.hpp"

#include "gridke/http/transport.hpp"

#include <openssl/ssl.h>
#include <boost/beast/core/string.hpp>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace gridke::http {

using nlohmann::json;

namespace {

// The clients behind request(), one per (origin, CA file), created on first use and kept for
// the life of the process so that repeated calls reuse their connections. Bounded: past
// kMaxClients origins the cache starts afresh (callers hold their own reference, so a client in
// use lives until its request ends).
class ClientCache {
 public:
  static ClientCache& instance() {
    static ClientCache cache;  // destroyed at exit: shuts every client down, joining its thread
    return cache;
  }

  // OpenSSL frees a thread's state when the thread exits, unless its own exit handler already
  // ran. Initialising it here registers that handler before this cache's destructor, so at exit
  // the cache's I/O threads end first and OpenSSL cleans up after them (LeakSanitizer saw the
  // per-thread error and random-number state of a TLS client thread otherwise).
  ClientCache() { OPENSSL_init_ssl(0, nullptr); }

  Result<std::shared_ptr<AsyncClient>> get(AsyncClientOptions origin, const std::string& ca_file) {
    std::string key =
        origin.scheme + "://" + origin.host + ":" + std::to_string(origin.port) + " " + ca_file;
    std::lock_guard lock(mu_);
    if (auto it = clients_.find(key); it != clients_.end()) return it->second;
    if (clients_.size() >= kMaxClients) clients_.clear();
    origin.io_threads = 1;
    origin.max_idle_connections = kIdleConnections;
    if (!ca_file.empty()) origin.tls = TlsFiles{{}, {}, ca_file};
    GRIDKE_ASSIGN_OR_RETURN(auto created, AsyncClient::create(std::move(origin)));
    std::shared_ptr<AsyncClient> client(std::move(created));
    clients_.emplace(std::move(key), client);
    return client;
  }

 private:
  static constexpr std::size_t kMaxClients = 64;
  static constexpr std::size_t kIdleConnections = 8;
  std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<AsyncClient>> clients_;
};

}  // namespace

Result<json> ClientResponse::json() const {
  try {
    return nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    return parse_error(std::string("response body is not JSON (HTTP ") + std::to_string(status) +
                       "): " + e.what());
  }
}

Result<ClientResponse> request(const std::string& method, const std::string& url,
                               const std::string& body, const ClientOptions& options) {
  GRIDKE_ASSIGN_OR_RETURN(auto parsed, parse_url(url));
  if (!options.ca_file.empty() && parsed.origin.scheme != "https") {
    return invalid_argument("ca_file is set but '" + url + "' is not https");
  }
  if (method.empty() || std::any_of(method.begin(), method.end(), [](unsigned char c) {
        return std::isalnum(c) == 0 &&
               std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos;
      })) {
    return invalid_argument("'" + method + "' is not an HTTP method (" + url + ")");
  }
  auto client = ClientCache::instance().get(std::move(parsed.origin), options.ca_file);
  if (!client) return client.error().with_context(method + " " + url);
  ClientRequest req;
  req.method = method;
  req.target = std::move(parsed.target);
  req.body = body;
  for (const auto& [name, value] : options.headers) {
    if (boost::beast::iequals(name, "Content-Type")) {
      req.content_type = value;  // the caller's type replaces the JSON default
    } else {
      req.headers.emplace_back(name, value);
    }
  }
  auto result = (*client)->request_sync(std::move(req), options.timeout);
  if (result.status == 0) return unavailable(method + " " + url + " failed: " + result.error);
  ClientResponse out;
  out.status = result.status;
  out.content_type = std::move(result.content_type);
  out.body = std::move(result.body);
  return out;
}

Result<json> call_json(const std::string& method, const std::string& url, const json& body,
                       const ClientOptions& options) {
  GRIDKE_ASSIGN_OR_RETURN(
      auto response, request(method, url, body.is_null() ? std::string() : body.dump(), options));
  if (response.status >= 200 && response.status < 300) {
    if (response.body.empty()) return nlohmann::json();
    return response.json();
  }
  std::string message = response.body;
  try {
    auto j = nlohmann::json::parse(response.body);
    if (j.is_object() && j.contains("message") && j["message"].is_string()) {
      message = j["message"].get<std::string>();
    }
  } catch (const nlohmann::json::exception&) {
    // Not JSON: keep the raw text as the message.
  }
  const std::string where = method + " " + url + ": HTTP " + std::to_string(response.status);
  switch (response.status) {
    case 400:
    case 413:
    case 422: return invalid_argument(message, where);
    case 401: return unauthenticated(message, where);
    case 403: return permission_denied(message, where);
    case 404: return not_found(message, where);
    case 409:
    case 410: return failed_precondition(message, where);
    case 501: return Error(ErrorCode::unimplemented, message, where);
    case 504: return deadline_exceeded(message, where);
    default:
      if (response.status >= 500) return unavailable(message, where);
      return invalid_argument(message, where);
  }
}

Result<void> check_callback_url(const std::string& url, std::string_view field) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return invalid_argument(std::string(field) + ": '" + url + "' must be an absolute http(s) URL");
  }
  if (auto parsed = parse_url(url); !parsed) {
    return invalid_argument(std::string(field) + ": " + parsed.error().message());
  }
  return ok();
}

}  // namespace gridke::http
