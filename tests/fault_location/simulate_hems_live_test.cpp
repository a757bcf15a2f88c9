// `gridke simulate hems --engine URL` (the live DSP) against `gridke serve --services
// fault-location`, both real processes (tools/gridke/src/demo_child.hpp), with 250 ms readings:
// the DSP injects an ISP outage across the zones of one city, a power fault in a zone of the
// other city and a voltage sag in a third zone. The service must notify the power fault, never
// take the ISP outage for one, and flag the sag as abnormal voltage; the DSP's ground-truth log
// (--format json --log FILE) must record all three.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "demo_child.hpp"
#include "gridke/http/client.hpp"
#include "gridke/http/server.hpp"
#include "gridke_matchers.hpp"

namespace gridke::services::fault_location {
namespace {

using cli::demo_child::Child;
using cli::demo_child::SpawnOptions;
using cli::demo_child::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

std::vector<json> read_json_lines(const std::string& path) {
  std::vector<json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded()) out.push_back(std::move(j));
  }
  return out;
}

const json* find_record(const std::vector<json>& lines, const std::string& record,
                        const std::string& kind = "") {
  for (const auto& j : lines) {
    if (j.value("record", "") == record && (kind.empty() || j.value("kind", "") == kind)) {
      return &j;
    }
  }
  return nullptr;
}

// Notifications of `kind` the service holds (active or cleared) for `zone`.
std::size_t notifications(const std::string& base, const std::string& kind,
                          const std::string& zone) {
  auto r =
      http::call_json("GET", base + "/GridObservability/faults?kind=" + kind + "&gridZone=" + zone);
  return r ? (*r)["notifications"].size() : 0;
}

TEST(SimulateHemsLive, IspOutageIsNoFaultWhilePowerFaultAndSagAreNotified) {
  auto data = TempDir::create("gridke-simulate-hems-live");
  ASSERT_THAT(data, IsOk());
  auto port = http::pick_free_port("127.0.0.1");
  ASSERT_THAT(port, IsOk());
  const std::string base = "http://127.0.0.1:" + std::to_string(*port);
  auto server =
      Child::spawn({GRIDKE_EXE, "serve", "--port", std::to_string(*port), "--data", data->path(),
                    "--services", "fault-location", "--log-level", "warn", "--deadline-s", "5"},
                   SpawnOptions::quiet({"GRIDKE_FAULT_READING_PERIOD_MS=250"}));
  ASSERT_THAT(server, IsOk());
  ASSERT_THAT(cli::demo_child::wait_ready(*server, base + "/GridObservability/zones", 20s), IsOk());

  // Zones live-Z1, Z3 in live-city-1 and Z2, Z4 in live-city-2; 12 HEMS each, half on ispA.
  const std::string log = data->path() + "/truth.jsonl";
  auto dsp = Child::spawn({GRIDKE_EXE,
                           "simulate",
                           "hems",
                           "--engine",
                           base + "/rest",
                           "--zones",
                           "4",
                           "--cities",
                           "2",
                           "--hems",
                           "12",
                           "--period-s",
                           "0.25",
                           "--min-silence-s",
                           "1",
                           "--isp-outage",
                           "ispA:live-city-1@1+2.5",
                           "--fault",
                           "live-Z2@1",
                           "--sag",
                           "live-Z4@1+2",
                           "--format",
                           "json",
                           "--log",
                           log,
                           "--duration-s",
                           "20"},
                          SpawnOptions::quiet());
  ASSERT_THAT(dsp, IsOk());

  // Until the ISP outage has ended (it lasted 2.5 s, T_min is 1 s) and both outputs arrived.
  const auto deadline = std::chrono::steady_clock::now() + 9s;
  bool fault = false, sag = false, isp_over = false;
  while (std::chrono::steady_clock::now() < deadline && !(fault && sag && isp_over)) {
    std::this_thread::sleep_for(200ms);
    ASSERT_TRUE(dsp->running()) << "the simulator exited early";
    fault = fault || notifications(base, "power_fault", "live-Z2") > 0;
    sag = sag || notifications(base, "abnormal_voltage", "live-Z4") > 0;
    isp_over = isp_over || find_record(read_json_lines(log), "end", "isp_outage") != nullptr;
  }
  EXPECT_TRUE(fault) << "the power fault of live-Z2 was not notified";
  EXPECT_TRUE(sag) << "the voltage sag of live-Z4 gave no abnormal-voltage notification";
  EXPECT_TRUE(isp_over);
  // The ISP outage silenced half of live-Z1 and live-Z3 for longer than T_min: no fault there.
  EXPECT_EQ(notifications(base, "power_fault", "live-Z1"), 0U);
  EXPECT_EQ(notifications(base, "power_fault", "live-Z3"), 0U);
  EXPECT_EQ(notifications(base, "power_fault", "live-Z4"), 0U);  // a sag is not a fault

  EXPECT_EQ(dsp->stop(), 0);  // SIGTERM: the DSP stops cleanly and writes its summary
  (void)server->stop();

  const auto lines = read_json_lines(log);
  const json* fleet = find_record(lines, "fleet");
  ASSERT_NE(fleet, nullptr);
  EXPECT_EQ((*fleet)["gridZones"].size(), 4U);
  const json* outage = find_record(lines, "begin", "isp_outage");
  ASSERT_NE(outage, nullptr);
  EXPECT_EQ((*outage)["accessNetwork"], "ispA");
  EXPECT_EQ((*outage)["region"], "live-city-1");
  EXPECT_EQ((*outage)["affectedHems"], 12);  // 6 in live-Z1 + 6 in live-Z3
  EXPECT_EQ((*outage)["expected"], "no_fault_notification");
  const json* cut = find_record(lines, "begin", "zone_fault");
  ASSERT_NE(cut, nullptr);
  EXPECT_EQ((*cut)["gridZone"], "live-Z2");
  EXPECT_EQ((*cut)["end"], nullptr);  // until the simulator stopped
  EXPECT_EQ((*cut)["expected"], "power_fault_notification");
  const json* low = find_record(lines, "begin", "voltage_sag");
  ASSERT_NE(low, nullptr);
  EXPECT_EQ((*low)["gridZone"], "live-Z4");
  EXPECT_DOUBLE_EQ((*low)["depthPu"].get<double>(), 0.85);
  const json* summary = find_record(lines, "summary");
  ASSERT_NE(summary, nullptr);
  EXPECT_GT((*summary)["lostToIspOutages"].get<int>(), 0);
  EXPECT_GT((*summary)["lostToFaults"].get<int>(), 0);
  EXPECT_GT((*summary)["sagged"].get<int>(), 0);
  EXPECT_EQ((*summary)["events"].size(), 3U);
  EXPECT_GT((*summary)["readingsPosted"].get<int>(), 0);
}

TEST(SimulateHemsLive, BadEventOptionsAreUsageErrorsNamingTheOption) {
  // Checked before any connection is made: exit code 2 and the message on stderr.
  auto dir = TempDir::create("gridke-simulate-hems-usage");
  ASSERT_THAT(dir, IsOk());
  const std::string err = dir->path() + "/stderr.txt";
  const std::vector<std::pair<std::vector<std::string>, std::string>> bad = {
      {{"--fault", "live-Z9@1"}, "--fault: no zone 'live-Z9' (zones are live-Z1 .. live-Z3)"},
      {{"--fault", "live-Z1:L4@1"}, "phase 'L4' must be L1, L2 or L3"},
      {{"--isp-outage", "ispQ@1"}, "--isp-outage: no access network 'ispQ'"},
      {{"--isp-outage", "ispA:nowhere@1"}, "--isp-outage: no city 'nowhere'"},
      {{"--sag", "live-Z1@-1"}, "--sag: 'live-Z1@-1' must be ZONE[:PHASE]@SECONDS[+DURATION]"},
      {{"--sag", "live-Z1@1+0"}, "DURATION > 0"},
      {{"--sag-depth-pu", "1.2"}, "--sag-depth-pu must be a number in (0, 0.99]"},
      {{"--cities", "9"}, "--cities (9) must not exceed --zones (3)"},
      {{"--format", "xml"}, "--format must be text or json, got 'xml'"},
      {{"--dropout", "2"}, "--dropout must be a number in [0, 1]"}};
  for (const auto& [extra, message] : bad) {
    std::vector<std::string> argv = {
        "/bin/sh", "-c",       "exec \"$0\" \"$@\" 2>" + err, GRIDKE_EXE, "simulate",
        "hems",    "--engine", "http://127.0.0.1:1/rest"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto child = Child::spawn(argv, SpawnOptions::quiet());
    ASSERT_THAT(child, IsOk());
    for (int i = 0; i < 250 && child->running(); ++i) std::this_thread::sleep_for(20ms);
    EXPECT_EQ(child->stop(), 2) << extra[0] << " " << extra[1];
    std::ifstream in(err);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_THAT(text, ::testing::HasSubstr(message)) << extra[0] << " " << extra[1];
  }
}

}  // namespace
}  // namespace gridke::services::fault_location
