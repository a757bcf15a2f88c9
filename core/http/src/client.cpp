// Plain HTTP/JSON client calls (client.hpp) over cpprestsdk's http_client.

#include "gridke/http/client.hpp"

#include <cpprest/http_client.h>
#include <cpprest/uri.h>
#include <boost/asio/ssl.hpp>

namespace gridke::http {

using nlohmann::json;
namespace wh = web::http;

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
  if (!web::uri::validate(url)) return invalid_argument("'" + url + "' is not a valid URL");
  try {
    web::uri uri(url);
    if (uri.scheme() != "http" && uri.scheme() != "https") {
      return invalid_argument("'" + url + "' is not an http(s) URL");
    }
    wh::client::http_client_config config;
    config.set_timeout(options.timeout);
    if (!options.ca_file.empty()) {
      const std::string ca = options.ca_file;
      config.set_ssl_context_callback(
          [ca](boost::asio::ssl::context& ctx) { ctx.load_verify_file(ca); });
    }
    web::uri_builder authority;
    authority.set_scheme(uri.scheme()).set_host(uri.host()).set_port(uri.port());
    wh::client::http_client client(authority.to_uri(), config);
    wh::http_request req(method);
    req.set_request_uri(uri.resource());
    for (const auto& [k, v] : options.headers) req.headers().add(k, v);
    if (!body.empty()) req.set_body(body, "application/json");
    auto response = client.request(req).get();
    ClientResponse out;
    out.status = response.status_code();
    out.content_type = response.headers().content_type();
    out.body = response.extract_utf8string(true).get();
    return out;
  } catch (const std::exception& e) {
    return unavailable(method + " " + url + " failed: " + e.what());
  }
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
  if (!web::uri::validate(url) || web::uri(url).host().empty()) {
    return invalid_argument(std::string(field) + ": '" + url + "' is not a valid URL");
  }
  return ok();
}

}  // namespace gridke::http
