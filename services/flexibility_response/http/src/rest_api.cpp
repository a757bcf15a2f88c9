// REST front door of the flexibility-response service; see rest_api.hpp.

#include "gridke/services/flexibility_response/rest_api.hpp"

#include <algorithm>
#include <mutex>
#include <set>
#include <sstream>

#include "gridke/http/json_fields.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/flexibility_response/charts.hpp"
#include "gridke/services/flexibility_response/model/dataset.hpp"
#include "gridke/services/flexibility_response/model/json_reader.hpp"

namespace gridke::services::flexibility_response {
namespace {

using nlohmann::json;

constexpr const char* kTokenHeader = "x-mapping-token";

std::string iso(std::int64_t seconds) {
  return http::format_time(http::TimePoint(std::chrono::seconds(seconds)));
}

json status_json(const JobStatus& s) {
  json j{{"requestID", s.request_id},
         {"status", std::string(to_string(s.state))},
         {"stage", s.stage},
         {"progress", s.progress},
         {"createdAt", iso(s.created_s)},
         {"updatedAt", iso(s.updated_s)},
         {"datasetBytes", s.dataset_bytes},
         {"rows", s.rows},
         {"customers", s.customers},
         {"mappingErased", s.mapping_erased}};
  if (s.error) {
    j["error"] = {{"code", std::string(to_string(s.error->code()))},
                  {"message", s.error->message()}};
  }
  if (!s.callback_url.empty()) j["callbackUrl"] = s.callback_url;
  return j;
}

Result<std::optional<model::AnalysisWindow>> window_from_query(const http::Request& r) {
  const auto start = r.query_value("start");
  const auto end = r.query_value("end");
  if (!start && !end) return std::optional<model::AnalysisWindow>();
  if (!start || !end) {
    return invalid_argument(std::string(start ? "end" : "start") +
                            ": is required when the other end of the analysis window is given");
  }
  model::AnalysisWindow w;
  auto s = model::parse_timestamp(*start);
  if (!s.has_value()) return s.error().with_context("start");
  auto e = model::parse_timestamp(*end);
  if (!e.has_value()) return e.error().with_context("end");
  w.start_s = *s;
  w.end_s = *e;
  return std::optional<model::AnalysisWindow>(w);
}

Result<Submission> submission_from(const http::Request& r) {
  GRIDKE_TRY(r.check_query({"start", "end", "baselineSignalValue", "slotMinutes", "confidenceLevel",
                            "referenceTemperature", "callbackUrl", "format", "reliability",
                            "reliabilityThresholdKw"}));
  Submission s;
  const std::string content_type = r.header("content-type").value_or("application/json");
  s.format =
      content_type.find("csv") != std::string::npos ? DatasetFormat::csv : DatasetFormat::json;
  if (const auto f = r.query_value("format")) {
    if (*f == "csv") {
      s.format = DatasetFormat::csv;
    } else if (*f == "json") {
      s.format = DatasetFormat::json;
    } else {
      return invalid_argument("format: must be csv or json, got '" + *f + "'");
    }
  }
  GRIDKE_ASSIGN_OR_RETURN(s.window, window_from_query(r));
  GRIDKE_ASSIGN_OR_RETURN(s.baseline_signal_value, r.query_double("baselineSignalValue"));
  GRIDKE_ASSIGN_OR_RETURN(const auto slot, r.query_int("slotMinutes", 1, 1440));
  if (slot) s.slot_minutes = static_cast<int>(*slot);
  GRIDKE_ASSIGN_OR_RETURN(const auto confidence, r.query_double("confidenceLevel"));
  if (confidence) s.confidence_level = *confidence;
  GRIDKE_ASSIGN_OR_RETURN(s.reference_temperature_c, r.query_double("referenceTemperature"));
  if (const auto method = r.query_value("reliability")) {
    const auto parsed = parse_reliability_method(*method);
    if (!parsed) {
      return invalid_argument("reliability: must be model or empirical, got '" + *method + "'");
    }
    s.reliability_method = *parsed;
  }
  GRIDKE_ASSIGN_OR_RETURN(s.empirical_threshold_kw, r.query_double("reliabilityThresholdKw"));
  if (s.empirical_threshold_kw && s.reliability_method != ReliabilityMethod::empirical) {
    return invalid_argument("reliabilityThresholdKw: only applies with reliability=empirical");
  }
  // Customer groups for CSV uploads (a JSON dataset may carry its own "groups" member).
  if (const auto groups = r.header("x-customer-groups")) {
    GRIDKE_ASSIGN_OR_RETURN(s.groups, model::parse_customer_groups(*groups, "X-Customer-Groups"));
  }
  // The callback URL as a query parameter or, equivalently, an X-Callback-Url header (URLs in
  // query values need percent-encoding, which some clients get wrong).
  if (const auto url = r.query_value("callbackUrl")) {
    GRIDKE_TRY(http::check_callback_url(*url, "callbackUrl"));
    s.callback_url = *url;
  } else if (const auto header = r.header("x-callback-url")) {
    GRIDKE_TRY(http::check_callback_url(*header, "X-Callback-Url"));
    s.callback_url = *header;
  }
  if (r.body.empty()) {
    return invalid_argument(
        "request body: the dataset is empty (send the D4.3 user-profile JSON "
        "or a CSV with Content-Type text/csv)");
  }
  s.data = r.body;
  return s;
}

std::set<std::string> users_from(const http::Request& r) {
  std::set<std::string> users;
  if (const auto u = r.query_value("user")) {
    std::stringstream in(*u);
    std::string item;
    while (std::getline(in, item, ',')) {
      if (!item.empty()) users.insert(item);
    }
  }
  return users;
}

}  // namespace

struct RestApi::Impl {
  FlexibilityResponseService& service;
  RestOptions options;
  http::CallbackDispatcher dispatcher;
  int listener = 0;
  std::vector<std::unique_ptr<http::JsonServer>> servers;  // dataset, results, removal
  std::mutex stop_mu;
  bool stopped = false;

  Impl(FlexibilityResponseService& s, RestOptions o)
      : service(s),
        options(std::move(o)),
        dispatcher(options.callback_attempts, options.callback_backoff, options.callback_timeout) {}

  std::string results_url(const std::string& id) const {
    return servers.at(1)->base_url() + "/" + id + "/Elasticity_Results";
  }

  Result<http::Response> submit(const http::Request& r) {
    GRIDKE_ASSIGN_OR_RETURN(auto submission, submission_from(r));
    GRIDKE_ASSIGN_OR_RETURN(const auto receipt, service.submit(std::move(submission)));
    json body{{"requestID", receipt.request_id},
              {"status", "queued"},
              {"mappingToken", receipt.mapping_token},
              {"results", results_url(receipt.request_id)},
              {"remove", servers.at(2)->base_url() + "/" + receipt.request_id}};
    auto response = http::Response::json(202, std::move(body));
    response.headers["Location"] = results_url(receipt.request_id);
    return response;
  }

  Result<http::Response> list(const http::Request& r) {
    GRIDKE_TRY(r.check_query({}));
    GRIDKE_ASSIGN_OR_RETURN(const auto jobs, service.list());
    json out = json::array();
    for (const auto& j : jobs) out.push_back(status_json(j));
    return http::Response::json(200, {{"requests", std::move(out)}});
  }

  static std::optional<std::string> token_of(const http::Request& r) {
    return r.header(kTokenHeader);
  }

  Result<http::Response> results(const http::Request& r) {
    GRIDKE_TRY(r.check_query({"user"}));
    const std::string& id = r.param("requestID");
    GRIDKE_ASSIGN_OR_RETURN(const auto status, service.status(id));
    json body = status_json(status);
    body["response"] = nullptr;
    if (status.state == JobState::done) {
      GRIDKE_ASSIGN_OR_RETURN(const std::string text, service.result_json(id, token_of(r)));
      json result = json::parse(text, nullptr, false);
      if (result.is_discarded()) return internal_error("stored result of '" + id + "' is not JSON");
      if (const auto users = users_from(r); !users.empty()) {
        json kept = json::array();
        for (auto& c : result["customers"]) {
          if (users.count(c.value("userID", ""))) kept.push_back(std::move(c));
        }
        if (kept.size() != users.size()) {
          return not_found("user: " + std::to_string(users.size() - kept.size()) + " of the " +
                           std::to_string(users.size()) +
                           " requested customers are not in the result");
        }
        result["customers"] = std::move(kept);
      }
      body["response"] = std::move(result);
    }
    return http::Response::json(200, std::move(body));
  }

  Result<http::Response> status(const http::Request& r) {
    GRIDKE_TRY(r.check_query({}));
    GRIDKE_ASSIGN_OR_RETURN(const auto s, service.status(r.param("requestID")));
    return http::Response::json(200, status_json(s));
  }

  Result<http::Response> chart(const http::Request& r) {
    GRIDKE_TRY(r.check_query({"user", "level"}));
    GRIDKE_ASSIGN_OR_RETURN(const ChartKind kind, parse_chart_kind(r.param("chart")));
    GRIDKE_ASSIGN_OR_RETURN(const auto level, r.query_int("level", 1, 24));
    GRIDKE_ASSIGN_OR_RETURN(const auto result, service.result(r.param("requestID"), token_of(r)));
    if (level && static_cast<std::size_t>(*level) > result.levels.size()) {
      return invalid_argument("level: " + std::to_string(*level) + " is out of range (the result " +
                              "has i1..i" + std::to_string(result.levels.size()) + ")");
    }
    GRIDKE_ASSIGN_OR_RETURN(std::string svg,
                            render_chart(result, kind, r.query_value("user").value_or(""),
                                         static_cast<std::size_t>(level.value_or(1) - 1)));
    return http::Response::raw(200, "image/svg+xml", std::move(svg));
  }

  Result<http::Response> erase_mapping(const http::Request& r) {
    GRIDKE_TRY(r.check_query({}));
    const auto token = token_of(r);
    if (!token) {
      return unauthenticated("X-Mapping-Token: header is required to erase the pseudonym mapping");
    }
    GRIDKE_TRY(service.erase_mapping(r.param("requestID"), *token));
    return http::Response::json(200,
                                {{"requestID", r.param("requestID")}, {"mappingErased", true}});
  }

  Result<http::Response> remove(const http::Request& r) {
    GRIDKE_TRY(r.check_query({}));
    GRIDKE_TRY(service.remove(r.param("requestID")));
    return http::Response::json(200, {{"requestID", r.param("requestID")}, {"removed", true}});
  }

  // Table 15 "the service provider posts the results": once per finished job with a callback.
  void on_finished(const JobStatus& s) {
    if (s.callback_url.empty()) return;
    json body = status_json(s);
    body["response"] = nullptr;
    if (s.state == JobState::done) {
      if (auto text = service.result_json(s.request_id); text.has_value()) {
        body["response"] = json::parse(*text, nullptr, false);
      }
    }
    dispatcher.enqueue(s.callback_url, body.dump(), "flexibility-response");
  }
};

RestApi::RestApi(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

RestApi::~RestApi() { stop(); }

Result<std::unique_ptr<RestApi>> RestApi::start(FlexibilityResponseService& service,
                                                RestOptions options) {
  if (options.base_path.empty() || options.base_path.front() != '/') {
    return invalid_argument("base_path: must start with '/', got '" + options.base_path + "'");
  }
  if (options.callback_attempts < 1) {
    return invalid_argument("callback_attempts: must be at least 1, got " +
                            std::to_string(options.callback_attempts));
  }
  while (options.base_path.size() > 1 && options.base_path.back() == '/') {
    options.base_path.pop_back();
  }
  auto impl = std::make_unique<Impl>(service, options);
  Impl* raw = impl.get();
  const std::string base = options.base_path == "/" ? "" : options.base_path;

  http::Router datasets;
  datasets.post("/", [raw](const http::Request& r) { return raw->submit(r); });
  datasets.get("/", [raw](const http::Request& r) { return raw->list(r); });
  http::Router results;
  results.get("/{requestID}/Elasticity_Results",
              [raw](const http::Request& r) { return raw->results(r); });
  results.get("/{requestID}/Elasticity_Results/status",
              [raw](const http::Request& r) { return raw->status(r); });
  results.get("/{requestID}/Elasticity_Results/charts/{chart}",
              [raw](const http::Request& r) { return raw->chart(r); });
  results.del("/{requestID}/pseudonyms",
              [raw](const http::Request& r) { return raw->erase_mapping(r); });
  http::Router removal;
  removal.del("/{requestID}", [raw](const http::Request& r) { return raw->remove(r); });

  http::ServerOptions server;
  server.bind_address = options.bind_address;
  server.port = options.port;
  server.max_body_bytes = options.max_body_bytes;
  server.tls = options.tls;
  const std::pair<const char*, http::Router*> parts[] = {
      {"/Elasticity_dataset", &datasets}, {"/Req_ID", &results}, {"/removeDataset", &removal}};
  for (const auto& [suffix, router] : parts) {
    server.base_path = base + suffix;
    auto started = http::JsonServer::start(std::move(*router), server);
    if (!started.has_value()) return started.error().with_context("flexibility-response REST API");
    server.port = (*started)->port();  // the others share the first one's port
    impl->servers.push_back(std::move(*started));
  }
  impl->listener = service.add_listener([raw](const JobStatus& s) { raw->on_finished(s); });
  return std::unique_ptr<RestApi>(new RestApi(std::move(impl)));
}

std::uint16_t RestApi::port() const { return impl_->servers.front()->port(); }

std::string RestApi::base_url() const {
  const std::string url = impl_->servers.front()->base_url();
  return url.substr(0, url.size() - std::string("/Elasticity_dataset").size());
}

void RestApi::stop() {
  if (!impl_) return;
  std::lock_guard lock(impl_->stop_mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->service.remove_listener(impl_->listener);
  for (auto& s : impl_->servers) s->stop();
  impl_->dispatcher.stop();
}

http::DeliveryStats RestApi::deliveries() const { return impl_->dispatcher.stats(); }

bool RestApi::wait_for_deliveries(std::chrono::milliseconds timeout) const {
  return impl_->dispatcher.wait_idle(timeout);
}

}  // namespace gridke::services::flexibility_response
