#!/usr/bin/env bash
# Builds and runs every test: the normal build (warnings are errors), the sanitizer build
# (AddressSanitizer + UndefinedBehaviorSanitizer), the concurrency tests under ThreadSanitizer,
# the contract validation of graph-patterns/, a short run of every libFuzzer target, and
# clang-format on changed files.
# Installs missing Debian packages first (scripts/setup.sh). Used verbatim by .ci/run.
# Every build is a unity build (-DCMAKE_UNITY_BUILD=ON): each target's sources are compiled in
# a few merged units, which cuts the compile time of a clean checkout (docs/ci.md).
set -euo pipefail
cd "$(dirname "$0")/.."
export GRIDKE_JOBS=${GRIDKE_JOBS:-$(nproc)}
status=0
# Each stage is announced with the time since the start, so a slow stage shows in the CI log.
stage() { printf '== [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

stage "clang-format on changed files"
scripts/check-format.sh || status=1

stage "build (Release -O2, -Werror)"
scripts/setup.sh build -DGRIDKE_WERROR=ON -DCMAKE_UNITY_BUILD=ON

stage "build (ASan + UBSan)"
# -O1 -g1: line tables are all the sanitizers' reports need, at a fraction of -g's compile cost.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DGRIDKE_SANITIZE=ON -DGRIDKE_HEADER_CHECK=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build-asan -j "$GRIDKE_JOBS"

stage "build (TSan, concurrency tests only)"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DGRIDKE_TSAN=ON -DGRIDKE_HEADER_CHECK=OFF \
  -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build-tsan -j "$GRIDKE_JOBS" --target gridke_engine_tests gridke_rdf_tests

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
# tests/support/ubsan.supp: the vptr false positive inside cpprestsdk headers (see the file).
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/support/ubsan.supp
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

stage "tests under ThreadSanitizer (label: concurrency; the 32-KB stress test runs 10 s)"
(cd build-tsan && GRIDKE_CONCURRENCY_SECONDS=10 ctest -L concurrency --output-on-failure -j "$GRIDKE_JOBS") || status=1
stage "tests under ASan + UBSan"
(cd build-asan && GRIDKE_CONCURRENCY_SECONDS=3 ctest --output-on-failure -j "$GRIDKE_JOBS" -LE nosan) || status=1
stage "fuzzing: every libFuzzer target for 10 s (scripts/fuzz.sh; 600 s each for the full run)"
GRIDKE_FUZZ_BUILD=$PWD/build-fuzz scripts/fuzz.sh 10 || status=1
stage "tests (release build), last, so that the output ends with ctest's summary"
(cd build && GRIDKE_CONCURRENCY_SECONDS=3 ctest --output-on-failure -j "$GRIDKE_JOBS") || status=1
exit $status
