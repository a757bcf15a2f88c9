// gridke demo flexibility-response: InterConnect D4.3 §4.1.2 (observability service 2) end to end
// against a real `gridke serve --services flexibility-response` child process:
//   1. start `gridke serve` on a free port with a data directory;
//   2. a retailer uploads a dataset in the D4.3 user-profile JSON (synthetic dToU trial after
//      Low Carbon London: Normal/High/Low prices, half the customers with a planted response)
//      to POST /GridObservability/Elasticity_dataset and gets a request id at once (Figure 22);
//   3. it polls GET /GridObservability/Req_ID/{id}/Elasticity_Results/status (progress on
//      stderr) and fetches the D4.3 output JSON — user ids are pseudonyms (GDPR);
//   4. checks: the planted responders rank above the others for the high price and respond
//      reliably in the evening; the mapping token re-identifies them; a stranger's token is
//      refused;
//   5. a DSO knowledge base joins the child's knowledge engine over the KE REST API and asks
//      contract (l) (ask-flexibility-response); the SSA's answer equals the REST result;
//   6. four SVG charts (D4.3 figures 23–26) from the REST chart endpoints;
//   7. a second upload, then the server is stopped at once and started again on the same data
//      directory: the job is finished by the new server with the same numbers;
//   8. DELETE /GridObservability/removeDataset/{id}; the request is gone.
// The child process is stopped (SIGTERM, then SIGKILL) on every path.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "demo_child.hpp"
#include "gridke/adapter/codec.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapter/generic_adapter.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke/services/flexibility_response/synthetic_dataset.hpp"

namespace gridke::cli {
namespace {

namespace fr = services::flexibility_response;
using nlohmann::json;

constexpr const char* kUsage =
    "Usage: gridke demo flexibility-response [--out DIR] [--customers N] [--days D]\n"
    "                                        [--format text|json]\n\n"
    "Consumer flexibility response quantification (InterConnect D4.3 §4.1.2), end to end:\n"
    "starts `gridke serve --services flexibility-response` on a free port, uploads a D4.3\n"
    "user-profile dataset (a synthetic dynamic time-of-use trial after Low Carbon London with a\n"
    "planted response in every second customer) to POST /GridObservability/Elasticity_dataset,\n"
    "waits for the asynchronous job, reads the results (pseudonymised), re-identifies them with\n"
    "the mapping token, asks the same numbers through the knowledge engine (contract (l)),\n"
    "writes the charts of D4.3 figures 23-26, restarts the server in the middle of a second\n"
    "job (it resumes from SQLite) and removes the dataset.\n\n"
    "  --out DIR        where to write flexibility-response-{expected-power,flexibility,\n"
    "                   ranking,reliability}.svg (default: the current directory)\n"
    "  --customers N    customers in the dataset (default 20, 2..500)\n"
    "  --days D         days of half-hourly data (default 60, 30..366)\n"
    "  --format F       text (default) or json (a summary object on stdout)\n\n"
    "Exit codes: 0 every check passed, 1 a check failed (listed), 2 usage error, 7 the\n"
    "server could not be started or reached.\n";

// ---- the `gridke serve` child process ----

// `gridke serve --services flexibility-response --data DATA` on a free port (demo_child.hpp),
// ready when the dataset front door answers.
Result<demo_child::ServeChild> spawn_serve(const std::string& data) {
  return demo_child::spawn_serve({"--services", "flexibility-response", "--data", data},
                                 "/GridObservability/Elasticity_dataset",
                                 demo_child::SpawnOptions::quiet());
}

// ---- the dataset ----

// The synthetic dataset in the D4.3 user-profile JSON (Table 7 and its JSON).
std::string dataset_json(const fr::model::Dataset& d) {
  json rows = json::array();
  for (std::size_t r = 0; r < d.size(); ++r) {
    json row{{"userID", d.user_ids[static_cast<std::size_t>(d.user[r])]},
             {"timestamp", fr::model::format_timestamp(d.timestamp_s[r]) + "Z"},
             {"customer_consumption", d.consumption[r]},
             {"customer_consumption_unit", "kW"},
             {"external_temperature", d.outside_temperature_c[r]},
             {"external_temperature_unit", "degreesCelcius"}};
    if (!std::isnan(d.signal[r])) {
      row["signal_incentive_Class:Cost"] = d.signal[r];
      row["signal_incentive_unit"] = d.signal_unit;
    }
    rows.push_back(std::move(row));
  }
  // Two customer groups (per-group models): the planted responders and the others.
  json responders = json::array();
  json others = json::array();
  for (std::size_t u = 0; u < d.user_ids.size(); ++u) {
    (u % 2 == 0 ? responders : others).push_back(d.user_ids[u]);
  }
  json groups = json::array({{{"groupID", "responders"}, {"userIDs", responders}}});
  if (!others.empty()) groups.push_back({{"groupID", "others"}, {"userIDs", others}});
  return json{{"baseline_signal_value", *d.baseline_signal_value},
              {"groups", std::move(groups)},
              {"analysis_window",
               {{"start", fr::model::format_timestamp(d.window.start_s)},
                {"end", fr::model::format_timestamp(d.window.end_s)}}},
              {"user_profile", std::move(rows)}}
      .dump();
}

class Demo {
 public:
  Demo(std::filesystem::path out, int customers, int days, bool text)
      : out_(std::move(out)), customers_(customers), days_(days), text_(text) {}

  int run() {
    const auto started = std::chrono::steady_clock::now();
    auto done = run_steps();
    summary_["seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (!done.has_value()) return fail("demo flexibility-response", done.error());
    summary_["checks_failed"] = failures_;
    if (!text_) std::cout << summary_.dump(2) << std::endl;
    if (!failures_.empty()) {
      for (const auto& f : failures_) std::cerr << "check failed: " << f << "\n";
      return exit_findings;
    }
    say("all checks passed");
    return exit_ok;
  }

 private:
  void say(const std::string& line) {
    if (text_) std::cout << line << std::endl;
  }
  void check(bool condition, const std::string& what) {
    if (!condition) failures_.push_back(what);
    say(std::string(condition ? "  ok    " : "  FAIL  ") + what);
  }

  Result<void> run_steps() {
    GRIDKE_ASSIGN_OR_RETURN(auto data,
                            demo_child::TempDir::create("gridke-demo-flexibility-response"));
    say("[1] starting gridke serve --services flexibility-response on a free port");
    // The child is stopped (SIGTERM, then SIGKILL) when `server` goes out of scope.
    GRIDKE_ASSIGN_OR_RETURN(auto server, spawn_serve(data.path()));
    const std::string url = server.url;
    const std::string api = url + "/GridObservability";
    api_ = api;
    say("    " + url + " (pid " + std::to_string(server.process.pid()) + ")");

    fr::SyntheticOptions synthetic;
    synthetic.customers = customers_;
    synthetic.days = days_;
    const auto dataset = fr::make_synthetic_dataset(synthetic);
    const std::string body = dataset_json(dataset);
    say("[2] the retailer uploads " + std::to_string(dataset.size()) + " half-hourly rows of " +
        std::to_string(customers_) + " customers (" + std::to_string(body.size() >> 20) +
        " MB D4.3 JSON): POST " + api + "/Elasticity_dataset");
    http::ClientOptions upload;
    upload.timeout = std::chrono::seconds(120);
    GRIDKE_ASSIGN_OR_RETURN(const auto posted,
                            http::request("POST", api + "/Elasticity_dataset", body, upload));
    if (posted.status != 202) {
      return unavailable("POST " + api + "/Elasticity_dataset answered " +
                         std::to_string(posted.status) + ": " + posted.body);
    }
    GRIDKE_ASSIGN_OR_RETURN(const json receipt, posted.json());
    const std::string id = receipt.value("requestID", "");
    const std::string token = receipt.value("mappingToken", "");
    check(!id.empty() && receipt.value("status", "") == "queued",
          "a request id at once (202, status queued): " + id);
    summary_["request_id"] = id;

    say("[3] waiting for the asynchronous job: GET " + api + "/Req_ID/" + id +
        "/Elasticity_Results/status");
    json status;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    std::string last_stage;
    for (;;) {
      GRIDKE_ASSIGN_OR_RETURN(
          status, http::call_json("GET", api + "/Req_ID/" + id + "/Elasticity_Results/status"));
      const std::string stage = status.value("stage", "");
      std::cerr << "\r    " << std::setw(16) << std::left << stage << " " << std::setw(3)
                << std::right << static_cast<int>(100.0 * status.value("progress", 0.0)) << " %"
                << std::flush;
      last_stage = stage;
      if (status["status"] == "done" || status["status"] == "failed") break;
      if (std::chrono::steady_clock::now() > give_up) {
        std::cerr << "\n";
        return deadline_exceeded("request " + id + " did not finish within 5 minutes");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::cerr << "\n";
    check(status["status"] == "done",
          "the job finished: " + status["status"].get<std::string>() +
              (status.contains("error") ? " " + status["error"].dump() : std::string()));
    if (status["status"] != "done") return ok();

    GRIDKE_ASSIGN_OR_RETURN(const json results,
                            http::call_json("GET", api + "/Req_ID/" + id + "/Elasticity_Results"));
    const json& response = results["response"];
    bool pseudonymous = true;
    for (const auto& c : response["customers"]) {
      pseudonymous = pseudonymous && c["userID"].get<std::string>().rfind("P-", 0) == 0;
    }
    check(pseudonymous && results.dump().find("\"user0\"") == std::string::npos,
          "results carry pseudonyms only (GDPR): e.g. " +
              response["customers"][0]["userID"].get<std::string>());

    say("[4] the planted responders, re-identified with the mapping token");
    http::ClientOptions owner;
    owner.headers["X-Mapping-Token"] = token;
    GRIDKE_ASSIGN_OR_RETURN(
        const json identified,
        http::call_json("GET", api + "/Req_ID/" + id + "/Elasticity_Results", nullptr, owner));
    GRIDKE_TRY(check_response(identified["response"], synthetic));
    http::ClientOptions stranger;
    stranger.headers["X-Mapping-Token"] = std::string(32, '0');
    const auto refused =
        http::call_json("GET", api + "/Req_ID/" + id + "/Elasticity_Results", nullptr, stranger);
    check(!refused.has_value() && refused.error().code() == ErrorCode::permission_denied,
          "a stranger's mapping token is refused (403)");

    // The customer ranked highest for the high price at 18:00 (estimated there by definition).
    std::size_t top = 0;
    double best = -1.0;
    for (std::size_t c = 0; c < response["customers"].size(); ++c) {
      const json& rank = response["customers"][c]["Ranking"][18]["rank_Flex_i2_Price"];
      if (rank.is_number() && rank.get<double>() > best) {
        best = rank.get<double>();
        top = c;
      }
    }
    GRIDKE_TRY(ask_through_engine(url, response["customers"][top]));
    GRIDKE_TRY(write_charts(api, id, response["customers"][top]["userID"]));

    GRIDKE_TRY(restart(server, data.path(), body, response));
    const std::string api2 = api_;

    say("[8] DELETE " + api2 + "/removeDataset/" + id);
    GRIDKE_ASSIGN_OR_RETURN(const json removed,
                            http::call_json("DELETE", api2 + "/removeDataset/" + id));
    const auto gone = http::call_json("GET", api2 + "/Req_ID/" + id + "/Elasticity_Results/status");
    check(removed.value("removed", false) && !gone.has_value() &&
              gone.error().code() == ErrorCode::not_found,
          "dataset and results removed (GET answers 404)");
    return ok();
  }

  // Step 7: a job submitted just before the server stops is finished by the next server on the
  // same data directory, with the same numbers as the first run.
  Result<void> restart(demo_child::ServeChild& server, const std::string& data,
                       const std::string& body, const json& first) {
    say("[7] restart: submit again, stop gridke serve at once, start it on the same --data");
    http::ClientOptions upload;
    upload.timeout = std::chrono::seconds(120);
    GRIDKE_ASSIGN_OR_RETURN(const auto posted,
                            http::request("POST", api_ + "/Elasticity_dataset", body, upload));
    GRIDKE_ASSIGN_OR_RETURN(const json receipt, posted.json());
    const std::string id = receipt.value("requestID", "");
    (void)server.process.stop();
    GRIDKE_ASSIGN_OR_RETURN(server, spawn_serve(data));
    api_ = server.url + "/GridObservability";
    say("    " + server.url + " (pid " + std::to_string(server.process.pid()) + ")");
    json status;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
    do {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      GRIDKE_ASSIGN_OR_RETURN(
          status, http::call_json("GET", api_ + "/Req_ID/" + id + "/Elasticity_Results/status"));
    } while (status["status"] != "done" && status["status"] != "failed" &&
             std::chrono::steady_clock::now() < give_up);
    GRIDKE_ASSIGN_OR_RETURN(const json again,
                            http::call_json("GET", api_ + "/Req_ID/" + id + "/Elasticity_Results"));
    const json& second = again["response"];
    bool same = status["status"] == "done" && second.is_object() &&
                second["customers"].size() == first["customers"].size();
    for (std::size_t c = 0; same && c < first["customers"].size(); ++c) {
      same = second["customers"][c]["Time_series"] == first["customers"][c]["Time_series"];
    }
    check(same, "the job survived the restart (" + status["status"].get<std::string>() +
                    ") with the same expected power, flexibility and intervals");
    (void)http::call_json("DELETE", api_ + "/removeDataset/" + id);
    return ok();
  }

  // The high price is i2 (levels ascending: low 0.0399, high 0.672). Responders (even customers)
  // must rank above the others for it and respond reliably at 18:00.
  Result<void> check_response(const json& response, const fr::SyntheticOptions& synthetic) {
    constexpr int kEvening = 18;
    double responsive_rank = 0.0;
    double other_rank = 0.0;
    int responsive = 0;
    int others = 0;
    int reliable = 0;
    std::vector<std::tuple<double, std::string, double, double>> table;
    for (const auto& c : response["customers"]) {
      const std::string user = c["userID"];
      const int index = std::stoi(user.substr(4));
      const json& rank = c["Ranking"][kEvening]["rank_Flex_i2_Price"];
      const json& flex = c["Time_series"][kEvening]["Flex_i2"];
      const json& rel = c["Reliability_i2_hours"][kEvening]["i2_Signal_Power_reliability"];
      if (rank.is_null() || flex.is_null() || rel.is_null()) continue;
      table.emplace_back(rank.get<double>(), user, flex.get<double>(), rel.get<double>());
      if (fr::is_responsive(synthetic, index)) {
        responsive_rank += rank.get<double>();
        ++responsive;
        reliable += rel.get<double>() > 95.0 ? 1 : 0;
      } else {
        other_rank += rank.get<double>();
        ++others;
      }
    }
    std::sort(table.rbegin(), table.rend());
    say("    18:00, high price (i2): top customers by ranking");
    say("      customer   rank %   flexibility kW   reliability %");
    for (std::size_t k = 0; k < table.size() && k < 5; ++k) {
      std::ostringstream line;
      line << "      " << std::setw(9) << std::left << std::get<1>(table[k]) << std::right
           << std::fixed << std::setprecision(1) << std::setw(7) << std::get<0>(table[k])
           << std::setprecision(3) << std::setw(17) << std::get<2>(table[k]) << std::setprecision(1)
           << std::setw(16) << std::get<3>(table[k]);
      say(line.str());
    }
    if (responsive == 0 || others == 0) {
      check(false, "both responders and non-responders were estimated at 18:00");
      return ok();
    }
    responsive_rank /= responsive;
    other_rank /= others;
    summary_["mean_rank_responders"] = responsive_rank;
    summary_["mean_rank_others"] = other_rank;
    std::ostringstream what;
    what << std::fixed << std::setprecision(1) << "responders rank higher for the high price ("
         << responsive_rank << " % vs " << other_rank << " %)";
    check(responsive_rank > other_rank + 25.0, what.str());
    check(reliable == responsive, std::to_string(reliable) + " of " + std::to_string(responsive) +
                                      " responders respond with reliability > 95 % at 18:00");
    // The group models: the responders' group ranks first among the groups at 18:00.
    say("    18:00, high price (i2): customer groups (model of the averaged consumption)");
    double responders_group_rank = -1.0;
    for (const auto& g : response.value("groups", json::array())) {
      const json& rank = g["Ranking"][kEvening]["rank_Flex_i2_Price"];
      const json& flex = g["Time_series"][kEvening]["Flex_i2"];
      if (rank.is_null() || flex.is_null()) continue;
      std::ostringstream line;
      line << "      " << std::setw(11) << std::left << g["groupID"].get<std::string>()
           << std::right << std::fixed << std::setprecision(1) << std::setw(5)
           << g["userIDs"].size() << " members, rank " << rank.get<double>() << " %, flexibility "
           << std::setprecision(3) << flex.get<double>() << " kW";
      say(line.str());
      if (g["groupID"] == "responders") responders_group_rank = rank.get<double>();
    }
    summary_["rank_responders_group"] = responders_group_rank;
    check(responders_group_rank == 100.0, "the responders' group ranks first among the groups");
    return ok();
  }

  // Step 5: the same numbers through the knowledge engine (contract (l)).
  Result<void> ask_through_engine(const std::string& url, const json& customer) {
    say("[5] a DSO knowledge base asks contract (l) ask-flexibility-response over " + url +
        "/rest");
    engine::RemoteEngineOptions remote;
    remote.base_url = url + "/rest";
    GRIDKE_ASSIGN_OR_RETURN(auto engine, engine::RemoteEngine::connect(remote));
    GRIDKE_ASSIGN_OR_RETURN(auto contracts,
                            adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                                    "graph-patterns" / "flexibility_response"));
    adapter::Ssa dso("https://dso.example.org/kb/demo-dso", "DSO", "asks flexibility responses");
    dso.ask("ask-flexibility-response");
    GRIDKE_ASSIGN_OR_RETURN(auto dso_adapter,
                            adapter::GenericAdapter::start(*engine, contracts, std::move(dso)));
    const std::string pseudonym = customer["userID"];
    pattern::Binding q;
    GRIDKE_TRY(adapter::put(q, "hemsId", pseudonym, adapter::StringCodec{}));
    GRIDKE_TRY(adapter::put(q, "signalId", std::string("i2"), adapter::StringCodec{}));
    const auto tomorrow = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) +
                          std::chrono::days(1) + std::chrono::hours(18);
    GRIDKE_TRY(adapter::put(q, "hourStart", std::chrono::system_clock::time_point(tomorrow),
                            adapter::DateTimeCodec{}));
    GRIDKE_ASSIGN_OR_RETURN(auto answer,
                            dso_adapter->ask("ask-flexibility-response", pattern::BindingSet{q}));
    const json& rest = customer["Time_series"][18]["y_Power_i2"];
    if (answer.bindings.size() != 1 || rest.is_null()) {
      check(false, "one binding for " + pseudonym + ", i2, 18:00 (got " +
                       std::to_string(answer.bindings.size()) + ")");
      return ok();
    }
    const auto& b = answer.bindings.bindings()[0];
    GRIDKE_ASSIGN_OR_RETURN(const double expected,
                            adapter::get(b, "expectedKw", adapter::DoubleCodec{}));
    GRIDKE_ASSIGN_OR_RETURN(const double reliability,
                            adapter::get(b, "reliability", adapter::DoubleCodec{}));
    std::ostringstream what;
    what << std::setprecision(4) << "the SSA answers " << pseudonym << " i2 18:00: expected "
         << expected << " kW, reliability " << reliability << " = the REST result";
    const double rest_reliability =
        customer["Reliability_i2_hours"][18]["i2_Signal_Power_reliability"].get<double>() / 100.0;
    check(std::fabs(expected - rest.get<double>()) < 1e-9 &&
              std::fabs(reliability - rest_reliability) < 1e-9,
          what.str());
    (void)dso_adapter->stop();
    return ok();
  }

  // Step 6: D4.3 figures 23-26 from the REST chart endpoints.
  Result<void> write_charts(const std::string& api, const std::string& id, const std::string& top) {
    say("[6] charts (D4.3 figures 23-26) from GET " + api + "/Req_ID/" + id +
        "/Elasticity_Results/charts/{chart}");
    GRIDKE_TRY(demo_child::ensure_out_dir(out_));
    json files = json::array();
    for (const char* chart : {"expected-power", "flexibility", "ranking", "reliability"}) {
      const std::string url = api + "/Req_ID/" + id + "/Elasticity_Results/charts/" + chart +
                              "?user=" + top + "&level=2";
      GRIDKE_ASSIGN_OR_RETURN(const auto r, http::request("GET", url));
      if (r.status != 200) {
        check(false,
              std::string("chart ") + chart + ": HTTP " + std::to_string(r.status) + " " + r.body);
        continue;
      }
      const auto path = out_ / (std::string("flexibility-response-") + chart + ".svg");
      std::ofstream file(path, std::ios::binary);
      file << r.body;
      if (!file) return unavailable("cannot write " + path.string());
      files.push_back(path.string());
      say("    " + path.string() + " (" + std::to_string(r.body.size() / 1024) + " KiB)");
    }
    summary_["charts"] = files;
    check(files.size() == 4, "four SVG charts written");
    return ok();
  }

  std::filesystem::path out_;
  std::string api_;  // the current server's /GridObservability URL
  int customers_;
  int days_;
  bool text_;
  std::vector<std::string> failures_;
  json summary_ = json::object();
};

int run_demo(const std::vector<std::string>& argv) {
  constexpr const char* verb = "demo flexibility-response";
  auto args = Args::parse(argv, {"help"});
  if (!args) return usage_error(verb, args.error().message());
  if (args->has("help")) {
    std::cout << kUsage;
    return exit_ok;
  }
  if (auto unknown = args->unknown({"out", "customers", "days", "format"}); !unknown.empty()) {
    return usage_error(verb, "unknown option --" + unknown.front());
  }
  if (!args->positionals().empty()) {
    return usage_error(verb, "unexpected argument '" + args->positionals().front() + "'");
  }
  const std::string format = args->get_or("format", "text");
  if (format != "text" && format != "json") {
    return usage_error(verb, "--format must be text or json, got '" + format + "'");
  }
  auto customers = args->get_int("customers");
  if (!customers) return usage_error(verb, customers.error().message());
  auto days = args->get_int("days");
  if (!days) return usage_error(verb, days.error().message());
  const long long n = customers->value_or(20);
  const long long d = days->value_or(60);
  if (n < 2 || n > 500) {
    return usage_error(verb, "--customers must be between 2 and 500, got " + std::to_string(n));
  }
  if (d < 30 || d > 366) {
    return usage_error(verb, "--days must be between 30 and 366, got " + std::to_string(d));
  }
  return Demo(args->get_or("out", "."), static_cast<int>(n), static_cast<int>(d), format == "text")
      .run();
}

}  // namespace
}  // namespace gridke::cli

GRIDKE_SUBCOMMAND({"demo", "flexibility-response",
                   "consumer flexibility response (D4.3 §4.1.2) against a real gridke serve",
                   gridke::cli::kUsage, gridke::cli::run_demo});
