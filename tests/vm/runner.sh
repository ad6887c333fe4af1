#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The runner itself: output and exit code come back, --add works, the guest may step and slew
# its clock while the host clock does not move, the host side has no CAP_SYS_TIME, the tap
# carries NTP between the guest and the host-side server, and --timeout stops a guest.
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight virtio-net-pci
clockprobe=$(probe clockprobe) || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

host_before=$("$clockprobe" state) # read-only: realtime - monotonic, adjtimex(modes = 0)
rc=0
# shellcheck disable=SC2016 # expanded in the guest
"$VMRUN" run --nic virtio-net-pci --host-ntp --add "$clockprobe" --timeout 120 \
	--host 'grep -E "^Cap(Eff|Bnd)" /proc/self/status' --cmd '
echo "guest kernel $(uname -r)"
echo "before: $(clockprobe state)"
chronyd -u root -Q "server $TSYNC_VM_HOST_IP iburst maxsamples 4" 2>&1 | sed -n "s/^.*System clock/ntp before: System clock/p"
date -s "@$(($(date +%s) + 300))" >/dev/null
adjtimex -q -f 6553600
echo "after: $(clockprobe state)"
chronyd -u root -Q "server $TSYNC_VM_HOST_IP iburst maxsamples 4" 2>&1 | sed -n "s/^.*System clock/ntp after: System clock/p"
exit 3' >"$tmp/out" 2>"$tmp/err" || rc=$?
host_after=$("$clockprobe" state)
cat "$tmp/out" "$tmp/err"

realtime_minus_monotonic() { sed -n "s/^$1.*realtime-monotonic=\([-0-9]*\) ns.*/\1/p" "$2"; }
check "the guest command's exit code (3) is returned (got $rc)" [ "$rc" = 3 ]
check "guest output is streamed back" grep -q '^guest kernel ' "$tmp/out"
echo "before: $host_before" >"$tmp/host"
echo "after: $host_after" >>"$tmp/host"
guest_moved=$(($(realtime_minus_monotonic after: "$tmp/out") - $(realtime_minus_monotonic before: "$tmp/out")))
# `date -s @N` sets whole seconds, and under emulation the two `date` calls can be more than a
# second apart: the step is 300 s less the current fraction of a second, less that latency.
check "the guest stepped its clock by about +300 s (${guest_moved} ns)" \
	awk_true "$guest_moved > 298e9 && $guest_moved < 301e9"
check "the guest set its frequency to +100 ppm" grep -q '^after: .* freq=6553600 ' "$tmp/out"
host_moved=$(($(realtime_minus_monotonic after: "$tmp/host") - $(realtime_minus_monotonic before: "$tmp/host")))
check "the host clock did not move (realtime - monotonic changed by ${host_moved} ns)" \
	awk_true "$host_moved > -1000000 && $host_moved < 1000000"
# The guest's clock starts up to a second or two off (the RTC has 1 s steps, and booting under
# emulation is slow), so the server's offset after the step must be the offset before it less
# the step the guest made; the +100 ppm frequency adds well under 10 ms in these seconds.
ntp_offset() { sed -n "s/^ntp $1: System clock wrong by \([-0-9.]*\) seconds.*/\1/p" "$tmp/out"; }
ntp_before=$(ntp_offset before)
ntp_after=$(ntp_offset after)
check "the guest reaches the host-side NTP server over the tap (offset ${ntp_before:-?} s, then ${ntp_after:-?} s)" \
	test -n "$ntp_before" -a -n "$ntp_after"
ntp_change=$(awk "BEGIN { printf \"%.6f\", ${ntp_after:-0} - ${ntp_before:-0} }")
check "the server sees the guest's step (offset changed by $ntp_change s)" \
	awk_true "$ntp_change + $guest_moved / 1e9 < 0.1 && $ntp_change + $guest_moved / 1e9 > -0.1"
for set in CapEff CapBnd; do
	caps=$(sed -n "s/^$set:[[:space:]]*//p" "$tmp/err")
	check "host side runs without CAP_SYS_TIME ($set ${caps:-?})" \
		test -n "$caps" -a "$(((0x${caps:-0} >> 25) & 1))" = 0
done

start=$(date +%s)
rc=0
"$VMRUN" run --timeout 8 --cmd 'sleep 60' >/dev/null 2>&1 || rc=$?
check "--timeout 8 stops a guest that sleeps 60 s (exit $rc after $(($(date +%s) - start)) s)" \
	[ "$rc" = 124 ]
finish
