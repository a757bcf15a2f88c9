#include "callback_dispatcher.hpp"

#include <cpprest/http_client.h>

namespace gridke::services::fault_location::rest {

CallbackDispatcher::CallbackDispatcher(int attempts, std::chrono::milliseconds backoff,
                                       std::chrono::milliseconds timeout)
    : attempts_(attempts), backoff_(backoff), timeout_(timeout), worker_([this] { run(); }) {}

CallbackDispatcher::~CallbackDispatcher() { stop(); }

void CallbackDispatcher::enqueue(std::string url, std::string body) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back({std::move(url), std::move(body)});
  }
  cv_.notify_all();
}

void CallbackDispatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (worker_.joinable() && worker_.get_id() != std::this_thread::get_id()) worker_.join();
}

DeliveryStats CallbackDispatcher::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

bool CallbackDispatcher::wait_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
}

bool CallbackDispatcher::post_once(const Delivery& d) {
  // cpprestsdk throws on connection failures and bad URIs: caught here, at the call.
  try {
    web::http::client::http_client_config config;
    config.set_timeout(timeout_);
    web::http::client::http_client client(d.url, config);
    web::http::http_request req(web::http::methods::POST);
    req.set_body(d.body, "application/json");
    auto response = client.request(req).get();
    return response.status_code() >= 200 && response.status_code() < 300;
  } catch (const std::exception&) {
    return false;
  }
}

void CallbackDispatcher::run() {
  for (;;) {
    Delivery d;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      d = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    bool done = false;
    auto wait = backoff_;
    for (int attempt = 0; attempt < attempts_ && !done; ++attempt) {
      done = post_once(d);
      std::unique_lock lock(mu_);
      if (done) {
        ++stats_.delivered;
        break;
      }
      ++stats_.failed_attempts;
      if (attempt + 1 < attempts_) {
        if (cv_.wait_for(lock, wait, [this] { return stopping_; })) return;
        wait *= 2;
      }
    }
    {
      std::lock_guard lock(mu_);
      if (!done) ++stats_.abandoned;
      busy_ = false;
    }
    cv_.notify_all();
  }
}

}  // namespace gridke::services::fault_location::rest
