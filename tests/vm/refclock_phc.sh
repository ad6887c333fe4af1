#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `refclock phc` on the igb PHC in the guest: Debian's chronyd with `refclock PHC DEV poll 0`,
# then tsyncd with `refclock phc DEV poll 0` (skipped if it is not built), each disciplining the guest's real
# clock for the same time; realtime - PHC measured by phcprobe for both, printed side by side.
# The PHC runs 50 ppm fast and each daemon starts with the kernel frequency at 0 (3 ms of drift
# in a minute if left alone); the check is that it kept the clock on the PHC (RMS < 10 us after
# the warm-up). The comparison
# itself is printed, not asserted (accuracy is a benchmark's business, not a pass/fail test).
# WARMUP and MEASURE (seconds, default 20 and 30) set the length of each daemon's run.
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight igb
phcprobe=$(probe phcprobe) || exit 77
warmup=${WARMUP:-20}
measure=${MEASURE:-30}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

adds=("$phcprobe" "$top_srcdir/tests/vm/refclock_phc.guest.sh:/root/refclock_phc.guest.sh")
for program in tsyncd tsyncctl; do
	[ -x "$top_builddir/$program" ] && adds+=("$top_builddir/$program")
done
rc=0
"$VMRUN" run --nic igb --host-ntp --add "${adds[@]}" --timeout $((120 + 2 * (warmup + measure))) \
	--cmd "WARMUP=$warmup MEASURE=$measure bash /root/refclock_phc.guest.sh" >"$tmp/out" || rc=$?
cat "$tmp/out"
check "the guest script ran (exit $rc)" [ "$rc" = 0 ]

# field DAEMON NAME: the value of NAME=VALUE in the daemon's RESULT line
field() {
	awk -v daemon="$1" -v name="$2" '$1 == "RESULT" && $2 == daemon {
		for (i = 3; i <= NF; i++) if (index($i, name "=") == 1) print substr($i, length(name) + 2) }' "$tmp/out"
}
printf '%-8s %12s %12s %12s %6s\n' daemon "rms (ns)" "mean (ns)" "max (ns)" n
for daemon in chronyd tsyncd; do
	line=$(sed -n "s/^RESULT $daemon //p" "$tmp/out")
	rms=$(field "$daemon" rms)
	if [ -n "$rms" ]; then
		printf '%-8s %12s %12s %12s %6s\n' "$daemon" "$rms" "$(field "$daemon" mean)" \
			"$(field "$daemon" max)" "$(field "$daemon" n)"
	else
		printf '%-8s %s\n' "$daemon" "${line:-no result}"
	fi
done
chronyd_rms=$(field chronyd rms)
check "chronyd keeps the guest clock on the PHC (realtime - PHC RMS ${chronyd_rms:-?} ns < 10 us)" \
	awk_true "${chronyd_rms:-1e9} < 10000"
tsyncd_line=$(sed -n 's/^RESULT tsyncd //p' "$tmp/out")
case $tsyncd_line in
absent:*) echo "# tsyncd half skipped: ${tsyncd_line#absent: }" ;;
*)
	tsyncd_rms=$(field tsyncd rms)
	check "tsyncd keeps the guest clock on the PHC (realtime - PHC RMS ${tsyncd_rms:-?} ns < 10 us)" \
		awk_true "${tsyncd_rms:-1e9} < 10000"
	if [ -n "$tsyncd_rms" ] && [ -n "$chronyd_rms" ]; then
		echo "# tsyncd RMS / chronyd RMS = $(awk "BEGIN { printf \"%.2f\", $tsyncd_rms / $chronyd_rms }")"
	fi
	;;
esac
finish
