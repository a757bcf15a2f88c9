#pragma once
// TariffSsa: the tariff service on a knowledge engine (semantic front door), contract (i):
//   POST   post-grid-tariff     every published zone day, one binding per quarter hour, on the
//                               thread that publishes (TariffService listener), with a deadline
//   ANSWER answer-grid-tariff   the published tariffs of today and later days, filtered by what
//                               the asker bound (zoneId, zone, tariffId, quarterStart, …)
//   ASK    ask-load-forecast    D4.3 Table 16 step 1: the day-ahead load of a zone from a
//                               forecast KB (forecast_fetch.hpp), through forecast_source()
// Contract (i) has four files in graph-patterns/tariffs: post-/react-grid-tariff and
// answer-/ask-grid-tariff, all four with the same pattern.
// IRIs: tariff <base>tariff/<zone>/<day>, price <base>tariff/<zone>/<day>/q/<q>, zone
// <zone_base><zone>, period <base>period/<start>/PT15M, instants <base>instant/<time>.
// Thread safety: internally synchronised (handlers run on engine threads).
// Ownership: the engine and the service must outlive the SSA.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/tariffs/forecast_fetch.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/pattern/binding.hpp"
#include "gridke/services/tariffs/tariff_service.hpp"

namespace gridke::adapters::tariffs {

inline constexpr const char* kPostGridTariff = "post-grid-tariff";
inline constexpr const char* kReactGridTariff = "react-grid-tariff";
inline constexpr const char* kAnswerGridTariff = "answer-grid-tariff";
inline constexpr const char* kAskGridTariff = "ask-grid-tariff";

struct SsaOptions {
  std::string knowledge_base_id = "https://dso.example.org/kb/tariffs";
  std::string base = "https://dso.example.org/";
  std::string zone_base = "https://dso.example.org/zone/";
  std::chrono::milliseconds post_deadline{5000};
  /// Registers ASK ask-load-forecast and offers forecast_source() (needs that contract).
  bool fetch_forecasts = true;
  /// Deadline of one forecast ASK.
  std::chrono::milliseconds forecast_deadline{5000};
};

struct SsaStats {
  std::int64_t zone_days_posted = 0;
  std::int64_t post_failures = 0;
  std::int64_t answers = 0;  ///< bindings answered
};

/// The bindings of one published zone day in contract (i)'s variables (96 bindings).
/// Errors: invalid_argument when a zone id cannot be part of an IRI (names the zone).
Result<pattern::BindingSet> tariff_bindings(const services::tariffs::PublishedTariff& tariff,
                                            const SsaOptions& options);

/// Decodes contract (i) bindings back into zone days (a HEMS side, the demo, tests): groups by
/// zoneId and day of quarterStart, orders quarters by start. Errors: invalid_argument naming
/// the variable and value (unbound, wrong datatype).
Result<std::vector<services::tariffs::PublishedTariff>> tariffs_from_bindings(
    const pattern::BindingSet& bindings);

class TariffSsa {
 public:
  /// Registers POST post-grid-tariff and ANSWER answer-grid-tariff and the service listener.
  /// Errors: those of adapter::GenericAdapter::start() (e.g. not_found for a missing contract).
  static Result<std::unique_ptr<TariffSsa>> start(engine::KnowledgeEngine& engine,
                                                  const adapter::ContractSet& contracts,
                                                  services::tariffs::TariffService& service,
                                                  SsaOptions options = {});
  ~TariffSsa();  ///< removes the listener and the knowledge base
  TariffSsa(const TariffSsa&) = delete;
  TariffSsa& operator=(const TariffSsa&) = delete;

  SsaStats stats() const;

  /// The forecast KB as a ForecastSource for TariffService::publish_with_fetched_forecasts()
  /// (valid while the SSA lives), or nullptr when fetch_forecasts is off.
  services::tariffs::ForecastSource* forecast_source() noexcept;

 private:
  struct Impl;
  explicit TariffSsa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::adapters::tariffs
