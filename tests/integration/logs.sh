#!/bin/bash
# SPDX-License-Identifier: ISC
# The log, against a compromised network child (issue 10, item 4; test hooks TSYNCD_TEST_HOOKS=1,
# SIGUSR2 plays TSYNCD_TEST_HOSTILE, daemon/net/net_hooks.c):
#   - the children hold no descriptor of the log file (/proc/PID/fd);
#   - forge: a "clock_step" line the child sends is written as the child's ("net: ..."), and the
#     same text written straight to each of its descriptors reaches no log;
#   - flood: 10 s of log lines as fast as the channel takes them leave a bounded log with a
#     "suppressed" report;
#   - churn: 10 s of SOURCE_REMOVE/ADD with `logconfig =allall` (lib.sh's) likewise.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

ns_add server
tsyncd_start server <<-EOF
	local stratum 1
	allow all
	clock virtual offset 0
EOF

# client NAME N KIND: a client in namespace NAME on link N to the server, hostile behaviour KIND
client() {
	ns_add "$1"
	link_add server "$1" "$2"
	TSYNCD_TEST_HOOKS=1 TSYNCD_TEST_HOSTILE=$3 tsyncd_start "$1" <<-EOF
		server 10.123.$2.1 iburst minpoll 0 maxpoll 2
		clock virtual offset 1
	EOF
}
client forge 1 forge
client flood 2 flood
client churn 3 churn
for c in forge flood churn; do
	wait_until 10 synced "$c" || fatal "$c did not synchronise within 10 s"
done

# ---- no child holds the log file ----
# holds_log PID NAME: a descriptor of PID is daemon NAME's log file
holds_log() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd")" = "$(log_of "$2")" ] && return 0
	done
	return 1
}
parent=$(pid_of forge)
check "the parent holds the log file" holds_log "$parent" forge
for comm in tsyncd-net tsyncd-dns; do
	pid=$(child_pid forge "$comm") || fatal "no $comm child"
	check "$comm ($pid) holds no descriptor of the log file" not holds_log "$pid" forge
done

# ---- forge ----
net=$(child_pid forge tsyncd-net)
kill -USR2 "$net"
wait_until 5 log_has forge 'net: 0\.0\.0\.0 c61c 0c clock_step'
check "forge: the child's clock_step line is written as the child's (\"net: ...\")" \
	log_has forge 'tsyncd\[[0-9]+\]: net: 0\.0\.0\.0 c61c 0c clock_step \+1000'
check "forge: no clock_step line of +1000 s without the child's prefix" \
	not log_has forge 'tsyncd\[[0-9]+\]: 0\.0\.0\.0 [0-9a-f]{4} 0c clock_step \+1000'
check "forge: the text written straight to the child's descriptors reaches no log" \
	not log_has forge FORGED-RAW
check "forge: the child is still the first one" [ "$(child_pid forge tsyncd-net)" = "$net" ]
grep -E 'net: ' "$(log_of forge)" | tail -n 3

# ---- flood and churn, at the same time ----
# bytes NAME: the size of daemon NAME's log
bytes() { stat -c %s "$(log_of "$1")"; }
# suppressed NAME: the lines the rate limits reported suppressed
suppressed() {
	sed -n 's/.*rate limit: \([0-9]*\) log lines .*suppressed.*/\1/p' "$(log_of "$1")" |
		awk '{ n += $1 } END { print n + 0 }'
}
flood_before=$(bytes flood)
churn_before=$(bytes churn)
kill -USR2 "$(child_pid flood tsyncd-net)" "$(child_pid churn tsyncd-net)"
sleep 12
flood_grew=$(($(bytes flood) - flood_before))
churn_grew=$(($(bytes churn) - churn_before))
note "flood: the log grew by $flood_grew octets in 12 s, $(suppressed flood) lines suppressed," \
	"$(log_count flood 'net: flood line') flood lines written"
note "churn: the log grew by $churn_grew octets in 12 s, $(suppressed churn) lines suppressed," \
	"$(log_count churn ' (mobilize|demobilize)') mobilize/demobilize lines written"
check "flood: the log grew by less than 64 KiB ($flood_grew octets)" [ "$flood_grew" -lt 65536 ]
check "flood: thousands of lines were suppressed, and reported" [ "$(suppressed flood)" -gt 1000 ]
check "flood: at most 100 + 0.25/s flood lines were written" \
	[ "$(log_count flood 'net: flood line')" -le 110 ]
check "churn: the log grew by less than 64 KiB ($churn_grew octets)" [ "$churn_grew" -lt 65536 ]
check "churn: hundreds of lines were suppressed, and reported" [ "$(suppressed churn)" -gt 100 ]
check "flood: the daemon is alive and synchronised" synced flood
check "churn: the daemon is alive" alive churn
finish
