#!/bin/sh
# Builds the tiny test guest (kernel + initramfs) from Debian packages only.
#   usage: build.sh OUTDIR [FLAVOUR]     FLAVOUR: cloud-amd64 (default, fast boot) or amd64 (more drivers)
# Output: OUTDIR/vmlinuz and OUTDIR/initrd.img. The build is skipped when both exist and are newer than
# this script. The guest prints TINYGUEST-READY on ttyS0, powers off at once on the ACPI power button
# and runs a shell on the console. Boot it with: console=ttyS0 panic=-1
# (tinyguest.panic_after=N on the kernel command line makes it panic N seconds after READY).
set -eu

OUTDIR=${1:?usage: build.sh OUTDIR [FLAVOUR]}
FLAVOUR=${2:-cloud-amd64}
SCRIPT=$(readlink -f "$0")

mkdir -p "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
# Parallel test processes share OUTDIR: one builds, the others wait and then find it fresh.
exec 9>"$OUTDIR/.build.lock"
flock 9

if [ -f "$OUTDIR/vmlinuz" ] && [ -f "$OUTDIR/initrd.img" ] \
   && [ "$OUTDIR/vmlinuz" -nt "$SCRIPT" ] && [ "$OUTDIR/initrd.img" -nt "$SCRIPT" ]; then
  exit 0
fi

# Tools: depmod/modprobe (kmod) to order modules, cpio to pack the initramfs.
if ! command -v depmod >/dev/null 2>&1 || ! command -v cpio >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: needs the kmod and cpio packages (run as root to install them)" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends kmod cpio >/dev/null
fi
PATH=$PATH:/usr/sbin:/sbin

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tinyguest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM
cd "$WORK"

# The meta package depends on the real, versioned kernel package.
KPKG=$(apt-cache depends "linux-image-$FLAVOUR" | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
[ -n "$KPKG" ] || { echo "build.sh: cannot resolve linux-image-$FLAVOUR" >&2; exit 1; }
apt-get download "$KPKG" busybox-static >/dev/null 2>&1 || apt-get download "$KPKG" busybox-static
dpkg-deb -x "$KPKG"_*.deb kernel
dpkg-deb -x busybox-static_*.deb bb

MODROOT=kernel
[ -d kernel/lib/modules ] || MODROOT=kernel/usr
KVER=$(ls "$MODROOT/lib/modules" | head -n 1)
depmod -b "$MODROOT" "$KVER"

ROOT=$WORK/root
mkdir -p "$ROOT/bin" "$ROOT/lib/modules" "$ROOT/etc/acpi/PWRF" "$ROOT/proc" "$ROOT/sys" "$ROOT/dev" "$ROOT/tmp" \
         "$ROOT/var/log" "$ROOT/var/run"
cp bb/bin/busybox "$ROOT/bin/busybox"

# Modules in dependency order; builtins need nothing; a module the flavour lacks is skipped.
: > "$ROOT/etc/modules.list"
for m in button evdev virtio_pci virtio_blk virtio_scsi virtio_net virtio_console virtio_balloon \
         sd_mod sr_mod isofs ata_piix ahci e1000 e1000e pvpanic_mmio pvpanic_pci \
         xhci_pci ehci_pci uhci_hcd usbhid; do
  modprobe -d "$MODROOT" -S "$KVER" --show-depends "$m" 2>/dev/null | while read -r kind path _; do
    [ "$kind" = insmod ] || continue
    name=$(basename "$path")
    case "$name" in
      *.ko) ;;
      *.ko.xz) xz -dc "$path" > "$ROOT/lib/modules/${name%.xz}"; name=${name%.xz} ;;
      *) continue ;;
    esac
    grep -qx "$name" "$ROOT/etc/modules.list" && continue
    [ -f "$ROOT/lib/modules/$name" ] || cp "$path" "$ROOT/lib/modules/$name"
    echo "$name" >> "$ROOT/etc/modules.list"
  done
done

cat > "$ROOT/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
poweroff -f
EOF
chmod 755 "$ROOT/etc/acpi/PWRF/00000080"

cat > "$ROOT/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do insmod "/lib/modules/$m" 2>/dev/null; done < /etc/modules.list
acpid -c /etc/acpi
echo "TINYGUEST-READY uptime=$(cut -d' ' -f1 /proc/uptime)" > /dev/console
# tinyguest.panic_after=N: crash the kernel N seconds after READY (pvpanic tells QEMU).
for word in $(cat /proc/cmdline); do
  case "$word" in
    tinyguest.panic_after=*) (sleep "${word#*=}"; echo c > /proc/sysrq-trigger) & ;;
  esac
done
while true; do setsid cttyhack sh; done
EOF
chmod 755 "$ROOT/init"

VMLINUZ=$(ls kernel/boot/vmlinuz-* | head -n 1)
cp "$VMLINUZ" "$OUTDIR/vmlinuz.tmp"
(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -9 > "$OUTDIR/initrd.img.tmp"
mv "$OUTDIR/vmlinuz.tmp" "$OUTDIR/vmlinuz"
mv "$OUTDIR/initrd.img.tmp" "$OUTDIR/initrd.img"
echo "tinyguest: $KPKG, $(wc -l < "$ROOT/etc/modules.list") modules -> $OUTDIR"
