#pragma once
// SensitivitiesSsa: the Sensitivities Engine on a knowledge engine (semantic front door), the
// issue-4 contracts (d), (d2), (e), (e2), (e3):
//   REACT  react-register-lv-grid           (d)  one binding per meter → register_grid; result
//                                                ?grid dso:hasRegistrationStatus "registered"
//                                                (or "already registered")
//   REACT  react-meter-history              (d)  V and P records → submit_historical_data of the
//                                                grid each meter belongs to (one job per grid,
//                                                which recomputes the sensitivities); result
//                                                ?meter dso:lastIngestedTimestamp per meter
//   REACT  react-appliance-measurements     (d2) disaggregated appliance power, stored by the
//                                                service per grid (store_appliance_data: latest
//                                                value per appliance and timestamp, SQLite, so
//                                                it survives a restart) for (e3)
//   ANSWER answer-voltage-sensitivities     (e)  every coefficient of every grid's latest matrix
//                                                (V per kW consumed, so mostly negative)
//   ANSWER answer-voltage-load-correlation  (e2) per meter and 30-min period of the typical day:
//                                                min and max voltage and the Pearson correlation
//                                                of the meter's own P and V in that period
//   ANSWER answer-flexibility-requirements  (e3) Output 3 from the latest sensitivities, the
//                                                stored history and the (d2) appliance data: one
//                                                binding per perimeter and period, |kW| with
//                                                direction s4ener:Upflex (consume more) or
//                                                Downflex (consume less)
// ANSWERs honour the asker's bindings (e.g. a bound ?gridId or ?meterIdV) and answer nothing for
// grids without results. Periods of the typical day are stated on the UTC day of the last
// record used (D4.3 Outputs 2-3 describe a typical day, the contracts need instants).
// Contracts are read from graph-patterns/ (the single source of truth); ids map to IRIs under
// configurable bases (meter "M-1" ↔ <meter_base M-1>).
// Appliance data from (d2) are bounded by the service's ServiceOptions::max_appliance_records.
// Thread safety: internally synchronised (handlers run on engine threads).
// Ownership: the engine and the service must outlive the SSA.

#include <cstdint>
#include <memory>
#include <string>

#include "gridke/adapter/contract.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/services/sensitivities/sensitivities_service.hpp"

namespace gridke::adapters::sensitivities {

struct SsaOptions {
  std::string knowledge_base_id = "https://dso.example.org/kb/sensitivities";
  std::string grid_base = "https://dso.example.org/grid/";
  std::string meter_base = "https://dso.example.org/meter/";
  std::string appliance_base = "https://dso.example.org/appliance/";
  std::string perimeter_base = "https://dso.example.org/perimeter/";
  std::string result_base = "https://dso.example.org/sensitivities/";  ///< ?sf, ?r, ?req, periods
  services::sensitivities::AnalysisOptions analysis;                   ///< limits for (e3)
};

/// Counters of the SSA's traffic.
struct SsaStats {
  std::int64_t grids_registered = 0;
  std::int64_t meter_records_received = 0;
  std::int64_t appliance_records_received = 0;
  std::int64_t uploads_submitted = 0;
  std::int64_t answers = 0;  ///< bindings answered over (e), (e2), (e3)
};

/// The contracts the SSA implements, in the order of its registration.
inline constexpr const char* kSsaContracts[] = {
    "react-register-lv-grid",          "react-meter-history",
    "react-appliance-measurements",    "answer-voltage-sensitivities",
    "answer-voltage-load-correlation", "answer-flexibility-requirements"};

class SensitivitiesSsa {
 public:
  /// Registers the six KIs. Errors: those of adapter::GenericAdapter::start() (e.g. not_found
  /// for a missing contract).
  static Result<std::unique_ptr<SensitivitiesSsa>> start(
      engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
      services::sensitivities::SensitivitiesService& service, SsaOptions options = {});
  ~SensitivitiesSsa();  ///< removes the knowledge base
  SensitivitiesSsa(const SensitivitiesSsa&) = delete;
  SensitivitiesSsa& operator=(const SensitivitiesSsa&) = delete;

  SsaStats stats() const;

 private:
  struct Impl;
  explicit SensitivitiesSsa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Loads the SSA's contracts from `graph_patterns` (its fault_location/ and sensitivities/
/// folders). Errors: those of adapter::load_contracts; not_found naming a missing contract.
Result<adapter::ContractSet> load_ssa_contracts(const std::string& graph_patterns);

}  // namespace gridke::adapters::sensitivities
