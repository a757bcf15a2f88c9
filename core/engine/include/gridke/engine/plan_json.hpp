#pragma once
// The JSON form of a PlanExplanation, as GET /rest/sc/ki/plan returns it (a GridKE extension;
// docs/knowledge-network.md). Implemented in gridke_engine_rest (link gridke::engine_rest).
// Thread safety: pure functions.

#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/engine/explain.hpp"

namespace gridke::engine {

/// The explanation as JSON text (compact unless `indent` >= 0).
std::string plan_explanation_json(const PlanExplanation& explanation, int indent = -1);
/// Parses what plan_explanation_json() writes. Errors: parse_error naming the field.
Result<PlanExplanation> parse_plan_explanation_json(std::string_view text);

}  // namespace gridke::engine
