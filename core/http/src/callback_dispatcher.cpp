// CallbackDispatcher (client.hpp): ordered HTTP POST delivery with retries and a log.

#include "gridke/http/client.hpp"

namespace gridke::http {

CallbackDispatcher::CallbackDispatcher(int attempts, std::chrono::milliseconds backoff,
                                       std::chrono::milliseconds timeout, std::size_t log_capacity)
    : attempts_(attempts < 1 ? 1 : attempts),
      backoff_(backoff),
      timeout_(timeout),
      log_capacity_(log_capacity),
      worker_([this] { run(); }) {}

CallbackDispatcher::~CallbackDispatcher() { stop(); }

void CallbackDispatcher::enqueue(std::string url, std::string body, std::string topic) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    queue_.push_back({std::move(url), std::move(body), std::move(topic)});
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

std::vector<DeliveryRecord> CallbackDispatcher::log() const {
  std::lock_guard lock(mu_);
  return {log_.begin(), log_.end()};
}

bool CallbackDispatcher::wait_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [this] { return queue_.empty() && !busy_; });
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
    DeliveryRecord record{d.url, d.topic, 0, 0, false, {}};
    auto wait = backoff_;
    ClientOptions options;
    options.timeout = timeout_;
    for (int attempt = 0; attempt < attempts_; ++attempt) {
      auto response = request("POST", d.url, d.body, options);
      ++record.attempts;
      record.last_status = response ? response->status : 0;
      record.delivered = response && response->status >= 200 && response->status < 300;
      std::unique_lock lock(mu_);
      if (record.delivered) {
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
      if (!record.delivered) ++stats_.abandoned;
      record.finished = std::chrono::system_clock::now();
      log_.push_back(std::move(record));
      while (log_.size() > log_capacity_) log_.pop_front();
      busy_ = false;
    }
    cv_.notify_all();
  }
}

}  // namespace gridke::http
