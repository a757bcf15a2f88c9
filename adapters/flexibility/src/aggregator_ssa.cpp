#include "gridke/adapters/flexibility/aggregator_ssa.hpp"

#include <set>

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

constexpr const char* react_needs = "react-flexibility-needs";
constexpr const char* post_offer = "post-flexibility-offer";
constexpr const char* react_plan = "react-activation-plan";

using detail::ms;
using detail::sys;

}  // namespace

struct AggregatorSsa::Impl {
  AggregatorCallbacks callbacks;
  AggregatorSsaOptions options;
  std::unique_ptr<adapter::GenericAdapter> adapter;

  Result<pattern::BindingSet> on_needs(const adapter::Request& req) {
    std::map<std::string, fm::FlexibilityNeed> by_id;
    std::map<std::string, std::string> request_iri;
    for (const auto& b : req.bindings()) {
      GRIDKE_ASSIGN_OR_RETURN(auto id, req.get(b, "requestId", StringCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto iri, req.get(b, "request", IriCodec{}));
      fm::FlexibilityNeed& n = by_id[id];
      n.request_id = id;
      request_iri[id] = iri;
      GRIDKE_ASSIGN_OR_RETURN(n.needs_kw, req.get(b, "needKw", DoubleCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto dir, req.get(b, "direction", IriCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(n.direction, direction_from_iri(dir));
      GRIDKE_ASSIGN_OR_RETURN(auto start, req.get(b, "start", DateTimeCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto end, req.get(b, "end", DateTimeCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto created, req.get(b, "createdAt", DateTimeCodec{}));
      n.start = ms(start);
      n.end = ms(end);
      n.published = ms(created);
      GRIDKE_ASSIGN_OR_RETURN(auto hems, req.get(b, "hemsId", StringCodec{}));
      n.hems_ids.push_back(hems);
    }
    std::vector<fm::FlexibilityNeed> needs;
    for (auto& [id, n] : by_id) needs.push_back(std::move(n));
    if (!needs.empty()) callbacks.on_needs(needs);
    pattern::BindingSet out;
    for (const auto& [id, iri] : request_iri) {
      pattern::Binding r;
      GRIDKE_TRY(req.put(r, "request", iri, IriCodec{}));
      GRIDKE_TRY(req.put(r, "status", accepted_iri(), IriCodec{}));
      out.insert(std::move(r));
    }
    return out;
  }

  Result<pattern::BindingSet> on_plan(const adapter::Request& req) {
    std::vector<fm::Activation> list;
    std::map<std::string, std::string> instruction_iri;
    for (const auto& b : req.bindings()) {
      fm::Activation a;
      GRIDKE_ASSIGN_OR_RETURN(a.activation_id, req.get(b, "activationId", StringCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto iri, req.get(b, "instruction", IriCodec{}));
      instruction_iri[a.activation_id] = iri;
      GRIDKE_ASSIGN_OR_RETURN(a.offer_id, req.get(b, "offerId", StringCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(a.power_kw, req.get(b, "setPointKw", DoubleCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto start, req.get(b, "slotStart", DateTimeCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto end, req.get(b, "slotEnd", DateTimeCodec{}));
      a.start = ms(start);
      a.end = ms(end);
      a.fsp_id = options.fsp_id;
      list.push_back(std::move(a));
    }
    const auto answers = callbacks.on_activations(list);
    pattern::BindingSet out;
    for (const auto& [id, iri] : instruction_iri) {
      auto it = answers.find(id);
      if (it == answers.end()) continue;  // no answer: the DSO's response delay decides
      pattern::Binding r;
      GRIDKE_TRY(req.put(r, "instruction", iri, IriCodec{}));
      GRIDKE_TRY(req.put(r, "status", it->second ? accepted_iri() : rejected_iri(), IriCodec{}));
      out.insert(std::move(r));
    }
    return out;
  }
};

AggregatorSsa::AggregatorSsa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AggregatorSsa::~AggregatorSsa() {
  if (impl_ && impl_->adapter) (void)impl_->adapter->stop();
}

Result<std::unique_ptr<AggregatorSsa>> AggregatorSsa::start(engine::KnowledgeEngine& engine,
                                                            const adapter::ContractSet& contracts,
                                                            AggregatorCallbacks callbacks,
                                                            AggregatorSsaOptions options) {
  if (options.fsp_id.empty()) return invalid_argument("aggregator SSA: fsp_id is empty");
  if (!callbacks.on_needs || !callbacks.on_activations) {
    return invalid_argument("aggregator SSA '" + options.fsp_id +
                            "': on_needs and on_activations are required");
  }
  auto impl = std::make_unique<Impl>();
  impl->callbacks = std::move(callbacks);
  impl->options = std::move(options);
  Impl* raw = impl.get();
  adapter::Ssa ssa(raw->options.iris.fsp_kb(raw->options.fsp_id),
                   raw->options.name.empty() ? raw->options.fsp_id : raw->options.name,
                   "Flexibility service provider (aggregator), InterConnect D4.3 §4.4");
  ssa.react(react_needs, [raw](const adapter::Request& r) { return raw->on_needs(r); });
  ssa.post(post_offer);
  ssa.react(react_plan, [raw](const adapter::Request& r) { return raw->on_plan(r); });
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  return std::unique_ptr<AggregatorSsa>(new AggregatorSsa(std::move(impl)));
}

Result<std::map<std::string, bool>> AggregatorSsa::post_offers(
    const std::vector<OfferToPost>& offers) {
  const auto& i = impl_->options.iris;
  pattern::BindingSet set;
  const auto now = std::chrono::system_clock::now();
  for (const auto& o : offers) {
    pattern::Binding b;
    auto put_all = [&]() -> Result<void> {
      GRIDKE_TRY(adapter::put(b, "offer", o.offer_id, IriCodec{i.offer_base}, post_offer));
      GRIDKE_TRY(adapter::put(b, "offerId", o.offer_id, StringCodec{}, post_offer));
      GRIDKE_TRY(adapter::put(b, "request", o.request_id, IriCodec{i.request_base}, post_offer));
      GRIDKE_TRY(adapter::put(b, "requestId", o.request_id, StringCodec{}, post_offer));
      GRIDKE_TRY(adapter::put(b, "hems", o.hems_id, IriCodec{i.hems_base}, post_offer));
      GRIDKE_TRY(adapter::put(b, "hemsId", o.hems_id, StringCodec{}, post_offer));
      GRIDKE_TRY(adapter::put(b, "createdAt", now, DateTimeCodec{}, post_offer));
      const std::string s = fm::format_time(o.start), e = fm::format_time(o.end);
      GRIDKE_TRY(adapter::put(b, "period", s + "/" + e, IriCodec{i.period_base}, post_offer));
      GRIDKE_TRY(adapter::put(b, "startInstant", s, IriCodec{i.instant_base}, post_offer));
      GRIDKE_TRY(adapter::put(b, "endInstant", e, IriCodec{i.instant_base}, post_offer));
      GRIDKE_TRY(adapter::put(b, "start", sys(o.start), DateTimeCodec{}, post_offer));
      GRIDKE_TRY(adapter::put(b, "end", sys(o.end), DateTimeCodec{}, post_offer));
      GRIDKE_TRY(adapter::put(b, "flex", o.offer_id + "/flex", IriCodec{i.offer_base}, post_offer));
      GRIDKE_TRY(adapter::put(b, "direction", direction_iri(o.direction), IriCodec{}, post_offer));
      GRIDKE_TRY(adapter::put(b, "offeredKw", o.quantity_kw,
                              DoubleCodec{std::string(rdf::vocab::xsd_decimal)}, post_offer));
      GRIDKE_TRY(
          adapter::put(b, "price", o.offer_id + "/price", IriCodec{i.offer_base}, post_offer));
      GRIDKE_TRY(adapter::put(b, "eurPerKwh", o.price_eur_per_mwh / 1000.0,
                              DoubleCodec{std::string(rdf::vocab::xsd_decimal)}, post_offer));
      return ok();
    };
    auto r = put_all();
    if (!r) return r.error().with_context("offer '" + o.offer_id + "'");
    set.insert(std::move(b));
  }
  engine::CallOptions call;
  call.deadline = impl_->options.post_deadline;
  call.recipients.knowledge_bases = {i.market_kb};
  GRIDKE_ASSIGN_OR_RETURN(auto result, impl_->adapter->post(post_offer, std::move(set), call));
  std::map<std::string, bool> out;
  for (const auto& res : result.result_bindings) {
    auto id = adapter::get(res, "offer", IriCodec{i.offer_base}, post_offer);
    auto status = adapter::get(res, "status", IriCodec{}, post_offer);
    if (id && status) out[*id] = *status == accepted_iri();
  }
  return out;
}

}  // namespace gridke::adapters::flexibility
