#!/bin/sh
# Runs every libFuzzer target in fuzz/ for SECONDS each (default 600) with AddressSanitizer,
# UndefinedBehaviorSanitizer and leak detection (docs/robustness.md). CI runs `scripts/fuzz.sh 5`
# with GRIDKE_FUZZ_BUILD=build-asan: its clang ASan + UBSan build of the tests has
# -DGRIDKE_FUZZ=ON, so the targets are already built there (docs/ci.md).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Environment: GRIDKE_FUZZ_BUILD (build directory, default build/fuzz; an existing one is used
# as configured), CC/CXX (default clang/clang++), GRIDKE_FUZZ_JOBS (build parallelism, default 2).
# Seeds come from graph-patterns/ and tests/data/ (generated into BUILD/seeds); the growing
# corpus is kept in BUILD/corpus; every input in fuzz/regressions/<target>/ (past crashes) is
# replayed first. A crash leaves BUILD/artifacts/<target>-crash-* and makes the script fail.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift 2>/dev/null || true
build=${GRIDKE_FUZZ_BUILD:-$root/build/fuzz}
jobs=${GRIDKE_FUZZ_JOBS:-2}
all_targets="graph_pattern rdf_term contract ke_wire fault_location_json tic_frame flexibility_market_json sensitivities_json tariffs_json"
targets=${*:-$all_targets}
flags="-O1 -g"

# Configure: the root project with GRIDKE_FUZZ=ON (clang; every library gets libFuzzer's
# coverage hooks, cmake/GridkeTargets.cmake) and GRIDKE_SANITIZE=ON (ASan + UBSan everywhere).
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DGRIDKE_FUZZ=ON -DGRIDKE_SANITIZE=ON \
    -DCMAKE_C_COMPILER="${CC:-clang}" -DCMAKE_CXX_COMPILER="${CXX:-clang++}" \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="$flags" -DCMAKE_CXX_FLAGS_DEBUG="$flags" \
    -DGRIDKE_BUILD_TESTS=OFF -DGRIDKE_HEADER_CHECK=OFF -DGRIDKE_WERROR=OFF \
    -DCMAKE_UNITY_BUILD="${GRIDKE_FUZZ_UNITY:-ON}" >/dev/null
fi
bins=""
for t in $targets; do bins="$bins gridke_${t}_fuzz"; done
# shellcheck disable=SC2086
cmake --build "$build" -j "$jobs" --target $bins

# Seeds.
seeds=$build/seeds
rm -rf "$seeds"
mkdir -p "$seeds" "$build/corpus" "$build/artifacts"
python3 - "$root" "$seeds" <<'PY'
import json, os, pathlib, re, sys
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def put(target, name, data):
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())
n = 0
terms, bindings = set(), []
for ttl in sorted((root / "graph-patterns").rglob("*.ttl")):
    text = ttl.read_text()
    n += 1
    put("contract", f"c{n}.ttl", text)
    for i, pattern in enumerate(re.findall(r'kb:hasPattern\s+"""(.*?)"""', text, re.S)):
        put("graph_pattern", f"p{n}_{i}", pattern)
    for i, example in enumerate(re.findall(r'gkc:example\w*Bindings\s+"""(.*?)"""', text, re.S)):
        try:
            rows = json.loads(example.encode().decode("unicode_escape"))
        except Exception:
            continue
        bindings.append(rows)
        for row in rows:
            terms.update(v for v in row.values() if isinstance(v, str))
for gp in sorted((root / "tests/data/pattern").glob("*.gp")):
    put("graph_pattern", gp.name, gp.read_text())
for i, term in enumerate(sorted(terms)):
    put("rdf_term", f"t{i}", term)
for i, term in enumerate(["10", "68.2", "1e3", "true", "_:b0", "\"x\"@en-GB", "'s'",
                          "<http://a/\\u0041>", "\"\\t\\n\"", "\"2026-11-27T10:15:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime>"]):
    put("rdf_term", f"x{i}", term)
# ke_wire: first byte selects the decoder (fuzz/ke_wire_fuzz.cpp).
kb = {"knowledgeBaseId": "https://kb.example/a", "knowledgeBaseName": "a",
      "knowledgeBaseDescription": "d", "leaseRenewalTime": 60}
ki = {"knowledgeInteractionType": "AskKnowledgeInteraction", "knowledgeInteractionName": "x",
      "graphPattern": "?a <http://ex/p> ?b .", "prefixes": {"ex": "http://ex/"}}
react = {"knowledgeInteractionType": "ReactKnowledgeInteraction",
         "argumentGraphPattern": "?a <http://ex/p> ?b .", "resultGraphPattern": "?a <http://ex/q> ?c ."}
info = {"knowledgeBaseId": "https://kb.example/a", "knowledgeInteractionId": "https://kb.example/a/ki/1",
        "exchangeStart": "2026-11-27T10:15:00.000+00:00", "exchangeEnd": "2026-11-27T10:15:01.000+00:00",
        "status": "SUCCEEDED", "initiator": "knowledgeBase", "bindingSet": [{"a": "<http://x>"}]}
wire = {0: bindings + [[{"a": "<http://x>", "b": "\"v\"@en"}]],
        1: [kb], 2: [ki, react], 3: [dict(ki, knowledgeInteractionId="https://kb.example/a/ki/1")],
        4: [{"bindingSet": [{"a": "<http://x>"}], "recipientSelector": {"knowledgeBases": []}},
            [{"a": "1"}]],
        5: [{"bindingSet": [{"a": "<http://x>"}], "exchangeInfo": [info]}],
        6: [{"resultBindingSet": [], "exchangeInfo": [info]}],
        7: [{"handleRequestId": 3, "knowledgeInteractionId": "https://kb.example/a/ki/1",
             "bindingSet": [{"a": "<http://x>"}], "requestingKnowledgeBaseId": "https://kb.example/b"}],
        8: [{"knowledgeGapsEnabled": True, "knowledgeInteractionName": "n"}]}
for sel, bodies in wire.items():
    for i, body in enumerate(bodies):
        put("ke_wire", f"w{sel}_{i}", bytes([sel]) + json.dumps(body).encode())
for i, t in enumerate(["2026-11-27T10:15:00.000+00:00", "2026-11-27T10:15:00Z", "2026-11-27T10:15:00.5+01:30"]):
    put("ke_wire", f"time{i}", bytes([9]) + t.encode())
# fault_location_json: first byte selects the decoder (fuzz/fault_location_json_fuzz.cpp).
fl = {0: [{"minSilentHems": 4, "minSilenceSeconds": 600}],
      1: [{"gridZone": "Z", "minSilentHems": 3, "minSilenceSeconds": 300,
           "window": {"start": "2026-11-27T00:00:00Z", "end": "27-Nov-2026 08:00:00"}}],
      2: [{"readings": [{"hemsId": "H-1", "timestamp": "2026-11-27T08:00:00.123+01:00", "voltage": 229.5}]}],
      3: [{"description": "Porto", "nominalVoltage": 230, "region": "north"}, {}],
      4: [{"gridZone": "Z", "phase": "L2", "accessNetwork": "ispA"}]}
for sel, bodies in fl.items():
    for i, body in enumerate(bodies):
        put("fault_location_json", f"f{sel}_{i}", bytes([sel]) + json.dumps(body).encode())
for i, t in enumerate(["2026-11-27T08:00:00Z", "27-Nov-2026 08:00:00", "2026-11-27 08:00:00.250-05:00"]):
    put("fault_location_json", f"time{i}", bytes([5]) + t.encode())
# tic_frame: valid Linky frames in both modes (checksum: sum of the covered bytes & 0x3F + 0x20).
def tic_group(label, value, horodate=None):
    sep = "\t" if horodate is not None or label in ("SINSTS", "EAST", "PRM", "NGTF") else " "
    body = sep.join([label] + ([horodate] if horodate else []) + [value]) + sep
    covered = body if sep == "\t" else body[:-1]
    ck = chr((sum(covered.encode()) & 0x3F) + 0x20)
    return "\n" + body + ck + "\r"
historic = "\x02" + "".join(tic_group(l, v) for l, v in [("ADCO", "021728123456"), ("OPTARIF", "BASE"),
    ("ISOUSC", "30"), ("BASE", "012345678"), ("IINST", "008"), ("PAPP", "01800")]) + "\x03"
standard = "\x02" + "".join(tic_group(l, v, h) for l, v, h in [("ADSC", "041876097467", None),
    ("PRM", "21427862014914", None), ("EAST", "000123456", None), ("SINSTS", "01800", None),
    ("SMAXSN", "02500", "E261127081500"), ("PCOUP", "09", None), ("STGE", "003A0001", None)]) + "\x03"
put("tic_frame", "historic", historic)
put("tic_frame", "standard", standard)
put("tic_frame", "two", historic + standard)
put("tic_frame", "truncated", standard[: len(standard) // 2])
# flexibility_market_json: first byte selects the decoder (fuzz/flexibility_market_json_fuzz.cpp).
need = {"requestId": "R1", "zone": "PT-Z1", "needs": 50, "measurementUnit": "kW", "direction": "Up",
        "typePower": "Active", "startTime": "2026-11-28T10:00:00Z", "endTime": "2026-11-28T10:15:00Z",
        "HEMSIds": ["H1"]}
offer = {"fspId": "f1", "requestId": "R1", "quantity": 20, "price": 0.1, "divisible": True}
fm = {0: [need], 1: [offer], 2: [[{"participantId": "p", "kW": [1, 2.5]}]], 3: [{"id": "f1"}],
      4: [need], 5: [offer], 6: [{}], 7: [{}]}
for sel, bodies in fm.items():
    for i, body in enumerate(bodies):
        put("flexibility_market_json", f"m{sel}_{i}", bytes([sel]) + json.dumps(body).encode())
put("flexibility_market_json", "time", bytes([8]) + b"2026-11-28T10:00:00.000Z")
# sensitivities_json: first byte selects the reader (fuzz/sensitivities_json_fuzz.cpp).
meters = {"historicalFromMeters": [{"meterID": "M1", "phase": 1, "measurements": [
    {"timestamp": "2018-09-26T00:00:00Z", "v_measured": 230.1, "p_measured": 1.2, "q_measured": 0.1}]}]}
appl = {"historicalFromAppliances": [{"applianceID": "A1", "meterID": "M1", "appliance_type": 2,
        "measurements": [{"timestamp": "2018-09-26T00:00:00Z", "p_measured": 0.5}]}]}
for sel, body in [(0, meters), (1, meters), (2, meters), (3, appl), (4, {"sensitivities": []})]:
    put("sensitivities_json", f"s{sel}", bytes([sel]) + json.dumps(body).encode())
# tariffs_json: even first byte = forecast, odd = configuration (fuzz/tariffs_json_fuzz.cpp).
put("tariffs_json", "forecast", bytes([0]) + json.dumps({"zone": "Z", "baseline_kw": [1, 2],
    "controllable_kw": [0.5, 0.5], "capacity_kw": [3, 3]}).encode())
put("tariffs_json", "config", bytes([1]) + json.dumps({"response": {"model": "constant_elasticity",
    "elasticity": -0.3}, "reference_price": 0.2, "floor_price": 0.05, "cap_price": 1.0}).encode())
PY

status=0
for t in $targets; do
  bin=$build/fuzz/gridke_${t}_fuzz
  corpus=$build/corpus/$t
  mkdir -p "$corpus"
  if [ -d "$root/fuzz/regressions/$t" ]; then
    echo "== $t: replaying fuzz/regressions/$t"
    "$bin" -runs=0 "$root/fuzz/regressions/$t"/* >/dev/null 2>&1 || { echo "!! $t: a regression input fails again"; status=1; }
  fi
  start=$(date +%s)
  echo "== $t: fuzzing for $seconds s"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/artifacts/$t-" "$corpus" "$seeds/$t" >"$build/$t.log" 2>&1; then
    echo "!! $t: crash, leak or timeout; see $build/$t.log and $build/artifacts/"
    tail -n 30 "$build/$t.log"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/$t.log" | tr '\n' ' '
  echo "($(($(date +%s) - start)) s)"
done
exit $status
