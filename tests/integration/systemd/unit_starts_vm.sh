#!/bin/bash
# Boots a real systemd as PID 1 in a container (systemd-nspawn), installs etc/middlewared.service
# there with every hardening setting as shipped, starts it, and starts a VM through it:
#   - `systemctl start` returns only after the daemon said READY=1 (Type=notify), and systemd
#     then receives its watchdog beats;
#   - midclt over the unit's unix socket creates and starts a VM (QEMU, the tiny test guest) that
#     boots and prints TINYGUEST-READY, its QEMU in the unit's cgroup, under the unit's sandbox:
#     no new privileges, /etc read-only, /root hidden, a /tmp of its own;
#   - a password login over TCP goes through PAM;
#   - restarting the unit keeps the VM running (KillMode=process), and the daemon re-attaches it;
#   - the unit stops cleanly.
#
# The container needs no download: its root is a few files made here, and the host's /usr is
# bind-mounted read-only (systemd, QEMU, the libraries the daemon links). The built daemon, midclt
# and the test guest are bind-mounted read-only under /opt/middlewared, which no hardening setting
# hides from the unit (a build tree may sit under /root or /tmp, which ProtectHome= and PrivateTmp=
# do hide), and the unit's ExecStart names the daemon there. --private-network keeps the daemon's TCP listener off the host's
# loopback.
#
# usage: unit_starts_vm.sh UNIT CONF DAEMON MIDCLT GUEST_DIR WORK_DIR
# (GUEST_DIR: where tests/support/tinyguest/build.sh keeps the guest; built there if missing)
# Exit 0: everything held. 77: this host cannot run a container (the reason is printed). Else a
# failure, with the step that failed, the container's journal and its console.
set -euo pipefail

unit=$1 conf=$2 daemon=$3 midclt=$4 guest=$5 work=$6

skip() {
  echo "SKIP: $*"
  exit 77
}
fail() {
  echo "FAIL: $*"
  exit 1
}
step() { echo "--- $*"; }

# What a host needs to run a container at all. systemd-nspawn itself comes with the project's
# dependencies (scripts/install-deps.sh): its absence is a failure, not a reason to skip.
[ "$(id -u)" -eq 0 ] || skip "not root: systemd-nspawn needs root to create the container"
[ -d /sys/fs/cgroup ] || skip "no /sys/fs/cgroup: systemd cannot run without a cgroup file system"
unshare --pid --mount --uts --ipc --net --fork true 2>/dev/null ||
  skip "unshare --pid --mount --uts --ipc --net fails: this host cannot create the namespaces of a container"
command -v systemd-nspawn >/dev/null || fail "systemd-nspawn is missing (package systemd-container; scripts/install-deps.sh)"
for f in "$daemon" "$midclt"; do
  [ -x "$f" ] || fail "$f is missing"
done
# The tiny test guest, built once into GUEST_DIR (shared with the VM suites).
sh "$(dirname "$0")/../../support/tinyguest/build.sh" "$guest" || fail "cannot build the tiny test guest in $guest"

# The container's root: a few files; /usr comes from the host.
root=$work/root
rm -rf "$root"
mkdir -p "$root"/{usr/lib/systemd,etc/systemd/system,etc/middlewared,var/tmp,var/lib,var/log,run,tmp,proc,sys,dev,root,mnt}
for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
# nspawn checks for an OS tree (os-release, an init) before it mounts /usr over these.
cp /usr/lib/os-release "$root/etc/os-release"
install -m 755 /dev/null "$root/usr/lib/systemd/systemd"
for f in passwd group shadow gshadow nsswitch.conf; do cp "/etc/$f" "$root/etc/"; done
systemd-id128 new >"$root/etc/machine-id"
# The unit exactly as shipped, but for where the daemon lives.
opt=/opt/middlewared
sed "s|/usr/bin/middlewared|$opt/middlewared|" "$unit" >"$root/etc/systemd/system/middlewared.service"
cp "$conf" "$root/etc/middlewared/middlewared.conf"
# PAM's password stack, for a password login through the unit.
cp -r /etc/pam.d /etc/security /etc/login.defs "$root/etc/"

machine=mw-systemd-$$
step "boot systemd in container $machine"
systemd-nspawn --quiet --boot --directory="$root" --machine="$machine" --register=no --keep-unit \
  --private-network --bind-ro=/usr --bind-ro="$daemon:$opt/middlewared" --bind-ro="$midclt:$opt/midclt" \
  --bind-ro="$guest:$opt/tinyguest" --console=read-only </dev/null >"$work/console.log" 2>&1 &
nspawn=$!

init=""
cleanup() {
  local rc=$?
  if [ -n "$init" ] && kill -0 "$init" 2>/dev/null; then
    if [ $rc -ne 0 ]; then
      echo "--- the container's journal"
      in_container journalctl --no-pager -o short-monotonic 2>&1 | tail -n 60 || true
    fi
    in_container systemctl poweroff --no-block >/dev/null 2>&1 || true
  fi
  # Powering off ends every process of the container, the VMs (left running by KillMode=process)
  # too; a container that does not power off is ended with its PID namespace.
  for _ in $(seq 1 300); do kill -0 "$nspawn" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$nspawn" 2>/dev/null; then
    echo "container did not power off; killing it"
    [ -n "$init" ] && kill -9 "$init" 2>/dev/null
    kill -9 "$nspawn" 2>/dev/null
  fi
  wait "$nspawn" 2>/dev/null || true
  # A killed nspawn leaves its mount propagation directory behind.
  rmdir "/run/systemd/nspawn/propagate/$machine" 2>/dev/null || true
  if [ $rc -ne 0 ]; then
    echo "--- container console"
    tail -n 40 "$work/console.log"
  fi
  rm -rf "$root"
  exit $rc
}
trap cleanup EXIT
trap "exit 143" TERM INT

# Runs a command in the container: every namespace of its PID 1, and its root.
in_container() { nsenter --target "$init" --all --root --wd=/ -- env PATH=/usr/sbin:/usr/bin "$@"; }

for _ in $(seq 1 300); do
  init=$(pgrep -P "$nspawn" -x systemd || true)
  [ -n "$init" ] && break
  kill -0 "$nspawn" 2>/dev/null || fail "systemd-nspawn exited: $(cat "$work/console.log")"
  sleep 0.1
done
[ -n "$init" ] || fail "no systemd started in the container"
# systemctl talks to systemd over this socket, which systemd creates early in its boot.
for _ in $(seq 1 600); do
  in_container test -S /run/systemd/private && break
  sleep 0.1
done
state=$(in_container timeout 120 systemctl is-system-running --wait || true)
echo "system state: $state"
[ "$(in_container cat /proc/1/comm)" = systemd ] || fail "PID 1 in the container is not systemd"
case "$state" in
  running | degraded) ;;
  *) fail "the container's systemd did not finish booting (state: $state)" ;;
esac

# What the sandbox must take away from the daemon and its QEMU is there for the container's own
# processes: a writable /etc, files in /root and /tmp, privileges to gain.
in_container touch /etc/writable-without-protectsystem /root/visible-without-protecthome \
  /tmp/visible-without-privatetmp || fail "cannot write the markers in the container"
grep -q "^NoNewPrivs:[[:space:]]*0" <(in_container cat /proc/1/status) || fail "the container's PID 1 has NoNewPrivs"
# A password for root in the container's own /etc/shadow (a copy), for the PAM login below.
echo "root:systemd-test-pw" | in_container chpasswd || fail "chpasswd in the container failed"

step "systemctl start middlewared (returns once the daemon said READY=1)"
in_container timeout 120 systemctl start middlewared.service || fail "systemctl start middlewared failed"
show() { in_container systemctl show --value -p "$1" middlewared.service; }
[ "$(show ActiveState)" = active ] || fail "unit is $(show ActiveState), not active"
[ "$(show Type)" = notify ] || fail "unit Type is $(show Type)"
[ "$(show NoNewPrivileges)" = yes ] || fail "NoNewPrivileges is $(show NoNewPrivileges)"
main_pid=$(show MainPID)
echo "active, main pid $main_pid, watchdog $(show WatchdogUSec)"
grep -q "^NoNewPrivs:[[:space:]]*1" <(in_container cat "/proc/$main_pid/status") || fail "the daemon can gain privileges"
watchdog_at_start=$(show WatchdogTimestampMonotonic)

cli=$opt/midclt
midclt() { in_container "$cli" -t 60 call "$@"; }
[ "$(in_container "$cli" ping)" = pong ] || fail "midclt ping did not answer pong"

step "a password login goes through PAM (service login) under the sandbox"
tcp=(-u ws://127.0.0.1:6000/api/current -U root)
me=$(in_container "$cli" "${tcp[@]}" -P systemd-test-pw call auth.me) || fail "root's password login failed: $me"
grep -q '"pw_name": *"root"' <<<"$me" || fail "auth.me after the login answered: $me"
# midclt says so on stdout and exits 0, as upstream's does.
refused=$(in_container "$cli" "${tcp[@]}" -P wrong-pw call auth.me 2>&1 || true)
grep -q "Failed to login" <<<"$refused" || fail "a wrong password logged in: $refused"
echo "root logged in with its password; a wrong one was refused"

step "create and start a VM through the unit's socket"
args="-kernel $opt/tinyguest/vmlinuz -initrd $opt/tinyguest/initrd.img -append 'console=ttyS0 panic=-1 quiet tinyguest.fastoff'"
vm=$(midclt vm.create "$(printf '{"name":"systemd","memory":128,"bootloader":"UEFI_CSM","autostart":false,"ensure_display_device":false,"command_line_args":"%s"}' "$args")")
id=$(sed -n 's/.*"id": *\([0-9]*\).*/\1/p' <<<"$vm" | head -n 1)
[ -n "$id" ] || fail "vm.create answered: $vm"
midclt vm.start "$id" >/dev/null
status=$(midclt vm.status "$id")
echo "vm.status: $status"
grep -q '"state": *"RUNNING"' <<<"$status" || fail "the VM is not RUNNING"
qemu=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' <<<"$status")
[ -n "$qemu" ] || fail "vm.status has no pid"

step "the VM's QEMU runs inside the unit and its sandbox"
cgroup=$(in_container cat "/proc/$qemu/cgroup")
grep -q ':/system.slice/middlewared.service$' <<<"$cgroup" || fail "QEMU $qemu is not in the unit's cgroup: $cgroup"
grep -q "^NoNewPrivs:[[:space:]]*1" <(in_container cat "/proc/$qemu/status") || fail "QEMU can gain privileges"
in_qemu_ns() { in_container nsenter --target "$qemu" --mount -- "$@"; }
in_qemu_ns test ! -w /etc || fail "/etc is writable for QEMU (ProtectSystem=full)"
in_qemu_ns test ! -e /root/visible-without-protecthome || fail "/root is visible to QEMU (ProtectHome=yes)"
in_qemu_ns test ! -e /tmp/visible-without-privatetmp || fail "QEMU sees the system's /tmp (PrivateTmp=yes)"
in_qemu_ns test -w /var/lib/middlewared || fail "the state directory is not writable for QEMU"
echo "QEMU $qemu: cgroup /system.slice/middlewared.service, NoNewPrivs, /etc read-only, /root and /tmp private"

log=$(midclt vm.log_file_path "$id" | tr -d '"')
for _ in $(seq 1 1200); do
  in_container grep -q TINYGUEST-READY "$log" 2>/dev/null && break
  sleep 0.1 # polling interval, not a wait for an outcome
done
in_container grep -q TINYGUEST-READY "$log" || fail "the guest never booted; console: $(in_container cat "$log")"
echo "the guest booted (TINYGUEST-READY in $log)"

step "systemd receives the daemon's watchdog beats"
for _ in $(seq 1 600); do
  [ "$(show WatchdogTimestampMonotonic)" != "$watchdog_at_start" ] && break
  sleep 0.1 # polling interval, not a wait for an outcome
done
[ "$(show WatchdogTimestampMonotonic)" != "$watchdog_at_start" ] || fail "no WATCHDOG=1 reached systemd"
echo "watchdog beat received"

step "restarting the unit keeps the VM running (KillMode=process) and re-attaches it"
in_container timeout 120 systemctl restart middlewared.service || fail "systemctl restart middlewared failed"
[ "$(show MainPID)" != "$main_pid" ] || fail "the daemon was not restarted"
status=$(midclt vm.status "$id")
grep -q '"state": *"RUNNING"' <<<"$status" || fail "after the restart the VM is not RUNNING: $status"
grep -q "\"pid\": *$qemu\b" <<<"$status" || fail "after the restart the VM has another QEMU: $status"
echo "vm.status after restart: $status"

step "power the VM off and stop the unit"
midclt vm.poweroff "$id" >/dev/null
grep -q '"state": *"STOPPED"' <<<"$(midclt vm.status "$id")" || fail "the VM did not stop"
in_container timeout 120 systemctl stop middlewared.service || fail "systemctl stop middlewared failed"
[ "$(show ActiveState)" = inactive ] || fail "after stop the unit is $(show ActiveState)"
[ "$(show Result)" = success ] || fail "the unit stopped with result $(show Result)"
echo "PASS: the unit started, served, ran a VM under its hardening and stopped"
