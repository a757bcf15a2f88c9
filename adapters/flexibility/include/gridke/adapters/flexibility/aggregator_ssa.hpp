#pragma once
// AggregatorSsa: a flexibility service provider (aggregator) on a knowledge engine — the
// counterpart of MarketSsa, used by aggregator processes (e.g. on a RemoteEngine):
//   (f) REACT react-flexibility-needs   needs addressed to this FSP → on_needs (grouped by
//            request id; the HEMS ids collected); result: s4ener:Accepted per request
//   (g) POST  post-flexibility-offer    post_offers(): offers to the market; returns the
//            market's status per offer id
//   (h) REACT react-activation-plan     activations → on_activations, which answers accept or
//            refuse per activation id; result: s4ener:Accepted / dso:Rejected
// The knowledge base is FlexibilityIris::fsp_kb(fsp_id), which is how the market knows the FSP.
// Thread safety: handlers run on engine threads; the callbacks must be thread-safe.
// Ownership: the engine outlives the SSA.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/flexibility/terms.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/services/flexibility_market/model.hpp"

namespace gridke::adapters::flexibility {

/// An offer as the aggregator posts it (the FSP is the posting knowledge base).
struct OfferToPost {
  std::string offer_id;
  std::string request_id;
  std::string hems_id;  ///< the asset or sub-aggregation producing it
  services::flexibility_market::Direction direction = services::flexibility_market::Direction::down;
  services::flexibility_market::TimePoint start;
  services::flexibility_market::TimePoint end;
  double quantity_kw = 0;
  double price_eur_per_mwh = 0;
};

struct AggregatorCallbacks {
  /// Needs received (zone left empty; hems_ids = the HEMS addressed).
  std::function<void(const std::vector<services::flexibility_market::FlexibilityNeed>&)> on_needs;
  /// Activations received; return activation id → accept.
  std::function<std::map<std::string, bool>(
      const std::vector<services::flexibility_market::Activation>&)>
      on_activations;
};

struct AggregatorSsaOptions {
  std::string fsp_id;
  std::string name;
  FlexibilityIris iris;
  std::chrono::milliseconds post_deadline{10000};
};

class AggregatorSsa {
 public:
  /// Errors: invalid_argument (empty fsp_id, missing callbacks); GenericAdapter::start().
  static Result<std::unique_ptr<AggregatorSsa>> start(engine::KnowledgeEngine& engine,
                                                      const adapter::ContractSet& contracts,
                                                      AggregatorCallbacks callbacks,
                                                      AggregatorSsaOptions options);
  ~AggregatorSsa();
  AggregatorSsa(const AggregatorSsa&) = delete;
  AggregatorSsa& operator=(const AggregatorSsa&) = delete;

  /// Posts offers to the market; returns offer id → accepted (true) / rejected (false).
  /// Offers the market did not answer are absent. Errors: invalid_argument (an offer that
  /// cannot be encoded, naming it), engine errors.
  Result<std::map<std::string, bool>> post_offers(const std::vector<OfferToPost>& offers);

 private:
  struct Impl;
  explicit AggregatorSsa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::adapters::flexibility
