#!/usr/bin/env bash
# Installs the dependencies, builds, and runs the daemon on its embedded defaults:
# state and SQLite under ./var, unix socket ./var/run/middlewared.sock, TCP 127.0.0.1:6000.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)" --target middlewared midclt
exec build/bin/middlewared "$@"
