#pragma once
// IRIs shared by the DSO-side and aggregator-side flexibility SSAs: how an FSP id maps to its
// knowledge base, and the SAREF4ENER terms for directions and statuses.
// Thread safety: immutable values.

#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/services/flexibility_market/model.hpp"

namespace gridke::adapters::flexibility {

inline constexpr std::string_view s4ener = "https://saref.etsi.org/saref4ener/";
inline constexpr std::string_view dso_ns = "https://w3id.org/gridke/dso#";

/// IRI bases of the flexibility exchange. An FSP with id X is the knowledge base fsp_kb_base + X.
struct FlexibilityIris {
  std::string fsp_kb_base = "https://w3id.org/gridke/fsp/";
  std::string market_kb = "https://dso.example.org/kb/flexibility-market";
  std::string request_base = "https://dso.example.org/flex/request/";
  std::string need_base = "https://dso.example.org/flex/need/";
  std::string hems_base = "https://dso.example.org/hems/";
  std::string period_base = "https://dso.example.org/period/";
  std::string instant_base = "https://dso.example.org/instant/";
  std::string offer_base = "https://dso.example.org/flex/offer/";
  std::string instruction_base = "https://dso.example.org/flex/instruction/";

  std::string fsp_kb(const std::string& fsp_id) const { return fsp_kb_base + fsp_id; }
  /// The FSP id of a knowledge base, or an error when the KB is not under fsp_kb_base.
  Result<std::string> fsp_of_kb(const std::string& kb) const;
};

/// s4ener:Downflex / s4ener:Upflex.
std::string direction_iri(services::flexibility_market::Direction d);
/// Errors: invalid_argument naming the IRI.
Result<services::flexibility_market::Direction> direction_from_iri(const std::string& iri);

/// Status IRIs used in result bindings.
std::string accepted_iri();  ///< s4ener:Accepted
std::string rejected_iri();  ///< dso:Rejected
std::string started_iri();   ///< s4ener:Started

}  // namespace gridke::adapters::flexibility
