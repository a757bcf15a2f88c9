#pragma once
// LongPollHub: the reactive side of the KE REST API (GET/POST /sc/handle, NOTES.md §1.4).
// Per knowledge base it keeps a FIFO queue of handle requests nobody has polled for yet
// (capacity 50 in TNO; the oldest is cancelled on overflow), a map of requests delivered but not
// answered (100; the oldest is cancelled beyond that), at most one waiting poll, and the counter
// that numbers handle requests from 1.
//
// A waiting poll is a Responder: a callable that answers the held HTTP request, so no thread
// waits per poll. Responders and engine Replies are always invoked after the hub's lock is
// released, because either may call straight back into the hub or the engine.
//
// Thread safety: internally synchronised.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "gridke/engine/exchange.hpp"

namespace gridke::engine::rest {

/// Answers a held GET /sc/handle: status and body (empty body = none).
using Responder = std::function<void(int status, std::string body)>;

class LongPollHub {
 public:
  using SteadyClock = std::chrono::steady_clock;

  struct Limits {
    std::size_t queue_capacity = 50;
    std::size_t outstanding_capacity = 100;
    std::chrono::milliseconds heartbeat{std::chrono::seconds(29)};
  };
  /// `heartbeat_body(kb)` gives the 202 body for a KB (empty when it has ANSWER/REACT KIs).
  LongPollHub(Limits limits, std::function<std::string(const KbId&)> heartbeat_body);

  /// Makes `kb` known (idempotent).
  void add_kb(const KbId& kb);
  bool has_kb(const KbId& kb) const;

  /// The engine handler body: hands the request to the waiting poll or queues it. For an unknown
  /// or removed KB the reply fails at once.
  void deliver(const KbId& kb, const HandleRequest& request, Reply reply);

  enum class PollOutcome : std::uint8_t { held, answered, unknown_kb, already_polling };
  /// Registers a poll. `answered`: a queued request went to `respond` already. `held`: it waits
  /// until a request arrives, the heartbeat passes (202) or the KB goes (410). For
  /// `unknown_kb`/`already_polling` nothing was called and the caller answers 404/409.
  PollOutcome poll(const KbId& kb, Responder respond);

  /// Takes a delivered request out of the outstanding map (POST /sc/handle).
  /// nullopt: unknown id or unknown KB.
  std::optional<Reply> take_outstanding(const KbId& kb, long long handle_request_id);

  /// Removes a KB: its poll gets 410, queued and outstanding requests fail with
  /// "KB with id X will no longer respond, because it stopped.".
  void remove_kb(const KbId& kb);
  /// remove_kb for every KB; later deliveries fail at once.
  void shutdown();

  /// Answers polls whose heartbeat is due with 202. Returns the next due time (or nullopt).
  std::optional<SteadyClock::time_point> expire_polls(SteadyClock::time_point now);
  /// Called after a poll is held, so a timer can wake earlier.
  void set_on_new_deadline(std::function<void()> f);

 private:
  struct Pending {
    long long id = 0;
    HandleRequest request;
    Reply reply;
  };
  struct Poll {
    Responder respond;
    SteadyClock::time_point due;
  };
  struct KbQueue {
    long long next_id = 1;
    std::deque<Pending> queue;
    std::map<long long, Reply> outstanding;  // ids grow, so begin() is the oldest
    std::optional<Poll> poll;
  };
  using Actions = std::vector<std::function<void()>>;

  // REQUIRES: mu_ held. Puts `reply` in the outstanding map under `id`; evicts the oldest
  // outstanding request beyond the limit (its failure is appended to `after`). The 200 body is
  // built by the caller after releasing mu_ (a large binding set must not stall other KBs).
  void hand_out(const KbId& kb, KbQueue& q, long long id, Reply reply, Actions& after);
  void remove_locked(const KbId& kb, KbQueue& q, Actions& after);

  const Limits limits_;
  const std::function<std::string(const KbId&)> heartbeat_body_;
  mutable std::mutex mu_;
  std::unordered_map<KbId, KbQueue> kbs_;
  bool shut_down_ = false;
  std::function<void()> on_new_deadline_;
  // The earliest heartbeat the timer was last told about (expire_polls' answer, or a deadline
  // a poll() notified); nullopt: the timer knows of no poll. A new poll notifies the timer only
  // when it is due earlier, which with a constant heartbeat is almost never: saves a timer
  // wake-up (two context switches) per GET /sc/handle.
  std::optional<SteadyClock::time_point> timer_due_;
};

}  // namespace gridke::engine::rest
