// gridke_load: the KE load test of issue 11 (bench/results/load.md, scripts/load-test.sh).
//
// N knowledge bases, each a REST client (RemoteEngine) of one server over loopback, each with an
// ANSWER KI on predicate p_i, a REACT KI on q_i, an ASK KI on p_(i+1) and a POST KI on q_(i+1).
// The driver sends exchanges at a fixed total rate (open loop: a slow server does not slow the
// sender), alternating ASK and POST over the knowledge bases round-robin. Every exchange crosses
// HTTP four times: POST /sc/ask|post, the answerer's held GET /sc/handle (200), its POST
// /sc/handle, and the 200 of the ask/post.
//
// Latency is measured from the moment a call was due (not when the sender got to it), so a
// stalled sender shows as latency. Reports every --report-s: throughput, p50/p99 of the
// interval, errors and the RSS of the server process and of this driver; at the end the totals
// and the RSS growth from the end of the warm-up (target: no error, flat RSS).
//
//   gridke_load run --url URL [--server-pid PID] [--kbs 500] [--rate 5000] [--seconds 600]
//                   [--warmup-s 20] [--ask-percent 50] [--clients 4] [--report-s 10]
//                   [--deadline-ms 10000] [--max-in-flight 1000] [--max-lag-ms 1000]
//                   [--json FILE]
//                   [--handler-threads 0]
//   gridke_load serve [--port 0] [--heartbeat-s 29] [--io-threads 2] [--engine-threads 8]
//       a bare server (EmbeddedEngine behind RestServer) for when `gridke serve` is not built;
//       prints {"url": ..., "port": ...} on stdout and runs until SIGINT/SIGTERM.
//
// The load is a schedule, not a loop: call i falls due at start + i/rate whatever happened to
// the calls before it, and its latency counts from that due time (no coordinated omission: a
// stall shows as the latency of every call that fell due during it, as in wrk2). At most
// --max-in-flight calls are outstanding; a call that falls due while that many are is sent as
// soon as one completes and counted `late` (its wait is in its latency). Nothing is dropped:
// the run passes only if every call completed without error, the sender was never left more
// than --max-lag-ms behind the schedule at the end (the server kept up on average), and the
// server's RSS grew by less than 5 % from the end of the warm-up. A sender 60 s behind stops
// sending (the server is not keeping up at all) and the run fails.
// --io-threads: the server's HTTP I/O threads (RestServerOptions::io_threads); --handler-threads:
// each client's (RemoteEngineOptions::handler_threads), which run handlers and completions.
// Exit codes: 0 pass, 1 the run failed its targets (errors, incomplete, RSS growth ≥ 5 %),
// 2 usage error, 3 set-up failed.
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <utility>

#include "gridke/engine/embedded_engine.hpp"
#include "gridke/engine/remote_engine.hpp"
#include "gridke/engine/rest_server.hpp"
#include "histogram.hpp"

namespace {

using namespace gridke;
using Steady = std::chrono::steady_clock;
using gridke::bench::Histogram;

// ---- arguments ------------------------------------------------------------------------------

struct Args {
  std::map<std::string, std::string> values;

  static std::optional<Args> parse(int argc, char** argv, int first) {
    Args a;
    for (int i = first; i < argc; ++i) {
      if (std::strncmp(argv[i], "--", 2) != 0 || i + 1 >= argc) {
        std::fprintf(stderr, "gridke_load: expected --name value, got '%s'\n", argv[i]);
        return std::nullopt;
      }
      a.values[argv[i] + 2] = argv[i + 1];
      ++i;
    }
    return a;
  }
  std::string text(const std::string& name, const std::string& fallback) const {
    auto it = values.find(name);
    return it == values.end() ? fallback : it->second;
  }
  // A non-negative integer option; nullopt (after a message) when it is not one.
  std::optional<long> number(const std::string& name, long fallback) const {
    auto it = values.find(name);
    if (it == values.end()) return fallback;
    char* end = nullptr;
    const long v = std::strtol(it->second.c_str(), &end, 10);
    if (end == it->second.c_str() || *end != '\0' || v < 0) {
      std::fprintf(stderr, "gridke_load: --%s must be a non-negative integer, got '%s'\n",
                   name.c_str(), it->second.c_str());
      return std::nullopt;
    }
    return v;
  }
};

// ---- measurement ----------------------------------------------------------------------------

// CPU time (user + system) of a process from /proc/PID/stat, in milliseconds; -1 if unreadable.
// The machine's CPU time so far, all cores (first line of /proc/stat), in jiffies.
struct MachineCpu {
  long long idle = 0;     // idle + iowait
  long long softirq = 0;  // network receive on loopback runs here, outside any process's time
  long long steal = 0;    // taken by the hypervisor
  long long total = 0;
};

MachineCpu machine_cpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  MachineCpu m;
  long long v = 0;
  // user nice system idle iowait irq softirq steal (guest time is already in user)
  for (int i = 0; i < 8 && (in >> v); ++i) {
    m.total += v;
    if (i == 3 || i == 4) m.idle += v;
    if (i == 6) m.softirq += v;
    if (i == 7) m.steal += v;
  }
  return m;
}

long cpu_ms(const std::string& stat_path) {
  std::ifstream in(stat_path);
  std::string stat;
  std::getline(in, stat);
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  // Fields after "(comm)": state is field 3; utime and stime are fields 14 and 15.
  std::size_t pos = close + 2;
  for (int field = 3; field < 14; ++field) {
    pos = stat.find(' ', pos);
    if (pos == std::string::npos) return -1;
    ++pos;
  }
  char* end = nullptr;
  const unsigned long long utime = std::strtoull(stat.c_str() + pos, &end, 10);
  const unsigned long long stime = std::strtoull(end, nullptr, 10);
  return static_cast<long>((utime + stime) * 1000 /
                           static_cast<unsigned long long>(sysconf(_SC_CLK_TCK)));
}

long rss_kib(const std::string& status_path) {
  std::ifstream status(status_path);
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

struct Stats {
  Histogram interval;  // since the last report
  Histogram all;       // the measured part of the run (reports drain `interval` into it)
  std::atomic<long> sent{0};
  std::atomic<long> late{0};        // sent > 10 ms after due (max in flight were outstanding)
  std::atomic<long> max_lag_us{0};  // the longest wait of a call before it was sent
  std::atomic<long> completed{0};
  std::atomic<long> errors{0};
  std::atomic<long> asks{0};
  std::atomic<long> posts{0};
  std::mutex mu;
  std::map<std::string, long> error_kinds;  // GUARDED_BY(mu): first line of each message

  void error(const std::string& what) {
    errors.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mu);
    if (error_kinds.size() < 20 || error_kinds.contains(what)) ++error_kinds[what];
  }
};

// ---- the knowledge network ------------------------------------------------------------------

struct Kb {
  std::string id;
  engine::RemoteEngine* client = nullptr;
  engine::KiId ask;
  engine::KiId post;
};

std::string kb_id(long i) { return "http://example.org/load/kb" + std::to_string(i); }
std::string predicate(char kind, long i) {
  return "<http://example.org/load/" + std::string(1, kind) + std::to_string(i) + ">";
}

Result<pattern::GraphPattern> parse(const std::string& text) {
  return pattern::GraphPattern::parse(text);
}

// Registers knowledge base i on `client` with its four KIs.
Result<Kb> make_kb(engine::RemoteEngine& client, long i, long n) {
  Kb kb{kb_id(i), &client, {}, {}};
  GRIDKE_TRY(client.create_knowledge_base(
      engine::KnowledgeBaseInfo{kb.id, "load " + std::to_string(i), "gridke_load", {}, 2}));
  GRIDKE_ASSIGN_OR_RETURN(auto answer_gp, parse("?a " + predicate('p', i) + " ?b ."));
  engine::SyncHandler answer = [i](const engine::HandleRequest&) -> Result<pattern::BindingSet> {
    return pattern::BindingSet{pattern::Binding{
        {"a", rdf::Term::iri("http://example.org/load/s" + std::to_string(i))},
        {"b", rdf::Term::literal(std::to_string(i), "http://www.w3.org/2001/XMLSchema#integer")}}};
  };
  GRIDKE_TRY(client.register_ki(kb.id, ki::KnowledgeInteraction::answer(answer_gp), answer));
  GRIDKE_ASSIGN_OR_RETURN(auto react_gp, parse("?a " + predicate('q', i) + " ?b ."));
  engine::SyncHandler react = [](const engine::HandleRequest&) -> Result<pattern::BindingSet> {
    return pattern::BindingSet{};
  };
  GRIDKE_TRY(client.register_ki(kb.id, ki::KnowledgeInteraction::react(react_gp), react));
  const long next = (i + 1) % n;
  GRIDKE_ASSIGN_OR_RETURN(auto ask_gp, parse("?x " + predicate('p', next) + " ?y ."));
  GRIDKE_ASSIGN_OR_RETURN(kb.ask, client.register_ki(kb.id, ki::KnowledgeInteraction::ask(ask_gp)));
  GRIDKE_ASSIGN_OR_RETURN(auto post_gp, parse("?x " + predicate('q', next) + " ?y ."));
  GRIDKE_ASSIGN_OR_RETURN(kb.post,
                          client.register_ki(kb.id, ki::KnowledgeInteraction::post(post_gp)));
  return kb;
}

// ---- the driver -----------------------------------------------------------------------------

struct RunConfig {
  long rate = 5000;
  long max_in_flight = 1000;
  std::chrono::milliseconds max_lag{1000};
  long ask_percent = 50;
  std::chrono::milliseconds deadline{10'000};
};

std::uint64_t mix(std::uint64_t x) {  // splitmix64
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Sent this long after its due time, a call counts as late (the sender's tick is 1 ms).
constexpr long kLateUs = 10'000;
// This far behind, the server is not keeping up at all: the sender stops (the run fails).
constexpr auto kGiveUpLag = std::chrono::seconds(60);

// Sends rate × duration exchanges on schedule; returns when all are sent. Calls that fall due
// while max_in_flight are outstanding wait for a completion (counted late, never dropped).
void send_for(std::vector<Kb>& kbs, const RunConfig& cfg, std::chrono::seconds duration,
              Stats& stats, std::atomic<long>& in_flight) {
  const long total = cfg.rate * duration.count();
  const auto start = Steady::now();
  const double period_ns = 1e9 / static_cast<double>(cfg.rate);
  const pattern::BindingSet post_args{
      pattern::Binding{{"x", rdf::Term::iri("http://example.org/load/m")},
                       {"y", rdf::Term::literal("1", "http://www.w3.org/2001/XMLSchema#integer")}}};
  engine::CallOptions options;
  options.deadline = cfg.deadline;
  long i = 0;
  while (i < total) {
    const auto now = Steady::now();
    // Every call due by now (the sender sleeps ~1 ms at a time and catches up).
    while (i < total) {
      const auto due = start + std::chrono::nanoseconds(
                                   static_cast<long long>(period_ns * static_cast<double>(i)));
      if (due > now) break;
      Kb& kb = kbs[static_cast<std::size_t>(i) % kbs.size()];
      // The server is behind: wait for completions (next tick), keeping the schedule.
      if (in_flight.load(std::memory_order_relaxed) >= cfg.max_in_flight) {
        if (now - due > kGiveUpLag) {
          std::fprintf(stderr,
                       "gridke_load: %lld s behind the schedule with %ld calls outstanding; "
                       "stopped sending after %ld of %ld calls\n",
                       static_cast<long long>(
                           std::chrono::duration_cast<std::chrono::seconds>(now - due).count()),
                       in_flight.load(), i, total);
          return;
        }
        break;
      }
      const long lag = std::chrono::duration_cast<std::chrono::microseconds>(now - due).count();
      if (lag > kLateUs) stats.late.fetch_add(1, std::memory_order_relaxed);
      if (lag > stats.max_lag_us.load(std::memory_order_relaxed)) {
        stats.max_lag_us.store(lag, std::memory_order_relaxed);
      }
      // ASK or POST: a hash of the call number, so every KB both asks and posts.
      const bool ask =
          static_cast<long>(mix(static_cast<std::uint64_t>(i)) % 100) < cfg.ask_percent;
      in_flight.fetch_add(1, std::memory_order_relaxed);
      stats.sent.fetch_add(1, std::memory_order_relaxed);
      auto finish = [&stats, &in_flight, due](bool ok, const std::string& why) {
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - due);
        stats.interval.record(static_cast<std::uint64_t>(std::max<long long>(0, us.count())));
        if (!ok) stats.error(why);
        stats.completed.fetch_add(1, std::memory_order_relaxed);
        in_flight.fetch_sub(1, std::memory_order_relaxed);
      };
      if (ask) {
        stats.asks.fetch_add(1, std::memory_order_relaxed);
        kb.client->ask_async(kb.id, kb.ask, {}, options, [finish](Result<engine::AskResult> r) {
          if (!r) return finish(false, r.error().to_string());
          const bool ok = r->bindings.size() == 1 && r->exchange_info.size() == 1 &&
                          r->exchange_info[0].status == engine::ExchangeStatus::succeeded;
          finish(ok, ok ? std::string() : "ASK: unexpected result");
        });
      } else {
        stats.posts.fetch_add(1, std::memory_order_relaxed);
        kb.client->post_async(
            kb.id, kb.post, post_args, options, [finish](Result<engine::PostResult> r) {
              if (!r) return finish(false, r.error().to_string());
              const bool ok = r->exchange_info.size() == 1 &&
                              r->exchange_info[0].status == engine::ExchangeStatus::succeeded;
              finish(ok, ok ? std::string() : "POST: unexpected result");
            });
      }
      ++i;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::string loadavg() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c + "\n";
}

std::string format_kib(long kib) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(kib) / 1024.0);
  return buf;
}

int run(const Args& args) {
  const std::string url = args.text("url", "");
  auto kbs_n = args.number("kbs", 500);
  auto rate = args.number("rate", 5000);
  auto seconds = args.number("seconds", 600);
  auto warmup = args.number("warmup-s", 20);
  auto ask_percent = args.number("ask-percent", 50);
  auto clients_n = args.number("clients", 4);
  // 0 (default): the KBs' handlers and completions are trivial and never block, so they run on
  // the clients' I/O threads (RemoteEngineOptions::handler_threads).
  auto handler_threads = args.number("handler-threads", 0);
  if (!handler_threads) return 2;
  auto report_s = args.number("report-s", 10);
  auto deadline_ms = args.number("deadline-ms", 10'000);
  auto server_pid = args.number("server-pid", 0);
  auto max_in_flight = args.number("max-in-flight", 1000);
  auto max_lag_ms = args.number("max-lag-ms", 1000);
  if (!kbs_n || !rate || !seconds || !warmup || !ask_percent || !clients_n || !report_s ||
      !deadline_ms || !server_pid || !max_in_flight || !max_lag_ms) {
    return 2;
  }
  if (url.empty()) {
    std::fprintf(stderr, "gridke_load run: --url is required (e.g. http://127.0.0.1:8280/rest)\n");
    return 2;
  }
  if (*kbs_n < 2 || *rate < 1 || *seconds < 1 || *clients_n < 1 || *report_s < 1 ||
      *ask_percent > 100) {
    std::fprintf(stderr,
                 "gridke_load run: --kbs ≥ 2, --rate, --seconds, --clients and --report-s ≥ 1, "
                 "--ask-percent 0..100\n");
    return 2;
  }
  const std::string server_status =
      *server_pid > 0 ? "/proc/" + std::to_string(*server_pid) + "/status" : std::string();
  auto server_rss = [&] { return server_status.empty() ? -1 : rss_kib(server_status); };

  // Knowledge bases spread over the clients (each client has its own connections and threads).
  std::vector<std::unique_ptr<engine::RemoteEngine>> clients;
  for (long c = 0; c < *clients_n; ++c) {
    engine::RemoteEngineOptions o;
    o.base_url = url;
    o.handler_threads = static_cast<std::size_t>(*handler_threads);
    auto client = engine::RemoteEngine::connect(o);
    if (!client) {
      std::fprintf(stderr, "gridke_load: connecting to %s: %s\n", url.c_str(),
                   client.error().to_string().c_str());
      return 3;
    }
    clients.push_back(std::move(*client));
  }
  std::fprintf(stderr, "gridke_load: registering %ld knowledge bases on %s ...\n", *kbs_n,
               url.c_str());
  std::vector<Kb> kbs(static_cast<std::size_t>(*kbs_n));
  std::atomic<bool> setup_failed{false};
  {
    std::vector<std::thread> setup;
    for (long c = 0; c < *clients_n; ++c) {
      setup.emplace_back([&, c] {
        for (long i = c; i < *kbs_n && !setup_failed; i += *clients_n) {
          auto kb = make_kb(*clients[static_cast<std::size_t>(c)], i, *kbs_n);
          if (!kb) {
            std::fprintf(stderr, "gridke_load: registering %s: %s\n", kb_id(i).c_str(),
                         kb.error().to_string().c_str());
            setup_failed = true;
            return;
          }
          kbs[static_cast<std::size_t>(i)] = std::move(*kb);
        }
      });
    }
    for (auto& t : setup) t.join();
  }
  if (setup_failed) return 3;

  RunConfig cfg;
  cfg.rate = *rate;
  cfg.ask_percent = *ask_percent;
  cfg.max_in_flight = std::max(1L, *max_in_flight);
  cfg.max_lag = std::chrono::milliseconds(std::max(0L, *max_lag_ms));
  cfg.deadline = std::chrono::milliseconds(*deadline_ms);
  std::atomic<long> in_flight{0};

  if (*warmup > 0) {
    std::fprintf(stderr, "gridke_load: warm-up, %ld s at %ld exchanges/s ...\n", *warmup, *rate);
    Stats warm;
    send_for(kbs, cfg, std::chrono::seconds(*warmup), warm, in_flight);
    const auto until = Steady::now() + cfg.deadline + std::chrono::seconds(6);
    while (in_flight.load() > 0 && Steady::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::fprintf(stderr, "gridke_load: warm-up done (%ld errors)\n", warm.errors.load());
  }

  const std::string server_stat =
      *server_pid > 0 ? "/proc/" + std::to_string(*server_pid) + "/stat" : std::string();
  auto server_cpu = [&] { return server_stat.empty() ? -1 : cpu_ms(server_stat); };
  const long server_rss_start = server_rss();
  const long driver_rss_start = rss_kib("/proc/self/status");
  const long server_cpu_start = server_cpu();
  const long driver_cpu_start = cpu_ms("/proc/self/stat");
  long server_rss_max = server_rss_start;
  std::printf("# gridke_load: kbs=%ld rate=%ld/s seconds=%ld ask=%ld%% clients=%ld url=%s\n",
              *kbs_n, *rate, *seconds, *ask_percent, *clients_n, url.c_str());
  std::printf("%8s %10s %10s %8s %8s %10s %10s %8s %12s %12s %8s %8s %6s %6s %6s %9s\n", "t_s",
              "completed", "per_s", "errors", "late", "p50_us", "p99_us", "inflight", "server_MiB",
              "driver_MiB", "srv_cpu%", "drv_cpu%", "idle%", "sirq%", "steal%", "utc");
  std::fflush(stdout);

  Stats stats;
  std::atomic<bool> sending{true};
  const auto t0 = Steady::now();
  std::vector<std::string> series;  // JSON rows of the RSS/throughput series
  std::thread reporter([&] {
    long last_completed = 0;
    long last_server_cpu = server_cpu_start;
    long last_driver_cpu = driver_cpu_start;
    auto last_machine = machine_cpu();
    auto last = t0;
    auto next = t0 + std::chrono::seconds(*report_s);
    while (true) {
      while (Steady::now() < next) {
        if (!sending && in_flight.load() == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      const auto now = Steady::now();
      const long completed = stats.completed.load();
      const double dt = std::chrono::duration<double>(now - last).count();
      const double t = std::chrono::duration<double>(now - t0).count();
      const double p50 = stats.interval.quantile(0.50);
      const double p99 = stats.interval.quantile(0.99);
      const long s_rss = server_rss();
      const long d_rss = rss_kib("/proc/self/status");
      server_rss_max = std::max(server_rss_max, s_rss);
      // CPU of each process over the interval, in % of one core (both may use several), and the
      // wall-clock time, to line a stall up with other traces (vmstat, server log, nstat).
      const long s_cpu = server_cpu();
      const long d_cpu = cpu_ms("/proc/self/stat");
      auto percent = [dt](long ms) { return static_cast<double>(ms) / 10.0 / dt; };
      char srv_pct[16] = "-";
      if (s_cpu >= 0)
        std::snprintf(srv_pct, sizeof srv_pct, "%.0f", percent(s_cpu - last_server_cpu));
      // Machine-wide shares of all cores' time over the interval.
      const auto machine = machine_cpu();
      const auto machine_share = [&](long long now_j, long long then_j) {
        const long long total = machine.total - last_machine.total;
        return total > 0 ? 100.0 * static_cast<double>(now_j - then_j) / static_cast<double>(total)
                         : 0.0;
      };
      const double idle_pct = machine_share(machine.idle, last_machine.idle);
      const double softirq_pct = machine_share(machine.softirq, last_machine.softirq);
      const double steal_pct = machine_share(machine.steal, last_machine.steal);
      last_machine = machine;
      const std::time_t wall = std::time(nullptr);
      char utc[16];
      std::strftime(utc, sizeof utc, "%H:%M:%S", std::gmtime(&wall));
      std::printf(
          "%8.0f %10ld %10.0f %8ld %8ld %10.0f %10.0f %8ld %12s %12s %8s %8.0f %6.0f %6.0f "
          "%6.0f %9s\n",
          t, completed, static_cast<double>(completed - last_completed) / dt, stats.errors.load(),
          stats.late.load(), p50, p99, in_flight.load(),
          s_rss < 0 ? "-" : format_kib(s_rss).c_str(), format_kib(d_rss).c_str(), srv_pct,
          percent(d_cpu - last_driver_cpu), idle_pct, softirq_pct, steal_pct, utc);
      last_server_cpu = s_cpu;
      last_driver_cpu = d_cpu;
      std::fflush(stdout);
      char row[256];
      std::snprintf(row, sizeof row,
                    "{\"t_s\":%.1f,\"completed\":%ld,\"per_s\":%.0f,\"errors\":%ld,\"late\":%ld,"
                    "\"p50_us\":%.0f,\"p99_us\":%.0f,\"server_rss_kib\":%ld,"
                    "\"driver_rss_kib\":%ld}",
                    t, completed, static_cast<double>(completed - last_completed) / dt,
                    stats.errors.load(), stats.late.load(), p50, p99, s_rss, d_rss);
      series.emplace_back(row);
      stats.interval.drain_into(stats.all);
      last_completed = completed;
      last = now;
      next += std::chrono::seconds(*report_s);
      if (!sending && in_flight.load() == 0) return;
    }
  });
  send_for(kbs, cfg, std::chrono::seconds(*seconds), stats, in_flight);
  const double send_s = std::chrono::duration<double>(Steady::now() - t0).count();
  const auto until = Steady::now() + cfg.deadline + std::chrono::seconds(6);
  while (in_flight.load() > 0 && Steady::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // Until the last completion (not the reporter's next tick): the throughput's denominator.
  const double elapsed = std::chrono::duration<double>(Steady::now() - t0).count();
  sending = false;
  reporter.join();
  stats.interval.drain_into(stats.all);
  const long server_rss_end = server_rss();
  const long driver_rss_end = rss_kib("/proc/self/status");
  const long server_cpu_used = server_cpu() - server_cpu_start;
  const long driver_cpu_used = cpu_ms("/proc/self/stat") - driver_cpu_start;

  const long expected = *rate * *seconds;
  const long completed = stats.completed.load();
  const long errors = stats.errors.load();
  const double growth = server_rss_start > 0
                            ? 100.0 * static_cast<double>(server_rss_end - server_rss_start) /
                                  static_cast<double>(server_rss_start)
                            : 0.0;
  const double driver_growth = 100.0 * static_cast<double>(driver_rss_end - driver_rss_start) /
                               static_cast<double>(driver_rss_start);
  std::printf(
      "# exchanges: due=%ld sent=%ld (ask=%ld post=%ld) completed=%ld errors=%ld in %.1f s "
      "(sending took %.1f s)\n",
      expected, stats.sent.load(), stats.asks.load(), stats.posts.load(), completed, errors,
      elapsed, send_s);
  const double lag_end_ms = 1000.0 * std::max(0.0, send_s - static_cast<double>(*seconds));
  std::printf(
      "# schedule: %ld calls sent late (> 10 ms after due, %.2f %%); longest wait %.0f ms; "
      "%.0f ms behind at the end (limit %ld ms)\n",
      stats.late.load(),
      expected > 0 ? 100.0 * static_cast<double>(stats.late.load()) / static_cast<double>(expected)
                   : 0.0,
      static_cast<double>(stats.max_lag_us.load()) / 1000.0, lag_end_ms,
      static_cast<long>(cfg.max_lag.count()));
  std::printf("# throughput: %.0f exchanges/s (target %ld/s)\n",
              static_cast<double>(completed) / elapsed, *rate);
  if (completed > 0) {
    std::printf(
        "# CPU per exchange: server %.0f us, driver (all REST KBs) %.0f us; "
        "machine load %s",
        server_cpu_used >= 0 && server_cpu_start >= 0
            ? 1000.0 * static_cast<double>(server_cpu_used) / static_cast<double>(completed)
            : -1.0,
        1000.0 * static_cast<double>(driver_cpu_used) / static_cast<double>(completed),
        loadavg().c_str());
  }
  std::printf("# latency_us: p50=%.0f p90=%.0f p99=%.0f p99.9=%.0f max=%llu\n",
              stats.all.quantile(0.5), stats.all.quantile(0.9), stats.all.quantile(0.99),
              stats.all.quantile(0.999), static_cast<unsigned long long>(stats.all.max()));
  if (server_rss_start > 0) {
    std::printf("# server RSS: %s MiB after warm-up, %s MiB at the end (%+.1f %%), max %s MiB\n",
                format_kib(server_rss_start).c_str(), format_kib(server_rss_end).c_str(), growth,
                format_kib(server_rss_max).c_str());
  }
  std::printf("# driver RSS: %s MiB after warm-up, %s MiB at the end (%+.1f %%)\n",
              format_kib(driver_rss_start).c_str(), format_kib(driver_rss_end).c_str(),
              driver_growth);
  {
    std::lock_guard lock(stats.mu);
    for (const auto& [what, n] : stats.error_kinds) {
      std::printf("# error x%ld: %s\n", n, what.c_str());
    }
  }
  const bool ok = errors == 0 && completed == expected &&
                  lag_end_ms <= static_cast<double>(cfg.max_lag.count()) && growth < 5.0;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  std::fflush(stdout);

  if (auto json = args.text("json", ""); !json.empty()) {
    std::ofstream out(json);
    char head[768];
    std::snprintf(
        head, sizeof head,
        "{\"kbs\":%ld,\"rate\":%ld,\"seconds\":%ld,\"ask_percent\":%ld,\"sent\":%ld,\"late\":%ld,"
        "\"completed\":%ld,\"errors\":%ld,\"throughput_per_s\":%.0f,\"p50_us\":%.0f,"
        "\"p90_us\":%.0f,\"p99_us\":%.0f,\"max_us\":%llu,\"server_rss_start_kib\":%ld,"
        "\"server_rss_end_kib\":%ld,\"server_rss_growth_percent\":%.2f,\"pass\":%s,\"series\":[",
        *kbs_n, *rate, *seconds, *ask_percent, stats.sent.load(), stats.late.load(), completed,
        errors, static_cast<double>(completed) / elapsed, stats.all.quantile(0.5),
        stats.all.quantile(0.9), stats.all.quantile(0.99),
        static_cast<unsigned long long>(stats.all.max()), server_rss_start, server_rss_end, growth,
        ok ? "true" : "false");
    out << head;
    for (std::size_t i = 0; i < series.size(); ++i) out << (i ? "," : "") << series[i];
    out << "]}\n";
  }
  std::fprintf(stderr, "gridke_load: removing the knowledge bases ...\n");
  clients.clear();  // each RemoteEngine deletes the KBs it created
  return ok ? 0 : 1;
}

int serve(const Args& args) {
  auto port = args.number("port", 0);
  auto heartbeat = args.number("heartbeat-s", 29);
  auto io_threads = args.number("io-threads", 2);
  auto engine_threads = args.number("engine-threads", 8);
  if (!port || !heartbeat || !io_threads || !engine_threads || *engine_threads < 1) return 2;
  if (*port > 65535 || *heartbeat < 1 || *io_threads < 1) {
    std::fprintf(stderr,
                 "gridke_load serve: --port 0..65535, --heartbeat-s ≥ 1, --io-threads ≥ 1\n");
    return 2;
  }
  // Block the stop signals in every thread (the server's threads inherit the mask); sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  engine::EmbeddedEngine::Options engine_options;
  engine_options.handler_threads = static_cast<std::size_t>(*engine_threads);
  engine::EmbeddedEngine engine(engine_options);
  engine::RestServerOptions options;
  options.port = static_cast<std::uint16_t>(*port);
  options.heartbeat = std::chrono::seconds(*heartbeat);
  options.io_threads = static_cast<std::size_t>(*io_threads);
  auto server = engine::RestServer::start(engine, options);
  if (!server) {
    std::fprintf(stderr, "gridke_load serve: %s\n", server.error().to_string().c_str());
    return 3;
  }
  std::printf("{\"url\":\"%s\",\"port\":%u}\n", (*server)->base_url().c_str(),
              static_cast<unsigned>((*server)->port()));
  std::fflush(stdout);
  int sig = 0;
  sigwait(&signals, &sig);
  (*server)->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "run" && mode != "serve") {
    std::fprintf(stderr,
                 "usage: gridke_load run --url URL [--server-pid PID] [--kbs 500] [--rate 5000]\n"
                 "                   [--seconds 600] [--warmup-s 20] [--ask-percent 50]\n"
                 "                   [--clients 4] [--report-s 10] [--deadline-ms 10000]\n"
                 "                   [--max-in-flight 1000] [--max-lag-ms 1000] [--json FILE]\n"
                 "                   [--handler-threads 0]\n"
                 "       gridke_load serve [--port 0] [--heartbeat-s 29] [--io-threads 2]\n"
                 "                         [--engine-threads 8]\n");
    return 2;
  }
  auto args = Args::parse(argc, argv, 2);
  if (!args) return 2;
  return mode == "run" ? run(*args) : serve(*args);
}
