// One detection tick of FaultLocationService (the rule is in detection.hpp): O(#HEMS) counting,
// then evaluate_group() only for groups that are candidates or carry an active notification.

#include <algorithm>
#include <cstdio>
#include <map>
#include <string_view>

#include "service_impl.hpp"

namespace gridke::services::fault_location {

namespace {

constexpr std::size_t max_abnormal_readings = 64;
constexpr std::size_t voltage_slot = 4;

std::string format_voltage(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

Result<TickSummary> FaultLocationService::Impl::tick_locked(std::vector<Notification>& events) {
  const auto& s = options.detection;
  const std::int64_t now_ms = to_epoch_ms(clock->now());
  TickSummary sum;
  sum.at = from_epoch_ms(now_ms);
  assessments.clear();
  const std::int64_t dt =
      last_tick_ms == detail::never_ms
          ? 0
          : std::clamp<std::int64_t>(now_ms - last_tick_ms, 0, 10 * s.reading_period.count());
  last_tick_ms = now_ms;
  const std::int64_t default_silence_ms =
      std::chrono::duration_cast<Duration>(defaults.min_silence).count();

  // Effective parameters per zone (monitored zones only).
  const std::size_t nz = zones.size();
  std::vector<const Monitoring*> zone_monitoring(nz, nullptr);
  std::vector<std::int64_t> zone_silence_ms(nz, default_silence_ms);
  std::vector<int> zone_min_silent(nz, defaults.min_silent_hems);
  for (std::uint32_t z = 0; z < nz; ++z) {
    const Monitoring* first = nullptr;
    const auto p = effective_parameters_locked(z, now_ms, &first);
    zone_monitoring[z] = first;
    zone_silence_ms[z] = std::chrono::duration_cast<Duration>(p.min_silence).count();
    zone_min_silent[z] = p.min_silent_hems;
  }

  std::vector<std::uint8_t> in_fault(hems.size(), 0);
  for (const auto& [id, a] : active) {
    if (a.note.kind != NotificationKind::power_fault) continue;
    for (auto m : a.members) in_fault[m] = 1;
  }

  // Pass 1: per-zone and per-(zone, access network) silent counts; observed time.
  const std::size_t nn = networks.size() + 1;
  std::vector<std::array<int, 2>> net_counts(nz * nn, {0, 0});  // {members, silent}
  std::vector<int> zone_tracked(nz, 0), zone_silent_default(nz, 0);
  for (std::uint32_t i = 0; i < hems.size(); ++i) {
    auto& st = hems[i];
    if (!st.has_reported()) continue;
    const std::int64_t silent_for = now_ms - st.last_seen_ms;
    if (silent_for >= s.stale_after.count() && !in_fault[i]) continue;
    st.observed_ms += dt;
    st.dirty = st.dirty || dt > 0;
    const auto z = st.zone_index;
    ++zone_tracked[z];
    zone_silent_default[z] += silent_for >= default_silence_ms ? 1 : 0;
    auto& c = net_counts[z * nn + st.network];
    ++c[0];
    c[1] += silent_for >= zone_silence_ms[z] ? 1 : 0;
  }
  // Silence episodes for the guard: counted only when the zone is not silent as a whole (an
  // outage is not the device's own unreliability).
  for (std::uint32_t i = 0; i < hems.size(); ++i) {
    auto& st = hems[i];
    if (!st.has_reported()) continue;
    const bool silent = now_ms - st.last_seen_ms >= default_silence_ms;
    if (silent && !st.in_episode) {
      st.in_episode = true;
      st.dirty = true;
      const auto z = st.zone_index;
      if (!in_fault[i] && static_cast<double>(zone_silent_default[z]) <
                              s.min_silent_fraction * static_cast<double>(zone_tracked[z])) {
        st.episodes += 1.0;
      }
    } else if (!silent && st.in_episode) {
      st.in_episode = false;
      st.dirty = true;
    }
  }
  // Access-network outage evidence per zone: a network with >= N_min silent HEMS making up
  // f_min of its members while another network of the zone is alive.
  // Evidence counts per (region, network): only neighbours (same region) corroborate.
  std::vector<std::uint64_t> zone_evidence(nz, 0);
  std::vector<std::size_t> zone_region(nz, 0);
  {
    std::map<std::string_view, std::size_t> regions;
    for (std::uint32_t z = 0; z < nz; ++z) {
      zone_region[z] = regions.emplace(zones[z].info.region, regions.size()).first->second;
    }
  }
  std::vector<int> evidence_zones(64 * (nz + 1), 0);
  for (std::uint32_t z = 0; z < nz; ++z) {
    bool alive = false;
    std::uint64_t dark = 0;
    for (std::size_t a = 1; a < nn; ++a) {
      const auto& c = net_counts[z * nn + a];
      if (c[0] == 0) continue;
      const bool is_dark =
          c[1] >= zone_min_silent[z] && c[1] >= s.min_silent_fraction * static_cast<double>(c[0]);
      if (is_dark && a < 64) dark |= std::uint64_t{1} << a;
      alive = alive || static_cast<double>(c[1]) < s.min_silent_fraction * c[0];
    }
    if (alive && dark != 0) {
      zone_evidence[z] = dark;
      for (std::size_t a = 1; a < 64; ++a) {
        evidence_zones[64 * zone_region[z] + a] += (dark >> a) & 1U ? 1 : 0;
      }
    }
  }

  // Pass 2: monitored zones.
  std::vector<MemberView> views;
  std::vector<std::uint32_t> group;
  for (std::uint32_t z = 0; z < nz; ++z) {
    auto& zone = zones[z];
    const Monitoring* mon = zone_monitoring[z];
    const bool has_active =
        std::any_of(zone.active.begin(), zone.active.end(), [](auto& id) { return !id.empty(); });
    if (mon == nullptr && !has_active) continue;
    ++sum.zones_evaluated;
    const std::int64_t tmin = zone_silence_ms[z];
    if (last_ingest_ms == detail::never_ms || now_ms - last_ingest_ms >= tmin) {
      sum.feed_silent = true;  // the DSP feed itself is silent: no HEMS can be judged
      continue;
    }
    GroupContext ctx;
    ctx.now = from_epoch_ms(now_ms);
    ctx.min_silent_hems = zone_min_silent[z];
    ctx.min_silence = Duration(tmin);
    for (std::size_t a = 1; a < 64 && a < nn; ++a) {
      if (evidence_zones[64 * zone_region[z] + a] - static_cast<int>((zone_evidence[z] >> a) & 1U) >
          0) {
        ctx.networks_dark_elsewhere |= std::uint64_t{1} << a;
      }
    }
    const double nominal = zone.info.nominal_voltage_v;
    bool any_phase = false;
    for (auto m : zone.members) any_phase = any_phase || hems[m].info.phase.has_value();

    // slot 0: whole zone; slots 1..3: phases.
    SilenceClass zone_verdict = SilenceClass::none;
    for (std::size_t slot = 0; slot < 4; ++slot) {
      if (slot > 0 &&
          (!any_phase || zone_verdict == SilenceClass::power_fault || !zone.active[0].empty())) {
        if (zone.active[slot].empty()) continue;
      }
      group.clear();
      int silent = 0;
      for (auto m : zone.members) {
        const auto& st = hems[m];
        if (!st.has_reported()) continue;
        if (slot > 0 && st.info.phase != static_cast<Phase>(slot - 1)) continue;
        const std::int64_t silent_for = now_ms - st.last_seen_ms;
        if (silent_for >= s.stale_after.count() && !in_fault[m]) continue;
        group.push_back(m);
        silent += silent_for >= tmin ? 1 : 0;
      }
      const bool candidate = silent >= ctx.min_silent_hems &&
                             silent >= s.min_silent_fraction * static_cast<double>(group.size());
      std::string& active_id = zone.active[slot];
      if (!candidate && active_id.empty()) continue;

      views.clear();
      for (auto m : group) {
        const auto& st = hems[m];
        views.push_back({from_epoch_ms(st.last_seen_ms), st.network,
                         onset_probability(st.episodes, Duration(st.observed_ms), s),
                         st.last_voltage_v < s.fault_voltage_pu * nominal});
      }
      const GroupEvaluation ev = evaluate_group(views, ctx, s);
      if (slot == 0) zone_verdict = ev.verdict;
      std::optional<Phase> phase;
      if (slot > 0) phase = static_cast<Phase>(slot - 1);
      assessments.push_back(
          {zone.info.id, phase, ev.verdict, ev.silent, static_cast<int>(group.size()), ev.reason});
      if (ev.verdict == SilenceClass::communication_outage) ++sum.communication_outages;

      // Abnormal readings shown with a fault: the low readings of its silent HEMS.
      auto low_readings = [&](const std::vector<std::uint32_t>& who) {
        std::vector<AbnormalReading> out;
        for (auto m : who) {
          const auto& st = hems[m];
          for (std::size_t k = st.recent_count; k > 0; --k) {
            if (st.recent[k - 1].voltage_v < s.abnormal_voltage_pu * nominal) {
              out.push_back({from_epoch_ms(st.recent[k - 1].t_ms), st.recent[k - 1].voltage_v});
            }
          }
        }
        std::sort(out.begin(), out.end(),
                  [](const auto& a, const auto& b) { return a.time > b.time; });
        if (out.size() > max_abnormal_readings) out.resize(max_abnormal_readings);
        return out;
      };

      if (active_id.empty()) {
        if (ev.verdict != SilenceClass::power_fault) continue;
        detail::ActiveNotification a;
        for (auto m : group) {
          if (now_ms - hems[m].last_seen_ms >= tmin) a.members.push_back(m);
        }
        Notification& n = a.note;
        n.id = "fault-" + std::to_string(next_fault++);
        n.kind = NotificationKind::power_fault;
        n.status = NotificationStatus::raised;
        n.zone = zone.info.id;
        n.phase = phase;
        n.monitoring_id = mon ? mon->id : std::string();
        n.affected_hems = static_cast<int>(a.members.size());
        n.monitored_hems = static_cast<int>(group.size());
        n.confidence = ev.network_corroborated || ev.voltage_corroborated ? "high" : "medium";
        n.reason = ev.reason;
        n.false_alarm_probability = ev.tail_probability;
        n.onset = ev.onset;
        n.raised_at = n.updated_at = from_epoch_ms(now_ms);
        n.abnormal_readings = low_readings(a.members);
        n.revision = ++revision;
        GRIDKE_TRY(save_notification_locked(a, true));
        for (auto m : a.members) in_fault[m] = 1;
        events.push_back(n);
        ++sum.raised;
        active_id = n.id;
        active.emplace(n.id, std::move(a));
        continue;
      }
      // An active fault: clear (hysteresis) or update the count.
      auto it = active.find(active_id);
      if (it == active.end()) {
        active_id.clear();
        continue;
      }
      auto& a = it->second;
      int back = 0;
      for (auto m : a.members) back += now_ms - hems[m].last_seen_ms < tmin ? 1 : 0;
      Notification& n = a.note;
      if (static_cast<double>(back) >= s.clear_fraction * static_cast<double>(a.members.size())) {
        n.status = NotificationStatus::cleared;
        n.affected_hems = static_cast<int>(a.members.size()) - back;
        n.updated_at = from_epoch_ms(now_ms);
        n.cleared_at = n.updated_at;
        n.reason = std::to_string(back) + " of " + std::to_string(a.members.size()) +
                   " silent HEMS report again";
        n.revision = ++revision;
        GRIDKE_TRY(save_notification_locked(a, false));
        events.push_back(n);
        ++sum.cleared;
        active_id.clear();
        active.erase(it);
        continue;
      }
      bool grew = false;
      if (ev.verdict != SilenceClass::none && ev.verdict != SilenceClass::communication_outage) {
        for (auto m : group) {
          if (now_ms - hems[m].last_seen_ms < tmin) continue;
          if (std::find(a.members.begin(), a.members.end(), m) != a.members.end()) continue;
          a.members.push_back(m);
          grew = true;
        }
      }
      const int still = static_cast<int>(a.members.size()) - back;
      if (still != n.affected_hems || grew) {
        n.status = NotificationStatus::updated;
        n.affected_hems = still;
        n.monitored_hems = static_cast<int>(group.size());
        n.updated_at = from_epoch_ms(now_ms);
        n.abnormal_readings = low_readings(a.members);
        n.revision = ++revision;
        GRIDKE_TRY(save_notification_locked(a, grew));
        events.push_back(n);
        ++sum.updated;
      }
    }

    // Abnormal (below-nominal) voltages in the zone, with per-HEMS hysteresis from ingest.
    std::vector<std::uint32_t> low;
    int communicating = 0;
    for (auto m : zone.members) {
      const auto& st = hems[m];
      if (!st.has_reported() || now_ms - st.last_seen_ms >= tmin) continue;
      ++communicating;
      if (st.abnormal) low.push_back(m);
    }
    std::string& vid = zone.active[voltage_slot];
    const int count = static_cast<int>(low.size());
    if (vid.empty() && (mon == nullptr || count < s.min_abnormal_hems)) continue;
    auto low_list = [&]() {
      std::vector<AbnormalReading> out;
      for (auto m : low) {
        const auto& st = hems[m];
        for (std::size_t k = st.recent_count; k > 0; --k) {
          if (st.recent[k - 1].voltage_v >= s.recovered_voltage_pu * nominal) break;
          out.push_back({from_epoch_ms(st.recent[k - 1].t_ms), st.recent[k - 1].voltage_v});
        }
      }
      std::sort(out.begin(), out.end(),
                [](const auto& a, const auto& b) { return a.time > b.time; });
      if (out.size() > max_abnormal_readings) out.resize(max_abnormal_readings);
      return out;
    };
    const std::string why = std::to_string(count) + " of " + std::to_string(communicating) +
                            " communicating HEMS below " +
                            format_voltage(s.abnormal_voltage_pu * nominal) + " V (" +
                            format_voltage(s.abnormal_voltage_pu * 100) + " % of nominal)";
    if (vid.empty()) {
      detail::ActiveNotification a;
      a.members = low;
      Notification& n = a.note;
      n.id = "voltage-" + std::to_string(next_voltage++);
      n.kind = NotificationKind::abnormal_voltage;
      n.zone = zone.info.id;
      n.monitoring_id = mon->id;
      n.affected_hems = count;
      n.monitored_hems = communicating;
      n.confidence = "high";
      n.reason = why;
      n.abnormal_readings = low_list();
      n.onset =
          n.abnormal_readings.empty() ? from_epoch_ms(now_ms) : n.abnormal_readings.back().time;
      n.raised_at = n.updated_at = from_epoch_ms(now_ms);
      n.revision = ++revision;
      GRIDKE_TRY(save_notification_locked(a, true));
      events.push_back(n);
      ++sum.raised;
      vid = n.id;
      active.emplace(n.id, std::move(a));
      continue;
    }
    auto it = active.find(vid);
    if (it == active.end()) {
      vid.clear();
      continue;
    }
    Notification& n = it->second.note;
    if (count < s.min_abnormal_hems) {
      n.status = NotificationStatus::cleared;
      n.affected_hems = count;
      n.updated_at = from_epoch_ms(now_ms);
      n.cleared_at = n.updated_at;
      n.reason = why;
      n.revision = ++revision;
      GRIDKE_TRY(save_notification_locked(it->second, false));
      events.push_back(n);
      ++sum.cleared;
      vid.clear();
      active.erase(it);
    } else if (count != n.affected_hems) {
      n.status = NotificationStatus::updated;
      n.affected_hems = count;
      n.monitored_hems = communicating;
      n.updated_at = from_epoch_ms(now_ms);
      n.reason = why;
      n.abnormal_readings = low_list();
      n.revision = ++revision;
      it->second.members = low;
      GRIDKE_TRY(save_notification_locked(it->second, true));
      events.push_back(n);
      ++sum.updated;
    }
  }

  if (last_prune_ms == detail::never_ms || now_ms - last_prune_ms >= s.prune_interval.count()) {
    GRIDKE_TRY(prune_locked(now_ms));
  }
  if (last_checkpoint_ms == detail::never_ms ||
      now_ms - last_checkpoint_ms >= s.checkpoint_interval.count()) {
    GRIDKE_TRY(checkpoint_locked());
  }
  return sum;
}

}  // namespace gridke::services::fault_location
