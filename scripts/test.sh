#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs every test suite (unit and integration,
# real daemon, real SQLite, real QEMU under TCG). Exactly what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMW_TEST_PLUGIN=ON
cmake --build build -j"$(nproc)"
# Integration suites start daemons and VMs of their own; two at a time suits 2 cores.
ctest --test-dir build --output-on-failure --timeout 600 -j2
