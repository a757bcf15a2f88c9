// RestServer lifecycle: binding the listener, the timer thread, and an orderly stop.
#include "gridke/engine/rest_server.hpp"

#include <utility>

#include "server_impl.hpp"

namespace gridke::engine {

Result<LogLevel> parse_log_level(std::string_view text) {
  if (text == "error") return LogLevel::error;
  if (text == "warn") return LogLevel::warn;
  if (text == "info") return LogLevel::info;
  if (text == "debug") return LogLevel::debug;
  return invalid_argument("Unknown log level '" + std::string(text) +
                          "' (expected error, warn, info or debug)");
}

RestServer::RestServer(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

RestServer::~RestServer() { stop(); }

std::uint16_t RestServer::port() const noexcept { return impl_->bound_port; }

std::size_t RestServer::restored_knowledge_bases() const noexcept { return impl_->restored; }

std::string RestServer::base_url() const {
  const std::string& host = impl_->options.bind_address;
  bool v6 = host.find(':') != std::string::npos;
  return std::string(impl_->options.tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) +
         ":" + std::to_string(impl_->bound_port) + impl_->options.base_path;
}

Result<std::unique_ptr<RestServer>> RestServer::start(KnowledgeEngine& engine,
                                                      RestServerOptions options) {
  if (options.base_path.empty() || options.base_path.front() != '/') {
    return invalid_argument("base_path must start with '/', got '" + options.base_path + "'");
  }
  options.base_path = rest::normalise_path(options.base_path);
  if (options.base_path == "/") options.base_path.clear();
  if (options.bind_address.empty()) return invalid_argument("bind_address must not be empty");
  if (options.heartbeat.count() <= 0) return invalid_argument("heartbeat must be positive");
  rest::TlsFiles tls_files;
  if (options.tls) {
    if (options.tls->certificate_file.empty() || options.tls->private_key_file.empty()) {
      return invalid_argument("TLS needs both a certificate file and a private key file");
    }
    tls_files = {options.tls->certificate_file, options.tls->private_key_file,
                 options.tls->client_ca_file};
    GRIDKE_TRY(rest::check_tls_files(tls_files));
  }

  auto impl = std::make_shared<Impl>(engine, std::move(options));
  Impl* raw = impl.get();
  impl->hub = std::make_shared<rest::LongPollHub>(
      rest::LongPollHub::Limits{impl->options.handle_queue_capacity,
                                impl->options.outstanding_capacity, impl->options.heartbeat},
      [raw](const KbId& kb) { return raw->heartbeat_body(kb); });
  impl->hub->set_on_new_deadline([raw] { raw->kick_timer(); });
  if (impl->options.registry) {
    auto restored = impl->restore_registry();
    if (!restored) return restored.error().with_context("restoring the knowledge-base registry");
    impl->restored = *restored;
  }

  // Port 0: probe for a free port, then bind it (retrying if another process took it meanwhile).
  const bool ephemeral = impl->options.port == 0;
  std::string last_error;
  for (int attempt = 0; attempt < (ephemeral ? 5 : 1); ++attempt) {
    std::uint16_t port = impl->options.port;
    if (ephemeral) {
      GRIDKE_ASSIGN_OR_RETURN(port, rest::pick_free_port(impl->options.bind_address));
    }
    const std::string& host = impl->options.bind_address;
    bool v6 = host.find(':') != std::string::npos;
    std::string uri = std::string(impl->options.tls ? "https://" : "http://") +
                      (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/";
    try {
      web::http::experimental::listener::http_listener_config config;
      config.set_timeout(std::chrono::seconds(300));
      if (impl->options.tls) {
        config.set_ssl_context_callback([tls_files](boost::asio::ssl::context& ctx) {
          rest::configure_tls_context(ctx, tls_files, /*server=*/true);
        });
      }
      auto listener =
          std::make_unique<web::http::experimental::listener::http_listener>(uri, config);
      std::weak_ptr<Impl> weak = impl;
      auto handler = [weak](web::http::http_request req) {
        if (auto self = weak.lock()) self->handle(std::move(req));
      };
      listener->support(handler);
      // cpprestsdk answers OPTIONS itself unless a handler is registered for it explicitly;
      // CORS preflights need our headers.
      listener->support(web::http::methods::OPTIONS, handler);
      listener->open().wait();
      impl->listener = std::move(listener);
      impl->bound_port = port;
      break;
    } catch (const std::exception& e) {
      last_error = e.what();
    }
  }
  if (!impl->listener) {
    return unavailable("Cannot listen on " + impl->options.bind_address + ":" +
                       std::to_string(impl->options.port) + ": " + last_error);
  }
  impl->timer = std::thread([raw] { raw->timer_loop(); });
  impl->log(LogLevel::info, std::string("REST server listening on ") +
                                (impl->options.tls ? "https://" : "http://") +
                                impl->options.bind_address + ":" +
                                std::to_string(impl->bound_port) + impl->options.base_path);
  return std::unique_ptr<RestServer>(new RestServer(std::move(impl)));
}

void RestServer::stop() {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  // 1. Pending polls get 410 and handle requests fail, so asks waiting on REST knowledge bases
  //    complete and their HTTP requests are answered before the listener closes.
  s.hub->shutdown();
  {
    // Exchanges that were waiting on REST knowledge bases now complete; let their replies go
    // out (bounded: other handlers may hold an exchange until its deadline).
    std::unique_lock lock(s.inflight_mu);
    s.inflight_cv.wait_for(lock, std::chrono::seconds(5), [&s] { return s.inflight == 0; });
  }
  // 2. As when a TNO runtime stops, the knowledge bases it hosted for REST clients go away.
  std::vector<KbId> mine;
  {
    std::lock_guard lock(s.mu);
    for (const auto& [kb, e] : s.kbs) {
      if (e.created_here) mine.push_back(kb);
    }
    s.kbs.clear();
  }
  for (const auto& kb : mine) (void)s.engine.delete_knowledge_base(kb);
  {
    std::unique_lock lock(s.inflight_mu);
    s.inflight_cv.wait_for(lock, std::chrono::seconds(2), [&s] { return s.replies == 0; });
  }
  // 3. close() waits for the requests in flight.
  try {
    s.listener->close().wait();
  } catch (const std::exception& e) {
    s.log(LogLevel::warn, std::string("closing the listener: ") + e.what());
  }
  {
    std::lock_guard lock(s.timer_mu);
    s.timer_stop = true;
  }
  s.timer_cv.notify_all();
  if (s.timer.joinable()) s.timer.join();
  s.log(LogLevel::info, "REST server stopped");
}

}  // namespace gridke::engine
