// RestApi: gridke::http Router (routes in rest_api.hpp) → SensitivitiesService.

#include "gridke/services/sensitivities/http/rest_api.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cmath>
#include <utility>

#include "gridke/services/sensitivities/http/charts.hpp"
#include "gridke/services/sensitivities/json_codec.hpp"

namespace gridke::services::sensitivities {

using gridke::http::Request;
using gridke::http::Response;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxNetworkIdLength = 128;

Result<std::string> network_id(const Request& req) {
  const std::string& id = req.param("networkID");
  if (id.size() > kMaxNetworkIdLength) {
    return invalid_argument("networkID: " + std::to_string(id.size()) + " characters, at most " +
                            std::to_string(kMaxNetworkIdLength));
  }
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return invalid_argument("networkID '" + id +
                              "': only letters, digits, '-', '_' and '.' are allowed");
    }
  }
  return id;
}

Result<void> require_body(const Request& req, const char* shape) {
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    return invalid_argument(std::string("request body is empty: expected ") + shape);
  }
  return ok();
}

ErrorCode code_from_name(const std::string& name) {
  constexpr std::array codes = {
      ErrorCode::invalid_argument, ErrorCode::parse_error,         ErrorCode::not_found,
      ErrorCode::already_exists,   ErrorCode::failed_precondition, ErrorCode::deadline_exceeded,
      ErrorCode::unavailable,      ErrorCode::numerical,           ErrorCode::internal,
      ErrorCode::unimplemented,    ErrorCode::unauthenticated,     ErrorCode::permission_denied};
  for (const auto c : codes) {
    if (to_string(c) == name) return c;
  }
  return ErrorCode::internal;
}

json status_json(const JobStatus& j) {
  return {{"requestId", j.request_id},
          {"networkID", j.network_id},
          {"request", to_string(j.kind)},
          {"status", to_string(j.state)},
          {"progress", j.progress},
          {"created", iso8601_utc(j.created_s)},
          {"updated", iso8601_utc(j.updated_s)}};
}

// The answer for a job: 202 while pending, its error when failed, else its result.
Result<Response> job_response(const JobStatus& j, const std::string& format,
                              const VoltageLimits& limits) {
  if (j.state == JobState::queued || j.state == JobState::running) {
    return Response::json(202, status_json(j));
  }
  if (j.state == JobState::failed) {
    Response r = Response::error(Error(code_from_name(j.error_code), j.error_message));
    r.body["requestId"] = j.request_id;
    r.body["status"] = "failed";
    return r;
  }
  if (format == "svg" || format == "profile-svg") {
    if (j.kind != JobKind::load_correlation) {
      return invalid_argument(std::string("format=") + format + ": SVG is available for " +
                              "loadCorrelation results and getSensitivities, not " +
                              to_string(j.kind));
    }
    GRIDKE_ASSIGN_OR_RETURN(std::string svg, format == "svg"
                                                 ? voltage_problems_svg(j.result_json)
                                                 : voltage_profile_svg(j.result_json, limits));
    return Response::raw(200, "image/svg+xml", std::move(svg));
  }
  json body = json::parse(j.result_json, nullptr, false);
  if (body.is_discarded()) {
    return Error(ErrorCode::internal,
                 "stored result of request '" + j.request_id + "' is not valid JSON");
  }
  body["requestId"] = j.request_id;
  body["status"] = to_string(j.state);
  return Response::json(200, std::move(body));
}

Result<std::string> format_of(const Request& req, std::initializer_list<const char*> allowed) {
  const std::string f = req.query_value("format").value_or("json");
  std::string list;
  for (const char* a : allowed) {
    if (f == a) return f;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return invalid_argument("query parameter format='" + f + "': expected one of " + list);
}

// ?nominalV=&lowerV=&upperV= (volts). nominalV alone gives ±10 %.
Result<std::optional<VoltageLimits>> limits_of(const Request& req) {
  GRIDKE_ASSIGN_OR_RETURN(const auto nominal, req.query_double("nominalV"));
  GRIDKE_ASSIGN_OR_RETURN(const auto lower, req.query_double("lowerV"));
  GRIDKE_ASSIGN_OR_RETURN(const auto upper, req.query_double("upperV"));
  if (!nominal && !lower && !upper) return std::optional<VoltageLimits>();
  VoltageLimits l;
  if (nominal) {
    l.nominal_v = *nominal;
    l.lower_v = 0.9 * l.nominal_v;
    l.upper_v = 1.1 * l.nominal_v;
  }
  if (lower) l.lower_v = *lower;
  if (upper) l.upper_v = *upper;
  if (!(l.nominal_v > 0) || !std::isfinite(l.nominal_v)) {
    return invalid_argument("query parameter nominalV=" + std::to_string(l.nominal_v) +
                            ": must be a positive number of volts");
  }
  if (!(l.lower_v < l.nominal_v && l.nominal_v < l.upper_v)) {
    return invalid_argument("voltage limits: need lowerV < nominalV < upperV, got " +
                            std::to_string(l.lower_v) + " < " + std::to_string(l.nominal_v) +
                            " < " + std::to_string(l.upper_v));
  }
  return std::optional<VoltageLimits>(l);
}

http::Handler job_getter(SensitivitiesService& service, JobKind kind) {
  return [&service, kind](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({"requestId", "format", "nominalV", "lowerV", "upperV"}));
    GRIDKE_ASSIGN_OR_RETURN(const std::string id, network_id(req));
    GRIDKE_ASSIGN_OR_RETURN(const std::string format,
                            kind == JobKind::load_correlation
                                ? format_of(req, {"json", "svg", "profile-svg"})
                                : format_of(req, {"json"}));
    GRIDKE_ASSIGN_OR_RETURN(const auto limits, limits_of(req));
    std::optional<JobStatus> job;
    if (const auto rid = req.query_value("requestId")) {
      GRIDKE_ASSIGN_OR_RETURN(job, service.job(*rid));
      if (job->network_id != id || job->kind != kind) {
        return not_found("request '" + *rid + "' is not a " + to_string(kind) +
                         " request of grid '" + id + "'");
      }
    } else {
      GRIDKE_ASSIGN_OR_RETURN(job, service.latest_job(id, kind));
      if (!job) {
        return not_found("grid '" + id + "' has no " + to_string(kind) + " request yet: POST /" +
                         to_string(kind) + "/" + id + " first");
      }
    }
    return job_response(*job, format, limits.value_or(VoltageLimits{}));
  };
}

http::Handler analysis_poster(SensitivitiesService& service, JobKind kind) {
  return [&service, kind](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({"nominalV", "lowerV", "upperV"}));
    GRIDKE_ASSIGN_OR_RETURN(const std::string id, network_id(req));
    GRIDKE_ASSIGN_OR_RETURN(const auto limits, limits_of(req));
    GRIDKE_TRY(require_body(req, "{\"historicalFromAppliances\": [...]} (D4.3 Table 9)"));
    GRIDKE_ASSIGN_OR_RETURN(auto appliances, parse_appliances(req.body));
    GRIDKE_ASSIGN_OR_RETURN(
        const std::string rid,
        kind == JobKind::load_correlation
            ? service.submit_load_correlation(id, std::move(appliances), limits)
            : service.submit_flexibility_requirements(id, std::move(appliances), limits));
    return Response::json(202, {{"requestId", rid},
                                {"networkID", id},
                                {"request", to_string(kind)},
                                {"status", "queued"}});
  };
}

}  // namespace

http::Router make_router(SensitivitiesService& service) {
  http::Router r;
  r.post("/registerGrid/{networkID}", [&service](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({}));
    GRIDKE_ASSIGN_OR_RETURN(const std::string id, network_id(req));
    GRIDKE_TRY(require_body(req, "{\"historicalFromMeters\": [...]} (D4.3 Table 8)"));
    GRIDKE_ASSIGN_OR_RETURN(auto upload, parse_registration_upload(id, req.body));
    auto& [grid, data] = upload;
    GRIDKE_TRY(service.register_grid(grid));
    json body = {{"networkID", id}, {"meters", grid.meters.size()}, {"status", "registered"}};
    std::int64_t records = 0;
    for (const auto& h : data.meters) records += static_cast<std::int64_t>(h.measurements.size());
    if (records > 0) {
      // D4.3: "The structure is the same as the update method": measurements sent with the
      // registration are the first upload.
      auto rid = service.submit_historical_data(id, std::move(data));
      if (!rid) {
        (void)service.remove_grid(id);
        return rid.error().with_context("registration of grid '" + id + "' not kept");
      }
      body["requestId"] = *rid;
      body["records"] = records;
    }
    return Response::json(201, std::move(body));
  });
  r.get("/registerGrid/{networkID}", [&service](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({}));
    GRIDKE_ASSIGN_OR_RETURN(const std::string id, network_id(req));
    GRIDKE_ASSIGN_OR_RETURN(const auto grid, service.grid(id));
    GRIDKE_ASSIGN_OR_RETURN(const auto records, service.stored_records(id));
    json body = json::parse(to_json(grid));
    body["networkID"] = id;
    body["storedRecords"] = records;
    return Response::json(200, std::move(body));
  });
  r.del("/removeGrid/{networkID}", [&service](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({}));
    GRIDKE_ASSIGN_OR_RETURN(const std::string id, network_id(req));
    GRIDKE_TRY(service.remove_grid(id));
    return Response::json(200, {{"networkID", id}, {"status", "removed"}});
  });
  r.post("/updateHistoricalData/{networkID}", [&service](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({}));
    GRIDKE_ASSIGN_OR_RETURN(const std::string id, network_id(req));
    GRIDKE_TRY(require_body(req, "{\"historicalFromMeters\": [...]} (D4.3 Table 8)"));
    GRIDKE_ASSIGN_OR_RETURN(auto data, parse_historical_data(req.body));
    std::int64_t records = 0;
    for (const auto& h : data.meters) records += static_cast<std::int64_t>(h.measurements.size());
    GRIDKE_ASSIGN_OR_RETURN(const std::string rid,
                            service.submit_historical_data(id, std::move(data)));
    return Response::json(202, {{"requestId", rid},
                                {"networkID", id},
                                {"request", "updateHistoricalData"},
                                {"status", "queued"},
                                {"records", records}});
  });
  r.get("/updateHistoricalData/{networkID}", job_getter(service, JobKind::update_historical_data));
  r.get("/getSensitivities/{networkID}", [&service](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({"format"}));
    GRIDKE_ASSIGN_OR_RETURN(const std::string id, network_id(req));
    GRIDKE_ASSIGN_OR_RETURN(const std::string format, format_of(req, {"json", "svg"}));
    GRIDKE_ASSIGN_OR_RETURN(const auto s, service.sensitivities(id));
    if (format == "svg") {
      GRIDKE_ASSIGN_OR_RETURN(std::string svg, sensitivity_heat_map_svg(s));
      return Response::raw(200, "image/svg+xml", std::move(svg));
    }
    return Response::json(200, json::parse(to_json(s)));
  });
  r.post("/loadCorrelation/{networkID}", analysis_poster(service, JobKind::load_correlation));
  r.get("/loadCorrelation/{networkID}", job_getter(service, JobKind::load_correlation));
  r.post("/flexibilityRequirements/{networkID}",
         analysis_poster(service, JobKind::flexibility_requirements));
  r.get("/flexibilityRequirements/{networkID}",
        job_getter(service, JobKind::flexibility_requirements));
  r.get("/requests/{requestId}", [&service](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({}));
    GRIDKE_ASSIGN_OR_RETURN(const auto job, service.job(req.param("requestId")));
    json body = status_json(job);
    if (job.state == JobState::failed) {
      body["error"] = job.error_code;
      body["message"] = job.error_message;
    }
    return Response::json(200, std::move(body));
  });
  r.del("/requests/{requestId}", [&service](const Request& req) -> Result<Response> {
    GRIDKE_TRY(req.check_query({}));
    const std::string& rid = req.param("requestId");
    GRIDKE_TRY(service.remove_job(rid));
    return Response::json(200, {{"requestId", rid}, {"status", "removed"}});
  });
  return r;
}

RestApi::RestApi(std::unique_ptr<http::JsonServer> server) : server_(std::move(server)) {}
RestApi::~RestApi() { stop(); }

Result<std::unique_ptr<RestApi>> RestApi::start(SensitivitiesService& service,
                                                RestOptions options) {
  http::ServerOptions so;
  so.bind_address = options.bind_address;
  so.port = options.port;
  so.base_path = options.base_path;
  so.max_body_bytes = options.max_body_bytes;
  so.tls = options.tls;
  GRIDKE_ASSIGN_OR_RETURN(auto server, http::JsonServer::start(make_router(service), so));
  return std::unique_ptr<RestApi>(new RestApi(std::move(server)));
}

std::uint16_t RestApi::port() const { return server_->port(); }
std::string RestApi::base_url() const { return server_->base_url(); }
void RestApi::stop() {
  if (server_) server_->stop();
}

}  // namespace gridke::services::sensitivities
