#pragma once
// FaultLocationSsa: the fault-location service on a knowledge engine (semantic front door).
//   REACT  react-hems-voltage                 DSP voltage readings → FaultLocationService::ingest
//   ANSWER answer-hems-communication-status   HEMS status from FaultLocationService::hems_status
//   POST   post-potential-fault               each raised power-fault notification, zone level
// Contracts are read from graph-patterns/fault_location/ (the single source of truth).
// Ids map to IRIs under configurable bases (e.g. HEMS "H-0042" ↔ <base/hems/H-0042>).
// Posting happens on the thread that runs FaultLocationService::tick(), with a deadline.
// Thread safety: internally synchronised (handlers run on engine threads).
// Ownership: the engine and the service must outlive the SSA.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gridke/adapter/contract.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/services/fault_location/fault_location_service.hpp"

namespace gridke::adapters::fault_location {

struct SsaOptions {
  std::string knowledge_base_id = "https://dso.example.org/kb/fault-location";
  std::string hems_base = "https://dso.example.org/hems/";
  std::string zone_base = "https://dso.example.org/zone/";
  std::string notification_base = "https://dso.example.org/fault/";
  std::chrono::milliseconds post_deadline{5000};
};

/// Counters of the SSA's traffic.
struct SsaStats {
  std::int64_t readings_received = 0;
  std::int64_t status_answers = 0;
  std::int64_t faults_posted = 0;
  std::int64_t post_failures = 0;
};

class FaultLocationSsa {
 public:
  /// Registers the three KIs and the service listener. Errors: those of
  /// adapter::GenericAdapter::start() (e.g. not_found for a missing contract).
  static Result<std::unique_ptr<FaultLocationSsa>> start(
      engine::KnowledgeEngine& engine, const adapter::ContractSet& contracts,
      services::fault_location::FaultLocationService& service, SsaOptions options = {});
  ~FaultLocationSsa();  ///< removes the listener and the knowledge base
  FaultLocationSsa(const FaultLocationSsa&) = delete;
  FaultLocationSsa& operator=(const FaultLocationSsa&) = delete;

  SsaStats stats() const;

 private:
  struct Impl;
  explicit FaultLocationSsa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::adapters::fault_location
