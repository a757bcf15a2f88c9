#!/usr/bin/env bash
# Builds and runs every test: one clang build with AddressSanitizer + UndefinedBehaviorSanitizer
# and libFuzzer instrumentation (warnings are errors, every public header compiled alone), the
# concurrency tests under ThreadSanitizer, a short run of every libFuzzer target from that same
# build, every ctest test (C++ suites, demos, the Python conformance suites against the
# sanitizer-built server) and clang-format on changed files.
# Installs missing Debian packages first (scripts/setup.sh). Used verbatim by .ci/run.
# Stages, what each checks and their measured times: docs/ci.md.
set -euo pipefail
cd "$(dirname "$0")/.."
export GRIDKE_JOBS=${GRIDKE_JOBS:-$(nproc)}
status=0
# Each stage is announced with the time since the start, so a slow stage shows in the CI log.
stage() { printf '== [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

stage "clang-format on changed files"
scripts/check-format.sh || status=1

stage "build (clang: ASan + UBSan + libFuzzer instrumentation, -Werror, header check)"
# One build serves the tests and the fuzz targets (docs/ci.md): every library carries libFuzzer's
# coverage hooks (no-ops outside the fuzzers); -O0 everywhere (clang compiles it in half the time
# of -O1) except the libraries that link Eigen, whose tests are compute-bound (-O1); line tables
# only (all a sanitizer report needs).
# A build directory configured with another compiler (older checkouts: GCC) is started afresh.
if [ -f build-asan/CMakeCache.txt ] && ! grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang++' build-asan/CMakeCache.txt; then
  rm -rf build-asan
fi
# lld links the ~60 sanitizer executables faster than GNU ld (when installed: package lld).
lld=()
if command -v ld.lld >/dev/null; then lld=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld); fi
scripts/setup.sh build-asan -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DGRIDKE_LIBRARY_OPTIONS=-O0 \
  -DGRIDKE_EXECUTABLE_OPTIONS=-O0 "${lld[@]}" -DGRIDKE_SANITIZE=ON -DGRIDKE_FUZZ=ON \
  -DGRIDKE_WERROR=ON -DGRIDKE_HEADER_CHECK=ON -DCMAKE_UNITY_BUILD=ON

stage "build (GCC, TSan: the concurrency suites only)"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DGRIDKE_TSAN=ON -DGRIDKE_HEADER_CHECK=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build build-tsan -j "$GRIDKE_JOBS" --target gridke_engine_tests gridke_rdf_tests

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

stage "tests under ThreadSanitizer (label: concurrency; the 32-KB stress test runs 10 s)"
(cd build-tsan && GRIDKE_CONCURRENCY_SECONDS=10 ctest -L concurrency --output-on-failure -j "$GRIDKE_JOBS") || status=1
stage "fuzzing: fuzz/regressions/ replayed, then every libFuzzer target for 5 s (scripts/fuzz.sh)"
GRIDKE_FUZZ_BUILD=$PWD/build-asan scripts/fuzz.sh 5 || status=1
stage "tests under ASan + UBSan (every test, last, so that the output ends with ctest's summary)"
(cd build-asan && GRIDKE_CONCURRENCY_SECONDS=3 ctest --output-on-failure --no-tests=error -j "$GRIDKE_JOBS") || status=1
exit $status
