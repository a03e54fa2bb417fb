#!/usr/bin/env bash
# Builds the tests of the code that threads share without one lock around it with ThreadSanitizer
# (clang, build-tsan/) and runs them: the datastore's group commit runs one transaction for writes
# from many threads, hands later writes to other threads and answers them from whichever thread ran
# the fsync; a catalog row's ready text is built by whichever reader first needs it and published
# lock-free (util::ReadyText). Their races would not show in a plain run. A report fails the run
# (CI runs this after the test suites).
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
cmake -S . -B build-tsan -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DMW_SANITIZE=thread -DMW_PCH=OFF -DMW_TEST_PLUGIN=OFF >/dev/null
cmake --build build-tsan -j"$(nproc)" --target store_unit_tests store_fault_tests util_unit_tests
run() {
  echo "tsan: $*"
  TSAN_OPTIONS="halt_on_error=1 exitcode=66" "build-tsan/bin/$1" --gtest_brief=1 "${@:2}"
}
run store_unit_tests
run store_fault_tests
run util_unit_tests --gtest_filter='ReadyText.*'
echo "tsan: no race reported"
