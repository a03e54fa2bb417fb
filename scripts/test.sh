#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs every test suite (unit and integration,
# real daemon, real SQLite, real QEMU under TCG, the dashboard in headless Chromium). Exactly what
# CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# playwright-core for the dashboard's browser test (ui/dist itself is committed, no build needed).
(cd ui && npm ci --no-audit --no-fund --loglevel=error)
# ccache keys on paths relative to the checkout, so any clone reuses an earlier build's objects.
export CCACHE_BASEDIR="$PWD"
# The house style first: a file that differs from .clang-format fails in seconds, not after the build.
bash scripts/check-format.sh
# Tests want optimised code with line tables, not full debug info: -O1 -g1 compiles about twice as
# fast as -O2 -g on 2 cores and runs the suites as fast. Warnings fail the build here (MW_WERROR).
# The benchmarks are compiled (MW_BENCH), never run (they are run by hand, docs/BENCHMARKS.md), so
# one that stops compiling fails here; they add about 30 s on 2 cores without ccache.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMW_TEST_PLUGIN=ON -DMW_WERROR=ON -DMW_BENCH=ON \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
cmake --build build -j"$(nproc)"
# Integration suites start daemons and VMs of their own; two at a time suits 2 cores.
ctest --test-dir build --output-on-failure --timeout 600 -j2
# The datastore's and the ready text's tests again under ThreadSanitizer (clang): about a minute on 2 cores.
bash scripts/tsan.sh
# A short libFuzzer run of every parser (schema, query, login messages), built with clang.
bash scripts/fuzz-smoke.sh 20
