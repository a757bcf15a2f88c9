#pragma once
// FlexibilityResponseSsa: the flexibility-response service on a knowledge engine (semantic front
// door), contract (l) of graph-patterns/README.md:
//   ANSWER answer-flexibility-response   expected power with its prediction interval, ranking
//                                        and reliability per consumer, hour and signal level
// The answers come from one finished analysis: SsaOptions::request_id, or else the newest
// finished job of the service (datasets are submitted through the REST front door; a dataset of
// 100 MB does not travel as bindings).
// Mapping (D4.3 output → pattern variables):
//   ?hemsId      the customer's pseudonym (only pseudonyms leave the service: GDPR);
//                ?hems = <hems_base + pseudonym>
//   ?signalId    "i1".."iK" (D4.3 level names); ?signal = <signal_base + request id / iK>
//   ?hourStart   the start of the hour (slot) of the typical day, stamped on the day asked for
//                (a bound ?hourStart selects the slot by its UTC time of day) or, when unbound,
//                on the first day after the analysis window; ?hour = <period_base + time/PTnM>
//   ?expectedKw, ?lowerKw, ?upperKw   y_Power_iK and its prediction interval (kW)
//   ?rank        rank_Flex_iK (0–100 %, higher = more flexible among the customers)
//   ?reliability probability of responding in the expected direction (0–1)
// Customer groups (the analysis's per-group models) are answered in the same pattern with
//   ?hemsId = the group's ID and ?hems = <group_base + groupID> (a group is an aggregated
//   consumer; group IDs cannot equal user ids or pseudonyms, see model::validate), ?rank among
//   the groups; ?result = <result_base + request id / iK / group / groupID / time>.
// Ask bindings may bind ?hemsId/?hems, ?signalId/?signal and ?hourStart to narrow the answer;
// only estimated levels are answered. An answer larger than max_answer_bindings fails the KI
// with a message asking to bind ?hemsId or ?signalId.
// Thread safety: internally synchronised (handlers run on engine threads).
// Ownership: the engine and the service must outlive the SSA.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "gridke/adapter/contract.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/services/flexibility_response/flexibility_response_service.hpp"

namespace gridke::adapters::flexibility_response {

struct SsaOptions {
  std::string knowledge_base_id = "https://dso.example.org/kb/flexibility-response";
  std::string hems_base = "https://dso.example.org/hems/";
  std::string group_base = "https://dso.example.org/consumer-group/";
  std::string signal_base = "https://dso.example.org/signal/";
  std::string result_base = "https://dso.example.org/flexresponse/";
  std::string period_base = "https://dso.example.org/period/";
  std::string instant_base = "https://dso.example.org/instant/";
  std::optional<std::string> request_id;  ///< nullopt = the newest finished analysis
  std::size_t max_answer_bindings = 20000;
};

struct SsaStats {
  std::int64_t asks_answered = 0;
  std::int64_t bindings_answered = 0;
};

class FlexibilityResponseSsa {
 public:
  /// Registers the ANSWER KI. Errors: those of adapter::GenericAdapter::start() (e.g. not_found
  /// for a missing contract).
  static Result<std::unique_ptr<FlexibilityResponseSsa>> start(
      engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
      services::flexibility_response::FlexibilityResponseService& service, SsaOptions options = {});
  ~FlexibilityResponseSsa();  ///< removes the knowledge base
  FlexibilityResponseSsa(const FlexibilityResponseSsa&) = delete;
  FlexibilityResponseSsa& operator=(const FlexibilityResponseSsa&) = delete;

  SsaStats stats() const;

 private:
  struct Impl;
  explicit FlexibilityResponseSsa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::adapters::flexibility_response
