#include "gridke/adapters/flexibility/market_ssa.hpp"

#include <atomic>
#include <map>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/services/flexibility_market/model_json.hpp"
#include "time_points.hpp"

namespace gridke::adapters::flexibility {

namespace fm = services::flexibility_market;
using adapter::DateTimeCodec;
using adapter::DoubleCodec;
using adapter::IriCodec;
using adapter::StringCodec;

namespace {

constexpr const char* post_needs = "post-flexibility-needs";
constexpr const char* react_offer = "react-flexibility-offer";
constexpr const char* post_plan = "post-activation-plan";

using detail::ms;
using detail::sys;

}  // namespace

struct MarketSsa::Impl {
  fm::FlexibilityMarket& market;
  MarketSsaOptions options;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  std::atomic<std::int64_t> needs_posted{0}, accepted{0}, rejected{0}, plans{0}, answers{0},
      failures{0};

  Impl(fm::FlexibilityMarket& m, MarketSsaOptions o) : market(m), options(std::move(o)) {}

  const FlexibilityIris& iris() const { return options.iris; }

  Result<pattern::Binding> need_binding(const fm::FlexibilityNeed& n, const std::string& hems_id) {
    pattern::Binding b;
    const auto& i = iris();
    GRIDKE_TRY(adapter::put(b, "request", n.request_id, IriCodec{i.request_base}, post_needs));
    GRIDKE_TRY(adapter::put(b, "requestId", n.request_id, StringCodec{}, post_needs));
    GRIDKE_TRY(adapter::put(b, "createdAt", sys(n.published), DateTimeCodec{}, post_needs));
    GRIDKE_TRY(adapter::put(b, "hems", hems_id, IriCodec{i.hems_base}, post_needs));
    GRIDKE_TRY(adapter::put(b, "hemsId", hems_id, StringCodec{}, post_needs));
    const std::string s = fm::format_time(n.start), e = fm::format_time(n.end);
    GRIDKE_TRY(adapter::put(b, "period", s + "/" + e, IriCodec{i.period_base}, post_needs));
    GRIDKE_TRY(adapter::put(b, "startInstant", s, IriCodec{i.instant_base}, post_needs));
    GRIDKE_TRY(adapter::put(b, "endInstant", e, IriCodec{i.instant_base}, post_needs));
    GRIDKE_TRY(adapter::put(b, "start", sys(n.start), DateTimeCodec{}, post_needs));
    GRIDKE_TRY(adapter::put(b, "end", sys(n.end), DateTimeCodec{}, post_needs));
    GRIDKE_TRY(adapter::put(b, "need", n.request_id, IriCodec{i.need_base}, post_needs));
    GRIDKE_TRY(adapter::put(b, "direction", direction_iri(n.direction), IriCodec{}, post_needs));
    GRIDKE_TRY(adapter::put(b, "needKw", n.needs_kw,
                            DoubleCodec{std::string(rdf::vocab::xsd_decimal)}, post_needs));
    return b;
  }

  // (f): per subscribed or not, every registered FSP serving the zone gets the needs of its
  // zones through its knowledge base.
  void on_needs(const std::vector<fm::FlexibilityNeed>& needs) {
    for (const auto& f : market.fsps()) {
      pattern::BindingSet set;
      for (const auto& n : needs) {
        if (!f.serves(n.zone)) continue;
        std::vector<std::string> targets = n.hems_ids;
        if (targets.empty()) targets.push_back(n.zone);
        for (const auto& h : targets) {
          auto b = need_binding(n, h);
          if (!b) {
            ++failures;
            continue;
          }
          set.insert(std::move(*b));
        }
      }
      if (set.empty()) continue;
      engine::CallOptions call;
      call.deadline = options.post_deadline;
      call.recipients.knowledge_bases = {iris().fsp_kb(f.id)};
      const auto count = static_cast<std::int64_t>(set.size());
      auto r = adapter->post(post_needs, std::move(set), call);
      if (r) {
        needs_posted += count;
      } else {
        ++failures;
      }
    }
  }

  // (g): one offer per binding.
  Result<pattern::BindingSet> on_offers(const adapter::Request& req) {
    GRIDKE_ASSIGN_OR_RETURN(const std::string fsp, iris().fsp_of_kb(req.requesting_kb()));
    pattern::BindingSet out;
    for (const auto& b : req.bindings()) {
      fm::OfferInput in;
      in.fsp_id = fsp;
      GRIDKE_ASSIGN_OR_RETURN(auto offer_iri, req.get(b, "offer", IriCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto offer_id, req.get(b, "offerId", StringCodec{}));
      in.offer_id = offer_id;
      GRIDKE_ASSIGN_OR_RETURN(in.request_id, req.get(b, "requestId", StringCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(in.quantity_kw, req.get(b, "offeredKw", DoubleCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(const double eur_per_kwh, req.get(b, "eurPerKwh", DoubleCodec{}));
      in.price_eur_per_mwh = eur_per_kwh * 1000.0;
      GRIDKE_ASSIGN_OR_RETURN(auto start, req.get(b, "start", DateTimeCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto end, req.get(b, "end", DateTimeCodec{}));
      in.start = ms(start);
      in.end = ms(end);
      GRIDKE_ASSIGN_OR_RETURN(auto dir_iri, req.get(b, "direction", IriCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto dir, direction_from_iri(dir_iri));
      auto need = market.need(in.request_id);
      auto r =
          need && need->direction != dir
              ? Result<fm::FlexibilityOffer>(invalid_argument("direction differs from the need's"))
              : market.submit_offer(in);
      ++(r ? accepted : rejected);
      pattern::Binding res;
      GRIDKE_TRY(req.put(res, "offer", offer_iri, IriCodec{}));
      GRIDKE_TRY(req.put(res, "status", r ? accepted_iri() : rejected_iri(), IriCodec{}));
      out.insert(std::move(res));
    }
    return out;
  }

  Result<pattern::Binding> plan_binding(const fm::Activation& a) {
    pattern::Binding b;
    const auto& i = iris();
    GRIDKE_TRY(
        adapter::put(b, "instruction", a.activation_id, IriCodec{i.instruction_base}, post_plan));
    GRIDKE_TRY(adapter::put(b, "activationId", a.activation_id, StringCodec{}, post_plan));
    GRIDKE_TRY(adapter::put(b, "offer", a.offer_id, IriCodec{i.offer_base}, post_plan));
    GRIDKE_TRY(adapter::put(b, "offerId", a.offer_id, StringCodec{}, post_plan));
    GRIDKE_TRY(adapter::put(b, "executionTime", sys(a.start), DateTimeCodec{}, post_plan));
    GRIDKE_TRY(adapter::put(b, "plan", a.activation_id + "/plan", IriCodec{i.instruction_base},
                            post_plan));
    GRIDKE_TRY(adapter::put(b, "setPoint", a.activation_id + "/plan/1",
                            IriCodec{i.instruction_base}, post_plan));
    GRIDKE_TRY(adapter::put(b, "setPointKw", a.power_kw,
                            DoubleCodec{std::string(rdf::vocab::xsd_decimal)}, post_plan));
    const std::string s = fm::format_time(a.start), e = fm::format_time(a.end);
    GRIDKE_TRY(adapter::put(b, "slot", s + "/" + e, IriCodec{i.period_base}, post_plan));
    GRIDKE_TRY(adapter::put(b, "slotStartInstant", s, IriCodec{i.instant_base}, post_plan));
    GRIDKE_TRY(adapter::put(b, "slotEndInstant", e, IriCodec{i.instant_base}, post_plan));
    GRIDKE_TRY(adapter::put(b, "slotStart", sys(a.start), DateTimeCodec{}, post_plan));
    GRIDKE_TRY(adapter::put(b, "slotEnd", sys(a.end), DateTimeCodec{}, post_plan));
    return b;
  }

  // (h): the plan to each FSP; its answers decide Sent → Accepted / Cancelled.
  void on_plan(const std::vector<fm::Activation>& activations) {
    std::map<std::string, std::vector<const fm::Activation*>> per_fsp;
    for (const auto& a : activations) per_fsp[a.fsp_id].push_back(&a);
    for (const auto& [fsp, list] : per_fsp) {
      pattern::BindingSet set;
      for (const auto* a : list) {
        auto b = plan_binding(*a);
        if (!b) {
          ++failures;
          continue;
        }
        set.insert(std::move(*b));
      }
      engine::CallOptions call;
      call.deadline = options.post_deadline;
      call.recipients.knowledge_bases = {iris().fsp_kb(fsp)};
      const auto count = static_cast<std::int64_t>(set.size());
      auto r = adapter->post(post_plan, std::move(set), call);
      if (!r) {
        ++failures;
        continue;
      }
      plans += count;
      for (const auto& res : r->result_bindings) {
        auto id = adapter::get(res, "instruction", IriCodec{iris().instruction_base}, post_plan);
        auto status = adapter::get(res, "status", IriCodec{}, post_plan);
        if (!id || !status) {
          ++failures;
          continue;
        }
        const bool yes = *status == accepted_iri() || *status == started_iri();
        const bool no = *status == rejected_iri();
        if (!yes && !no) continue;
        if (market.respond_activation(fsp, *id, yes)) ++answers;
      }
    }
  }
};

MarketSsa::MarketSsa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MarketSsa::~MarketSsa() {
  if (!impl_) return;
  impl_->market.set_listeners({});
  (void)impl_->adapter->stop();
}

Result<std::unique_ptr<MarketSsa>> MarketSsa::start(engine::KnowledgeEngine& engine,
                                                    const adapter::ContractSet& contracts,
                                                    fm::FlexibilityMarket& market,
                                                    MarketSsaOptions options) {
  auto impl = std::make_unique<Impl>(market, std::move(options));
  Impl* raw = impl.get();
  adapter::Ssa ssa(raw->options.iris.market_kb, "Flexibility market (DSO)",
                   "InterConnect D4.3 §4.4: needs, offers, activation plan");
  ssa.post(post_needs);
  ssa.react(react_offer, [raw](const adapter::Request& r) { return raw->on_offers(r); });
  ssa.post(post_plan);
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  fm::MarketListeners listeners;
  listeners.on_needs = [raw](const std::vector<fm::FlexibilityNeed>& n) { raw->on_needs(n); };
  listeners.on_activation_plan = [raw](const std::vector<fm::Activation>& a) { raw->on_plan(a); };
  market.set_listeners(std::move(listeners));
  return std::unique_ptr<MarketSsa>(new MarketSsa(std::move(impl)));
}

MarketSsaStats MarketSsa::stats() const {
  return {impl_->needs_posted.load(), impl_->accepted.load(), impl_->rejected.load(),
          impl_->plans.load(),        impl_->answers.load(),  impl_->failures.load()};
}

}  // namespace gridke::adapters::flexibility
