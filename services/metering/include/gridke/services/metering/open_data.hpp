#pragma once
// Open data sharing (D4.3 §2.2, Portuguese pilot, "Anonymized Metering Data: metering data
// aggregated per grid zone"; GDPR recital 26): consumption summed per grid zone and published
// only where no consumer can be singled out.
//
// Rules, with k = AnonymisationPolicy::k (default 5):
//  1. a zone is published only if at least k consumers (meters with data) contribute;
//  2. no re-identification through overlapping zones: for two published zones A and B that
//     share a meter, |A \ B| and |B \ A| must each be 0 or at least k — otherwise the
//     difference of their totals would describe fewer than k consumers. The zone with fewer
//     consumers of a violating pair is suppressed (ties: the later zone in input order), and the
//     check runs again until no pair violates it. (This closes pairwise differencing; differences
//     of three or more zones are not examined, so overlapping zone hierarchies should be kept
//     nested or disjoint.)
// Suppressed zones are listed with the reason; their totals are not.
// Thread safety: pure function. Ownership: values.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "gridke/base/result.hpp"

namespace gridke::services::metering {

struct MeterEnergy {
  std::string meter;
  double energy_kwh = 0.0;
};

struct ZoneMembership {
  std::string zone;
  std::vector<std::string> meters;
};

struct AnonymisationPolicy {
  std::size_t k = 5;
};

struct ZoneAggregate {
  std::string zone;
  double energy_kwh = 0.0;
  std::size_t consumers = 0;
};

struct SuppressedZone {
  std::string zone;
  std::string reason;  ///< e.g. "3 consumers < k = 5"
};

struct OpenDataRelease {
  std::vector<ZoneAggregate> published;  ///< in input order
  std::vector<SuppressedZone> suppressed;
};

/// Aggregates `energy` per zone under the rules above. Meters listed in a zone without an
/// energy value do not count as consumers. Errors (invalid_argument, naming the item): k < 1;
/// an empty or duplicate zone id; a duplicate meter in `energy`; a negative or non-finite
/// energy.
Result<OpenDataRelease> aggregate_by_zone(std::span<const ZoneMembership> zones,
                                          std::span<const MeterEnergy> energy,
                                          AnonymisationPolicy policy = {});

}  // namespace gridke::services::metering
