# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Sourced by the swap_*.guest.sh scripts in the Debian guest: check lines and the checks every
# swap makes. Each check prints "ok   - ..." or "FAIL - ..." (counted by the host-side test).
# shellcheck disable=SC2034 # read by the scripts that source this one
failed=0
ok() { echo "ok   - $*"; }
bad() {
	echo "FAIL - $*"
	failed=1
}
# check DESCRIPTION COMMAND...: ok if COMMAND succeeds (its output is dropped), else FAIL and
# status 1
check() {
	local what=$1
	shift
	if "$@" >/dev/null 2>&1; then ok "$what"; else
		bad "$what"
		return 1
	fi
}

# install_tsyncd: apt-get install /root/tsyncd.deb (offline: every dependency is in the image);
# its output in /root/apt.log, the lines about packages and tsyncd's own messages printed.
install_tsyncd() {
	local rc=0
	echo "== apt-get install ./tsyncd.deb"
	apt-get install -y -q /root/tsyncd.deb >/root/apt.log 2>&1 || rc=$?
	grep -E '^tsyncd|REMOVED|^  [a-z]|^Removing|^Setting up tsyncd' /root/apt.log
	check "apt-get installs tsyncd (exit $rc)" [ "$rc" = 0 ]
	echo "== systemctl status tsyncd"
	systemctl status --no-pager tsyncd
	if ! check "systemctl status tsyncd: active" systemctl status tsyncd; then
		# what killed it: the daemon's last lines and the kernel's seccomp audit records
		journalctl -b -u tsyncd --no-pager | tail -n 30
		dmesg | grep -E 'audit.*(seccomp|syscall=)' | tail -n 5
	fi
	check "tsyncd.service is enabled" systemctl is-enabled tsyncd
}

# synchronised POOL_PATTERN: tsyncd synchronises to the host-side servers, which are the pool
# members of the configuration (tsyncctl sources: "ADDRESS (pool NAME)").
synchronised() {
	local rc=0
	tsyncctl waitsync 120 || rc=$?
	check "boot $TSYNC_VM_BOOT: tsyncctl waitsync: synchronised (exit $rc)" [ "$rc" = 0 ]
	rc=0
	tsyncctl status || rc=$?
	check "boot $TSYNC_VM_BOOT: tsyncctl status exits 0 (exit $rc)" [ "$rc" = 0 ]
	tsyncctl sources | tee /root/sources
	check "boot $TSYNC_VM_BOOT: the sources are the configuration's pool, on the host side" \
		[ "$(grep -Ec "^10\\.77\\.0\\.[0-9]+ \\(pool $1\\)" /root/sources)" = 4 ]
}

# after_reboot: the system is up again; tsyncd runs, not the daemon it replaced.
after_reboot() {
	echo "== boot $TSYNC_VM_BOOT: after the reboot"
	systemctl is-system-running --wait >/dev/null
	check "tsyncd.service is active after the reboot" systemctl is-active tsyncd
	check "the replaced daemon did not come back" test -z "$(pgrep -x "$1")"
}
