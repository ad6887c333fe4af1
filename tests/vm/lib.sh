# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Sourced by the tests/vm/*.sh tests: paths, the runner, result lines.
# top_srcdir and top_builddir come from `make check`; run by hand, the build directory is
# $top_builddir (default: the source tree).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd -P)}
top_builddir=${top_builddir:-$top_srcdir}
VMRUN=$top_srcdir/tests/vm/vmrun
passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok   - $*"
}
bad() {
	failed=$((failed + 1))
	echo "FAIL - $*"
}
# check DESCRIPTION COMMAND...: ok if COMMAND succeeds
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}

# vm_preflight NIC: exit 77 (skip, with the reason on stderr) when no guest can run here, or
# when QEMU lacks the NIC model NIC ("none": no NIC needed).
vm_preflight() {
	local rc=0 args=()
	[ "$1" = none ] || args=(--nic "$1")
	"$VMRUN" check "${args[@]}" || rc=$?
	[ "$rc" = 0 ] || exit 77
}

# probe NAME: path of a probe built in tests/vm/; exits 77 if it was not built, so call it as
# `p=$(probe NAME) || exit 77` (the exit happens in the command substitution).
probe() {
	local p=$top_builddir/tests/vm/$1
	if [ ! -x "$p" ]; then
		echo "SKIP: $p is not built (make tests/vm/$1 in the build directory)" >&2
		exit 77
	fi
	echo "$p"
}

# awk_true EXPR: exit status of an awk condition (for numeric checks on decimals)
awk_true() { awk "BEGIN { exit !($1) }"; }

# swap_run NIC GUEST_SCRIPT [--add SRC:DEST...]: a Debian guest (vmrun --debian) with the tsyncd
# package of $top_builddir/deb (make deb), swap.guest-lib.sh and tests/vm/GUEST_SCRIPT, which
# runs at each boot, and four host-side NTP addresses. Counts the guest's "ok"/"FAIL" lines and
# checks that the guest rebooted and exited 0; the output stays in $SWAP_OUT (the caller removes
# it). Exits 77 when the package is not built or no Debian guest can run here.
swap_run() {
	local nic=$1 script=$2 deb rc=0 start
	shift 2
	"$VMRUN" check --debian --nic "$nic" || exit 77
	deb=$(echo "$top_builddir"/deb/tsyncd_*_amd64.deb)
	if [ ! -f "$deb" ]; then
		echo "SKIP: no tsyncd package in $top_builddir/deb (make deb in the build directory)" >&2
		exit 77
	fi
	SWAP_OUT=$(mktemp)
	start=$(date +%s)
	"$VMRUN" run --debian --nic "$nic" --host-ntp-addrs 4 --timeout 480 \
		--add "$deb:/root/tsyncd.deb" "$top_srcdir/tests/vm/swap.guest-lib.sh:/root/swap.guest-lib.sh" \
		"$top_srcdir/tests/vm/$script:/root/swap.sh" "$@" --cmd 'bash /root/swap.sh' \
		>"$SWAP_OUT" 2>&1 || rc=$?
	cat "$SWAP_OUT"
	passed=$((passed + $(grep -c '^ok ' "$SWAP_OUT")))
	failed=$((failed + $(grep -c '^FAIL ' "$SWAP_OUT")))
	check "the guest ran both boots and exited 0 (exit $rc, $(($(date +%s) - start)) s)" [ "$rc" = 0 ]
	check "the checks ran again after the reboot" grep -q '^== boot 2: after the reboot' "$SWAP_OUT"
}

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}
