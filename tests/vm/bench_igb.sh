#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Benchmark (run by hand, not a test): tsyncd beside Debian's chronyd in the QEMU guest with an
# igb NIC, each driving the guest's real clock from the host-side server with `hwtimestamp`,
# xleave and a 4 s poll, measured by an independent monitor (tests/vm/ntpmon: bursts of 4
# requests every 2 s over the same NIC, the shortest round trip kept). Prints one table.
#
#   sudo tests/vm/vmrun build && make tests/vm/ntpmon tsyncd tsyncctl
#   top_srcdir=. top_builddir=build tests/vm/bench_igb.sh [ROUNDS]
# Environment: WARM (s before the monitor starts, default 90), RUN (s measured, default 180).
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight igb
rounds=${1:-1}
warm=${WARM:-90} run=${RUN:-180}
for program in tsyncd tsyncctl tests/vm/ntpmon; do
	[ -x "$top_builddir/$program" ] || { echo "missing $top_builddir/$program" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "| round | daemon | monitor samples | lost | mean (us) | RMS (us) | max (us) | median monitor round trip (us) |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for round in $(seq 1 "$rounds"); do
	order="chronyd tsyncd"
	[ $((round % 2)) = 0 ] && order="tsyncd chronyd"
	"$VMRUN" run --nic igb --host-ntp --timeout $((2 * (warm + run) + 120)) \
		--add "$top_builddir/tsyncd" "$top_builddir/tsyncctl" "$top_builddir/tests/vm/ntpmon" \
		"$top_srcdir/tests/vm/bench_igb.guest.sh:/root/bench_igb.guest.sh" \
		--cmd "WARM=$warm RUN=$run ORDER='$order' bash /root/bench_igb.guest.sh" \
		>"$tmp/out.$round" 2>&1
	for d in chronyd tsyncd; do
		median=$(awk -v d="$d" '$1 == "MEDIAN_DELAY" && $2 == d { print $3 }' "$tmp/out.$round")
		awk -v r="$round" -v d="$d" -v m="${median:--}" '$1 == "RESULT" && $2 == d {
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r, d, $3, $4, $5, $6, $7, m }' \
			"$tmp/out.$round"
	done
	grep -q '^RESULT' "$tmp/out.$round" || { cat "$tmp/out.$round"; exit 1; }
done
