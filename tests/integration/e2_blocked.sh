#!/bin/bash
# SPDX-License-Identifier: ISC
# (e2) of the field report: NTP blocked by a firewall must not go unnoticed.
#   1. the client starts 5 minutes behind with UDP 123 dropped (nft, in its namespace): within
#      one poll interval (+ margin) the log warns, `tsyncctl status` exits 1 with a reason and
#      systemd's STATUS= (NOTIFY_SOCKET) says why;
#   2. the rule is removed: the client synchronises and steps +300 s (the report's experiment 3);
#   3. the rule is added again: the source becomes unreachable, the warning and status 1 come
#      within one poll interval (+ margin) of the rule (the detection latency is printed);
#   4. the rule is removed: the client synchronises again.
# Polls are 1..2 s (maxpoll 1) to keep the test short.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

POLL_S=2     # maxpoll 1
# one poll interval plus a margin: 2 s for the reply in flight (its timeout), 2 s for the start,
# the daemon's periodic state update and this script's 0.1 s polling
MARGIN_S=4
LIMIT_S=$((POLL_S + MARGIN_S))
# the warning line (the daemon's "clock not synchronised for N s: REASON")
WARNING='no source reachable|not synchroni[sz]ed|unsynchroni[sz]ed'
# ... when the reason is that no source answers
NO_REPLY_WARNING='(not synchroni[sz]ed|unsynchroni[sz]ed).*(no source reachable|no reply)'

server_client_start 0

# 1. blocked from the start
block_ntp client || fatal "nft rule in the client's namespace"
notify_listen client
start=$(now_s)
NOTIFY_SOCKET=$(notify_socket client) tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 1
	clock virtual offset -300
	allow all
EOF
wait_until $((LIMIT_S + 10)) log_has client "$NO_REPLY_WARNING"
warning_s=$(since_s "$start")
note "blocked from the start: the warning came $warning_s s after the start"
check "blocked from the start: the log warns that no source answers within $LIMIT_S s" \
	awk_true "$warning_s <= $LIMIT_S"
check "blocked from the start: tsyncctl status exits 1" unsynced client
reason=$(ctl client status)
check "status says why (\"$reason\")" grep -Eq 'reachable|no reply' <<<"$reason"
check "no step while blocked" [ -z "$(step_sizes client)" ]
check "systemd is told why (STATUS=...)" notified client '^STATUS=.*(reachable|no reply)'
check "no READY=1 before the first sample" not notified client 'READY=1'

# 2. unblocked: the report's experiment 3, a step of +300 s
unblock_ntp client
wait_until 15 synced client
note "unblocked: synchronised after $WAITED_S s"
check "after the rule is removed, status exits 0 (within 15 s)" synced client
check "the source was logged reachable" event_logged client 10.123.1.1 reachable
check "systemd is told READY=1" notified client 'READY=1'
step=$(step_sizes client | head -n 1)
check "the clock was stepped by about +300 s (got '${step:-none}')" \
	near "${step:-}" 300 0.1
ctl client sources

# 3. blocked again, while synchronised
warnings_before=$(log_count client "$WARNING")
block_ntp client || fatal "nft rule in the client's namespace"
blocked=$(now_s)
wait_until $((LIMIT_S + 10)) unsynced client
status_s=$WAITED_S
wait_until $((LIMIT_S + 10)) log_grew client "$WARNING" "$warnings_before"
warning_s=$(since_s "$blocked")
note "detection latency: status exit 1 after $status_s s, log warning after $warning_s s" \
	"(poll interval $POLL_S s)"
check "blocked: tsyncctl status exits 1 within $LIMIT_S s (took $status_s s)" \
	awk_true "$status_s <= $LIMIT_S"
check "blocked: the log warns within $LIMIT_S s (took $warning_s s)" \
	awk_true "$warning_s <= $LIMIT_S"
reason=$(ctl client status)
check "status says why (\"$reason\")" grep -Eq 'reachable|no reply' <<<"$reason"
check "systemd's STATUS= says no source is reachable" \
	notified client '^STATUS=.*no source reachable'
maxerror_before=$(tracking_field client "Max error")
# ntpd's reach register needs 8 polls without a reply before "unreachable"
wait_until $((8 * POLL_S + 6)) event_logged client 10.123.1.1 unreachable
check "the source was logged unreachable (after $(since_s "$blocked") s)" \
	event_logged client 10.123.1.1 unreachable
check "no system peer in the sources table" \
	[ "$(source_field client 10.123.1.1 tally)" != '*' ]
maxerror_after=$(tracking_field client "Max error")
check "the maximum error grows while blocked ($maxerror_before -> $maxerror_after s)" \
	is_number "$maxerror_after" && awk_true "$maxerror_after > ${maxerror_before:-0}"
ctl client sources

# 4. unblocked again
unblock_ntp client
unblocked=$(now_s)
wait_until 15 synced client
note "unblocked again: synchronised after $(since_s "$unblocked") s"
check "after the rule is removed again, status exits 0" synced client
check "no second step (the clock kept time while blocked)" [ "$(step_sizes client | wc -l)" = 1 ]
check_served "the client's clock, read over NTP, is the server's within 3 ms" \
	client 10.123.1.2 0 0.003
finish
