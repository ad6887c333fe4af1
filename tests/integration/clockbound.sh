#!/bin/bash
# SPDX-License-Identifier: ISC
# The ClockBound segment: a client with a known clock error (virtual clock 0.3 s behind and 50 ppm
# slow) synchronises to an exact server (the host's clock); a ClockBound reader written from the
# documented layout (tests/integration/clockbound_reader.py) checks, again and again, that the
# bound it computes contains the client's true offset (measured over NTP against the host's
# clock), that the status goes unknown -> synchronised -> free-running when NTP is blocked (the
# bound growing), and that the segment is readable by applications.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

server_client_start 0
shm=$(dir_of client)/clockbound/shm0
reader() { ns_exec client python3 "$ITEST_DIR/clockbound_reader.py" "$@"; }
field() { reader read "$shm" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
status_is() { [ "$(field status)" = "$1" ]; }

tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 1
	clock virtual offset -0.3 freq -50
	clockbound $shm
	allow all
EOF
check "the segment exists, mode 0644 (readable by applications)" \
	[ "$(stat -c %a "$shm" 2>/dev/null)" = 644 ]
check "an application running as nobody can read all 80 octets" \
	[ "$(setpriv --reuid=nobody --regid=nogroup --clear-groups head -c 80 "$shm" | wc -c)" = 80 ]
status=$(field status)
check "before the first synchronisation the status is unknown or synchronised (got $status)" \
	[ "$status" = 0 ] || [ "$status" = 1 ]

wait_until 15 synced client
check "the client synchronises (after $WAITED_S s)" synced client
check "the status is synchronised (1)" status_is 1
check "no disruption support without a VMClock" [ "$(field support)" = 0 ]
# 15 measurements over 15 s while the 50 ppm error is being corrected
contained=0
for _ in $(seq 15); do
	if out=$(reader contains "$shm" 10.123.1.2); then contained=$((contained + 1)); fi
	note "$out"
	sleep 1
done
check "the bound contains the true offset in every one of 15 measurements ($contained)" \
	[ "$contained" = 15 ]
bound=$(field bound_s)
# the server (local stratum 1) announces a root dispersion of 10 ms, the rest is the client's own
check "the bound is tight: below 10 ms + 5 ms (got $bound s)" awk_true "$bound < 0.015"

block_ntp client || fatal "nft rule in the client's namespace"
wait_until 15 status_is 2
check "NTP blocked: the status becomes free-running (2) (after $WAITED_S s)" status_is 2
later=$(field bound_s)
check "... and the bound grows ($bound -> $later s)" awk_true "$later > $bound"
unblock_ntp client # (the measurement needs NTP too: right after the block is lifted)
check "... and still contains the true offset" reader contains "$shm" 10.123.1.2
wait_until 15 status_is 1
check "unblocked: synchronised (1) again" status_is 1
finish
