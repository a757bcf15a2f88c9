#pragma once
// GridKE's own JSON format for a feeder ("format": "gridke-grid/1"), documented field by field
// in docs/grid.md. Every quantity has its unit in its key (kv, kva, ohm_per_km, nf_per_km,
// length_km / length_m, kw, kvar). Example:
//   {"format": "gridke-grid/1", "name": "demo", "frequency_hz": 50,
//    "source": {"bus": "S", "kv": 11, "voltage_pu": 1.05, "isc3_a": 3000, "isc1_a": 5},
//    "buses": [{"id": "S"}, {"id": "1", "x": 0, "y": 0}, {"id": "2"}],
//    "transformers": [{"id": "T", "primary_bus": "S", "secondary_bus": "1", "kv_primary": 11,
//                      "kv_secondary": 0.416, "kva": 800, "connection_primary": "delta",
//                      "connection_secondary": "wye", "percent_r": 0.4, "percent_x": 4}],
//    "line_codes": [{"id": "c", "r1_ohm_per_km": 0.3, "x1_ohm_per_km": 0.07,
//                    "r0_ohm_per_km": 1.2, "x0_ohm_per_km": 0.09}],
//    "lines": [{"id": "L1", "from": "1", "to": "2", "phases": "ABC", "length_m": 50,
//               "line_code": "c"}],
//    "loads": [{"id": "P1", "bus": "2", "phases": "A", "kv": 0.23, "kw": 2, "pf": 0.95,
//               "model": "constant_power", "connection": "wye", "shape": "s1"}],
//    "load_shapes": [{"id": "s1", "interval_minutes": 1, "use_actual": true,
//                     "multipliers": [0.5, 0.6]}]}
// Thread safety: free functions, no shared state.

#include <string>
#include <string_view>

#include "gridke/base/result.hpp"
#include "gridke/services/grid/model/network.hpp"

namespace gridke::services::grid {

/// Parses a network from JSON text; `source_name` names the input in errors.
/// Errors: parse_error for bad JSON (with byte offset) or a missing/ill-typed field, naming the
/// JSON path ("lines[3].length_km"); invalid_argument from Network::validate().
Result<Network> parse_network_json(std::string_view text, const std::string& source_name);

/// Reads a network from a JSON file. Errors: not_found when the file cannot be read; otherwise
/// as parse_network_json, located at the file.
Result<Network> read_network_json(const std::string& path);

/// Writes `network` in the same format (sequence line codes stay sequence values; load shapes
/// are written inline). parse_network_json(write_network_json(n)) reproduces n.
std::string write_network_json(const Network& network);

}  // namespace gridke::services::grid
