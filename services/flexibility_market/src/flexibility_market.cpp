// FlexibilityMarket: state, validation and the state machines (one mutex); persistence is
// write-through to SQLite in one transaction per accepted change (market_store.hpp).
#include "gridke/services/flexibility_market/flexibility_market.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "gridke/services/flexibility_market/gate_closure.hpp"
#include "gridke/services/flexibility_market/model_json.hpp"
#include "market_store.hpp"

namespace gridke::services::flexibility_market {

namespace {

bool is_http_url(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  const std::string s = url.substr(0, scheme);
  if (s != "http" && s != "https") return false;
  const std::string rest = url.substr(scheme + 3);
  return !rest.empty() && rest[0] != '/' && rest[0] != ':';
}

struct Outbox {
  struct Message {
    std::string url, topic;
    nlohmann::json body;
  };
  std::vector<Message> messages;
  std::vector<FlexibilityNeed> needs;
  std::vector<Activation> activations;
  std::optional<FlexibilityOffer> offer;
};

}  // namespace

struct FlexibilityMarket::Impl {
  MarketStore store;
  std::shared_ptr<const Clock> clock;
  std::shared_ptr<Notifier> notifier;
  MarketOptions options;
  MarketListeners listeners;
  mutable std::mutex mu;
  std::map<std::string, FlexibilityServiceProvider> fsps;
  std::map<std::string, FlexibilityNeed> needs;
  std::map<std::string, FlexibilityOffer> offers;
  std::map<std::string, Activation> activations;
  std::map<std::string, Verification> verifications;
  std::map<std::string, std::vector<ParticipantSeries>> baselines;
  std::map<std::string, std::vector<ParticipantSeries>> metering;
  std::map<std::string, OutcomeReport> outcomes;

  void deliver(Outbox& box) {
    if (notifier) {
      for (auto& m : box.messages) notifier->notify(m.url, m.topic, m.body);
    }
    if (!box.needs.empty() && listeners.on_needs) listeners.on_needs(box.needs);
    if (!box.activations.empty() && listeners.on_activation_plan) {
      listeners.on_activation_plan(box.activations);
    }
    if (box.offer && listeners.on_offer) listeners.on_offer(*box.offer);
  }

  Result<const FlexibilityServiceProvider*> find_fsp(const std::string& id) const {
    auto it = fsps.find(id);
    if (it == fsps.end())
      return not_found("flexibility service provider '" + id + "' is not registered");
    return &it->second;
  }
  Result<FlexibilityOffer*> find_offer(const std::string& id) {
    auto it = offers.find(id);
    if (it == offers.end()) return not_found("offer '" + id + "' does not exist");
    return &it->second;
  }
  Result<Activation*> find_activation(const std::string& id) {
    auto it = activations.find(id);
    if (it == activations.end()) return not_found("activation '" + id + "' does not exist");
    return &it->second;
  }
  Result<Activation*> own_activation(const std::string& fsp_id, const std::string& id) {
    GRIDKE_ASSIGN_OR_RETURN(Activation * a, find_activation(id));
    if (a->fsp_id != fsp_id) {
      return permission_denied("activation '" + id + "' belongs to '" + a->fsp_id + "', not '" +
                               fsp_id + "'");
    }
    return a;
  }

  // Stores `offer` with a transition and updates memory.
  Result<void> save_offer(const FlexibilityOffer& o, std::string_view from, std::string reason) {
    GRIDKE_ASSIGN_OR_RETURN(auto tx, store.begin());
    GRIDKE_TRY(store.put("offer", o.offer_id, to_json(o)));
    GRIDKE_TRY(
        store.add_transition({0, "offer", o.offer_id, std::string(from),
                              std::string(to_string(o.state)), clock->now(), std::move(reason)}));
    GRIDKE_TRY(tx.commit());
    offers[o.offer_id] = o;
    return {};
  }
  Result<void> save_activation(const Activation& a, std::string_view from, std::string reason) {
    GRIDKE_ASSIGN_OR_RETURN(auto tx, store.begin());
    GRIDKE_TRY(store.put("activation", a.activation_id, to_json(a)));
    GRIDKE_TRY(
        store.add_transition({0, "activation", a.activation_id, std::string(from),
                              std::string(to_string(a.state)), clock->now(), std::move(reason)}));
    GRIDKE_TRY(tx.commit());
    activations[a.activation_id] = a;
    return {};
  }
  Result<void> save_verification(const Verification& v, std::string_view from, std::string reason) {
    GRIDKE_ASSIGN_OR_RETURN(auto tx, store.begin());
    GRIDKE_TRY(store.put("verification", v.activation_id, to_json(v)));
    GRIDKE_TRY(
        store.add_transition({0, "settlement", v.activation_id, std::string(from),
                              std::string(to_string(v.state)), clock->now(), std::move(reason)}));
    GRIDKE_TRY(tx.commit());
    verifications[v.activation_id] = v;
    return {};
  }

  Result<void> load() {
    GRIDKE_ASSIGN_OR_RETURN(auto rows, store.all());
    for (const auto& [kind, id, body] : rows) {
      // Captures copies: clang 14 (the fuzz build) cannot capture structured bindings.
      const auto where = [kind = kind, id = id](const Error& e) {
        return e.with_context("stored " + kind + " '" + id + "'");
      };
      if (kind == "fsp") {
        auto f = fsp_from_json(body);
        if (!f) return where(f.error());
        fsps[id] = *f;
      } else if (kind == "need") {
        auto n = need_from_json(body);
        if (!n) return where(n.error());
        needs[id] = *n;
      } else if (kind == "offer") {
        auto o = offer_from_json(body);
        if (!o) return where(o.error());
        offers[id] = *o;
      } else if (kind == "activation") {
        auto a = activation_from_json(body);
        if (!a) return where(a.error());
        activations[id] = *a;
      } else if (kind == "verification") {
        auto v = verification_from_json(body);
        if (!v) return where(v.error());
        verifications[id] = *v;
      } else if (kind == "baseline" || kind == "metering") {
        auto s = series_from_json(body, kind);
        if (!s) return where(s.error());
        (kind == "baseline" ? baselines : metering)[id] = *s;
      } else if (kind == "outcome") {
        OutcomeReport r;
        r.succeeded = body.value("succeeded", false);
        r.percent_of_target = body.value("percentOfTarget", 0.0);
        auto t = parse_time(body.value("reported", ""), "reported");
        if (!t) return where(t.error());
        r.reported = *t;
        outcomes[id] = r;
      }
    }
    return {};
  }
};

FlexibilityMarket::FlexibilityMarket(std::unique_ptr<Impl> impl, std::shared_ptr<const Clock> clock)
    : impl_(std::move(impl)), clock_(std::move(clock)) {}
FlexibilityMarket::~FlexibilityMarket() = default;

Result<std::unique_ptr<FlexibilityMarket>> FlexibilityMarket::open(
    const std::string& database_path, std::shared_ptr<const Clock> clock,
    std::shared_ptr<Notifier> notifier, MarketOptions options) {
  if (!clock) return invalid_argument("flexibility market: a clock is required");
  auto impl = std::make_unique<Impl>();
  GRIDKE_ASSIGN_OR_RETURN(impl->store, MarketStore::open(database_path));
  impl->clock = clock;
  impl->notifier = std::move(notifier);
  impl->options = options;
  GRIDKE_TRY(impl->load());
  return std::unique_ptr<FlexibilityMarket>(new FlexibilityMarket(std::move(impl), clock));
}

void FlexibilityMarket::set_listeners(MarketListeners listeners) {
  std::lock_guard lock(impl_->mu);
  impl_->listeners = std::move(listeners);
}

// --- FSPs ---------------------------------------------------------------------------------

Result<FlexibilityServiceProvider> FlexibilityMarket::register_fsp(const std::string& id,
                                                                   const std::string& name,
                                                                   std::vector<std::string> zones) {
  if (id.empty()) return invalid_argument("fspId: must not be empty");
  if (zones.empty())
    return invalid_argument("zones: FSP '" + id + "' must serve at least one zone");
  for (std::size_t i = 0; i < zones.size(); ++i) {
    if (zones[i].empty()) return invalid_argument("zones[" + std::to_string(i) + "]: is empty");
  }
  std::lock_guard lock(impl_->mu);
  FlexibilityServiceProvider f;
  if (auto it = impl_->fsps.find(id); it != impl_->fsps.end()) f = it->second;
  f.id = id;
  f.name = name.empty() ? id : name;
  f.zones = std::move(zones);
  GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
  GRIDKE_TRY(impl_->store.put("fsp", id, to_json(f)));
  GRIDKE_TRY(tx.commit());
  impl_->fsps[id] = f;
  return f;
}

Result<void> FlexibilityMarket::subscribe(const std::string& fsp_id, const std::string& needs_url,
                                          const std::string& activation_url) {
  if (!is_http_url(needs_url)) {
    return invalid_argument("needsCallbackUrl: not an absolute http(s) URL: \"" + needs_url + "\"");
  }
  if (!is_http_url(activation_url)) {
    return invalid_argument("activationPlanCallbackUrl: not an absolute http(s) URL: \"" +
                            activation_url + "\"");
  }
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(const FlexibilityServiceProvider* found, impl_->find_fsp(fsp_id));
  FlexibilityServiceProvider f = *found;
  f.needs_callback_url = needs_url;
  f.activation_callback_url = activation_url;
  GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
  GRIDKE_TRY(impl_->store.put("fsp", fsp_id, to_json(f)));
  GRIDKE_TRY(tx.commit());
  impl_->fsps[fsp_id] = f;
  return {};
}

Result<void> FlexibilityMarket::unsubscribe(const std::string& fsp_id) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(const FlexibilityServiceProvider* found, impl_->find_fsp(fsp_id));
  if (!found->subscribed()) {
    return failed_precondition("flexibility service provider '" + fsp_id + "' is not subscribed");
  }
  FlexibilityServiceProvider f = *found;
  f.needs_callback_url.reset();
  f.activation_callback_url.reset();
  GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
  GRIDKE_TRY(impl_->store.put("fsp", fsp_id, to_json(f)));
  GRIDKE_TRY(tx.commit());
  impl_->fsps[fsp_id] = f;
  return {};
}

std::optional<FlexibilityServiceProvider> FlexibilityMarket::fsp(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->fsps.find(id);
  if (it == impl_->fsps.end()) return std::nullopt;
  return it->second;
}

std::vector<FlexibilityServiceProvider> FlexibilityMarket::fsps() const {
  std::lock_guard lock(impl_->mu);
  std::vector<FlexibilityServiceProvider> out;
  for (const auto& [id, f] : impl_->fsps) out.push_back(f);
  return out;
}

// --- needs --------------------------------------------------------------------------------

Result<std::vector<FlexibilityNeed>> FlexibilityMarket::publish_needs(
    Window window, std::vector<NeedInput> inputs) {
  if (inputs.empty()) return invalid_argument("needs: at least one need is required");
  Outbox box;
  std::vector<FlexibilityNeed> out;
  {
    std::lock_guard lock(impl_->mu);
    const TimePoint now = clock_->now();
    std::int64_t next = impl_->store.next_id("need");
    std::map<std::string, int> seen;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const NeedInput& in = inputs[i];
      const std::string where = "needs[" + std::to_string(i) + "]";
      if (in.zone.empty()) return invalid_argument(where + ".zone: must not be empty");
      if (!(in.needs_kw > 0) || in.needs_kw > impl_->options.max_power_kw) {
        return invalid_argument(
            where + ".needs: must be > 0 and <= " + std::to_string(impl_->options.max_power_kw) +
            " kW, got " + std::to_string(in.needs_kw));
      }
      if (in.end <= in.start) {
        return invalid_argument(where + ".endTime: must be after startTime (" +
                                format_time(in.start) + ")");
      }
      FlexibilityNeed n;
      if (in.request_id) {
        n.request_id = *in.request_id;
      } else {
        do {
          n.request_id = "FR-" + std::to_string(next++);
        } while (impl_->needs.count(n.request_id) || seen.count(n.request_id));
      }
      if (n.request_id.empty()) return invalid_argument(where + ".requestId: must not be empty");
      if (impl_->needs.count(n.request_id) || seen[n.request_id]++) {
        return invalid_argument(where + ".requestId: '" + n.request_id + "' already exists");
      }
      const GateTimes g = gate_times(window, in.start);
      if (now >= g.offers_close) {
        return failed_precondition(where + ": late needs: the " + std::string(to_string(window)) +
                                   " offer gate for " + format_time(in.start) + " closed at " +
                                   format_time(g.offers_close) + " (now " + format_time(now) + ")");
      }
      n.zone = in.zone;
      n.needs_kw = in.needs_kw;
      n.direction = in.direction;
      n.start = in.start;
      n.end = in.end;
      n.hems_ids = in.hems_ids;
      n.window = window;
      n.published = now;
      n.offers_close = g.offers_close;
      n.plan_close = g.plan_close;
      out.push_back(std::move(n));
    }
    GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
    for (const auto& n : out) GRIDKE_TRY(impl_->store.put("need", n.request_id, to_json(n)));
    GRIDKE_TRY(impl_->store.set_next_id("need", next));
    GRIDKE_TRY(tx.commit());
    for (const auto& n : out) impl_->needs[n.request_id] = n;
    // One message per subscribed FSP with the needs of its zones.
    for (const auto& [id, f] : impl_->fsps) {
      if (!f.subscribed()) continue;
      nlohmann::json list = nlohmann::json::array();
      for (const auto& n : out) {
        if (f.serves(n.zone)) list.push_back(to_json(n));
      }
      if (!list.empty()) {
        box.messages.push_back({*f.needs_callback_url,
                                "needs",
                                {{"fspId", id}, {"window", to_string(window)}, {"needs", list}}});
      }
    }
    box.needs = out;
  }
  impl_->deliver(box);
  return out;
}

std::optional<FlexibilityNeed> FlexibilityMarket::need(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->needs.find(id);
  if (it == impl_->needs.end()) return std::nullopt;
  return it->second;
}

std::vector<FlexibilityNeed> FlexibilityMarket::needs() const {
  std::lock_guard lock(impl_->mu);
  std::vector<FlexibilityNeed> out;
  for (const auto& [id, n] : impl_->needs) out.push_back(n);
  return out;
}

// --- offers -------------------------------------------------------------------------------

Result<FlexibilityOffer> FlexibilityMarket::submit_offer(const OfferInput& in) {
  Outbox box;
  FlexibilityOffer o;
  {
    std::lock_guard lock(impl_->mu);
    const TimePoint now = clock_->now();
    GRIDKE_ASSIGN_OR_RETURN(const FlexibilityServiceProvider* f, impl_->find_fsp(in.fsp_id));
    auto nit = impl_->needs.find(in.request_id);
    if (nit == impl_->needs.end()) {
      return not_found("requestId: flexibility need '" + in.request_id + "' does not exist");
    }
    const FlexibilityNeed& n = nit->second;
    if (!f->serves(n.zone)) {
      return permission_denied("FSP '" + f->id + "' has no assets in zone '" + n.zone +
                               "' of need '" + n.request_id + "'");
    }
    if (now >= n.offers_close) {
      return failed_precondition("late offer: the " + std::string(to_string(n.window)) +
                                 " gate closure for offers on need '" + n.request_id + "' was " +
                                 format_time(n.offers_close) + " (now " + format_time(now) + ")");
    }
    const double max_kw = impl_->options.max_power_kw;
    if (!(in.quantity_kw > 0) || in.quantity_kw > max_kw) {
      return invalid_argument("quantity: must be > 0 and <= " + std::to_string(max_kw) +
                              " kW, got " + std::to_string(in.quantity_kw));
    }
    if (in.min_quantity_kw < 0 || in.min_quantity_kw > in.quantity_kw) {
      return invalid_argument(
          "minQuantity: must be within [0, quantity=" + std::to_string(in.quantity_kw) + "], got " +
          std::to_string(in.min_quantity_kw));
    }
    if (!std::isfinite(in.price_eur_per_mwh) || in.price_eur_per_mwh < 0) {
      return invalid_argument("price: must be a finite number >= 0 EUR/MWh, got " +
                              std::to_string(in.price_eur_per_mwh));
    }
    o.start = in.start.value_or(n.start);
    o.end = in.end.value_or(n.end);
    if (o.start > n.start || o.end < n.end) {
      return invalid_argument("startTime/endTime: the offer [" + format_time(o.start) + ", " +
                              format_time(o.end) + ") does not cover need '" + n.request_id +
                              "' [" + format_time(n.start) + ", " + format_time(n.end) + ")");
    }
    std::int64_t next = impl_->store.next_id("offer");
    if (in.offer_id) {
      o.offer_id = *in.offer_id;
    } else {
      do {
        o.offer_id = "OF-" + std::to_string(next++);
      } while (impl_->offers.count(o.offer_id));
    }
    if (o.offer_id.empty()) return invalid_argument("offerId: must not be empty");
    if (impl_->offers.count(o.offer_id)) {
      return already_exists("offerId: offer '" + o.offer_id + "' already exists");
    }
    o.fsp_id = f->id;
    o.request_id = n.request_id;
    o.zone = n.zone;
    o.direction = n.direction;
    o.quantity_kw = in.quantity_kw;
    o.min_quantity_kw = in.divisible ? in.min_quantity_kw : in.quantity_kw;
    o.divisible = in.divisible;
    o.price_eur_per_mwh = in.price_eur_per_mwh;
    o.state = OfferState::received;
    o.received = now;
    GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
    GRIDKE_TRY(impl_->store.put("offer", o.offer_id, to_json(o)));
    GRIDKE_TRY(
        impl_->store.add_transition({0, "offer", o.offer_id, "", std::string(to_string(o.state)),
                                     now, "received from " + o.fsp_id}));
    GRIDKE_TRY(impl_->store.set_next_id("offer", next));
    GRIDKE_TRY(tx.commit());
    impl_->offers[o.offer_id] = o;
    box.offer = o;
  }
  impl_->deliver(box);
  return o;
}

Result<FlexibilityOffer> FlexibilityMarket::verify_offer(const std::string& offer_id) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(FlexibilityOffer * o, impl_->find_offer(offer_id));
  if (o->state != OfferState::received) {
    return failed_precondition("offer '" + offer_id + "' is " + std::string(to_string(o->state)) +
                               "; only a Received offer can be verified");
  }
  FlexibilityOffer next = *o;
  next.state = OfferState::active;
  GRIDKE_TRY(impl_->save_offer(next, to_string(OfferState::received), "verified by the DSO"));
  return next;
}

Result<FlexibilityOffer> FlexibilityMarket::suspend_offer(const std::string& fsp_id,
                                                          const std::string& offer_id,
                                                          TimePoint until,
                                                          const std::string& reason) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(FlexibilityOffer * o, impl_->find_offer(offer_id));
  if (o->fsp_id != fsp_id) {
    return permission_denied("offer '" + offer_id + "' belongs to '" + o->fsp_id + "', not '" +
                             fsp_id + "'");
  }
  if (o->state != OfferState::active) {
    return failed_precondition("offer '" + offer_id + "' is " + std::string(to_string(o->state)) +
                               "; only an Active offer can be suspended");
  }
  if (until <= clock_->now()) {
    return failed_precondition("suspension of offer '" + offer_id +
                               "' must end in the future, got " + format_time(until));
  }
  FlexibilityOffer next = *o;
  next.state = OfferState::suspended;
  next.suspended_until = until;
  GRIDKE_TRY(impl_->save_offer(
      next, to_string(OfferState::active),
      "FSP unable until " + format_time(until) + (reason.empty() ? "" : ": " + reason)));
  return next;
}

Result<FlexibilityOffer> FlexibilityMarket::resume_offer(const std::string& fsp_id,
                                                         const std::string& offer_id) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(FlexibilityOffer * o, impl_->find_offer(offer_id));
  if (o->fsp_id != fsp_id) {
    return permission_denied("offer '" + offer_id + "' belongs to '" + o->fsp_id + "', not '" +
                             fsp_id + "'");
  }
  if (o->state != OfferState::suspended) {
    return failed_precondition("offer '" + offer_id + "' is " + std::string(to_string(o->state)) +
                               "; only a Suspended offer can be resumed");
  }
  FlexibilityOffer next = *o;
  next.state = OfferState::active;
  next.suspended_until.reset();
  GRIDKE_TRY(impl_->save_offer(next, to_string(OfferState::suspended), "resumed by the FSP"));
  return next;
}

std::optional<FlexibilityOffer> FlexibilityMarket::offer(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->offers.find(id);
  if (it == impl_->offers.end()) return std::nullopt;
  return it->second;
}

std::vector<FlexibilityOffer> FlexibilityMarket::offers() const {
  std::lock_guard lock(impl_->mu);
  std::vector<FlexibilityOffer> out;
  for (const auto& [id, o] : impl_->offers) out.push_back(o);
  return out;
}

// --- activation plan ----------------------------------------------------------------------

Result<ActivationPlan> FlexibilityMarket::clear(Window window) {
  Outbox box;
  ActivationPlan plan;
  {
    std::lock_guard lock(impl_->mu);
    const TimePoint now = clock_->now();
    std::map<std::string, bool> activated;
    for (const auto& [id, a] : impl_->activations) activated[a.request_id] = true;
    std::vector<FlexibilityNeed> open;
    std::size_t late = 0;
    for (const auto& [id, n] : impl_->needs) {
      if (n.window != window || activated.count(id)) continue;
      if (now >= n.plan_close) {
        ++late;
        continue;
      }
      open.push_back(n);
    }
    if (open.empty()) {
      return failed_precondition(
          late ? "late activation plan: the " + std::string(to_string(window)) +
                     " plan gate has closed for all " + std::to_string(late) + " open needs (now " +
                     format_time(now) + ")"
               : "no " + std::string(to_string(window)) +
                     " needs are waiting for an activation plan");
    }
    // Offers received for these needs are verified first (D4.3 §3.2.5 Received → Active).
    for (auto& [id, o] : impl_->offers) {
      if (o.state == OfferState::received) {
        FlexibilityOffer next = o;
        next.state = OfferState::active;
        GRIDKE_TRY(impl_->save_offer(next, to_string(OfferState::received), "verified by the DSO"));
      }
    }
    std::vector<FlexibilityOffer> pool;
    for (const auto& [id, o] : impl_->offers) pool.push_back(o);
    const Selection sel = select_offers(open, pool);
    std::map<std::string, const FlexibilityNeed*> need_by_id;
    for (const auto& n : open) need_by_id[n.request_id] = &n;
    std::int64_t next = impl_->store.next_id("activation");
    GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
    for (const Award& aw : sel.awards) {
      const FlexibilityOffer& o = impl_->offers.at(aw.offer_id);
      const FlexibilityNeed& n = *need_by_id.at(aw.request_id);
      Activation a;
      do {
        a.activation_id = "AC-" + std::to_string(next++);
      } while (impl_->activations.count(a.activation_id));
      a.offer_id = o.offer_id;
      a.fsp_id = o.fsp_id;
      a.request_id = n.request_id;
      a.zone = n.zone;
      a.direction = n.direction;
      a.start = n.start;
      a.end = n.end;
      a.power_kw = aw.power_kw;
      a.price_eur_per_mwh = o.price_eur_per_mwh;
      a.state = ActivationState::sent;
      a.sent = now;
      a.response_deadline = std::min(n.plan_close, now + impl_->options.activation_response_delay);
      if (a.response_deadline <= now)
        a.response_deadline = now + impl_->options.activation_response_delay;
      GRIDKE_TRY(impl_->store.put("activation", a.activation_id, to_json(a)));
      GRIDKE_TRY(impl_->store.add_transition({0, "activation", a.activation_id, "",
                                              std::string(to_string(a.state)), now,
                                              "activation plan for need " + n.request_id}));
      plan.activations.push_back(a);
    }
    GRIDKE_TRY(impl_->store.set_next_id("activation", next));
    GRIDKE_TRY(tx.commit());
    for (const auto& a : plan.activations) impl_->activations[a.activation_id] = a;
    plan.uncovered = sel.uncovered;
    plan.total_cost_eur = sel.total_cost_eur;
    std::map<std::string, nlohmann::json> per_fsp;
    for (const auto& a : plan.activations) per_fsp[a.fsp_id].push_back(to_json(a));
    for (auto& [fsp_id, list] : per_fsp) {
      const auto& f = impl_->fsps.at(fsp_id);
      if (f.activation_callback_url) {
        box.messages.push_back(
            {*f.activation_callback_url,
             "activation-plan",
             {{"fspId", fsp_id}, {"window", to_string(window)}, {"activations", list}}});
      }
    }
    box.activations = plan.activations;
  }
  impl_->deliver(box);
  return plan;
}

Result<Activation> FlexibilityMarket::respond_activation(const std::string& fsp_id,
                                                         const std::string& activation_id,
                                                         bool accept) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(Activation * a, impl_->own_activation(fsp_id, activation_id));
  const TimePoint now = clock_->now();
  if (a->state != ActivationState::sent) {
    return failed_precondition("activation '" + activation_id + "' is " +
                               std::string(to_string(a->state)) +
                               "; only a Sent activation can be answered");
  }
  if (now > a->response_deadline) {
    return failed_precondition("late response: activation '" + activation_id +
                               "' had to be answered by " + format_time(a->response_deadline) +
                               " (now " + format_time(now) + ")");
  }
  Activation next = *a;
  next.state = accept ? ActivationState::accepted : ActivationState::cancelled;
  GRIDKE_TRY(impl_->save_activation(next, to_string(ActivationState::sent),
                                    accept ? "accepted by " + fsp_id : "refused by " + fsp_id));
  return next;
}

std::optional<Activation> FlexibilityMarket::activation(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->activations.find(id);
  if (it == impl_->activations.end()) return std::nullopt;
  return it->second;
}

std::vector<Activation> FlexibilityMarket::activations() const {
  std::lock_guard lock(impl_->mu);
  std::vector<Activation> out;
  for (const auto& [id, a] : impl_->activations) out.push_back(a);
  return out;
}

Result<int> FlexibilityMarket::tick() {
  std::lock_guard lock(impl_->mu);
  const TimePoint now = clock_->now();
  int changes = 0;
  std::map<std::string, bool> activated_offer;
  for (const auto& [id, a] : impl_->activations) {
    if (a.state != ActivationState::cancelled) activated_offer[a.offer_id] = true;
  }
  for (auto& [id, o] : std::map(impl_->offers)) {
    const auto nit = impl_->needs.find(o.request_id);
    if (nit == impl_->needs.end()) continue;
    if (o.state != OfferState::expired && now >= nit->second.plan_close &&
        !activated_offer.count(id)) {
      FlexibilityOffer next = o;
      next.state = OfferState::expired;
      next.suspended_until.reset();
      GRIDKE_TRY(impl_->save_offer(
          next, to_string(o.state),
          "activation deadline " + format_time(nit->second.plan_close) + " passed"));
      ++changes;
    } else if (o.state == OfferState::suspended && o.suspended_until && now >= *o.suspended_until) {
      FlexibilityOffer next = o;
      next.state = OfferState::active;
      next.suspended_until.reset();
      GRIDKE_TRY(impl_->save_offer(next, to_string(OfferState::suspended), "suspension ended"));
      ++changes;
    }
  }
  for (auto& [id, a] : std::map(impl_->activations)) {
    if (a.state == ActivationState::sent && now > a.response_deadline) {
      Activation next = a;
      next.state = ActivationState::cancelled;
      GRIDKE_TRY(
          impl_->save_activation(next, to_string(ActivationState::sent),
                                 "response delay expired at " + format_time(a.response_deadline)));
      ++changes;
    }
  }
  return changes;
}

// --- downstream ---------------------------------------------------------------------------

Result<void> FlexibilityMarket::submit_baseline(const std::string& fsp_id,
                                                const std::string& activation_id,
                                                std::vector<ParticipantSeries> baselines) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(Activation * a, impl_->own_activation(fsp_id, activation_id));
  if (a->state != ActivationState::accepted) {
    return failed_precondition("activation '" + activation_id + "' is " +
                               std::string(to_string(a->state)) +
                               "; baselines are for Accepted activations");
  }
  if (impl_->verifications.count(activation_id)) {
    return failed_precondition("activation '" + activation_id + "' is already verified");
  }
  if (baselines.empty()) return invalid_argument("baselines: at least one participant is required");
  nlohmann::json j = nlohmann::json::array();
  for (const auto& s : baselines) j.push_back({{"participantId", s.participant_id}, {"kW", s.kw}});
  GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
  GRIDKE_TRY(impl_->store.put("baseline", activation_id, j));
  GRIDKE_TRY(tx.commit());
  impl_->baselines[activation_id] = std::move(baselines);
  return {};
}

Result<void> FlexibilityMarket::submit_metering(const std::string& activation_id,
                                                std::vector<ParticipantSeries> metered) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(Activation * a, impl_->find_activation(activation_id));
  if (a->state != ActivationState::accepted) {
    return failed_precondition("activation '" + activation_id + "' is " +
                               std::string(to_string(a->state)) +
                               "; metering is for Accepted activations");
  }
  if (impl_->verifications.count(activation_id)) {
    return failed_precondition("activation '" + activation_id + "' is already verified");
  }
  if (metered.empty()) return invalid_argument("metering: at least one participant is required");
  nlohmann::json j = nlohmann::json::array();
  for (const auto& s : metered) j.push_back({{"participantId", s.participant_id}, {"kW", s.kw}});
  GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
  GRIDKE_TRY(impl_->store.put("metering", activation_id, j));
  GRIDKE_TRY(tx.commit());
  impl_->metering[activation_id] = std::move(metered);
  return {};
}

Result<Verification> FlexibilityMarket::verify(const std::string& activation_id) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_ASSIGN_OR_RETURN(Activation * a, impl_->find_activation(activation_id));
  if (impl_->verifications.count(activation_id)) {
    return failed_precondition("activation '" + activation_id + "' is already verified");
  }
  auto b = impl_->baselines.find(activation_id);
  auto m = impl_->metering.find(activation_id);
  if (b == impl_->baselines.end()) {
    return failed_precondition("activation '" + activation_id + "': no baseline from the FSP yet");
  }
  if (m == impl_->metering.end()) {
    return failed_precondition("activation '" + activation_id + "': no metering data yet");
  }
  GRIDKE_ASSIGN_OR_RETURN(Verification v,
                          verify_activation(*a, b->second, m->second, impl_->options.verification));
  if (auto o = impl_->outcomes.find(activation_id); o != impl_->outcomes.end())
    v.outcome = o->second;
  v.state = SettlementState::pending;
  GRIDKE_TRY(impl_->save_verification(v, "",
                                      "delivered " + std::to_string(v.delivered_kwh) + " kWh of " +
                                          std::to_string(v.contracted_kwh)));
  return v;
}

namespace {
Result<Verification*> pending_settlement(std::map<std::string, Verification>& all,
                                         const std::string& id) {
  auto it = all.find(id);
  if (it == all.end()) return failed_precondition("activation '" + id + "' is not verified yet");
  if (it->second.state != SettlementState::pending) {
    return failed_precondition("settlement of activation '" + id + "' is already " +
                               std::string(to_string(it->second.state)));
  }
  return &it->second;
}
}  // namespace

Result<Verification> FlexibilityMarket::confirm_settlement(const std::string& fsp_id,
                                                           const std::string& activation_id) {
  std::lock_guard lock(impl_->mu);
  GRIDKE_TRY(impl_->own_activation(fsp_id, activation_id));
  GRIDKE_ASSIGN_OR_RETURN(Verification * v,
                          pending_settlement(impl_->verifications, activation_id));
  Verification next = *v;
  next.state = SettlementState::confirmed;
  GRIDKE_TRY(impl_->save_verification(next, to_string(SettlementState::pending),
                                      "confirmed by " + fsp_id));
  return next;
}

Result<Verification> FlexibilityMarket::dispute_settlement(const std::string& fsp_id,
                                                           const std::string& activation_id,
                                                           const std::string& reason) {
  if (reason.empty()) return invalid_argument("reason: a dispute needs a reason");
  std::lock_guard lock(impl_->mu);
  GRIDKE_TRY(impl_->own_activation(fsp_id, activation_id));
  GRIDKE_ASSIGN_OR_RETURN(Verification * v,
                          pending_settlement(impl_->verifications, activation_id));
  Verification next = *v;
  next.state = SettlementState::disputed;
  next.dispute_reason = reason;
  GRIDKE_TRY(impl_->save_verification(next, to_string(SettlementState::pending),
                                      "disputed by " + fsp_id + ": " + reason));
  return next;
}

Result<void> FlexibilityMarket::report_outcome(const std::string& fsp_id,
                                               const std::string& activation_id, bool succeeded,
                                               double percent_of_target) {
  if (!std::isfinite(percent_of_target) || percent_of_target < 0 || percent_of_target > 1000) {
    return invalid_argument("percentOfTarget: must be within [0, 1000], got " +
                            std::to_string(percent_of_target));
  }
  std::lock_guard lock(impl_->mu);
  GRIDKE_TRY(impl_->own_activation(fsp_id, activation_id));
  OutcomeReport r{succeeded, percent_of_target, clock_->now()};
  GRIDKE_ASSIGN_OR_RETURN(auto tx, impl_->store.begin());
  GRIDKE_TRY(impl_->store.put("outcome", activation_id,
                              {{"succeeded", succeeded},
                               {"percentOfTarget", percent_of_target},
                               {"reported", format_time(r.reported)}}));
  auto v = impl_->verifications.find(activation_id);
  if (v != impl_->verifications.end()) {
    Verification next = v->second;
    next.outcome = r;
    GRIDKE_TRY(impl_->store.put("verification", activation_id, to_json(next)));
  }
  GRIDKE_TRY(tx.commit());
  impl_->outcomes[activation_id] = r;
  if (v != impl_->verifications.end()) v->second.outcome = r;
  return {};
}

std::optional<Verification> FlexibilityMarket::verification(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->verifications.find(id);
  if (it == impl_->verifications.end()) return std::nullopt;
  return it->second;
}

std::optional<std::vector<ParticipantSeries>> FlexibilityMarket::baseline(
    const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->baselines.find(id);
  if (it == impl_->baselines.end()) return std::nullopt;
  return it->second;
}

std::optional<OutcomeReport> FlexibilityMarket::outcome(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->outcomes.find(id);
  if (it == impl_->outcomes.end()) return std::nullopt;
  return it->second;
}

Result<std::vector<Transition>> FlexibilityMarket::transitions(const std::string& id) const {
  std::lock_guard lock(impl_->mu);
  return impl_->store.transitions(id);
}

}  // namespace gridke::services::flexibility_market
