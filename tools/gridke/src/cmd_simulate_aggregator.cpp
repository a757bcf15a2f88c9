// `gridke simulate aggregator`: one flexibility service provider (aggregator) process of the
// Portuguese pilot (D4.3 §4.4: Cybergrid HEMS, Sensinov supermarket BEMS, Thermovault water
// heaters) for `gridke demo flexibility-day-ahead`. It registers with the DSO's market over
// REST, joins the DSO's knowledge engine with a RemoteEngine as an AggregatorSsa, answers
// every need addressed to it with offers built by services/bids from its simulated assets,
// accepts the activation plan, submits its baseline, and confirms or disputes the settlement
// (and reports the Greek-pilot outcome) once the DSO has verified the delivery.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "gridke/adapter/contract.hpp"
#include "gridke/adapters/flexibility/aggregator_ssa.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/http/client.hpp"
#include "gridke/services/bids/bid_generation.hpp"
#include "gridke/services/flexibility_market/model_json.hpp"

namespace gridke::cli {
namespace {

namespace fm = services::flexibility_market;
namespace bids = services::bids;
namespace fx = adapters::flexibility;
using nlohmann::json;

constexpr const char* kUsage =
    "Usage: gridke simulate aggregator --engine URL --market URL --fsp ID --zones Z1[,Z2…]\n"
    "                                  --kind hems|bems|water-heater --assets N [--seed S]\n\n"
    "One simulated aggregator (flexibility service provider) for the flexibility demo: registers\n"
    "at the market (POST URL/Register), joins the knowledge engine at --engine (KE REST base,\n"
    "e.g. http://127.0.0.1:8280/rest) as <https://w3id.org/gridke/fsp/ID>, answers needs with\n"
    "offers (bid blocks of its N assets), accepts activations, submits baselines and settles.\n"
    "Runs until SIGINT/SIGTERM.\n\n"
    "Exit codes: 0 stopped by a signal, 2 usage error, 7 the market or engine unreachable.\n";

std::atomic<bool> g_stop{false};
void on_aggregator_signal(int) { g_stop = true; }

struct Asset {
  std::string id;
  double baseline_kw;
  double flex_kw;
  double price_eur_per_mwh;
};

// Flexibility of one asset by kind (pilot-sized; see docs/flexibility-market.md).
std::vector<Asset> make_assets(const std::string& fsp, const std::string& kind, int n,
                               unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<Asset> out;
  for (int i = 0; i < n; ++i) {
    Asset a;
    a.id = fsp + "-" + kind + "-" + std::to_string(i + 1);
    if (kind == "bems") {  // supermarket refrigeration + HVAC
      a.baseline_kw = std::uniform_real_distribution<double>(60, 120)(rng);
      a.flex_kw = std::uniform_real_distribution<double>(8, 25)(rng);
      a.price_eur_per_mwh = std::uniform_real_distribution<double>(60, 140)(rng);
    } else if (kind == "water-heater") {
      a.baseline_kw = std::uniform_real_distribution<double>(1.5, 3.0)(rng);
      a.flex_kw = a.baseline_kw * std::uniform_real_distribution<double>(0.6, 1.0)(rng);
      a.price_eur_per_mwh = std::uniform_real_distribution<double>(40, 110)(rng);
    } else {  // hems
      a.baseline_kw = std::uniform_real_distribution<double>(1.0, 4.0)(rng);
      a.flex_kw = a.baseline_kw * std::uniform_real_distribution<double>(0.2, 0.5)(rng);
      a.price_eur_per_mwh = std::uniform_real_distribution<double>(90, 220)(rng);
    }
    out.push_back(std::move(a));
  }
  return out;
}

class Aggregator {
 public:
  Aggregator(std::string fsp, std::string market, std::vector<Asset> assets)
      : fsp_(std::move(fsp)), market_(std::move(market)), assets_(std::move(assets)) {}

  fx::AggregatorCallbacks callbacks() {
    fx::AggregatorCallbacks c;
    c.on_needs = [this](const std::vector<fm::FlexibilityNeed>& needs) {
      std::lock_guard lock(mu_);
      for (const auto& n : needs) pending_needs_.push_back(n);
      cv_.notify_all();
    };
    c.on_activations = [this](const std::vector<fm::Activation>& list) {
      std::map<std::string, bool> answers;
      std::lock_guard lock(mu_);
      for (const auto& a : list) {
        answers[a.activation_id] = true;
        accepted_.push_back(a);
      }
      cv_.notify_all();
      return answers;
    };
    return c;
  }

  // Worker: offers for queued needs (posted outside the engine's handler), baselines for
  // accepted activations, settlement of verified ones.
  void run(fx::AggregatorSsa& ssa) {
    while (!g_stop) {
      std::vector<fm::FlexibilityNeed> needs;
      std::vector<fm::Activation> activations;
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, std::chrono::milliseconds(200));
        needs.swap(pending_needs_);
        activations.swap(accepted_);
      }
      if (!needs.empty()) offer(ssa, needs);
      // The DSO records the acceptance after our answer reaches it: retry while it is Sent.
      baselines_due_.insert(baselines_due_.end(), activations.begin(), activations.end());
      std::erase_if(baselines_due_, [this](const fm::Activation& a) { return submit_baseline(a); });
      settle();
    }
  }

 private:
  void offer(fx::AggregatorSsa& ssa, const std::vector<fm::FlexibilityNeed>& needs) {
    std::vector<fx::OfferToPost> offers;
    for (const auto& n : needs) {
      // One interval: every asset's flexibility for this need, in merit order blocks.
      std::vector<bids::UnitFlexibility> units;
      for (const auto& a : assets_) {
        bids::UnitFlexibility u;
        u.id = a.id;
        u.up_kw = {0.0};
        u.down_kw = {n.direction == fm::Direction::down ? a.flex_kw : 0.0};
        u.down_price_eur_per_mwh = a.price_eur_per_mwh;
        units.push_back(std::move(u));
      }
      bids::BidRules rules;
      rules.intervals_per_period = 1;
      rules.min_block_kw = 1;
      rules.block_size_kw = 10;
      rules.max_block_kw = 25;
      rules.reserve = bids::ReserveRule::n_minus_y;
      rules.reserve_units = 1;  // robust to one asset failing
      rules.leftover = bids::LeftoverPolicy::merge_into_previous;
      rules.price_rule = bids::PriceRule::max;
      auto set = bids::generate_bids(units, rules);
      if (!set) {
        std::fprintf(stderr, "%s: bids for %s: %s\n", fsp_.c_str(), n.request_id.c_str(),
                     set.error().to_string().c_str());
        continue;
      }
      int k = 0;
      for (const auto& b : set->bids) {
        if (b.direction != bids::FlexDirection::down) continue;
        fx::OfferToPost o;
        o.offer_id = fsp_ + "-" + n.request_id + "-" + std::to_string(++k);
        o.request_id = n.request_id;
        o.hems_id = units[set->members[b.first_member].unit].id;
        o.direction = n.direction;
        o.start = n.start;
        o.end = n.end;
        o.quantity_kw = b.power_kw;
        o.price_eur_per_mwh = b.price_eur_per_mwh;
        std::vector<std::pair<std::string, double>> members;
        for (auto m = b.first_member; m < b.first_member + b.member_count; ++m) {
          members.emplace_back(units[set->members[m].unit].id, set->members[m].kw);
        }
        std::lock_guard lock(mu_);
        block_members_[o.offer_id] = std::move(members);
        offers.push_back(std::move(o));
      }
    }
    if (offers.empty()) return;
    auto r = ssa.post_offers(offers);
    if (!r)
      std::fprintf(stderr, "%s: posting offers: %s\n", fsp_.c_str(), r.error().to_string().c_str());
  }

  // True when done (stored, or failed for good); false to retry later.
  bool submit_baseline(const fm::Activation& a) {
    std::vector<std::pair<std::string, double>> members;
    {
      std::lock_guard lock(mu_);
      auto it = block_members_.find(a.offer_id);
      if (it == block_members_.end()) return true;
      members = it->second;
    }
    json participants = json::array();
    for (const auto& [id, kw] : members) {
      const Asset* asset = nullptr;
      for (const auto& x : assets_) {
        if (x.id == id) asset = &x;
      }
      if (asset == nullptr) continue;
      participants.push_back({{"participantId", id}, {"kW", {asset->baseline_kw}}});
    }
    auto r = http::call_json("POST", market_ + "/Activations/" + a.activation_id + "/baseline",
                             {{"fspId", fsp_}, {"participants", participants}});
    if (r) return true;
    if (r.error().code() == ErrorCode::failed_precondition &&
        r.error().message().find("is Sent") != std::string::npos) {
      return false;
    }
    std::fprintf(stderr, "%s: baseline %s: %s\n", fsp_.c_str(), a.activation_id.c_str(),
                 r.error().to_string().c_str());
    return true;
  }

  // Confirms (ratio >= 0.9) or disputes each verified activation once, after reporting the
  // outcome (Greek pilot feedback).
  void settle() {
    auto list = http::call_json("GET", market_ + "/Activations?fspId=" + fsp_);
    if (!list) return;
    for (const auto& a : (*list)["activations"]) {
      const std::string id = a["activationId"];
      if (settled_.count(id) || a["state"] != "Accepted") continue;
      auto v = http::call_json("GET", market_ + "/Activations/" + id + "/verification");
      if (!v) continue;
      const double ratio = (*v)["ratio"].get<double>();
      (void)http::call_json("POST", market_ + "/Activations/" + id + "/outcome",
                            {{"fspId", fsp_},
                             {"succeeded", ratio >= 0.9},
                             {"percentOfTarget", std::max(0.0, ratio * 100)}});
      json decision =
          ratio >= 0.9
              ? json{{"fspId", fsp_}, {"decision", "confirm"}}
              : json{{"fspId", fsp_},
                     {"decision", "dispute"},
                     {"reason", "our sub-meters show a higher delivery than the DSO's meters"}};
      auto r = http::call_json("POST", market_ + "/Activations/" + id + "/settlement", decision);
      if (r) settled_.insert(id);
    }
  }

  std::string fsp_;
  std::string market_;
  std::vector<Asset> assets_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<fm::FlexibilityNeed> pending_needs_;
  std::vector<fm::Activation> accepted_;
  std::vector<fm::Activation> baselines_due_;  // worker thread only
  std::map<std::string, std::vector<std::pair<std::string, double>>> block_members_;
  std::set<std::string> settled_;
};

int run_aggregator(const std::vector<std::string>& argv) {
  const char* verb = "simulate aggregator";
  auto args = Args::parse(argv, {"help"});
  if (!args) return usage_error(verb, args.error().message());
  if (args->has("help")) {
    std::fputs(kUsage, stdout);
    return exit_ok;
  }
  if (auto unknown =
          args->unknown({"help", "engine", "market", "fsp", "zones", "kind", "assets", "seed"});
      !unknown.empty()) {
    return usage_error(verb, "unknown option --" + unknown.front());
  }
  for (const char* required : {"engine", "market", "fsp", "zones", "kind", "assets"}) {
    if (!args->get(required))
      return usage_error(verb, std::string("--") + required + " is required");
  }
  const std::string kind = *args->get("kind");
  if (kind != "hems" && kind != "bems" && kind != "water-heater") {
    return usage_error(verb, "--kind must be hems, bems or water-heater, got '" + kind + "'");
  }
  auto n = args->get_int("assets");
  if (!n) return usage_error(verb, n.error().message());
  if (!*n || **n < 1 || **n > 100000)
    return usage_error(verb, "--assets must be within [1, 100000]");
  auto seed = args->get_int("seed");
  if (!seed) return usage_error(verb, seed.error().message());
  const std::string fsp = *args->get("fsp"), market = *args->get("market");
  std::vector<std::string> zones;
  {
    std::string z, all = *args->get("zones");
    for (char c : all + ",") {
      if (c == ',') {
        if (!z.empty()) zones.push_back(z);
        z.clear();
      } else {
        z += c;
      }
    }
  }
  auto reg = http::call_json("POST", market + "/Register",
                             {{"fspId", fsp}, {"name", fsp}, {"zones", zones}});
  if (!reg) return fail(verb, reg.error());
  engine::RemoteEngineOptions options;
  options.base_url = *args->get("engine");
  auto remote = engine::RemoteEngine::connect(options);
  if (!remote) return fail(verb, remote.error());
  auto contracts = adapter::load_contracts(std::filesystem::path(GRIDKE_SOURCE_DIR) /
                                           "graph-patterns" / "flexibility_market");
  if (!contracts) return fail(verb, contracts.error());
  Aggregator agg(
      fsp, market,
      make_assets(fsp, kind, static_cast<int>(**n), static_cast<unsigned>(seed->value_or(7))));
  fx::AggregatorSsaOptions o;
  o.fsp_id = fsp;
  o.name = fsp + " (" + kind + ")";
  auto ssa = fx::AggregatorSsa::start(**remote, *contracts, agg.callbacks(), o);
  if (!ssa) return fail(verb, ssa.error());
  std::signal(SIGINT, on_aggregator_signal);
  std::signal(SIGTERM, on_aggregator_signal);
  std::fprintf(stderr, "%s: %lld %s assets in %s, on %s\n", fsp.c_str(), **n, kind.c_str(),
               args->get("zones")->c_str(), options.base_url.c_str());
  agg.run(**ssa);
  ssa->reset();
  return exit_ok;
}

}  // namespace
}  // namespace gridke::cli

GRIDKE_SUBCOMMAND(
    {"simulate", "aggregator",
     "a flexibility service provider process (needs → offers → activation → settlement)",
     gridke::cli::kUsage, gridke::cli::run_aggregator});
