#pragma once
// Reader for a feeder folder in the IEEE European LV Test Feeder CSV layout (IEEE PES DSA
// Subcommittee, "European_LV_CSV"): Source.csv, Transformer.csv, LineCodes.csv, Lines.csv,
// Loads.csv, LoadShapes.csv, Buscoords.csv and the profiles LoadShapes.csv names (looked up in
// the folder, then in its load_profiles/ subfolder). Format details: docs/grid.md.
//
// Mapping to the model (as the OpenDSS model shipped with the feeder, Master.dss):
// - Source.csv "Voltage=11 kV", "pu=1.05", "ISC3=3000 A", "ISC1=5 A" -> Source::from_short_circuit
//   with OpenDSS default X1/R1 = 4, X0/R0 = 3, at the transformer's primary bus.
// - Transformer.csv: "Delta"/"Wye" connections (Wye = grounded wye), %XHL and "% resistance"
//   (total), MVA -> kVA.
// - LineCodes.csv: sequence R1 X1 R0 X0 (Ohm per Units) and C1 C0 (nF per Units).
// - Lines.csv: Phases "ABC", Length with Units (m, km, ft, mi, kft).
// - Loads.csv: Model 1 = constant PQ, 2 = constant Z, 5 = constant |I|; kvar = kW tan(acos PF);
//   Yearly names the load shape.
// - Buses: Buscoords.csv, plus any bus a line or the transformer names.
// Thread safety: free function, no shared state.

#include <string>

#include "gridke/base/result.hpp"
#include "gridke/services/grid/model/network.hpp"

namespace gridke::services::grid {

/// Reads the feeder in `folder` and validates it.
/// Errors: not_found when a required file is missing (names the file); parse_error for bad
/// numbers, missing columns or unknown keywords (location "file:line", message names the
/// column and the text); invalid_argument from Network::validate() (unknown line code, unknown
/// bus, ...), prefixed with the file that holds the element.
Result<Network> read_ieee_european_lv(const std::string& folder);

}  // namespace gridke::services::grid
