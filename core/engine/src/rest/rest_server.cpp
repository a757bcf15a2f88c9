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
  http::TlsFiles tls_files;
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

  http::AsyncServerOptions transport;
  transport.bind_address = impl->options.bind_address;
  transport.port = impl->options.port;  // 0: the kernel picks a free port
  transport.io_threads = impl->options.io_threads;
  transport.max_body_bytes = impl->options.max_body_bytes;
  transport.idle_timeout = std::chrono::seconds(300);
  if (impl->options.tls) transport.tls = tls_files;
  transport.error_response = [](int status, std::string_view message) {
    return http::RawResponse{status,
                             {{"Content-Type", std::string(json_type)}},
                             wire::response_message("error", message).dump()};
  };
  std::weak_ptr<Impl> weak = impl;
  // Mounted under the base path: `gridke serve` puts the service front doors (JsonServer) on
  // the same port under theirs. The base path itself checks every request (404 otherwise).
  auto started =
      http::Mount::open(std::move(transport), impl->options.base_path,
                        [weak](http::RawRequest req, std::shared_ptr<http::Responder> responder) {
                          if (auto self = weak.lock())
                            self->handle(std::move(req), std::move(responder));
                        });
  if (!started) return started.error();
  impl->mount = std::move(*started);
  impl->bound_port = impl->mount->port();
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
  // 3. The transport writes the answers already handed to it (the 410s above among them),
  //    then closes every connection.
  s.mount->close();
  {
    std::lock_guard lock(s.timer_mu);
    s.timer_stop = true;
  }
  s.timer_cv.notify_all();
  if (s.timer.joinable()) s.timer.join();
  s.log(LogLevel::info, "REST server stopped");
}

}  // namespace gridke::engine
