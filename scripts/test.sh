#!/usr/bin/env bash
# Builds and runs every test: the normal build (warnings are errors), the sanitizer build
# (AddressSanitizer + UndefinedBehaviorSanitizer), the concurrency tests under ThreadSanitizer,
# the contract validation of graph-patterns/, and clang-format on changed files.
# Installs missing Debian packages first (scripts/setup.sh). Used verbatim by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
export GRIDKE_JOBS=${GRIDKE_JOBS:-$(nproc)}
status=0

echo "== clang-format on changed files"
scripts/check-format.sh || status=1

echo "== build (Release -O2, -Werror)"
scripts/setup.sh build -DGRIDKE_WERROR=ON

echo "== build (ASan + UBSan)"
# -O1 -g1: line tables are all the sanitizers' reports need, at a fraction of -g's compile cost.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
  -DGRIDKE_SANITIZE=ON -DGRIDKE_HEADER_CHECK=OFF >/dev/null
cmake --build build-asan -j "$GRIDKE_JOBS"

echo "== build (TSan, concurrency tests only)"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DGRIDKE_TSAN=ON -DGRIDKE_HEADER_CHECK=OFF >/dev/null
cmake --build build-tsan -j "$GRIDKE_JOBS" --target gridke_engine_tests gridke_rdf_tests

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
# tests/support/ubsan.supp: the vptr false positive inside cpprestsdk headers (see the file).
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:suppressions=$PWD/tests/support/ubsan.supp
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

echo "== tests under ThreadSanitizer (label: concurrency; the 32-KB stress test runs 10 s)"
(cd build-tsan && GRIDKE_CONCURRENCY_SECONDS=10 ctest -L concurrency --output-on-failure -j "$GRIDKE_JOBS") || status=1
echo "== tests under ASan + UBSan"
(cd build-asan && GRIDKE_CONCURRENCY_SECONDS=3 ctest --output-on-failure -j "$GRIDKE_JOBS" -LE nosan) || status=1
echo "== tests (release build)"
(cd build && GRIDKE_CONCURRENCY_SECONDS=3 ctest --output-on-failure -j "$GRIDKE_JOBS") || status=1
exit $status
