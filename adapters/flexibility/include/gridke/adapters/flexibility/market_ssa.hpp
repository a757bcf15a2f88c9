#pragma once
// MarketSsa: the DSO's flexibility market on a knowledge engine (semantic front door of
// services/flexibility_market; contracts in graph-patterns/flexibility_market/):
//   (f) POST  post-flexibility-needs   every published need, one binding per targeted HEMS
//            (a need without HEMS ids is addressed to its zone: hemsId = zone id), sent only
//            to the knowledge bases of FSPs serving the need's zone
//   (g) REACT react-flexibility-offer  each binding is one offer → FlexibilityMarket::
//            submit_offer; the FSP is the requesting knowledge base (FlexibilityIris);
//            result: s4ener:Accepted or dso:Rejected per offer
//   (h) POST  post-activation-plan     each activation to its FSP; the FSP's result status
//            (s4ener:Accepted / Started → accepted, dso:Rejected → refused) is passed to
//            FlexibilityMarket::respond_activation
// Posting runs on the thread that published the needs / cleared the market.
// Thread safety: internally synchronised. Ownership: engine and market outlive the SSA.

#include <chrono>
#include <cstdint>
#include <memory>

#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/flexibility/terms.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/services/flexibility_market/flexibility_market.hpp"

namespace gridke::adapters::flexibility {

struct MarketSsaOptions {
  FlexibilityIris iris;
  std::chrono::milliseconds post_deadline{10000};
};

struct MarketSsaStats {
  std::int64_t needs_posted = 0;  ///< need bindings posted
  std::int64_t offers_accepted = 0;
  std::int64_t offers_rejected = 0;
  std::int64_t activations_posted = 0;
  std::int64_t activation_answers = 0;  ///< statuses passed to respond_activation
  std::int64_t post_failures = 0;
};

class MarketSsa {
 public:
  /// Registers the three KIs and the market listeners. Errors: GenericAdapter::start().
  static Result<std::unique_ptr<MarketSsa>> start(
      engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
      services::flexibility_market::FlexibilityMarket& market, MarketSsaOptions options = {});
  ~MarketSsa();
  MarketSsa(const MarketSsa&) = delete;
  MarketSsa& operator=(const MarketSsa&) = delete;
  MarketSsaStats stats() const;

 private:
  struct Impl;
  explicit MarketSsa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::adapters::flexibility
