#!/bin/sh
# Builds a small bootable install ISO for the dashboard e2e test: the tiny test guest's kernel and
# initramfs (tests/support/tinyguest/build.sh, from Debian packages) behind ISOLINUX, so that a VM
# really boots from its CDROM (BIOS) and prints its boot on the serial console.
#   usage: make_iso.sh OUT.iso TINYGUEST_DIR
# Needs xorriso, isolinux and syslinux-common (scripts/install-deps.sh).
set -eu
OUT=${1:?usage: make_iso.sh OUT.iso TINYGUEST_DIR}
GUEST=${2:?usage: make_iso.sh OUT.iso TINYGUEST_DIR}
HERE=$(dirname "$(readlink -f "$0")")
sh "$HERE/../../support/tinyguest/build.sh" "$GUEST"
for f in /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32; do
  [ -f "$f" ] || { echo "make_iso.sh: $f missing (apt-get install isolinux syslinux-common)" >&2; exit 1; }
done
command -v xorriso >/dev/null 2>&1 || { echo "make_iso.sh: xorriso missing (apt-get install xorriso)" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mw-iso.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
mkdir -p "$WORK/isolinux" "$WORK/boot"
cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$WORK/isolinux/"
cp "$GUEST/vmlinuz" "$GUEST/initrd.img" "$WORK/boot/"
# No menu, no wait: straight into the kernel, its messages on the first serial port.
cat > "$WORK/isolinux/isolinux.cfg" <<'CFG'
SERIAL 0 115200
DEFAULT tiny
PROMPT 0
TIMEOUT 0
LABEL tiny
  KERNEL /boot/vmlinuz
  INITRD /boot/initrd.img
  APPEND console=ttyS0 panic=-1 tinyguest.fastoff
CFG
xorriso -as mkisofs -quiet -o "$OUT" -V TINYGUEST -b isolinux/isolinux.bin -c isolinux/boot.cat \
  -no-emul-boot -boot-load-size 4 -boot-info-table "$WORK"
