#!/usr/bin/env bash
# The issue-11 load test: `gridke serve` on a free loopback port, 500 REST knowledge bases
# (bench/load/load_main.cpp) sending 5,000 mixed ASK/POST exchanges per second for 10 minutes;
# prints throughput, p50/p99 latency, errors and the server's RSS over time, then (when wrk is
# installed: apt-get install wrk) wrk on the GET endpoints. Figures: bench/results/load.md.
#
#   scripts/load-test.sh [--seconds 600] [--kbs 500] [--rate 5000] [--warmup-s 20]
#                        [--server gridke|builtin] [--io-threads N] [--wrk-s 10] [--out DIR]
#                        [--build DIR] [--pin auto|none|SERVER_CPUS:DRIVER_CPUS]
#                        [--pause AT_S:FOR_S[,AT_S:FOR_S...]]
#                        [-- extra gridke_load run options, e.g. --ask-percent 70]
#
# --server gridke (default when the build has it) runs the product, `gridke serve --services
# none --log-level warn`; builtin runs the bare EmbeddedEngine + RestServer of `gridke_load
# serve` (for trees where the full CLI does not build). --io-threads N: the server's HTTP I/O
# threads (default 2). --seconds 20 is a quick check.
# --pin (default auto): the server and the driver run on separate CPUs (taskset), as they would on
# separate machines; auto gives the server the first half of the CPUs and the driver the rest
# (on two cores: 0 and 1), none lets them share every CPU, e.g. --pin 0-1:2-3 is explicit. On a
# shared core the driver's five busy threads outvote the server's one I/O thread in the
# scheduler, and the server's throughput is then the driver's leftovers (docs/performance.md).
# --pause 120:2,360:2 stops the server (SIGSTOP) 120 s after the driver started, for 2 s, and
# again at 360 s: a reproducible backlog, as a VM or host pause makes one. Calls due meanwhile
# pile up (up to gridke_load's --max-in-flight, each on its own connection); the report then
# shows what the backlog costs in latency and in RSS, and whether a second one costs it again
# (a leak) or reuses the first one's memory (a high-water mark). Each pause is logged with its
# UTC time in DIR/load.txt, to match the report's utc column.
# Output: DIR/load.txt (the report), DIR/load.json (summary + series), DIR/server.log,
# DIR/wrk.txt; DIR defaults to build/load-test. Exit status: gridke_load's (0 = pass).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=600 kbs=500 rate=5000 warmup=20 server="" io_threads=2 wrk_s=10 out="" build="${GRIDKE_BUILD_DIR:-build}" pin=auto
pauses=
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --kbs) kbs=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --warmup-s) warmup=$2; shift 2 ;;
    --server) server=$2; shift 2 ;;
    --wrk-s) wrk_s=$2; shift 2 ;;
    --io-threads) io_threads=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --pin) pin=$2; shift 2 ;;
    --pause) pauses=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "load-test: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in seconds kbs rate warmup wrk_s io_threads; do
  [[ ${!v} =~ ^[0-9]+$ ]] || { echo "load-test: --${v//_/-} must be a number, got '${!v}'" >&2; exit 2; }
done
if [ -n "$pauses" ]; then
  for p in ${pauses//,/ }; do
    [[ $p =~ ^[0-9]+:[0-9]+(\.[0-9]+)?$ ]] ||
      { echo "load-test: --pause takes AT_S:FOR_S[,AT_S:FOR_S...] (e.g. 120:2), got '$p' in '$pauses'" >&2; exit 2; }
  done
fi
server_cpus=() driver_cpus=()
cpus=$(nproc)
if [ "$pin" = auto ]; then
  if [ "$cpus" -ge 2 ] && command -v taskset >/dev/null; then
    half=$((cpus / 2))
    span() { if [ "$1" = "$2" ]; then echo "$1"; else echo "$1-$2"; fi; }
    pin="$(span 0 $((half - 1))):$(span "$half" $((cpus - 1)))"
  else
    pin=none
  fi
fi
if [ "$pin" != none ]; then
  [[ $pin =~ ^[0-9,-]+:[0-9,-]+$ ]] ||
    { echo "load-test: --pin must be auto, none or SERVER_CPUS:DRIVER_CPUS (e.g. 0:1), got '$pin'" >&2; exit 2; }
  command -v taskset >/dev/null || { echo "load-test: --pin needs taskset (util-linux)" >&2; exit 2; }
  server_cpus=(taskset -c "${pin%%:*}") driver_cpus=(taskset -c "${pin#*:}")
fi
out=${out:-$build/load-test}
mkdir -p "$out"

if [ ! -f "$build/build.ninja" ]; then
  echo "load-test: configuring $build (Release)" >&2
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
targets=(gridke_load)
if [ -z "$server" ]; then
  if [ -x "$build/gridke" ] || cmake --build "$build" --target gridke >&2; then server=gridke; else
    echo "load-test: the gridke CLI does not build here; using the builtin server" >&2
    server=builtin
  fi
elif [ "$server" = gridke ]; then
  targets+=(gridke)
elif [ "$server" != builtin ]; then
  echo "load-test: --server must be gridke or builtin, got '$server'" >&2; exit 2
fi
cmake --build "$build" --target "${targets[@]}" >&2
load="$build/bench/load/gridke_load"

# The server, on a free port; its ready line (JSON) carries the URL.
ready="$out/ready.json"
: >"$ready"
if [ "$server" = gridke ]; then
  "${server_cpus[@]}" "$build/gridke" serve --port 0 --services none --log-level warn --format json \
    --io-threads "$io_threads" \
    >"$ready" 2>"$out/server.log" &
else
  "${server_cpus[@]}" "$load" serve --port 0 --io-threads "$io_threads" >"$ready" 2>"$out/server.log" &
fi
server_pid=$!
cleanup() {
  if [ -n "${pauser_pid:-}" ]; then kill "$pauser_pid" 2>/dev/null || true; kill -CONT "$server_pid" 2>/dev/null || true; fi
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 200); do
  [ -s "$ready" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "load-test: the server exited; see $out/server.log" >&2; cat "$out/server.log" >&2; exit 3; }
  sleep 0.05
done
url=$(sed -n 's/.*"url":"\([^"]*\)".*/\1/p' "$ready" | head -n 1)
[ -n "$url" ] || { echo "load-test: no URL in the server's ready line: $(cat "$ready")" >&2; exit 3; }
echo "load-test: $(date -u '+%F %T UTC'), $cpus cores (pin $pin), load $(cut -d' ' -f1-3 /proc/loadavg); server=$server pid=$server_pid url=$url" | tee "$out/load.txt" >&2

# The pauses, timed from the driver's start; killed with the script.
pauser_pid=""
if [ -n "$pauses" ]; then
  (
    start=$(date +%s.%N)
    for p in ${pauses//,/ }; do
      at=${p%%:*} for=${p#*:}
      wait_s=$(awk -v s="$start" -v a="$at" -v n="$(date +%s.%N)" 'BEGIN { w = s + a - n; print (w > 0 ? w : 0) }')
      sleep "$wait_s"
      kill -0 "$server_pid" 2>/dev/null || exit 0
      echo "load-test: pausing the server for ${for} s at $(date -u '+%T UTC') (driver time ${at} s)" | tee -a "$out/load.txt" >&2
      kill -STOP "$server_pid"; sleep "$for"; kill -CONT "$server_pid"
    done
  ) &
  pauser_pid=$!
fi

status=0
"${driver_cpus[@]}" "$load" run --url "$url" --server-pid "$server_pid" --kbs "$kbs" --rate "$rate" \
  --seconds "$seconds" --warmup-s "$warmup" --json "$out/load.json" "${extra[@]}" \
  | tee -a "$out/load.txt" || status=$?

if [ "$wrk_s" -gt 0 ] && command -v wrk >/dev/null; then
  {
    echo "# wrk -t2 -c64 -d${wrk_s}s $url/version  ($(date -u '+%F %T UTC'))"
    wrk -t2 -c64 -d"${wrk_s}s" --latency "$url/version"
    echo "# wrk -t2 -c64 -d${wrk_s}s $url/sc  (GET /sc: the knowledge bases, none left)"
    wrk -t2 -c64 -d"${wrk_s}s" --latency "$url/sc"
  } >"$out/wrk.txt" 2>&1 || true
  echo "load-test: wrk results in $out/wrk.txt" >&2
elif [ "$wrk_s" -gt 0 ]; then
  echo "load-test: wrk not installed (apt-get install wrk); skipped the GET measurements" >&2
fi
echo "load-test: report in $out/load.txt, series in $out/load.json" >&2
exit $status
