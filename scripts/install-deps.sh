#!/usr/bin/env bash
# Installs everything middlewared needs to build, test and run, from Debian 12 packages only.
# Idempotent: packages already present are skipped, and apt's lists are refreshed only when
# something is missing (a fresh machine has no lists, so apt-cache could not even see them).
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libre2-dev
  libsqlitecpp-dev libsqlite3-dev sqlite3 libspdlog-dev libfmt-dev libcli11-dev
  libgtest-dev libgmock-dev libssl-dev libpam0g-dev
)
test_packages=(
  json-schema-test-suite python3 iproute2 procps
  python3-websocket  # TrueNAS's own API client runs on it (tests/integration/truenas_client)
  chromium chromium-driver  # the dashboard's browser e2e test (tests/e2e), driven by playwright-core
  xorriso isolinux syslinux-common  # the e2e test's bootable install ISO (tests/e2e/browser/make_iso.sh)
  prometheus  # promtool checks the /metrics page (tests/integration/ops)
  clang libclang-rt-14-dev  # libFuzzer targets (scripts/fuzz-smoke.sh), ThreadSanitizer (scripts/tsan.sh)
  clang-format  # the house style, checked before the build (scripts/check-format.sh)
  systemd-container  # systemd-nspawn boots the unit under a real systemd (tests/integration/systemd)
)
# The dashboard's build and e2e test run on node; any node >= 18 will do, so Debian's only if none is installed.
command -v node >/dev/null 2>&1 || test_packages+=(nodejs npm)
runtime_packages=(
  qemu-system-x86 qemu-utils ovmf seabios novnc
  hwdata        # vendor and device names of host USB and PCI devices (pci.ids, usb.ids)
  spice-html5   # the SPICE web display served under /vm/display/
)

wanted=("${build_packages[@]}" "${test_packages[@]}" "${runtime_packages[@]}")
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# --no-install-recommends: qemu-system-x86's recommends drag in a whole GTK/mesa desktop.
apt-get install -y -q --no-install-recommends "${missing[@]}"
