#!/bin/sh
# The last test of a run (ctest fixture cleanup): fails when a QEMU or a middlewared started from a
# test state directory (TMPDIR/mw...) is still alive, names it, and ends it, so that one leaking
# test shows up here by its command line instead of as a machine that slowly fills with guests.
prefix="${TMPDIR:-/tmp}/mw"
left=0
for dir in /proc/[0-9]*; do
  pid=${dir#/proc/}
  [ "$pid" = "$$" ] && continue
  argv0=$( { tr '\0' '\n' < "$dir/cmdline"; } 2>/dev/null | head -n 1)
  case "${argv0##*/}" in
    qemu-system-*|middlewared) ;;
    *) continue ;;
  esac
  cmdline=$( { tr '\0' ' ' < "$dir/cmdline"; } 2>/dev/null)
  case "$cmdline" in
    *"$prefix"*) ;;
    *) continue ;;
  esac
  echo "left running by a test: pid $pid: $cmdline"
  kill -9 "$pid" 2>/dev/null
  left=$((left + 1))
done
if [ "$left" -gt 0 ]; then
  echo "$left process(es) outlived the tests that started them"
  exit 1
fi
echo "no QEMU or daemon left running from a test state directory"
