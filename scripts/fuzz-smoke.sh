#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (coverage + ASan, build-fuzz/) and runs each for a short
# time from its committed corpus: CI's smoke run. A crash is a bug: fix it and keep the input
# (build-fuzz/crash-*) in the target's corpus as a regression case.
# Usage: scripts/fuzz-smoke.sh [SECONDS_PER_TARGET]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
export CCACHE_BASEDIR="$PWD"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DMW_FUZZ=ON -DMW_PCH=OFF -DMW_TEST_PLUGIN=OFF >/dev/null
# target name -> its folder under tests/fuzz/
declare -A folder=([fuzz_schema]=schema [fuzz_query]=query [fuzz_auth_parsers]=auth [fuzz_multipart]=multipart
  [fuzz_rpc_request]=rpc [fuzz_legacy_frames]=legacy [fuzz_shell_request]=shell [fuzz_http_routes]=http)
cmake --build build-fuzz -j"$(nproc)" --target "${!folder[@]}"
for target in "${!folder[@]}"; do
  # libFuzzer adds what it finds to the first corpus folder: a scratch copy, not the committed one.
  work="build-fuzz/corpus/$target"
  rm -rf "$work" && mkdir -p "$work"
  seeds="tests/fuzz/${folder[$target]}/corpus"
  [ -d "$seeds" ] && cp -r "$seeds/." "$work/"
  echo "fuzz-smoke: $target for ${seconds}s"
  log="build-fuzz/$target.log"
  rc=0
  (cd build-fuzz && "bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "corpus/$target") >"$log" 2>&1 || rc=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)" "$log" | tr '\n' ' ' || true
  echo
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$log"
    echo "fuzz-smoke: $target failed (exit $rc); the input is in build-fuzz/ (crash-*, timeout-*, oom-*)"
    exit 1
  fi
done
echo "fuzz-smoke: all targets ran clean"
