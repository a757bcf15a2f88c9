#include "gridke/adapters/metering/metering_ssa.hpp"

#include <atomic>
#include <cstdio>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/rdf/vocabulary.hpp"

namespace gridke::adapters::metering {

namespace mt = services::metering;
using adapter::BoolCodec;
using adapter::DateTimeCodec;
using adapter::DoubleCodec;
using adapter::IriCodec;
using adapter::StringCodec;

Result<pattern::Binding> tic_binding(const mt::Delivery& d, const SsaOptions& o) {
  const auto& r = d.reading;
  std::string missing;
  if (!r.pcoup_kva) missing += " PCOUP";
  if (!r.sinsti_va) missing += " SINSTI";
  if (!r.stge) missing += " STGE";
  if (!missing.empty()) {
    return failed_precondition("contract (j) needs PCOUP, SINSTI and STGE; the delivery to '" +
                               d.provider + "' lacks" + missing);
  }
  const std::string meter = o.meter_base + "PRM-" + d.prm_token;
  const std::string stamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(r.time.time_since_epoch()).count());
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08X", *r.stge);
  const DoubleCodec decimal{std::string(rdf::vocab::xsd_decimal)};
  pattern::Binding b;
  GRIDKE_TRY(adapter::put(b, "meter", meter, IriCodec{}, kPostTicData));
  GRIDKE_TRY(adapter::put(b, "prm", d.prm_token, StringCodec{}, kPostTicData));
  GRIDKE_TRY(adapter::put(b, "mPcoup", meter + "/PCOUP/" + stamp, IriCodec{}, kPostTicData));
  GRIDKE_TRY(adapter::put(b, "mSinsti", meter + "/SINSTI/" + stamp, IriCodec{}, kPostTicData));
  GRIDKE_TRY(adapter::put(b, "mStge", meter + "/STGE/" + stamp, IriCodec{}, kPostTicData));
  GRIDKE_TRY(adapter::put(b, "pcoupKva", *r.pcoup_kva, decimal, kPostTicData));
  GRIDKE_TRY(adapter::put(b, "sinstiVa", *r.sinsti_va, decimal, kPostTicData));
  GRIDKE_TRY(adapter::put(b, "stgeHex", std::string(hex), StringCodec{}, kPostTicData));
  GRIDKE_TRY(adapter::put(b, "ts", std::chrono::system_clock::time_point(r.time), DateTimeCodec{},
                          kPostTicData));
  GRIDKE_TRY(adapter::put(b, "overrun", r.overrun, BoolCodec{}, kPostTicData));
  return b;
}

struct MeteringSsa::Impl {
  mt::MeteringService& service;
  SsaOptions options;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  int listener = 0;
  std::atomic<std::int64_t> posted{0}, failures{0}, not_representable{0}, answers{0};

  Impl(mt::MeteringService& s, SsaOptions o) : service(s), options(std::move(o)) {}

  void on_delivery(const mt::Delivery& d) {
    if (d.knowledge_base_id.empty()) return;
    if (d.kind != mt::EventKind::pcoup_changed && d.kind != mt::EventKind::overrun &&
        d.kind != mt::EventKind::injection) {
      return;
    }
    auto b = tic_binding(d, options);
    if (!b) {
      ++not_representable;
      return;
    }
    engine::CallOptions call;
    call.deadline = options.post_deadline;
    call.recipients.knowledge_bases = {d.knowledge_base_id};
    auto r = adapter->post(kPostTicData, pattern::BindingSet{std::move(*b)}, call);
    ++(r ? posted : failures);
  }

  // Only the provider whose knowledge base asks gets anything, and only for consented PdLs.
  Result<pattern::BindingSet> on_ask(const adapter::Request& req) {
    pattern::BindingSet out;
    for (const auto& p : service.providers()) {
      if (p.knowledge_base_id.empty() || p.knowledge_base_id != req.requesting_kb()) continue;
      GRIDKE_ASSIGN_OR_RETURN(auto latest, service.latest_all(p.id));
      for (const auto& d : latest) {
        auto b = tic_binding(d, options);
        if (!b) continue;
        bool wanted = req.bindings().empty();
        for (const auto& asked : req.bindings()) wanted = wanted || b->is_compatible_with(asked);
        if (wanted) out.insert(std::move(*b));
      }
    }
    answers += static_cast<std::int64_t>(out.size());
    return out;
  }
};

MeteringSsa::MeteringSsa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MeteringSsa::~MeteringSsa() {
  if (!impl_) return;
  impl_->service.remove_listener(impl_->listener);
  (void)impl_->adapter->stop();
}

Result<std::unique_ptr<MeteringSsa>> MeteringSsa::start(engine::KnowledgeEngine& engine,
                                                        const adapter::ContractSet& contracts,
                                                        mt::MeteringService& service,
                                                        SsaOptions options) {
  auto impl = std::make_unique<Impl>(service, std::move(options));
  Impl* raw = impl.get();
  adapter::Ssa ssa(raw->options.knowledge_base_id, "Smart-meter data platform",
                   "InterConnect French pilot dynamic metering data platform (D4.3 §3.4.2)");
  ssa.post(kPostTicData);
  ssa.answer(kAnswerTicData, [raw](const adapter::Request& r) { return raw->on_ask(r); });
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  impl->listener = service.add_listener([raw](const mt::Delivery& d) { raw->on_delivery(d); });
  return std::unique_ptr<MeteringSsa>(new MeteringSsa(std::move(impl)));
}

SsaStats MeteringSsa::stats() const {
  return {impl_->posted.load(), impl_->failures.load(), impl_->not_representable.load(),
          impl_->answers.load()};
}

}  // namespace gridke::adapters::metering
