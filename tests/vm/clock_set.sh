#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# `date -s` by root while tsyncd runs (issue 10: a legitimate big correction): in the guest,
# tsyncd synchronised to the host-side server, the clock is set 100 s ahead; tsyncd notices it
# itself (CLOCK_REALTIME jumped against CLOCK_MONOTONIC), logs it, measures the sources again and
# steps the clock back within 40 s; the bound on the samples never refuses that correction.
# Skipped when tsyncd is not built.
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight virtio-net-pci
for program in tsyncd tsyncctl; do
	if [ ! -x "$top_builddir/$program" ]; then
		echo "SKIP: $top_builddir/$program is not built" >&2
		exit 77
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
"$VMRUN" run --host-ntp --timeout 240 \
	--add "$top_builddir/tsyncd" "$top_builddir/tsyncctl" \
	"$top_srcdir/tests/vm/clock_set.guest.sh:/root/clock_set.guest.sh" \
	--cmd 'bash /root/clock_set.guest.sh' >"$tmp/out" || rc=$?
cat "$tmp/out"
check "the guest script ran (exit $rc)" [ "$rc" = 0 ]
check "synchronised first" grep -q '^WAITSYNC 0' "$tmp/out"
after=$(sed -n 's/^OFFSET after //p' "$tmp/out")
check "tsyncd noticed date -s itself (+99-100 s)" \
	grep -Eq '^LOG .*the clock was set by someone else \(\+(99|100)\.' "$tmp/out"
check "tsyncd stepped the clock back" grep -Eq '^LOG .*clock stepped by -(99|100)\.' "$tmp/out"
check "the guard never cut that correction" bash -c '! grep -q "$0" "$1"' '^LOG .*clock guard: the samples ask' "$tmp/out"
check "the clock ends within 5 ms of the server (${after:-?} s)" \
	awk_true "${after:-1} < 0.005 && ${after:-1} > -0.005"
check "tsyncd still runs" grep -q '^RUNNING yes' "$tmp/out"
finish
