#include "gridke/services/flexibility_market/model_json.hpp"

#include <cmath>
#include <cstdio>
#include <initializer_list>

namespace gridke::services::flexibility_market {
namespace {

using nlohmann::json;

std::string join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

std::string_view type_of(const json& j) { return j.type_name(); }

Result<void> check_keys(const json& j, std::string_view path,
                        std::initializer_list<std::string_view> allowed) {
  if (!j.is_object()) {
    return invalid_argument(std::string(path.empty() ? "body" : path) +
                            ": must be an object, got " + std::string(type_of(j)));
  }
  for (const auto& [k, v] : j.items()) {
    bool ok = false;
    for (auto a : allowed) ok = ok || a == k;
    if (!ok) {
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return invalid_argument(join(path, k) + ": unknown field (allowed: " + list + ")");
    }
  }
  return {};
}

Result<std::string> req_string(const json& j, std::string_view path, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return invalid_argument(join(path, key) + ": is required");
  if (!it->is_string()) {
    return invalid_argument(join(path, key) + ": must be a string, got " +
                            std::string(type_of(*it)));
  }
  return it->get<std::string>();
}

Result<std::optional<std::string>> opt_string(const json& j, std::string_view path,
                                              const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return invalid_argument(join(path, key) + ": must be a string, got " +
                            std::string(type_of(*it)));
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<double> req_number(const json& j, std::string_view path, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return invalid_argument(join(path, key) + ": is required");
  if (!it->is_number()) {
    return invalid_argument(join(path, key) + ": must be a number, got " +
                            std::string(type_of(*it)));
  }
  const double v = it->get<double>();
  if (!std::isfinite(v)) return invalid_argument(join(path, key) + ": must be finite");
  return v;
}

Result<std::optional<double>> opt_number(const json& j, std::string_view path, const char* key) {
  if (!j.contains(key) || j.at(key).is_null()) return std::optional<double>();
  GRIDKE_ASSIGN_OR_RETURN(double v, req_number(j, path, key));
  return std::optional<double>(v);
}

Result<bool> opt_bool(const json& j, std::string_view path, const char* key, bool fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) {
    return invalid_argument(join(path, key) + ": must be a boolean, got " +
                            std::string(type_of(*it)));
  }
  return it->get<bool>();
}

Result<TimePoint> req_time(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(auto s, req_string(j, path, key));
  return parse_time(s, join(path, key));
}

Result<std::optional<TimePoint>> opt_time(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(auto s, opt_string(j, path, key));
  if (!s) return std::optional<TimePoint>();
  GRIDKE_ASSIGN_OR_RETURN(auto t, parse_time(*s, join(path, key)));
  return std::optional<TimePoint>(t);
}

Result<std::vector<std::string>> string_array(const json& j, std::string_view path,
                                              const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) {
    return invalid_argument(join(path, key) + ": must be an array, got " +
                            std::string(type_of(*it)));
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    if (!(*it)[i].is_string()) {
      return invalid_argument(join(path, key) + "[" + std::to_string(i) +
                              "]: must be a string, got " + std::string(type_of((*it)[i])));
    }
    out.push_back((*it)[i].get<std::string>());
  }
  return out;
}

Result<void> check_kw_unit(const json& j, std::string_view path) {
  GRIDKE_ASSIGN_OR_RETURN(auto unit, opt_string(j, path, "measurementUnit"));
  if (unit && *unit != "kW") {
    return invalid_argument(join(path, "measurementUnit") + ": only \"kW\" is supported, got \"" +
                            *unit + "\"");
  }
  return {};
}

json opt_time_json(const std::optional<TimePoint>& t) {
  return t ? json(format_time(*t)) : json(nullptr);
}

template <class E>
Result<E> state_from(const json& j, const char* key, std::initializer_list<E> all) {
  GRIDKE_ASSIGN_OR_RETURN(auto s, req_string(j, "", key));
  for (E e : all) {
    if (to_string(e) == s) return e;
  }
  return invalid_argument(std::string(key) + ": unknown state \"" + s + "\"");
}

}  // namespace

std::string format_time(TimePoint t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const auto ms = (t - day).count();
  const long long h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, milli = ms % 1000;
  char buf[96];
  if (milli) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), h, m, s, milli);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lldZ",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), h, m, s);
  }
  return buf;
}

Result<TimePoint> parse_time(std::string_view text, std::string_view field) {
  auto bad = [&](std::string_view why) -> Error {
    return invalid_argument(std::string(field) + ": not an ISO 8601 date-time (" +
                            std::string(why) + "): \"" + std::string(text) + "\"");
  };
  auto digits = [&](std::size_t pos, std::size_t n, int& out) {
    if (pos + n > text.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    out = v;
    return true;
  };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(0, 4, y) || text.size() < 19 || text[4] != '-' || !digits(5, 2, mo) ||
      text[7] != '-' || !digits(8, 2, d) || (text[10] != 'T' && text[10] != ' ') ||
      !digits(11, 2, h) || text[13] != ':' || !digits(14, 2, mi) || text[16] != ':' ||
      !digits(17, 2, s)) {
    return bad("expected YYYY-MM-DDThh:mm:ss");
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y),
                                        std::chrono::month(static_cast<unsigned>(mo)),
                                        std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad("field out of range");
  std::size_t pos = 19;
  long long milli = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int scale = 100;
    const std::size_t first = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (scale > 0) milli += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == first) return bad("empty fraction");
  }
  long long offset_min = 0;
  if (pos < text.size()) {
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      int oh = 0, om = 0;
      if (!digits(pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
          !digits(pos + 4, 2, om)) {
        return bad("bad zone offset");
      }
      offset_min = (text[pos] == '+' ? 1 : -1) * (oh * 60 + om);
      pos += 6;
    }
  }
  if (pos != text.size()) return bad("trailing characters");
  return TimePoint(std::chrono::sys_days(ymd)) + std::chrono::hours(h) +
         std::chrono::minutes(mi - offset_min) + std::chrono::seconds(s) +
         std::chrono::milliseconds(milli);
}

json to_json(const FlexibilityServiceProvider& f) {
  return {{"fspId", f.id},
          {"name", f.name},
          {"zones", f.zones},
          {"needsCallbackUrl", f.needs_callback_url ? json(*f.needs_callback_url) : json(nullptr)},
          {"activationCallbackUrl",
           f.activation_callback_url ? json(*f.activation_callback_url) : json(nullptr)}};
}

json to_json(const FlexibilityNeed& n) {
  return {{"requestId", n.request_id},
          {"zone", n.zone},
          {"needs", n.needs_kw},
          {"measurementUnit", "kW"},
          {"direction", to_string(n.direction)},
          {"typePower", "Active"},
          {"startTime", format_time(n.start)},
          {"endTime", format_time(n.end)},
          {"HEMSIds", n.hems_ids},
          {"window", to_string(n.window)},
          {"published", format_time(n.published)},
          {"offersClose", format_time(n.offers_close)},
          {"planClose", format_time(n.plan_close)}};
}

json to_json(const FlexibilityOffer& o) {
  return {{"offerId", o.offer_id},
          {"fspId", o.fsp_id},
          {"requestId", o.request_id},
          {"zone", o.zone},
          {"direction", to_string(o.direction)},
          {"startTime", format_time(o.start)},
          {"endTime", format_time(o.end)},
          {"quantity", o.quantity_kw},
          {"minQuantity", o.min_quantity_kw},
          {"divisible", o.divisible},
          {"price", o.price_eur_per_mwh},
          {"measurementUnit", "kW"},
          {"priceUnit", "EUR/MWh"},
          {"state", to_string(o.state)},
          {"received", format_time(o.received)},
          {"suspendedUntil", opt_time_json(o.suspended_until)}};
}

json to_json(const Activation& a) {
  return {{"activationId", a.activation_id},
          {"offerId", a.offer_id},
          {"fspId", a.fsp_id},
          {"requestId", a.request_id},
          {"zone", a.zone},
          {"direction", to_string(a.direction)},
          {"startTime", format_time(a.start)},
          {"endTime", format_time(a.end)},
          {"power", a.power_kw},
          {"price", a.price_eur_per_mwh},
          {"measurementUnit", "kW"},
          {"state", to_string(a.state)},
          {"sent", format_time(a.sent)},
          {"responseDeadline", format_time(a.response_deadline)}};
}

json to_json(const Verification& v) {
  json out = {
      {"activationId", v.activation_id},
      {"intervalMinutes", std::chrono::duration_cast<std::chrono::minutes>(v.interval).count()},
      {"deliveredKw", v.delivered_kw},
      {"contractedKwh", v.contracted_kwh},
      {"deliveredKwh", v.delivered_kwh},
      {"ratio", v.ratio},
      {"settledKwh", v.settled_kwh},
      {"amountEur", v.amount_eur},
      {"penaltyEur", v.penalty_eur},
      {"state", to_string(v.state)},
      {"disputeReason", v.dispute_reason ? json(*v.dispute_reason) : json(nullptr)},
      {"outcome", nullptr}};
  if (v.outcome) {
    out["outcome"] = {{"succeeded", v.outcome->succeeded},
                      {"percentOfTarget", v.outcome->percent_of_target},
                      {"reported", format_time(v.outcome->reported)}};
  }
  return out;
}

json to_json(const Transition& t) {
  return {{"sequence", t.sequence}, {"entity", t.entity}, {"id", t.id},
          {"from", t.from},         {"to", t.to},         {"at", format_time(t.at)},
          {"reason", t.reason}};
}

json to_json(const UncoveredNeed& u) {
  return {{"requestId", u.request_id},
          {"zone", u.zone},
          {"startTime", format_time(u.start)},
          {"missing", u.missing_kw}};
}

json to_json(const ActivationPlan& p) {
  json acts = json::array(), unc = json::array();
  for (const auto& a : p.activations) acts.push_back(to_json(a));
  for (const auto& u : p.uncovered) unc.push_back(to_json(u));
  return {{"activations", acts}, {"uncovered", unc}, {"totalCostEur", p.total_cost_eur}};
}

Result<NeedInput> need_input_from_json(const json& j, std::string_view path) {
  GRIDKE_TRY(check_keys(j, path,
                        {"requestId", "zone", "needs", "measurementUnit", "direction", "typePower",
                         "startTime", "endTime", "HEMSIds"}));
  NeedInput n;
  GRIDKE_ASSIGN_OR_RETURN(n.request_id, opt_string(j, path, "requestId"));
  GRIDKE_ASSIGN_OR_RETURN(n.zone, req_string(j, path, "zone"));
  GRIDKE_ASSIGN_OR_RETURN(n.needs_kw, req_number(j, path, "needs"));
  GRIDKE_TRY(check_kw_unit(j, path));
  GRIDKE_ASSIGN_OR_RETURN(auto dir, req_string(j, path, "direction"));
  GRIDKE_ASSIGN_OR_RETURN(n.direction, parse_direction(dir, join(path, "direction")));
  GRIDKE_ASSIGN_OR_RETURN(auto type, opt_string(j, path, "typePower"));
  if (type && *type != "Active") {
    return invalid_argument(join(path, "typePower") + ": only \"Active\" is supported, got \"" +
                            *type + "\"");
  }
  GRIDKE_ASSIGN_OR_RETURN(n.start, req_time(j, path, "startTime"));
  GRIDKE_ASSIGN_OR_RETURN(n.end, req_time(j, path, "endTime"));
  GRIDKE_ASSIGN_OR_RETURN(n.hems_ids, string_array(j, path, "HEMSIds"));
  return n;
}

Result<OfferInput> offer_input_from_json(const json& j, std::string_view path) {
  GRIDKE_TRY(check_keys(j, path,
                        {"offerId", "fspId", "requestId", "quantity", "minQuantity", "divisible",
                         "price", "startTime", "endTime", "measurementUnit", "priceUnit"}));
  OfferInput o;
  GRIDKE_ASSIGN_OR_RETURN(o.offer_id, opt_string(j, path, "offerId"));
  GRIDKE_ASSIGN_OR_RETURN(o.fsp_id, req_string(j, path, "fspId"));
  GRIDKE_ASSIGN_OR_RETURN(o.request_id, req_string(j, path, "requestId"));
  GRIDKE_ASSIGN_OR_RETURN(o.quantity_kw, req_number(j, path, "quantity"));
  GRIDKE_ASSIGN_OR_RETURN(auto min_q, opt_number(j, path, "minQuantity"));
  o.min_quantity_kw = min_q.value_or(0.0);
  GRIDKE_ASSIGN_OR_RETURN(o.divisible, opt_bool(j, path, "divisible", true));
  GRIDKE_ASSIGN_OR_RETURN(o.price_eur_per_mwh, req_number(j, path, "price"));
  GRIDKE_ASSIGN_OR_RETURN(o.start, opt_time(j, path, "startTime"));
  GRIDKE_ASSIGN_OR_RETURN(o.end, opt_time(j, path, "endTime"));
  GRIDKE_TRY(check_kw_unit(j, path));
  GRIDKE_ASSIGN_OR_RETURN(auto pu, opt_string(j, path, "priceUnit"));
  if (pu && *pu != "EUR/MWh") {
    return invalid_argument(join(path, "priceUnit") + ": only \"EUR/MWh\" is supported, got \"" +
                            *pu + "\"");
  }
  return o;
}

Result<std::vector<ParticipantSeries>> series_from_json(const json& j, std::string_view path) {
  if (!j.is_array()) {
    return invalid_argument(std::string(path) + ": must be an array, got " +
                            std::string(type_of(j)));
  }
  std::vector<ParticipantSeries> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string p = std::string(path) + "[" + std::to_string(i) + "]";
    GRIDKE_TRY(check_keys(j[i], p, {"participantId", "kW"}));
    ParticipantSeries s;
    GRIDKE_ASSIGN_OR_RETURN(s.participant_id, req_string(j[i], p, "participantId"));
    auto it = j[i].find("kW");
    if (it == j[i].end() || !it->is_array()) {
      return invalid_argument(join(p, "kW") + ": must be an array of numbers");
    }
    for (std::size_t k = 0; k < it->size(); ++k) {
      if (!(*it)[k].is_number()) {
        return invalid_argument(join(p, "kW") + "[" + std::to_string(k) +
                                "]: must be a number, got " + std::string(type_of((*it)[k])));
      }
      s.kw.push_back((*it)[k].get<double>());
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<FlexibilityServiceProvider> fsp_from_json(const json& j) {
  FlexibilityServiceProvider f;
  GRIDKE_ASSIGN_OR_RETURN(f.id, req_string(j, "", "fspId"));
  GRIDKE_ASSIGN_OR_RETURN(f.name, req_string(j, "", "name"));
  GRIDKE_ASSIGN_OR_RETURN(f.zones, string_array(j, "", "zones"));
  GRIDKE_ASSIGN_OR_RETURN(f.needs_callback_url, opt_string(j, "", "needsCallbackUrl"));
  GRIDKE_ASSIGN_OR_RETURN(f.activation_callback_url, opt_string(j, "", "activationCallbackUrl"));
  return f;
}

Result<FlexibilityNeed> need_from_json(const json& j) {
  FlexibilityNeed n;
  GRIDKE_ASSIGN_OR_RETURN(n.request_id, req_string(j, "", "requestId"));
  GRIDKE_ASSIGN_OR_RETURN(n.zone, req_string(j, "", "zone"));
  GRIDKE_ASSIGN_OR_RETURN(n.needs_kw, req_number(j, "", "needs"));
  GRIDKE_ASSIGN_OR_RETURN(auto dir, req_string(j, "", "direction"));
  GRIDKE_ASSIGN_OR_RETURN(n.direction, parse_direction(dir, "direction"));
  GRIDKE_ASSIGN_OR_RETURN(n.start, req_time(j, "", "startTime"));
  GRIDKE_ASSIGN_OR_RETURN(n.end, req_time(j, "", "endTime"));
  GRIDKE_ASSIGN_OR_RETURN(n.hems_ids, string_array(j, "", "HEMSIds"));
  GRIDKE_ASSIGN_OR_RETURN(auto w, req_string(j, "", "window"));
  GRIDKE_ASSIGN_OR_RETURN(n.window, parse_window(w, "window"));
  GRIDKE_ASSIGN_OR_RETURN(n.published, req_time(j, "", "published"));
  GRIDKE_ASSIGN_OR_RETURN(n.offers_close, req_time(j, "", "offersClose"));
  GRIDKE_ASSIGN_OR_RETURN(n.plan_close, req_time(j, "", "planClose"));
  return n;
}

Result<FlexibilityOffer> offer_from_json(const json& j) {
  FlexibilityOffer o;
  GRIDKE_ASSIGN_OR_RETURN(o.offer_id, req_string(j, "", "offerId"));
  GRIDKE_ASSIGN_OR_RETURN(o.fsp_id, req_string(j, "", "fspId"));
  GRIDKE_ASSIGN_OR_RETURN(o.request_id, req_string(j, "", "requestId"));
  GRIDKE_ASSIGN_OR_RETURN(o.zone, req_string(j, "", "zone"));
  GRIDKE_ASSIGN_OR_RETURN(auto dir, req_string(j, "", "direction"));
  GRIDKE_ASSIGN_OR_RETURN(o.direction, parse_direction(dir, "direction"));
  GRIDKE_ASSIGN_OR_RETURN(o.start, req_time(j, "", "startTime"));
  GRIDKE_ASSIGN_OR_RETURN(o.end, req_time(j, "", "endTime"));
  GRIDKE_ASSIGN_OR_RETURN(o.quantity_kw, req_number(j, "", "quantity"));
  GRIDKE_ASSIGN_OR_RETURN(o.min_quantity_kw, req_number(j, "", "minQuantity"));
  GRIDKE_ASSIGN_OR_RETURN(o.divisible, opt_bool(j, "", "divisible", true));
  GRIDKE_ASSIGN_OR_RETURN(o.price_eur_per_mwh, req_number(j, "", "price"));
  GRIDKE_ASSIGN_OR_RETURN(o.state,
                          state_from<OfferState>(j, "state",
                                                 {OfferState::received, OfferState::active,
                                                  OfferState::suspended, OfferState::expired}));
  GRIDKE_ASSIGN_OR_RETURN(o.received, req_time(j, "", "received"));
  GRIDKE_ASSIGN_OR_RETURN(o.suspended_until, opt_time(j, "", "suspendedUntil"));
  return o;
}

Result<Activation> activation_from_json(const json& j) {
  Activation a;
  GRIDKE_ASSIGN_OR_RETURN(a.activation_id, req_string(j, "", "activationId"));
  GRIDKE_ASSIGN_OR_RETURN(a.offer_id, req_string(j, "", "offerId"));
  GRIDKE_ASSIGN_OR_RETURN(a.fsp_id, req_string(j, "", "fspId"));
  GRIDKE_ASSIGN_OR_RETURN(a.request_id, req_string(j, "", "requestId"));
  GRIDKE_ASSIGN_OR_RETURN(a.zone, req_string(j, "", "zone"));
  GRIDKE_ASSIGN_OR_RETURN(auto dir, req_string(j, "", "direction"));
  GRIDKE_ASSIGN_OR_RETURN(a.direction, parse_direction(dir, "direction"));
  GRIDKE_ASSIGN_OR_RETURN(a.start, req_time(j, "", "startTime"));
  GRIDKE_ASSIGN_OR_RETURN(a.end, req_time(j, "", "endTime"));
  GRIDKE_ASSIGN_OR_RETURN(a.power_kw, req_number(j, "", "power"));
  GRIDKE_ASSIGN_OR_RETURN(a.price_eur_per_mwh, req_number(j, "", "price"));
  GRIDKE_ASSIGN_OR_RETURN(
      a.state, state_from<ActivationState>(
                   j, "state",
                   {ActivationState::sent, ActivationState::accepted, ActivationState::cancelled}));
  GRIDKE_ASSIGN_OR_RETURN(a.sent, req_time(j, "", "sent"));
  GRIDKE_ASSIGN_OR_RETURN(a.response_deadline, req_time(j, "", "responseDeadline"));
  return a;
}

Result<Verification> verification_from_json(const json& j) {
  Verification v;
  GRIDKE_ASSIGN_OR_RETURN(v.activation_id, req_string(j, "", "activationId"));
  GRIDKE_ASSIGN_OR_RETURN(double minutes, req_number(j, "", "intervalMinutes"));
  v.interval = std::chrono::minutes(static_cast<long long>(minutes));
  if (!j.contains("deliveredKw") || !j["deliveredKw"].is_array()) {
    return invalid_argument("deliveredKw: must be an array");
  }
  for (const auto& x : j["deliveredKw"]) v.delivered_kw.push_back(x.get<double>());
  GRIDKE_ASSIGN_OR_RETURN(v.contracted_kwh, req_number(j, "", "contractedKwh"));
  GRIDKE_ASSIGN_OR_RETURN(v.delivered_kwh, req_number(j, "", "deliveredKwh"));
  GRIDKE_ASSIGN_OR_RETURN(v.ratio, req_number(j, "", "ratio"));
  GRIDKE_ASSIGN_OR_RETURN(v.settled_kwh, req_number(j, "", "settledKwh"));
  GRIDKE_ASSIGN_OR_RETURN(v.amount_eur, req_number(j, "", "amountEur"));
  GRIDKE_ASSIGN_OR_RETURN(v.penalty_eur, req_number(j, "", "penaltyEur"));
  GRIDKE_ASSIGN_OR_RETURN(
      v.state, state_from<SettlementState>(j, "state",
                                           {SettlementState::pending, SettlementState::confirmed,
                                            SettlementState::disputed}));
  GRIDKE_ASSIGN_OR_RETURN(v.dispute_reason, opt_string(j, "", "disputeReason"));
  if (j.contains("outcome") && j["outcome"].is_object()) {
    const json& o = j["outcome"];
    OutcomeReport r;
    r.succeeded = o.value("succeeded", false);
    GRIDKE_ASSIGN_OR_RETURN(r.percent_of_target, req_number(o, "outcome", "percentOfTarget"));
    GRIDKE_ASSIGN_OR_RETURN(r.reported, req_time(o, "outcome", "reported"));
    v.outcome = r;
  }
  return v;
}

}  // namespace gridke::services::flexibility_market
