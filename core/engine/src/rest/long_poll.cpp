#include "long_poll.hpp"

#include <utility>

#include "wire.hpp"

namespace gridke::engine::rest {
namespace {

void run(std::vector<std::function<void()>>& actions) {
  for (auto& a : actions) a();
  actions.clear();
}

std::string stopped_message(const KbId& kb) {
  return "KB with id " + kb + " will no longer respond, because it stopped.";
}

// NOTES.md §1.4 GET /sc/handle: the 410 body.
std::string gone_body() {
  return wire::response_message(
             "message",
             "This long polling request is cancelled by the server because it "
             "or the Knowledge Base is stopping. Do not reinitiate this request.")
      .dump();
}

}  // namespace

LongPollHub::LongPollHub(Limits limits, std::function<std::string(const KbId&)> heartbeat_body)
    : limits_(limits), heartbeat_body_(std::move(heartbeat_body)) {}

void LongPollHub::add_kb(const KbId& kb) {
  std::lock_guard lock(mu_);
  if (!shut_down_) kbs_.try_emplace(kb);
}

bool LongPollHub::has_kb(const KbId& kb) const {
  std::lock_guard lock(mu_);
  return kbs_.contains(kb);
}

void LongPollHub::set_on_new_deadline(std::function<void()> f) {
  std::lock_guard lock(mu_);
  on_new_deadline_ = std::move(f);
}

void LongPollHub::hand_out(const KbId& kb, KbQueue& q, long long id, Reply reply, Actions& after) {
  q.outstanding.emplace(id, std::move(reply));
  while (q.outstanding.size() > limits_.outstanding_capacity) {
    auto oldest = q.outstanding.begin();
    std::string msg = "Knowledge base " + kb + " should have max " +
                      std::to_string(limits_.outstanding_capacity) +
                      " outstanding handle requests. Cancelling oldest handle request " +
                      std::to_string(oldest->first) + ".";
    after.push_back([reply = std::move(oldest->second), msg = std::move(msg)] {
      reply(failed_precondition(msg));
    });
    q.outstanding.erase(oldest);
  }
}

void LongPollHub::deliver(const KbId& kb, const HandleRequest& request, Reply reply) {
  Actions after;
  Responder respond;
  long long id = 0;
  {
    std::lock_guard lock(mu_);
    auto it = kbs_.find(kb);
    if (it == kbs_.end()) {
      after.push_back([reply = std::move(reply), kb] { reply(unavailable(stopped_message(kb))); });
    } else {
      KbQueue& q = it->second;
      id = q.next_id++;
      if (q.poll) {
        // A poll is waiting: hand the request straight to it, without copying it.
        hand_out(kb, q, id, std::move(reply), after);
        respond = std::move(q.poll->respond);
        q.poll.reset();
      } else {
        if (q.queue.size() >= limits_.queue_capacity) {
          after.push_back([r = std::move(q.queue.front().reply)] {
            r(failed_precondition(
                "Handle request queue is full. This oldest request has been cancelled."));
          });
          q.queue.pop_front();
        }
        q.queue.push_back(Pending{id, request, std::move(reply)});
      }
    }
  }
  if (respond) respond(200, wire::handle_request_to_json(request, id).dump());
  run(after);
}

LongPollHub::PollOutcome LongPollHub::poll(const KbId& kb, Responder respond) {
  Actions after;
  std::optional<Pending> next;
  std::function<void()> notify;
  {
    std::lock_guard lock(mu_);
    auto it = kbs_.find(kb);
    if (it == kbs_.end()) return PollOutcome::unknown_kb;
    KbQueue& q = it->second;
    if (q.poll) return PollOutcome::already_polling;
    if (!q.queue.empty()) {
      next.emplace(std::move(q.queue.front()));
      q.queue.pop_front();
      hand_out(kb, q, next->id, std::move(next->reply), after);
    } else {
      const auto due = SteadyClock::now() + limits_.heartbeat;
      q.poll = Poll{std::move(respond), due};
      if ((!timer_due_ || due < *timer_due_) && on_new_deadline_) {
        timer_due_ = due;
        notify = on_new_deadline_;
      }
    }
  }
  if (next) {
    respond(200, wire::handle_request_to_json(next->request, next->id).dump());
    run(after);
    return PollOutcome::answered;
  }
  if (notify) notify();
  return PollOutcome::held;
}

std::optional<Reply> LongPollHub::take_outstanding(const KbId& kb, long long handle_request_id) {
  std::lock_guard lock(mu_);
  auto it = kbs_.find(kb);
  if (it == kbs_.end()) return std::nullopt;
  auto& outstanding = it->second.outstanding;
  auto found = outstanding.find(handle_request_id);
  if (found == outstanding.end()) return std::nullopt;
  Reply reply = std::move(found->second);
  outstanding.erase(found);
  return reply;
}

void LongPollHub::remove_locked(const KbId& kb, KbQueue& q, Actions& after) {
  if (q.poll) {
    after.push_back([respond = std::move(q.poll->respond)] { respond(410, gone_body()); });
    q.poll.reset();
  }
  for (auto& p : q.queue) {
    after.push_back([r = std::move(p.reply), kb] { r(unavailable(stopped_message(kb))); });
  }
  for (auto& [id, r] : q.outstanding) {
    after.push_back([r = std::move(r), kb] { r(unavailable(stopped_message(kb))); });
  }
  q.queue.clear();
  q.outstanding.clear();
}

void LongPollHub::remove_kb(const KbId& kb) {
  Actions after;
  {
    std::lock_guard lock(mu_);
    auto it = kbs_.find(kb);
    if (it == kbs_.end()) return;
    remove_locked(kb, it->second, after);
    kbs_.erase(it);
  }
  run(after);
}

void LongPollHub::shutdown() {
  Actions after;
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    for (auto& [kb, q] : kbs_) remove_locked(kb, q, after);
    kbs_.clear();
  }
  run(after);
}

std::optional<LongPollHub::SteadyClock::time_point> LongPollHub::expire_polls(
    SteadyClock::time_point now) {
  std::vector<std::pair<KbId, Responder>> due;
  std::optional<SteadyClock::time_point> next;
  {
    std::lock_guard lock(mu_);
    for (auto& [kb, q] : kbs_) {
      if (!q.poll) continue;
      if (q.poll->due <= now) {
        due.emplace_back(kb, std::move(q.poll->respond));
        q.poll.reset();
      } else if (!next || q.poll->due < *next) {
        next = q.poll->due;
      }
    }
    timer_due_ = next;
  }
  for (auto& [kb, respond] : due) respond(202, heartbeat_body_(kb));
  return next;
}

}  // namespace gridke::engine::rest
