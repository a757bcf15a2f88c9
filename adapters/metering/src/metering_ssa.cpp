#include "gridke/adapters/metering/metering_ssa.hpp"

#include <atomic>
#include <cstdio>
#include <vector>

#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/rdf/vocabulary.hpp"

namespace gridke::adapters::metering {

namespace mt = services::metering;
using adapter::BoolCodec;
using adapter::DateTimeCodec;
using adapter::DoubleCodec;
using adapter::IriCodec;
using adapter::StringCodec;

namespace metering_ssa_detail {

constexpr const char* kS4ener = "https://saref.etsi.org/saref4ener/";
constexpr const char* kXsdDateTimeStamp = "http://www.w3.org/2001/XMLSchema#dateTimeStamp";

// "2026-11-27T17:00:00Z" (whole seconds, UTC): the lexical form of the contracts' examples.
std::string iso_seconds(mt::TimePoint t) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto day = floor<days>(secs);
  const year_month_day ymd(day);
  const hh_mm_ss hms(secs - day);
  char buf[80];  // 20 used; room for what -Wformat-truncation assumes the ints may print
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

rdf::Term date_time_stamp(mt::TimePoint t) {
  return rdf::Term::literal(iso_seconds(t), kXsdDateTimeStamp);
}

mt::TimePoint to_time_point(std::chrono::system_clock::time_point t) {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(t);
}

// One decoded binding of react-connection-power-limit.
struct IncomingLimit {
  std::string prm;
  rdf::Term limit;
  mt::PowerLimitOrder order;
};

Result<IncomingLimit> decode_limit(const adapter::Request& req, const pattern::Binding& b) {
  IncomingLimit in;
  GRIDKE_ASSIGN_OR_RETURN(in.prm, req.get(b, "prm", StringCodec{}));
  const rdf::Term* limit = b.find("limit");
  if (limit == nullptr) {
    return invalid_argument("KI " + req.contract.name + ", variable ?limit: not bound");
  }
  in.limit = *limit;
  GRIDKE_ASSIGN_OR_RETURN(in.order.limit_kw, req.get(b, "maxKw", DoubleCodec{}));
  GRIDKE_ASSIGN_OR_RETURN(const auto from, req.get(b, "from", DateTimeCodec{}));
  GRIDKE_ASSIGN_OR_RETURN(const auto until, req.get(b, "until", DateTimeCodec{}));
  in.order.from = to_time_point(from);
  in.order.until = to_time_point(until);
  GRIDKE_ASSIGN_OR_RETURN(in.order.obligatory, req.get(b, "obligatory", BoolCodec{}));
  GRIDKE_ASSIGN_OR_RETURN(in.order.active, req.get(b, "active", BoolCodec{}));
  return in;
}

// The asked period of an open-data ASK binding: both ?start and ?end, or neither (nullopt).
Result<std::optional<std::pair<mt::TimePoint, mt::TimePoint>>> asked_period(
    const adapter::Request& req, const pattern::Binding& asked) {
  const bool has_start = asked.contains("start"), has_end = asked.contains("end");
  if (!has_start && !has_end) return std::optional<std::pair<mt::TimePoint, mt::TimePoint>>();
  if (has_start != has_end) {
    return invalid_argument("KI " + req.contract.name +
                            ": bind both ?start and ?end (the period to aggregate) or neither");
  }
  GRIDKE_ASSIGN_OR_RETURN(const auto from, req.get(asked, "start", DateTimeCodec{}));
  GRIDKE_ASSIGN_OR_RETURN(const auto to, req.get(asked, "end", DateTimeCodec{}));
  return std::optional<std::pair<mt::TimePoint, mt::TimePoint>>(
      std::pair{to_time_point(from), to_time_point(to)});
}

}  // namespace metering_ssa_detail

namespace msd = metering_ssa_detail;

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

Result<pattern::Binding> forwarded_power_limit_binding(const mt::Delivery& d, const SsaOptions& o) {
  if (d.kind != mt::EventKind::power_limit) {
    return invalid_argument("contract (k): a '" + std::string(mt::to_string(d.kind)) +
                            "' delivery is not a power limit");
  }
  const auto& lim = d.power_limit;
  const std::string meter = o.meter_base + "PRM-" + d.prm_token;
  const std::string limit = meter + "/plp/limit/" + msd::iso_seconds(lim.from);
  const char* ki = kPostForwardedPowerLimit;
  pattern::Binding b;
  GRIDKE_TRY(adapter::put(b, "installation", meter + "/installation", IriCodec{}, ki));
  GRIDKE_TRY(adapter::put(b, "meter", meter, IriCodec{}, ki));
  GRIDKE_TRY(adapter::put(b, "prm", d.prm_token, StringCodec{}, ki));
  GRIDKE_TRY(adapter::put(b, "profile", meter + "/plp", IriCodec{}, ki));
  GRIDKE_TRY(adapter::put(b, "limit", limit, IriCodec{}, ki));
  GRIDKE_TRY(adapter::put(b, "obligatory", lim.obligatory, BoolCodec{}, ki));
  GRIDKE_TRY(adapter::put(b, "active", lim.active, BoolCodec{}, ki));
  b.set("from", msd::date_time_stamp(lim.from));
  b.set("until", msd::date_time_stamp(lim.until));
  GRIDKE_TRY(adapter::put(b, "maxValue", limit + "/max", IriCodec{}, ki));
  GRIDKE_TRY(adapter::put(b, "maxKw", lim.limit_kw,
                          DoubleCodec{std::string(rdf::vocab::xsd_decimal)}, ki));
  return b;
}

struct MeteringSsa::Impl {
  mt::MeteringService& service;
  SsaOptions options;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  int listener = 0;
  std::atomic<std::int64_t> posted{0}, failures{0}, not_representable{0}, answers{0};
  std::atomic<std::int64_t> limits_received{0}, limits_forwarded{0}, open_data_answers{0};

  Impl(mt::MeteringService& s, SsaOptions o) : service(s), options(std::move(o)) {}

  // Posts one binding to the delivery's provider knowledge base only.
  void post_to_provider(const char* contract, Result<pattern::Binding> binding,
                        const mt::Delivery& d, std::atomic<std::int64_t>& sent) {
    if (!binding) {
      ++not_representable;
      return;
    }
    engine::CallOptions call;
    call.deadline = options.post_deadline;
    call.recipients.knowledge_bases = {d.knowledge_base_id};
    auto r = adapter->post(contract, pattern::BindingSet{std::move(*binding)}, call);
    ++(r ? sent : failures);
  }

  void on_delivery(const mt::Delivery& d) {
    if (d.knowledge_base_id.empty()) return;
    switch (d.kind) {
      case mt::EventKind::power_limit:
        post_to_provider(kPostForwardedPowerLimit, forwarded_power_limit_binding(d, options), d,
                         limits_forwarded);
        return;
      case mt::EventKind::pcoup_changed:
      case mt::EventKind::overrun:
      case mt::EventKind::injection:
        post_to_provider(kPostTicData, tic_binding(d, options), d, posted);
        return;
      case mt::EventKind::latest: return;
    }
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

  // (k): check every binding before forwarding any, so a bad POST changes nothing.
  Result<pattern::BindingSet> on_power_limit(const adapter::Request& req) {
    std::vector<msd::IncomingLimit> limits;
    std::size_t i = 0;
    for (const auto& b : req.bindings()) {
      auto in = msd::decode_limit(req, b);
      if (!in) {
        // Keep the "KI …, variable ?v" location in the message the asker sees.
        return Error(in.error().code(),
                     "binding " + std::to_string(i) + ", " + in.error().to_string());
      }
      if (auto c = service.check_power_limit(in->prm, in->order); !c) {
        return c.error().with_context("KI " + req.contract.name + ", binding " + std::to_string(i));
      }
      limits.push_back(std::move(*in));
      ++i;
    }
    pattern::BindingSet out;
    for (const auto& in : limits) {
      GRIDKE_ASSIGN_OR_RETURN(const std::size_t n, service.limit_power(in.prm, in.order));
      ++limits_received;
      pattern::Binding r;
      r.set("limit", in.limit);
      GRIDKE_TRY(req.put(r, "status", std::string(msd::kS4ener) + (n > 0 ? "Accepted" : "Rejected"),
                         IriCodec{}));
      out.insert(std::move(r));
    }
    return out;
  }

  // The asked bindings, or one unconstrained binding.
  static std::vector<pattern::Binding> asked_or_any(const adapter::Request& req) {
    std::vector<pattern::Binding> asked(req.bindings().begin(), req.bindings().end());
    if (asked.empty()) asked.emplace_back();
    return asked;
  }

  // (m) consumption: one release per asked period; suppressed zones are absent.
  Result<pattern::BindingSet> on_open_data_consumption(const adapter::Request& req) {
    pattern::BindingSet out;
    const std::string& base = options.open_data_base;
    for (const auto& asked : asked_or_any(req)) {
      GRIDKE_ASSIGN_OR_RETURN(auto period, msd::asked_period(req, asked));
      const mt::TimePoint to = period ? period->second : service.now();
      const mt::TimePoint from = period ? period->first : to - options.open_data_default_window;
      // An empty period has no aggregate. (The engine's level-2 planner also sends partial
      // bindings covering only the two instant triples, which may pair ?start/?end either way.)
      if (to <= from) continue;
      GRIDKE_ASSIGN_OR_RETURN(auto release, service.open_data_consumption(from, to));
      const std::string s = msd::iso_seconds(from), e = msd::iso_seconds(to);
      for (const auto& z : release.published) {
        pattern::Binding b;
        GRIDKE_TRY(
            req.put(b, "aggregate", base + "opendata/" + z.zone + "/" + s + "/" + e, IriCodec{}));
        GRIDKE_TRY(req.put(b, "zone", base + "zone/" + z.zone, IriCodec{}));
        GRIDKE_TRY(req.put(b, "zoneId", z.zone, StringCodec{}));
        GRIDKE_TRY(req.put(b, "energyKwh", z.energy_kwh,
                           DoubleCodec{std::string(rdf::vocab::xsd_decimal)}));
        GRIDKE_TRY(req.put(b, "consumers", static_cast<std::int64_t>(z.consumers),
                           adapter::IntegerCodec{}));
        GRIDKE_TRY(req.put(b, "period", base + "period/" + s + "/" + e, IriCodec{}));
        GRIDKE_TRY(req.put(b, "startInstant", base + "instant/" + s, IriCodec{}));
        GRIDKE_TRY(req.put(b, "endInstant", base + "instant/" + e, IriCodec{}));
        // The asker's own terms for a bound period, so the answer matches them exactly.
        b.set("start", period ? *asked.find("start") : msd::date_time_stamp(from));
        b.set("end", period ? *asked.find("end") : msd::date_time_stamp(to));
        if (b.is_compatible_with(asked)) out.insert(std::move(b));
      }
    }
    open_data_answers += static_cast<std::int64_t>(out.size());
    return out;
  }

  // (m) flexibility: every need slot the source knows, filtered by the asked bindings.
  Result<pattern::BindingSet> on_open_data_flexibility(const adapter::Request& req) {
    GRIDKE_ASSIGN_OR_RETURN(
        auto slots, service.flexibility_by_zone(mt::TimePoint::min(), mt::TimePoint::max()));
    const std::string& base = options.open_data_base;
    const auto asked = asked_or_any(req);
    pattern::BindingSet out;
    for (const auto& z : slots) {
      const std::string s = msd::iso_seconds(z.start), e = msd::iso_seconds(z.end);
      const std::string dir = z.direction == mt::FlexDirection::down ? "Downflex" : "Upflex";
      pattern::Binding b;
      GRIDKE_TRY(req.put(b, "need", base + "opendata/flexibility/" + z.zone + "/" + dir + "/" + s,
                         IriCodec{}));
      GRIDKE_TRY(req.put(b, "zone", base + "zone/" + z.zone, IriCodec{}));
      GRIDKE_TRY(req.put(b, "zoneId", z.zone, StringCodec{}));
      GRIDKE_TRY(
          req.put(b, "needKw", z.needs_kw, DoubleCodec{std::string(rdf::vocab::xsd_decimal)}));
      GRIDKE_TRY(req.put(b, "direction", std::string(msd::kS4ener) + dir, IriCodec{}));
      GRIDKE_TRY(req.put(b, "period", base + "period/" + s + "/" + e, IriCodec{}));
      GRIDKE_TRY(req.put(b, "startInstant", base + "instant/" + s, IriCodec{}));
      GRIDKE_TRY(req.put(b, "endInstant", base + "instant/" + e, IriCodec{}));
      b.set("start", msd::date_time_stamp(z.start));
      b.set("end", msd::date_time_stamp(z.end));
      for (const auto& a : asked) {
        if (b.is_compatible_with(a)) {
          out.insert(b);
          break;
        }
      }
    }
    open_data_answers += static_cast<std::int64_t>(out.size());
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
  ssa.react(kReactConnectionPowerLimit,
            [raw](const adapter::Request& r) { return raw->on_power_limit(r); });
  ssa.post(kPostForwardedPowerLimit);
  ssa.answer(kAnswerOpenDataConsumption,
             [raw](const adapter::Request& r) { return raw->on_open_data_consumption(r); });
  ssa.answer(kAnswerOpenDataFlexibility,
             [raw](const adapter::Request& r) { return raw->on_open_data_flexibility(r); });
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  impl->listener = service.add_listener([raw](const mt::Delivery& d) { raw->on_delivery(d); });
  return std::unique_ptr<MeteringSsa>(new MeteringSsa(std::move(impl)));
}

SsaStats MeteringSsa::stats() const {
  return {impl_->posted.load(),
          impl_->failures.load(),
          impl_->not_representable.load(),
          impl_->answers.load(),
          impl_->limits_received.load(),
          impl_->limits_forwarded.load(),
          impl_->open_data_answers.load()};
}

}  // namespace gridke::adapters::metering
