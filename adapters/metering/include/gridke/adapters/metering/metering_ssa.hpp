#pragma once
// MeteringSsa: the smart-meter data platform on a knowledge engine (contracts in
// graph-patterns/metering/):
// (j) POST   post-tic-data     each PCOUP change, STGE overrun (every 10 s) and SINSTI (every
//                              30 s) delivery, sent only to the knowledge base of the consented
//                              provider it is for (CallOptions recipients)
//     ANSWER answer-tic-data   the latest TIC data of every PdL the asking knowledge base's
//                              provider holds an active consent for (nothing for anyone else)
// (k) REACT  react-connection-power-limit   the DSO's power limit for a connection (clear PRM
//                              in ?prm). All bindings are checked first (unknown PdL, limit
//                              <= 0, until <= from, undecodable values: the KI FAILS with the
//                              reason and nothing is forwarded); then each is passed to
//                              MeteringService::limit_power. Result per ?limit: s4ener:Accepted
//                              when forwarded to at least one consented provider,
//                              s4ener:Rejected when no provider holds an active consent.
//     POST   post-forwarded-power-limit     each power-limit delivery to its provider's
//                              knowledge base (recipients), PdL as token; REST callbacks carry
//                              the same delivery (services/metering/http)
// (m) ANSWER answer-open-data-consumption   MeteringService::open_data_consumption over the
//                              asked period (?start/?end, both bound or both unbound = the last
//                              open_data_default_window), one binding per published zone
//                              (suppressed zones are absent); asked terms are echoed verbatim
//     ANSWER answer-open-data-flexibility   MeteringService::flexibility_by_zone, one binding
//                              per zone, direction and interval; FAILS "no flexibility data
//                              source is configured" without a source
// A handler that runs limit_power posts the forwarded limits from the engine's handler thread
// (EmbeddedEngine allows calls from handlers).
// Contract (j) binds PCOUP, SINSTI and STGE together: a delivery whose
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
inline constexpr const char* kPostConnectionPowerLimit = "post-connection-power-limit";
inline constexpr const char* kReactConnectionPowerLimit = "react-connection-power-limit";
inline constexpr const char* kPostForwardedPowerLimit = "post-forwarded-power-limit";
inline constexpr const char* kReactForwardedPowerLimit = "react-forwarded-power-limit";
inline constexpr const char* kAskOpenDataConsumption = "ask-open-data-consumption";
inline constexpr const char* kAnswerOpenDataConsumption = "answer-open-data-consumption";
inline constexpr const char* kAskOpenDataFlexibility = "ask-open-data-flexibility";
inline constexpr const char* kAnswerOpenDataFlexibility = "answer-open-data-flexibility";

struct SsaOptions {
  std::string knowledge_base_id = "https://dso.example.org/kb/metering";
  std::string meter_base = "https://dso.example.org/meter/";
  /// IRIs of open-data aggregates, zones, periods and instants (as the contract examples).
  std::string open_data_base = "https://dso.example.org/";
  std::chrono::hours open_data_default_window{24};
  std::chrono::milliseconds post_deadline{5000};
};

struct SsaStats {
  std::int64_t posted = 0;
  std::int64_t post_failures = 0;
  std::int64_t not_representable = 0;
  std::int64_t answers = 0;
  std::int64_t limits_received = 0;    ///< (k) bindings accepted from the DSO
  std::int64_t limits_forwarded = 0;   ///< (k) bindings posted to providers' knowledge bases
  std::int64_t open_data_answers = 0;  ///< (m) bindings answered (consumption + flexibility)
};

/// The contract (j) binding of a delivery. Errors: failed_precondition when the reading lacks
/// PCOUP, SINSTI or STGE (names which).
Result<pattern::Binding> tic_binding(const services::metering::Delivery& delivery,
                                     const SsaOptions& options);

/// The post-forwarded-power-limit binding of a power-limit delivery. Errors: invalid_argument
/// (a delivery of another kind; values the codecs reject).
Result<pattern::Binding> forwarded_power_limit_binding(const services::metering::Delivery& delivery,
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
