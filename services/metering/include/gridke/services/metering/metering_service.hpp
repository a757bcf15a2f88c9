#pragma once
// MeteringService: the French pilot's smart-meter dynamic data platform (D4.3 §2.2, §3.4.2).
//
// Ingest. Customer gateways POST raw Linky TIC bytes per delivery point (PdL/PRM); frames are
// parsed with checksum verification (tic.hpp), corrupt groups are counted and reported without
// losing the good ones, and the 11 agreed data points (tic_reading.hpp) of each frame are kept
// (the latest per PdL in memory, every reading in storage until retention deletes it).
//
// Contracts and consent (§3.4.2 Figure 20, GDPR list). A service provider signs a contract
// listing the data points it may receive. A customer consent, per provider and PdL, records the
// nature of the data (data points, within the contract), the purpose, the retention period, the
// recipients, and can be withdrawn at any time: from the withdrawal on, nothing more flows to
// that provider for that PdL (deliveries are checked against consents at the moment they are
// made). Retention is enforced by deletion: a reading is deleted once it is older than the
// longest retention period of the PdL's active consents (at once when none is active).
//
// Outputs (§2.2), to every provider with an active consent for the PdL that covers the data:
//   pcoup_changed  on a change of PCOUP (cut-off power)                    data point pcoup
//   overrun        every overrun_period (10 s) while STGE bit 7 is set      data point stge
//   injection      every injection_period (30 s) of SINSTI on a producing   data point sinsti
//                  meter (EAIT > 0 or SINSTI > 0), for collective self-consumption
//   latest()       the latest reading on request (ANSWER to an ASK / REST GET)
//   power limit    the DSO's power limitation for a PdL (contract (k)), forwarded to every
//                  provider with an active consent for the PdL (any data points: the limit
//                  is about the site the provider manages, not about meter data)
// A Delivery carries only the data points both the contract and the consent allow, and the
// PdL only as a token (PdlCipher); listeners (the SSA, the REST callbacks) send it.
//
// Open data (open-data.md): consumption per configured grid zone (set_zone) with the
// k-anonymity rules of open_data.hpp, k >= MeteringOptions::open_data_k; flexibility needs per
// zone from a FlexibilityNeedsSource (flexibility_data.hpp) when one is set.
//
// Thread safety: internally synchronised; listeners run on the ingesting thread after the lock
// is released. Ownership: results are values.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gridke/base/result.hpp"
#include "gridke/services/metering/flexibility_data.hpp"
#include "gridke/services/metering/open_data.hpp"
#include "gridke/services/metering/pdl_cipher.hpp"
#include "gridke/services/metering/tic.hpp"
#include "gridke/services/metering/tic_reading.hpp"

namespace gridke::services::metering {

struct Provider {
  std::string id;  ///< e.g. "engie"
  std::string name;
  DataPointSet contract = 0;      ///< data points the signed contract covers
  std::string knowledge_base_id;  ///< its KB on the knowledge engine (may be empty)
  std::string callback_url;       ///< REST deliveries (may be empty)
};

struct Consent {
  std::string id;  ///< assigned by grant_consent()
  std::string provider;
  std::string prm;
  DataPointSet data_points = 0;  ///< nature of the data
  std::string purpose;
  int retention_days = 0;
  std::vector<std::string> recipients;  ///< to whom the data is made available
  TimePoint granted_at{};
  std::optional<TimePoint> withdrawn_at;
  bool active() const noexcept { return !withdrawn_at.has_value(); }
};

enum class EventKind : std::uint8_t { pcoup_changed, overrun, injection, latest, power_limit };
std::string_view to_string(EventKind kind) noexcept;

/// A DSO power limitation for one connection (contract (k), SAREF4ENER s4ener:PowerLimit).
struct PowerLimitOrder {
  double limit_kw = 0.0;  ///< maximum consumption power
  TimePoint from{};       ///< earliest start
  TimePoint until{};      ///< latest end
  bool obligatory = true;
  bool active = true;  ///< false lifts a limit announced earlier
};

/// What one provider receives.
struct Delivery {
  EventKind kind = EventKind::latest;
  std::string provider;
  std::string knowledge_base_id;
  std::string callback_url;
  std::string prm_token;        ///< the encrypted PdL
  TicReading reading;           ///< filtered; reading.prm is empty
  PowerLimitOrder power_limit;  ///< power_limit only
};

struct IngestSummary {
  std::size_t frames = 0;    ///< frames with at least one good group
  std::size_t readings = 0;  ///< frames whose data points were kept
  std::size_t good_groups = 0;
  std::size_t corrupt_groups = 0;
  std::size_t rejected_frames = 0;  ///< frames whose data points did not read (see errors)
  std::size_t deliveries = 0;
  std::vector<std::string> errors;  ///< "frame N, line L (LABEL): …", at most max_errors
};

struct MeteringStats {
  std::int64_t frames = 0, good_groups = 0, corrupt_groups = 0, rejected_frames = 0;
  std::int64_t deliveries = 0, withheld = 0;  ///< withheld: events with no consented provider
};

struct MeteringOptions {
  std::string key_hex;  ///< PdL encryption key (64 hex digits); never logged
  std::chrono::milliseconds overrun_period{10'000};
  std::chrono::milliseconds injection_period{30'000};
  std::size_t max_errors = 20;  ///< per ingest call, in IngestSummary::errors
  /// Keep every reading in storage (false: only the latest in memory — benchmarks).
  bool keep_history = true;
  std::function<TimePoint()> now;
  /// The smallest k of open-data releases (open_data.hpp); requests may ask for more, not less.
  std::size_t open_data_k = 5;
};

class MeteringService {
 public:
  using Listener = std::function<void(const Delivery&)>;

  /// Errors: invalid_argument (the key, as PdlCipher::create(); periods <= 0; open_data_k <
  /// 1); storage errors.
  static Result<std::unique_ptr<MeteringService>> open(const std::string& database_path,
                                                       MeteringOptions options);
  ~MeteringService();
  MeteringService(const MeteringService&) = delete;
  MeteringService& operator=(const MeteringService&) = delete;

  /// Registers or replaces a provider's contract. Errors: invalid_argument (empty id, empty
  /// contract).
  Result<void> register_provider(Provider provider);
  Result<Provider> provider(std::string_view id) const;  ///< not_found
  std::vector<Provider> providers() const;

  /// Records a consent and returns it with its id. Errors: invalid_argument (empty PdL or
  /// purpose, no data points, retention_days < 1, no recipients); not_found (unknown provider);
  /// permission_denied (data points outside the provider's contract, naming them).
  Result<Consent> grant_consent(Consent consent);
  /// Withdraws a consent now; idempotent. Errors: not_found.
  Result<Consent> withdraw_consent(std::string_view consent_id);
  Result<std::vector<Consent>> consents(std::string_view provider = {}) const;

  /// Parses and keeps the frames a gateway sent for `prm`. Errors: invalid_argument (empty
  /// PdL); storage errors. Corrupt groups and unreadable frames are not errors: they are
  /// counted and described in the summary.
  Result<IngestSummary> ingest(std::string_view prm, std::string_view bytes);

  /// The latest reading of a PdL (given as PRM or token) as `provider` may see it. Errors:
  /// not_found (unknown provider; no reading yet); permission_denied (no active consent of
  /// that provider for that PdL); invalid_argument/permission_denied for a bad token.
  Result<Delivery> latest(std::string_view provider, std::string_view prm_or_token) const;
  /// The latest reading of every PdL the provider holds an active consent for.
  Result<std::vector<Delivery>> latest_all(std::string_view provider) const;

  /// Forwards a DSO power limit for a PdL to every provider with an active consent for it
  /// (contract (k)); returns the number of deliveries (0 when no consent is active: the limit
  /// is not an error, nobody can apply it). Errors: as check_power_limit().
  Result<std::size_t> limit_power(std::string_view prm, const PowerLimitOrder& order);
  /// Shorthand: a limit from now for power_limit_default_duration (24 h), obligatory, active.
  Result<std::size_t> limit_power(std::string_view prm, double limit_kw);
  /// Checks an order without forwarding it. Errors: invalid_argument (empty PdL, limit <= 0 or
  /// non-finite, until <= from); not_found (a PdL the platform has never seen: no TIC reading
  /// and no consent, active or withdrawn, names it).
  Result<void> check_power_limit(std::string_view prm, const PowerLimitOrder& order) const;
  static constexpr std::chrono::hours power_limit_default_duration{24};

  /// Energy withdrawn per PdL in [from, to] from the stored readings (open data, D4.3 §2.2
  /// Portuguese pilot): EAST of the last reading minus EAST of the first one in the window, for
  /// every PdL with two or more readings carrying EAST there. Meter ids are the PRMs (the result
  /// goes to aggregate_by_zone(), never out as such). Errors: invalid_argument (to <= from);
  /// storage errors.
  Result<std::vector<MeterEnergy>> energy_between(TimePoint from, TimePoint to) const;

  /// Defines or replaces a grid zone of the open data (its meters as PRMs; stored). Errors:
  /// invalid_argument (a zone id that is empty or has characters other than letters, digits
  /// and "-._~"; no meters; an empty PRM); storage errors.
  Result<void> set_zone(ZoneMembership zone);
  /// Errors: not_found; storage errors.
  Result<void> remove_zone(std::string_view zone);
  std::vector<ZoneMembership> zones() const;  ///< sorted by id
  /// Consumption per configured zone in [from, to] (energy_between + aggregate_by_zone). `k`
  /// 0 means open_data_k. Errors: permission_denied (0 < k < open_data_k); those of
  /// energy_between() and aggregate_by_zone().
  Result<OpenDataRelease> open_data_consumption(TimePoint from, TimePoint to,
                                                std::size_t k = 0) const;
  std::size_t open_data_k() const;

  /// Installs (or, with an empty function, removes) the flexibility needs source.
  void set_flexibility_source(FlexibilityNeedsSource source);
  bool has_flexibility_source() const;
  /// Flexibility needs per zone overlapping [from, to) (summarise_flexibility, now = now()).
  /// Errors: unavailable "no flexibility data source is configured" without a source; the
  /// source's errors (context "flexibility data source"); summarise_flexibility()'s.
  Result<std::vector<ZoneFlexibility>> flexibility_by_zone(TimePoint from, TimePoint to) const;

  /// Deletes readings past retention (see the file comment); returns how many.
  Result<std::int64_t> enforce_retention();
  /// Stored readings of a PdL (tests, audits).
  Result<std::int64_t> stored_readings(std::string_view prm) const;

  Result<std::string> encrypt_prm(std::string_view prm) const;
  Result<std::string> decrypt_prm(std::string_view token) const;

  int add_listener(Listener listener);
  void remove_listener(int id);
  MeteringStats stats() const;
  TimePoint now() const;

 private:
  struct Impl;
  explicit MeteringService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gridke::services::metering
