#include "gridke/adapters/flexibility_response/flexibility_response_ssa.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>

#include "gridke/adapter/generic_adapter.hpp"

namespace gridke::adapters::flexibility_response {

namespace fr = services::flexibility_response;
using adapter::DateTimeCodec;
using adapter::DoubleCodec;
using adapter::IriCodec;
using adapter::StringCodec;

namespace {

constexpr const char* answer_response = "answer-flexibility-response";
constexpr std::int64_t kSecondsPerDay = 86400;

// "2026-11-27T18:00Z": the time part of the result, period and instant IRIs.
std::string iri_time(std::int64_t seconds) {
  const std::string t = fr::model::format_timestamp(seconds);  // YYYY-MM-DDTHH:MM:SS
  return t.substr(0, 16) + "Z";
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// What one ask binding selects; nullopt members are unconstrained.
struct Selection {
  std::optional<std::string> hems_id;
  std::optional<bool> group;  ///< set when ?hems was bound: a group IRI or a customer IRI
  std::optional<std::size_t> level;
  std::optional<std::int64_t> hour_start_s;
};

}  // namespace

struct FlexibilityResponseSsa::Impl {
  engine::KnowledgeEngine& engine;
  fr::FlexibilityResponseService& service;
  SsaOptions options;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  std::atomic<std::int64_t> asks{0}, answered{0};
  // The parsed result of the last request answered from, so repeated asks do not re-parse.
  std::mutex cache_mu;
  std::string cached_id;
  std::shared_ptr<const fr::FlexibilityResult> cached;

  Impl(engine::KnowledgeEngine& e, fr::FlexibilityResponseService& s, SsaOptions o)
      : engine(e), service(s), options(std::move(o)) {}

  Result<std::pair<std::string, std::shared_ptr<const fr::FlexibilityResult>>> current() {
    std::optional<std::string> id = options.request_id;
    if (!id) id = service.latest_done();
    if (!id) {
      return failed_precondition("no finished flexibility-response analysis to answer from yet");
    }
    {
      std::lock_guard lock(cache_mu);
      if (cached && cached_id == *id) return std::make_pair(*id, cached);
    }
    GRIDKE_ASSIGN_OR_RETURN(auto result, service.result(*id));
    auto shared = std::make_shared<const fr::FlexibilityResult>(std::move(result));
    std::lock_guard lock(cache_mu);
    cached_id = *id;
    cached = shared;
    return std::make_pair(*id, shared);
  }

  Result<Selection> select(const adapter::Request& req, const pattern::Binding& b,
                           const fr::FlexibilityResult& result) {
    Selection s;
    if (b.contains("hemsId")) {
      GRIDKE_ASSIGN_OR_RETURN(s.hems_id, req.get(b, "hemsId", StringCodec{}));
    } else if (b.contains("hems")) {
      GRIDKE_ASSIGN_OR_RETURN(const std::string iri, req.get(b, "hems", IriCodec{}));
      if (iri.rfind(options.group_base, 0) == 0) {
        s.hems_id = iri.substr(options.group_base.size());
        s.group = true;
      } else {
        GRIDKE_ASSIGN_OR_RETURN(s.hems_id, req.get(b, "hems", IriCodec{options.hems_base}));
        s.group = false;
      }
    }
    std::optional<std::string> signal;
    if (b.contains("signalId")) {
      GRIDKE_ASSIGN_OR_RETURN(signal, req.get(b, "signalId", StringCodec{}));
    } else if (b.contains("signal")) {
      GRIDKE_ASSIGN_OR_RETURN(const std::string iri,
                              req.get(b, "signal", IriCodec{options.signal_base}));
      signal = iri.substr(iri.rfind('/') + 1);
    }
    if (signal) {
      std::size_t k = 0;
      const bool named = signal->size() > 1 && (*signal)[0] == 'i' &&
                         std::sscanf(signal->c_str() + 1, "%zu", &k) == 1 &&
                         "i" + std::to_string(k) == *signal;
      if (!named || k == 0 || k > result.levels.size()) {
        return invalid_argument("KI " + std::string(answer_response) + ", variable ?signalId: '" +
                                *signal + "' is not a signal level of the analysis (i1..i" +
                                std::to_string(result.levels.size()) + ")");
      }
      s.level = k - 1;
    }
    if (b.contains("hourStart")) {
      GRIDKE_ASSIGN_OR_RETURN(const auto t, req.get(b, "hourStart", DateTimeCodec{}));
      s.hour_start_s =
          std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    }
    return s;
  }

  Result<pattern::BindingSet> on_ask(const adapter::Request& req) {
    GRIDKE_ASSIGN_OR_RETURN(const auto current_result, current());
    // Named references, not a structured binding: the lambda below uses request_id, and clang 14
    // cannot capture structured bindings.
    const std::string& request_id = current_result.first;
    const fr::FlexibilityResult& result = *current_result.second;
    std::vector<pattern::Binding> asks_in(req.bindings().begin(), req.bindings().end());
    if (asks_in.empty()) asks_in.emplace_back();
    const std::int64_t slot_s = static_cast<std::int64_t>(result.slot_minutes) * 60;
    const std::int64_t default_day =
        floor_div(result.window.end_s, kSecondsPerDay) * kSecondsPerDay;
    const std::string period = "/PT" + std::to_string(result.slot_minutes) + "M";
    const IriCodec any_iri{};
    const DoubleCodec decimal{std::string(rdf::vocab::xsd_decimal)};
    pattern::BindingSet out;
    for (const auto& ask : asks_in) {
      GRIDKE_ASSIGN_OR_RETURN(const Selection sel, select(req, ask, result));
      // Customers, then groups: (id, IRI base, result path part, slots).
      const auto answer_member = [&](const std::string& member_id, const std::string& iri_base,
                                     const std::string& result_part,
                                     const std::vector<fr::SlotResult>& slots) -> Result<void> {
        for (const auto& slot : slots) {
          if (!slot.estimated) continue;
          std::int64_t start = default_day + slot.slot * slot_s;
          if (sel.hour_start_s) {
            const std::int64_t day = floor_div(*sel.hour_start_s, kSecondsPerDay) * kSecondsPerDay;
            if ((*sel.hour_start_s - day) / slot_s != slot.slot) continue;
            start = day + slot.slot * slot_s;
          }
          for (std::size_t k = 0; k < slot.levels.size(); ++k) {
            if (sel.level && *sel.level != k) continue;
            const auto& level = slot.levels[k];
            if (!level.estimated) continue;
            if (out.size() >= options.max_answer_bindings) {
              return invalid_argument(
                  "KI " + std::string(answer_response) + ": the answer would exceed " +
                  std::to_string(options.max_answer_bindings) +
                  " bindings; bind ?hemsId or ?signalId to narrow the question");
            }
            const std::string signal_id = "i" + std::to_string(k + 1);
            const std::string time = iri_time(start);
            pattern::Binding b;
            GRIDKE_TRY(req.put(
                b, "result",
                options.result_base + request_id + "/" + signal_id + "/" + result_part + "/" + time,
                any_iri));
            GRIDKE_TRY(
                req.put(b, "signal", options.signal_base + request_id + "/" + signal_id, any_iri));
            GRIDKE_TRY(req.put(b, "signalId", signal_id, StringCodec{}));
            GRIDKE_TRY(req.put(b, "hems", member_id, IriCodec{iri_base}));
            GRIDKE_TRY(req.put(b, "hemsId", member_id, StringCodec{}));
            GRIDKE_TRY(req.put(b, "expectedKw", level.power_kw.mean, decimal));
            GRIDKE_TRY(req.put(b, "lowerKw", level.power_kw.obs_ci_lower, decimal));
            GRIDKE_TRY(req.put(b, "upperKw", level.power_kw.obs_ci_upper, decimal));
            GRIDKE_TRY(req.put(b, "rank", level.ranking_percent, decimal));
            GRIDKE_TRY(req.put(b, "reliability", level.reliability, decimal));
            GRIDKE_TRY(req.put(b, "hour", options.period_base + time + period, any_iri));
            GRIDKE_TRY(req.put(b, "hourStartInstant", options.instant_base + time, any_iri));
            GRIDKE_TRY(req.put(b, "hourStart",
                               std::chrono::system_clock::time_point(std::chrono::seconds(start)),
                               DateTimeCodec{}));
            // Echo the asker's own terms for what it bound (same instant, its spelling), and
            // drop answers that contradict anything else it bound.
            for (const auto& [name, term] : ask.values()) {
              if (name == "hourStart" || name == "hemsId" || name == "signalId") b.set(name, term);
            }
            if (!b.is_compatible_with(ask)) continue;
            out.insert(std::move(b));
          }
        }
        return ok();
      };
      if (!sel.group || !*sel.group) {
        for (const auto& customer : result.customers) {
          if (sel.hems_id && customer.user_id != *sel.hems_id) continue;
          GRIDKE_TRY(
              answer_member(customer.user_id, options.hems_base, customer.user_id, customer.slots));
        }
      }
      if (!sel.group || *sel.group) {
        for (const auto& group : result.groups) {
          if (sel.hems_id && group.name != *sel.hems_id) continue;
          GRIDKE_TRY(
              answer_member(group.name, options.group_base, "group/" + group.name, group.slots));
        }
      }
    }
    ++asks;
    answered += static_cast<std::int64_t>(out.size());
    return out;
  }
};

FlexibilityResponseSsa::FlexibilityResponseSsa(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

FlexibilityResponseSsa::~FlexibilityResponseSsa() {
  if (impl_) (void)impl_->adapter->stop();
}

Result<std::unique_ptr<FlexibilityResponseSsa>> FlexibilityResponseSsa::start(
    engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
    fr::FlexibilityResponseService& service, SsaOptions options) {
  auto impl = std::make_unique<Impl>(engine, service, std::move(options));
  Impl* raw = impl.get();
  adapter::Ssa ssa(raw->options.knowledge_base_id, "Consumer flexibility response service",
                   "InterConnect Observability service 2 (D4.3 §4.1.2)");
  ssa.answer(answer_response, [raw](const adapter::Request& r) { return raw->on_ask(r); });
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  return std::unique_ptr<FlexibilityResponseSsa>(new FlexibilityResponseSsa(std::move(impl)));
}

SsaStats FlexibilityResponseSsa::stats() const {
  return {impl_->asks.load(), impl_->answered.load()};
}

}  // namespace gridke::adapters::flexibility_response
