#!/usr/bin/env bash
# Compares loading OM-2 (om-2.0.rdf, RDF/XML, 2 MB) with GridKE's Graph against the rapper
# (raptor2-utils), serdi and sordi command-line tools, in one run on one machine.
#   bench/rdf/om2_load.sh [BUILD_DIR]     (default BUILD_DIR: build)
# Builds gridke_rdf_load in BUILD_DIR, converts OM-2 to Turtle and N-Triples with rapper into a
# temporary directory, then times each load with hyperfine (or a `time` loop without it).
# Note the tools do different work: rapper/serdi parse and re-serialise (streaming, no store);
# sordi parses into a Sord model and writes it; gridke_rdf_load parses into an indexed Sord
# model (three indices) with GridKE's canonicalisation, and prints the triple count.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$root/build}"
om2="${OM2_RDF:-$root/../shared/ontology-reference/om-2/om-2.0.rdf}"
[[ -f "$om2" ]] || { echo "om2_load.sh: $om2 not found (set OM2_RDF)" >&2; exit 1; }
for tool in rapper serdi sordi; do
  command -v "$tool" >/dev/null || { echo "om2_load.sh: $tool not installed" >&2; exit 1; }
done

cmake --build "$build" --target gridke_rdf_load >&2
load="$build/bench/rdf/gridke_rdf_load"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$om2" "$tmp/om2.rdf"
rapper -q -i rdfxml -o turtle "$tmp/om2.rdf" > "$tmp/om2.ttl"
rapper -q -i rdfxml -o ntriples "$tmp/om2.rdf" > "$tmp/om2.nt"
echo "OM-2: $(wc -c < "$tmp/om2.rdf") bytes RDF/XML, $(wc -l < "$tmp/om2.nt") statements," \
     "$("$load" "$tmp/om2.rdf") distinct triples; Turtle $(wc -c < "$tmp/om2.ttl") bytes" >&2

commands=(
  "rapper -q -i rdfxml -o ntriples $tmp/om2.rdf"
  "$load $tmp/om2.rdf"
  "serdi -i turtle -o ntriples $tmp/om2.ttl"
  "sordi -i turtle -o ntriples $tmp/om2.ttl"
  "$load $tmp/om2.ttl"
  "serdi -i ntriples -o ntriples $tmp/om2.nt"
  "$load $tmp/om2.nt"
)

if command -v hyperfine >/dev/null; then
  hyperfine --warmup 2 --min-runs 10 --style basic --output=null \
    --export-json "$tmp/results.json" "${commands[@]}" >&2
  # Wall time suffers on a shared machine; user + system CPU time is printed beside it.
  python3 - "$tmp/results.json" "$tmp/" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["results"]
base = min(r["user"] + r["system"] for r in runs)
print("| command | wall mean ± σ [ms] | user [ms] | system [ms] | CPU vs fastest |")
print("|---|---:|---:|---:|---:|")
for r in runs:
    cmd = r["command"].replace(sys.argv[2], "").replace("/bench/rdf/", "/")
    cpu = r["user"] + r["system"]
    print(f"| `{cmd}` | {r['mean']*1e3:.0f} ± {r['stddev']*1e3:.0f} | {r['user']*1e3:.0f} "
          f"| {r['system']*1e3:.0f} | {cpu/base:.2f} |")
PY
else
  echo "hyperfine not found; 10 runs per command with bash's time" >&2
  for c in "${commands[@]}"; do
    echo "## $c"
    TIMEFORMAT='%R s real, %U s user'
    time (for _ in 1 2 3 4 5 6 7 8 9 10; do $c > /dev/null; done)
  done
fi
