#pragma once
// at("2026-11-28T10:00:00Z"): a market time point from ISO 8601, for the market's tests.
// REQUIRES: a valid timestamp (a test literal). Thread safety: pure function.

#include "gridke/services/flexibility_market/model_json.hpp"

namespace gridke::services::flexibility_market::test_time {

inline TimePoint at(const char* iso) { return *parse_time(iso, "test"); }

}  // namespace gridke::services::flexibility_market::test_time
