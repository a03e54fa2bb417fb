#!/usr/bin/env bash
# Builds the datastore's tests with ThreadSanitizer (clang, build-tsan/) and runs them: the group
# commit runs one transaction for writes from many threads, hands later writes to other threads and
# answers them from whichever thread ran the fsync, so its races would not show in a plain run. A
# report fails the run (CI runs this after the test suites).
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
cmake -S . -B build-tsan -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DMW_SANITIZE=thread -DMW_PCH=OFF -DMW_TEST_PLUGIN=OFF >/dev/null
cmake --build build-tsan -j"$(nproc)" --target store_unit_tests store_fault_tests
for suite in store_unit_tests store_fault_tests; do
  echo "tsan-store: $suite"
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" "build-tsan/bin/$suite" --gtest_brief=1
done
echo "tsan-store: no race reported"
