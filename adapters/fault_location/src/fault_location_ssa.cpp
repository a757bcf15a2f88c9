#include "gridke/adapters/fault_location/fault_location_ssa.hpp"

#include <atomic>
#include <set>

#include "gridke/adapter/generic_adapter.hpp"

namespace gridke::adapters::fault_location {

namespace fl = services::fault_location;
using adapter::BoolCodec;
using adapter::DateTimeCodec;
using adapter::DoubleCodec;
using adapter::IriCodec;
using adapter::StringCodec;

namespace {

constexpr const char* react_voltage = "react-hems-voltage";
constexpr const char* answer_status = "answer-hems-communication-status";
constexpr const char* post_fault = "post-potential-fault";
constexpr const char* dso_ns = "https://w3id.org/gridke/dso#";

fl::Timestamp to_timestamp(std::chrono::system_clock::time_point t) {
  return std::chrono::time_point_cast<fl::Duration>(t);
}

}  // namespace

struct FaultLocationSsa::Impl {
  engine::KnowledgeEngine& engine;
  fl::FaultLocationService& service;
  SsaOptions options;
  std::unique_ptr<adapter::GenericAdapter> adapter;
  int listener = 0;
  std::atomic<std::int64_t> readings{0}, answers{0}, posted{0}, failures{0};

  Impl(engine::KnowledgeEngine& e, fl::FaultLocationService& s, SsaOptions o)
      : engine(e), service(s), options(std::move(o)) {}

  // (a) REACT: every binding is one reading; the batch is ingested all-or-nothing, so a bad
  // binding fails the KI with the service's message naming the reading.
  Result<pattern::BindingSet> on_voltages(const adapter::Request& req) {
    std::vector<fl::VoltageReading> batch;
    batch.reserve(req.bindings().size());
    for (const auto& b : req.bindings()) {
      fl::VoltageReading r;
      GRIDKE_ASSIGN_OR_RETURN(r.hems_id, req.get(b, "hemsId", StringCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(r.voltage_v, req.get(b, "voltage", DoubleCodec{}));
      GRIDKE_ASSIGN_OR_RETURN(auto t, req.get(b, "timestamp", DateTimeCodec{}));
      r.time = to_timestamp(t);
      batch.push_back(std::move(r));
    }
    GRIDKE_ASSIGN_OR_RETURN(auto summary, service.ingest(batch));
    readings += static_cast<std::int64_t>(summary.stored);
    return pattern::BindingSet{};
  }

  // (c) ANSWER: the asked HEMS (by hemsId or hems IRI), or every HEMS that has reported.
  Result<pattern::BindingSet> on_status(const adapter::Request& req) {
    const IriCodec hems_iri{options.hems_base};
    std::set<std::string> wanted;
    bool all = req.bindings().empty();
    for (const auto& b : req.bindings()) {
      if (b.find("hemsId") != nullptr) {
        GRIDKE_ASSIGN_OR_RETURN(auto id, req.get(b, "hemsId", StringCodec{}));
        wanted.insert(id);
      } else if (b.find("hems") != nullptr) {
        GRIDKE_ASSIGN_OR_RETURN(auto id, req.get(b, "hems", hems_iri));
        wanted.insert(id);
      } else {
        all = true;
      }
    }
    if (all) {
      for (const auto& z : service.list_zones())
        wanted.insert(z.hems_ids.begin(), z.hems_ids.end());
    }
    pattern::BindingSet out;
    for (const auto& id : wanted) {
      auto s = service.hems_status(id);
      if (!s || !s->last_seen) continue;  // unknown or never heard from: nothing to state
      pattern::Binding b;
      GRIDKE_TRY(req.put(b, "hems", id, hems_iri));
      GRIDKE_TRY(req.put(b, "hemsId", id, StringCodec{}));
      GRIDKE_TRY(req.put(b, "state", id + "/comm", hems_iri));
      GRIDKE_TRY(req.put(b, "reachable", s->communicating, BoolCodec{}));
      GRIDKE_TRY(req.put(b, "lastContact", std::chrono::system_clock::time_point(*s->last_seen),
                         DateTimeCodec{}));
      out.insert(std::move(b));
    }
    answers += static_cast<std::int64_t>(out.size());
    return out;
  }

  // (b) POST: zone-level only (privacy). Single-phase faults are dso:PhaseLoss; whole-zone
  // ones dso:SupplyInterruption. Confidence = 1 - the guard's chance probability.
  void on_notification(const fl::Notification& n) {
    if (n.kind != fl::NotificationKind::power_fault || n.status != fl::NotificationStatus::raised) {
      return;
    }
    pattern::Binding b;
    const auto* contract = adapter->contract(post_fault);
    auto put_all = [&]() -> Result<void> {
      GRIDKE_TRY(adapter::put(b, "n", n.id, IriCodec{options.notification_base}, post_fault));
      GRIDKE_TRY(adapter::put(b, "zone", n.zone, IriCodec{options.zone_base}, post_fault));
      GRIDKE_TRY(adapter::put(b, "zoneId", n.zone, StringCodec{}, post_fault));
      GRIDKE_TRY(adapter::put(b, "detectedAt", std::chrono::system_clock::time_point(n.raised_at),
                              DateTimeCodec{}, post_fault));
      GRIDKE_TRY(adapter::put(b, "faultType",
                              std::string(dso_ns) + (n.phase ? "PhaseLoss" : "SupplyInterruption"),
                              IriCodec{}, post_fault));
      GRIDKE_TRY(adapter::put(b, "confidence", 1.0 - n.false_alarm_probability,
                              DoubleCodec{std::string(rdf::vocab::xsd_decimal)}, post_fault));
      return ok();
    };
    if (contract == nullptr || !put_all()) {
      ++failures;
      return;
    }
    engine::CallOptions call;
    call.deadline = options.post_deadline;
    auto r = adapter->post(post_fault, pattern::BindingSet{b}, call);
    ++(r ? posted : failures);
  }
};

FaultLocationSsa::FaultLocationSsa(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

FaultLocationSsa::~FaultLocationSsa() {
  if (!impl_) return;
  impl_->service.remove_listener(impl_->listener);
  (void)impl_->adapter->stop();
}

Result<std::unique_ptr<FaultLocationSsa>> FaultLocationSsa::start(
    engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
    fl::FaultLocationService& service, SsaOptions options) {
  auto impl = std::make_unique<Impl>(engine, service, std::move(options));
  Impl* raw = impl.get();
  adapter::Ssa ssa(raw->options.knowledge_base_id, "Fault location service",
                   "InterConnect Observability service 1 (D4.3 §4.1.1)");
  ssa.react(react_voltage, [raw](const adapter::Request& r) { return raw->on_voltages(r); });
  ssa.answer(answer_status, [raw](const adapter::Request& r) { return raw->on_status(r); });
  ssa.post(post_fault);
  GRIDKE_ASSIGN_OR_RETURN(impl->adapter,
                          adapter::GenericAdapter::start(engine, contracts, std::move(ssa)));
  impl->listener =
      service.add_listener([raw](const fl::Notification& n) { raw->on_notification(n); });
  return std::unique_ptr<FaultLocationSsa>(new FaultLocationSsa(std::move(impl)));
}

SsaStats FaultLocationSsa::stats() const {
  return {impl_->readings.load(), impl_->answers.load(), impl_->posted.load(),
          impl_->failures.load()};
}

}  // namespace gridke::adapters::fault_location
