#pragma once
// The pairing report (NOTES §10.10): which KIs of the opposite side match each KI at reasoner
// level 1 or 2, and, for a KI nothing matches, the nearest candidate and the differing triples.
// Private to core/ontology. Thread safety: pure.

#include <vector>

#include "gridke/adapter/contract.hpp"
#include "gridke/ontology/report.hpp"

namespace gridke::ontology::detail {

/// Builds the pairings of `contracts` at `level` (1 or 2) and appends findings: a warning for
/// an ASK/POST nothing answers, a note for an ANSWER/REACT nothing triggers, a warning when
/// REACTs sharing an argument pattern disagree on the result pattern.
std::vector<Pairing> pair_contracts(const std::vector<const adapter::Contract*>& contracts,
                                    int level, std::vector<Finding>& findings);

}  // namespace gridke::ontology::detail
