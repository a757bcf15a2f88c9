#include "gridke/services/tariffs/rest_api.hpp"

#include <memory>
#include <string>
#include <vector>

#include "gridke/http/json_fields.hpp"

namespace gridke::services::tariffs {
namespace {

using nlohmann::json;

Result<std::vector<double>> number_array(const json& j, std::string_view path, const char* key) {
  GRIDKE_ASSIGN_OR_RETURN(const json* a, http::get_array(j, path, key));
  std::vector<double> out;
  out.reserve(a->size());
  const std::string where = http::join(path, key);
  for (std::size_t i = 0; i < a->size(); ++i) {
    const json& v = (*a)[i];
    if (!v.is_number()) {
      return invalid_argument(http::join(where, i) + ": must be a number, got " +
                              std::string(http::type_name(v)));
    }
    out.push_back(v.get<double>());
  }
  return out;
}

// Calculator errors name the series and index ("capacity_kw[17]"); prefix the JSON path.
Error located(const Error& e, std::string_view path) {
  return Error(e.code(), std::string(path) + ": " + e.message(), e.location());
}

Result<http::Response> publish_capacity(TariffService& service, const RouterOptions& options,
                                        const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const Day day, parse_day(req.param("day"), "path {day}"));
  GRIDKE_ASSIGN_OR_RETURN(const json body, req.json());
  GRIDKE_TRY(http::check_object(body, "", {"forecasts", "model", "forecast_source"}));
  GRIDKE_ASSIGN_OR_RETURN(auto source_name, http::get_optional_string(body, "", "forecast_source"));
  const std::string mode =
      source_name ? *source_name : (options.fetch_by_default ? "forecast-kb" : "dso");
  if (mode != "dso" && mode != "forecast-kb" && mode != "forecast-kb-only") {
    return invalid_argument("forecast_source: '" + mode +
                            "' is not dso, forecast-kb or forecast-kb-only");
  }
  const bool fetch = mode != "dso";
  GRIDKE_ASSIGN_OR_RETURN(const json* list, http::get_array(body, "", "forecasts"));
  std::vector<ZoneForecast> forecasts;
  for (std::size_t i = 0; i < list->size(); ++i) {
    GRIDKE_ASSIGN_OR_RETURN(auto f,
                            forecast_from_json((*list)[i], http::join("forecasts", i), fetch));
    forecasts.push_back(std::move(f));
  }
  std::optional<CapacityTariffConfig> config;
  if (auto it = body.find("model"); it != body.end() && !it->is_null()) {
    GRIDKE_ASSIGN_OR_RETURN(auto c, config_from_json(*it, "model", service.options().capacity));
    config = std::move(c);
  }
  Result<FetchedPublication> published = FetchedPublication{};
  if (fetch) {
    published = service.publish_with_fetched_forecasts(
        day, forecasts, options.forecast_source,
        mode == "forecast-kb-only" ? FetchPolicy::fetched_only : FetchPolicy::fetched_or_dso,
        config);
  } else if (auto p = service.publish_capacity_tariffs(day, forecasts, config); p) {
    published->tariffs = std::move(p).value();
  } else {
    published = p.error();
  }
  if (!published) {
    // Name the JSON element of a zone-level error.
    const auto& e = published.error();
    for (std::size_t i = 0; i < forecasts.size(); ++i) {
      if (e.message().find("zone '" + forecasts[i].zone + "'") != std::string::npos) {
        return located(e, http::join("forecasts", i));
      }
    }
    return e;
  }
  json out = json::array();
  for (const auto& p : published->tariffs) out.push_back(to_json(p));
  json answer{{"day", format_day(day)}, {"forecast_source", mode}, {"tariffs", out}};
  if (fetch) {
    json uses = json::array();
    for (const auto& u : published->forecasts) {
      if (options.log) options.log("tariffs " + format_day(day) + ": " + u.describe());
      uses.push_back(to_json(u));
    }
    answer["forecasts"] = std::move(uses);
  }
  return http::Response::json(201, answer);
}

Result<http::Response> put_static(TariffService& service, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const json body, req.json());
  GRIDKE_TRY(http::check_object(body, "", {"price_per_kwh"}));
  GRIDKE_ASSIGN_OR_RETURN(auto prices, number_array(body, "", "price_per_kwh"));
  GRIDKE_TRY(service.set_static_tariff(req.param("zone"), prices));
  return http::Response::json(200, json{{"zone", req.param("zone")}, {"price_per_kwh", prices}});
}

Result<http::Response> get_static(TariffService& service, const http::Request& req) {
  auto prices = service.static_tariff(req.param("zone"));
  if (!prices) return not_found("zone '" + req.param("zone") + "' has no static tariff");
  return http::Response::json(200, json{{"zone", req.param("zone")}, {"price_per_kwh", *prices}});
}

Result<http::Response> publish_static(TariffService& service, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const Day day, parse_day(req.param("day"), "path {day}"));
  GRIDKE_ASSIGN_OR_RETURN(auto published, service.publish_static_tariffs(day));
  json out = json::array();
  for (const auto& p : published) out.push_back(to_json(p));
  return http::Response::json(201, json{{"day", format_day(day)}, {"tariffs", out}});
}

Result<http::Response> list_day(TariffService& service, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const Day day, parse_day(req.param("day"), "path {day}"));
  GRIDKE_ASSIGN_OR_RETURN(auto all, service.list(day));
  json out = json::array();
  for (const auto& p : all) out.push_back(to_json(p));
  return http::Response::json(200, json{{"day", format_day(day)}, {"tariffs", out}});
}

Result<http::Response> get_zone_day(TariffService& service, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const Day day, parse_day(req.param("day"), "path {day}"));
  GRIDKE_ASSIGN_OR_RETURN(auto p, service.find(req.param("zone"), day));
  if (!p) {
    return not_found("no tariff published for zone '" + req.param("zone") + "' on " +
                     format_day(day));
  }
  return http::Response::json(200, to_json(*p));
}

Result<http::Response> settle_zone_day(TariffService& service, const http::Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const Day day, parse_day(req.param("day"), "path {day}"));
  GRIDKE_ASSIGN_OR_RETURN(const json body, req.json());
  GRIDKE_TRY(http::check_object(body, "", {"consumption_kwh"}));
  GRIDKE_ASSIGN_OR_RETURN(auto consumption, number_array(body, "", "consumption_kwh"));
  GRIDKE_ASSIGN_OR_RETURN(auto bill, service.settle(req.param("zone"), day, consumption));
  return http::Response::json(200, json{{"zone", req.param("zone")},
                                        {"day", format_day(day)},
                                        {"energy_kwh", bill.energy_kwh},
                                        {"total_cost", bill.total_cost},
                                        {"cost", bill.cost}});
}

}  // namespace

json to_json(const PublishedTariff& p) {
  json quarters = json::array();
  json flagged = json::array();
  for (std::size_t q = 0; q < p.price_per_kwh.size(); ++q) {
    json item{{"start", http::format_time(p.quarter_start(q))},
              {"end", http::format_time(p.quarter_start(q + 1))},
              {"price_per_kwh", p.price_per_kwh[q]}};
    if (q < p.status.size()) {
      item["status"] = std::string(solver::to_string(p.status[q]));
      if (p.status[q] == solver::PriceStatus::baseline_over_capacity) flagged.push_back(q);
    }
    if (q < p.expected_demand_kw.size()) item["expected_demand_kw"] = p.expected_demand_kw[q];
    quarters.push_back(std::move(item));
  }
  return json{{"zone", p.zone},
              {"day", format_day(p.day)},
              {"mode", std::string(to_string(p.mode))},
              {"published_at", http::format_time(p.published_at)},
              {"interval_minutes", kQuarterMinutes},
              {"quarters", std::move(quarters)},
              {"baseline_over_capacity", std::move(flagged)}};
}

Result<ZoneForecast> forecast_from_json(const json& j, std::string_view path, bool load_optional) {
  GRIDKE_TRY(
      http::check_object(j, path, {"zone", "baseline_kw", "controllable_kw", "capacity_kw"}));
  ZoneForecast f;
  GRIDKE_ASSIGN_OR_RETURN(f.zone, http::get_string(j, path, "zone"));
  if (f.zone.empty()) return invalid_argument(http::join(path, "zone") + ": must not be empty");
  const bool has_load = j.contains("baseline_kw") || j.contains("controllable_kw");
  if (!load_optional || has_load) {
    GRIDKE_ASSIGN_OR_RETURN(f.baseline_kw, number_array(j, path, "baseline_kw"));
    GRIDKE_ASSIGN_OR_RETURN(f.controllable_kw, number_array(j, path, "controllable_kw"));
  }
  GRIDKE_ASSIGN_OR_RETURN(f.capacity_kw, number_array(j, path, "capacity_kw"));
  return f;
}

Result<CapacityTariffConfig> config_from_json(const json& j, std::string_view path,
                                              CapacityTariffConfig c) {
  GRIDKE_TRY(http::check_object(
      j, path,
      {"response", "reference_price", "floor_price", "cap_price", "tolerance", "tiers", "margin_kw",
       "margin_fraction", "shift_fraction", "damping", "max_iterations"}));
  if (auto it = j.find("response"); it != j.end() && !it->is_null()) {
    const std::string rpath = http::join(path, "response");
    GRIDKE_TRY(http::check_object(*it, rpath, {"model", "elasticity"}));
    GRIDKE_ASSIGN_OR_RETURN(const auto model, http::get_string(*it, rpath, "model"));
    GRIDKE_ASSIGN_OR_RETURN(const double eps, http::get_number(*it, rpath, "elasticity"));
    if (model == "constant_elasticity") {
      c.response = solver::ConstantElasticity{eps};
    } else if (model == "linear_elasticity") {
      c.response = solver::LinearElasticity{eps};
    } else {
      return invalid_argument(http::join(rpath, "model") + ": '" + model +
                              "' is not constant_elasticity or linear_elasticity");
    }
  }
  const auto number = [&](const char* key, double& field) -> Result<void> {
    GRIDKE_ASSIGN_OR_RETURN(auto v, http::get_optional_number(j, path, key));
    if (v) field = *v;
    return ok();
  };
  GRIDKE_TRY(number("reference_price", c.bounds.reference));
  GRIDKE_TRY(number("floor_price", c.bounds.floor));
  GRIDKE_TRY(number("cap_price", c.bounds.cap));
  GRIDKE_TRY(number("tolerance", c.bounds.tolerance));
  GRIDKE_TRY(number("margin_kw", c.margin_kw));
  GRIDKE_TRY(number("margin_fraction", c.margin_fraction));
  GRIDKE_TRY(number("shift_fraction", c.shift_fraction));
  GRIDKE_TRY(number("damping", c.damping));
  GRIDKE_ASSIGN_OR_RETURN(auto iterations, http::get_optional_integer(j, path, "max_iterations"));
  if (iterations) c.max_iterations = static_cast<int>(*iterations);
  if (auto it = j.find("tiers"); it != j.end() && !it->is_null()) {
    GRIDKE_ASSIGN_OR_RETURN(c.tier_prices, number_array(j, path, "tiers"));
  }
  // Validate here so that a bad model is a 400 naming the body member, not a later failure.
  if (auto check = CapacityTariffCalculator::create(c); !check) {
    return located(check.error(), path);
  }
  return c;
}

json to_json(const CapacityTariffConfig& c) {
  json response;
  if (const auto* m = std::get_if<solver::ConstantElasticity>(&c.response)) {
    response = {{"model", "constant_elasticity"}, {"elasticity", m->elasticity}};
  } else if (const auto* l = std::get_if<solver::LinearElasticity>(&c.response)) {
    response = {{"model", "linear_elasticity"}, {"elasticity", l->elasticity}};
  } else {
    response = {{"model", "monotone"}};
  }
  return json{{"response", response},
              {"reference_price", c.bounds.reference},
              {"floor_price", c.bounds.floor},
              {"cap_price", c.bounds.cap},
              {"tolerance", c.bounds.tolerance},
              {"tiers", c.tier_prices},
              {"margin_kw", c.margin_kw},
              {"margin_fraction", c.margin_fraction},
              {"shift_fraction", c.shift_fraction},
              {"damping", c.damping},
              {"max_iterations", c.max_iterations}};
}

json to_json(const ForecastUse& use) {
  json j{{"zone", use.zone}, {"origin", to_string(use.origin)}, {"description", use.describe()}};
  if (!use.source.empty()) j["source"] = use.source;
  if (use.origin == ForecastOrigin::dso) j["fallback_reason"] = use.fallback_reason;
  return j;
}

http::Router make_router(TariffService& service) { return make_router(service, RouterOptions{}); }

http::Router make_router(TariffService& service, RouterOptions options) {
  http::Router r;
  TariffService* s = &service;
  auto opts = std::make_shared<const RouterOptions>(std::move(options));
  r.get("/config", [s, opts](const http::Request&) -> Result<http::Response> {
    return http::Response::json(
        200, json{{"lead_time_minutes", s->options().lead_time.count()},
                  {"quarters_per_day", kQuartersPerDay},
                  {"deadline_rule",
                   "a day's tariffs must be published by 00:00Z of the day "
                   "minus lead_time_minutes"},
                  {"model", to_json(s->options().capacity)},
                  {"forecast_source_default", opts->fetch_by_default ? "forecast-kb" : "dso"},
                  {"forecast_kb_configured", opts->forecast_source != nullptr}});
  });
  r.post("/days/{day}/capacity",
         [s, opts](const http::Request& q) { return publish_capacity(*s, *opts, q); });
  r.put("/zones/{zone}/static", [s](const http::Request& q) { return put_static(*s, q); });
  r.get("/zones/{zone}/static", [s](const http::Request& q) { return get_static(*s, q); });
  r.post("/days/{day}/static", [s](const http::Request& q) { return publish_static(*s, q); });
  r.get("/days/{day}", [s](const http::Request& q) { return list_day(*s, q); });
  r.get("/days/{day}/zones/{zone}", [s](const http::Request& q) { return get_zone_day(*s, q); });
  r.post("/days/{day}/zones/{zone}/settlement",
         [s](const http::Request& q) { return settle_zone_day(*s, q); });
  return r;
}

}  // namespace gridke::services::tariffs
