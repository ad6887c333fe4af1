#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tsyncd drives the guest's real clock as an NTP client of the host-side server over igb with
# `hwtimestamp IFACE`: it starts 3-5 s ahead, is stepped back, reports synchronised, and ends
# within 5 ms of the server (over a tap with a 0.3 ms round trip); the NIC is set up for hardware
# TX stamps only (igb refuses RX filters), so requests use hardware TX stamps and replies the
# kernel-timestamp fallback, as `tsyncctl sources` shows, with a believable delay (< 10 ms).
# Skipped when tsyncd is not built.
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight igb
for program in tsyncd tsyncctl; do
	if [ ! -x "$top_builddir/$program" ]; then
		echo "SKIP: $top_builddir/$program is not built" >&2
		exit 77
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
"$VMRUN" run --nic igb --host-ntp --timeout 240 \
	--add "$top_builddir/tsyncd" "$top_builddir/tsyncctl" \
	"$top_srcdir/tests/vm/ntp_igb.guest.sh:/root/ntp_igb.guest.sh" \
	--cmd 'bash /root/ntp_igb.guest.sh' >"$tmp/out" || rc=$?
cat "$tmp/out"
check "the guest script ran (exit $rc)" [ "$rc" = 0 ]
before=$(sed -n 's/^OFFSET before //p' "$tmp/out")
after=$(sed -n 's/^OFFSET after //p' "$tmp/out")
check "the guest starts 3-5 s ahead of the server (${before:-?} s)" \
	awk_true "${before:-0} <= -2.9 && ${before:-0} >= -5.1"
check "tsyncctl waitsync: synchronised within 60 s" grep -q '^WAITSYNC 0' "$tmp/out"
check "tsyncd still runs at the end" grep -q '^RUNNING yes' "$tmp/out"
check "tsyncd stepped the clock back" grep -q 'Last step *: -[3-5]\.' "$tmp/out"
check "the guest clock ends within 5 ms of the server (${after:-?} s)" \
	awk_true "${after:-1} < 0.005 && ${after:-1} > -0.005"
check "hwtimestamp: igb stamps TX in hardware, RX falls back to the kernel" \
	grep -Eq '^LOG .*hwtimestamp .*TX on, RX off' "$tmp/out"
check "hwtimestamp: enabled again after the link came back up" \
	grep -Eq '^LOG .*hwtimestamp .*enabled again after link up \(TX on' "$tmp/out"
# the tap's round trip is about 0.3 ms (more on a loaded host): a hardware TX stamp converted
# wrongly shows up here
delay_ms=$(awk '$1 == "#" && $2 ~ /^\*10\.77\.0\.1$/ { print $9 }' "$tmp/out")
check "tsyncctl sources: the server's delay ${delay_ms:-?} ms < 10 ms" \
	awk_true "${delay_ms:-1e9} < 10"
check "tsyncctl sources: timestamps tx hardware, rx kernel" \
	grep -q '^#   10\.77\.0\.1: timestamps tx hardware, rx kernel,' "$tmp/out"
finish
