#include "gridke/adapters/flexibility/terms.hpp"

namespace gridke::adapters::flexibility {

namespace fm = services::flexibility_market;

Result<std::string> FlexibilityIris::fsp_of_kb(const std::string& kb) const {
  if (kb.size() <= fsp_kb_base.size() || kb.compare(0, fsp_kb_base.size(), fsp_kb_base) != 0) {
    return permission_denied("knowledge base <" + kb +
                             "> is not a flexibility service provider (expected <" + fsp_kb_base +
                             "ID>)");
  }
  return kb.substr(fsp_kb_base.size());
}

std::string direction_iri(fm::Direction d) {
  return std::string(s4ener) + (d == fm::Direction::down ? "Downflex" : "Upflex");
}

Result<fm::Direction> direction_from_iri(const std::string& iri) {
  if (iri == direction_iri(fm::Direction::down)) return fm::Direction::down;
  if (iri == direction_iri(fm::Direction::up)) return fm::Direction::up;
  return invalid_argument("direction: expected <" + direction_iri(fm::Direction::down) + "> or <" +
                          direction_iri(fm::Direction::up) + ">, got <" + iri + ">");
}

std::string accepted_iri() { return std::string(s4ener) + "Accepted"; }
std::string rejected_iri() { return std::string(dso_ns) + "Rejected"; }
std::string started_iri() { return std::string(s4ener) + "Started"; }

}  // namespace gridke::adapters::flexibility
