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

finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}
