#!/bin/bash
# SPDX-License-Identifier: ISC
# LeakSanitizer works in the sandboxed daemon of a sanitizer build (--enable-sanitizers). The
# chroot hides /proc/PID/task, which LeakSanitizer lists at exit, so sanitizer builds skip the
# chroot (only there; users, capabilities and seccomp filters are the release's). A daemon that
# leaks on purpose at exit (TSYNCD_TEST_LEAK, a test hook) gets a leak report; one that does not
# exits cleanly, with no LeakSanitizer error.
# Uses $TSYNCD when it is a sanitizer build, else $TSYNCD_SAN (default: build-san/tsyncd of the
# source tree, as tests/run-all.sh builds it); skips when there is none.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

sanitized() { [ -x "$1" ] && ldd "$1" 2>/dev/null | grep -q libasan; }
if ! sanitized "$TSYNCD"; then
	TSYNCD=${TSYNCD_SAN:-$top_srcdir/build-san/tsyncd}
	sanitized "$TSYNCD" || skip "no sanitizer build of tsyncd ($TSYNCD)"
fi
lib_init

# stop NAME: SIGTERM, and wait for the daemon: STATUS is its exit status, ERR its stderr file
stop() {
	local pid
	pid=$(pid_of "$1")
	kill -TERM "$pid"
	STATUS=0
	wait "$pid" || STATUS=$?
	unset "ITEST_PIDS[$1]"
	ERR=$(dir_of "$1")/stderr
}

ns_add leak
TSYNCD_TEST_HOOKS=1 TSYNCD_TEST_LEAK=1 tsyncd_start leak <<-EOF
	clock none
EOF
check "the sanitizer build runs sandboxed (seccomp filter on the parent)" \
	[ "$(proc_status "$(pid_of leak)" Seccomp)" = 2 ]
stop leak
check "with a leak: LeakSanitizer reports it (exit status $STATUS)" \
	grep -q 'ERROR: LeakSanitizer: detected memory leaks' "$ERR"
check "with a leak: the 4242-octet blocks are in the report" \
	grep -Eq 'Direct leak of [0-9]+ byte\(s\) in [0-9]+ object' "$ERR"
check "with a leak: LeakSanitizer had no fatal error" not grep -q 'LeakSanitizer has encountered' "$ERR"
head -n 8 "$ERR"

ns_add clean
TSYNCD_TEST_HOOKS=1 tsyncd_start clean <<-EOF
	clock none
EOF
stop clean
check "without a leak: exit status 0 ($STATUS)" [ "$STATUS" = 0 ]
check "without a leak: no LeakSanitizer error" not grep -q 'LeakSanitizer' "$ERR"
finish
