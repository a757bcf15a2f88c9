#pragma once
// MeteringSsa: the smart-meter data platform on a knowledge engine, contract (j):
//   POST   post-tic-data     each PCOUP change, STGE overrun (every 10 s) and SINSTI (every
//                            30 s) delivery, sent only to the knowledge base of the consented
//                            provider it is for (CallOptions recipients)
//   ANSWER answer-tic-data   the latest TIC data of every PdL the asking knowledge base's
//                            provider holds an active consent for (nothing for anyone else)
// The ANSWER contract is graph-patterns/metering/answer-tic-data.ttl when present, otherwise
// derived from post-tic-data (same pattern, kind ANSWER), likewise ask-tic-data from
// react-tic-data. Contract (j) binds PCOUP, SINSTI and STGE together: a delivery whose
// consent does not cover all three (or a historic-mode meter, which has no SINSTI/STGE) is not
// sent through the engine (counted as not_representable; REST callbacks still carry it).
// The PdL appears only as its token (MeteringService::encrypt_prm) in ?prm and the meter IRI.
// Thread safety: internally synchronised. Ownership: engine and service outlive the SSA.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gridke/adapter/contract.hpp"
#include "gridke/base/result.hpp"
#include "gridke/engine/knowledge_engine.hpp"
#include "gridke/pattern/binding.hpp"
#include "gridke/services/metering/metering_service.hpp"

namespace gridke::adapters::metering {

inline constexpr const char* kPostTicData = "post-tic-data";
inline constexpr const char* kReactTicData = "react-tic-data";
inline constexpr const char* kAnswerTicData = "answer-tic-data";
inline constexpr const char* kAskTicData = "ask-tic-data";

struct SsaOptions {
  std::string knowledge_base_id = "https://dso.example.org/kb/metering";
  std::string meter_base = "https://dso.example.org/meter/";
  std::chrono::milliseconds post_deadline{5000};
};

struct SsaStats {
  std::int64_t posted = 0;
  std::int64_t post_failures = 0;
  std::int64_t not_representable = 0;
  std::int64_t answers = 0;
};

/// The contract (j) binding of a delivery. Errors: failed_precondition when the reading lacks
/// PCOUP, SINSTI or STGE (names which).
Result<pattern::Binding> tic_binding(const services::metering::Delivery& delivery,
                                     const SsaOptions& options);

class MeteringSsa {
 public:
  static Result<std::unique_ptr<MeteringSsa>> start(engine::KnowledgeEngine& engine,
                                                    const adapter::ContractSet& contracts,
                                                    services::metering::MeteringService& service,
                                                    SsaOptions options = {});
  ~MeteringSsa();
  MeteringSsa(const MeteringSsa&) = delete;
  MeteringSsa& operator=(const MeteringSsa&) = delete;
  SsaStats stats() const;

 private:
  struct Impl;
  explicit MeteringSsa(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::adapters::metering
