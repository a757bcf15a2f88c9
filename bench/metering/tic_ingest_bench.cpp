// TIC ingestion benchmarks (issue 9: >= 50,000 frames/s per core). Workload: full Linky
// standard-mode frames (the 30 groups a meter in "standard" TIC mode sends, ~650 bytes), 100
// delivery points, 100 frames per gateway POST (one ingest() call), 2 consented providers.
//   BM_TicParser_StandardFrames          parse + checksum only
//   BM_MeteringService_IngestInMemory    parse, 11 data points, event rules, latest per PdL
//   BM_MeteringService_IngestWithHistory the same + every reading into SQLite (in memory)

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "gridke/services/metering/metering_service.hpp"

namespace {

namespace mt = gridke::services::metering;
using namespace std::chrono;

constexpr int kMeters = 100;
constexpr int kFramesPerPost = 100;
constexpr const char* kKey = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

std::string prm(int i) {
  std::string s = std::to_string(i);
  return std::string(14 - s.size(), '0') + s;
}

std::string frame(int meter, int second) {
  const auto t = mt::TimePoint(sys_days{year{2026} / 11 / 27} + hours(10) + seconds(second));
  const std::string date = mt::format_horodate(t);
  return mt::format_tic_frame(mt::TicMode::standard,
                              {{"ADSC", "", "0419761904" + std::to_string(10 + meter % 90)},
                               {"VTIC", "", "02"},
                               {"DATE", date, ""},
                               {"NGTF", "", "      BASE      "},
                               {"LTARF", "", "      BASE      "},
                               {"EAST", "", "004509834"},
                               {"EASF01", "", "004509834"},
                               {"EASF02", "", "000000000"},
                               {"EASD01", "", "004509834"},
                               {"EASD02", "", "000000000"},
                               {"EAIT", "", "000120000"},
                               {"IRMS1", "", "007"},
                               {"URMS1", "", "231"},
                               {"PREF", "", "09"},
                               {"PCOUP", "", "09"},
                               {"SINSTS", "", std::to_string(1000 + second % 500)},
                               {"SMAXSN", date, "05230"},
                               {"SMAXSN-1", date, "04910"},
                               {"SINSTI", "", "00310"},
                               {"SMAXIN", date, "00990"},
                               {"CCASN", date, "01234"},
                               {"UMOY1", date, "230"},
                               {"STGE", "", second % 40 < 10 ? "003A4081" : "003A4001"},
                               {"MSG1", "", "PAS DE          MESSAGE         "},
                               {"PRM", "", prm(meter)},
                               {"RELAIS", "", "000"},
                               {"NTARF", "", "01"},
                               {"NJOURF", "", "00"},
                               {"NJOURF+1", "", "00"},
                               {"PJOURF+1", "", "00008001 NONUTILE NONUTILE"}});
}

// One POST body per meter: kFramesPerPost consecutive frames (1 s apart).
const std::vector<std::string>& posts() {
  static const std::vector<std::string> p = [] {
    std::vector<std::string> out;
    for (int m = 0; m < kMeters; ++m) {
      std::string body;
      for (int s = 0; s < kFramesPerPost; ++s) body += frame(m, s);
      out.push_back(std::move(body));
    }
    return out;
  }();
  return p;
}

void BM_TicParser_StandardFrames(benchmark::State& state) {
  const auto& bodies = posts();
  std::size_t groups = 0;
  for (auto _ : state) {
    for (const auto& b : bodies) {
      auto r = mt::parse_tic(b);
      groups += r.good_groups;
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * kMeters * kFramesPerPost);
  state.counters["bytes_per_frame"] = static_cast<double>(bodies[0].size()) / kFramesPerPost;
  state.counters["groups_per_frame"] =
      static_cast<double>(groups) /
      static_cast<double>(state.iterations() * kMeters * kFramesPerPost);
}

void ingest(benchmark::State& state, bool history) {
  mt::MeteringOptions o;
  o.key_hex = kKey;
  o.keep_history = history;
  auto s = mt::MeteringService::open(":memory:", o);
  if (!s) {
    state.SkipWithError(s.error().to_string().c_str());
    return;
  }
  auto& service = **s;
  (void)service.register_provider({"a", "A", mt::kAllDataPoints, "", ""});
  (void)service.register_provider({"b", "B", mt::bit(mt::DataPoint::stge), "", ""});
  for (int m = 0; m < kMeters; ++m) {
    (void)service.grant_consent({"", "a", prm(m), mt::kAllDataPoints, "p", 30, {"A"}, {}, {}});
    (void)service.grant_consent(
        {"", "b", prm(m), mt::bit(mt::DataPoint::stge), "p", 7, {"B"}, {}, {}});
  }
  std::size_t deliveries = 0;
  service.add_listener([&](const mt::Delivery&) { ++deliveries; });
  const auto& bodies = posts();
  for (auto _ : state) {
    for (int m = 0; m < kMeters; ++m) {
      auto r = service.ingest(prm(m), bodies[static_cast<std::size_t>(m)]);
      if (!r || r->readings != kFramesPerPost) {
        state.SkipWithError(r ? "frames rejected" : r.error().to_string().c_str());
        return;
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * kMeters * kFramesPerPost);
  state.counters["deliveries_per_frame"] =
      static_cast<double>(deliveries) /
      static_cast<double>(state.iterations() * kMeters * kFramesPerPost);
}

void BM_MeteringService_IngestInMemory(benchmark::State& state) { ingest(state, false); }
void BM_MeteringService_IngestWithHistory(benchmark::State& state) { ingest(state, true); }

BENCHMARK(BM_TicParser_StandardFrames)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MeteringService_IngestInMemory)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_MeteringService_IngestWithHistory)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
