#!/bin/bash
# SPDX-License-Identifier: ISC
# The tools people run against ntpd, against tsyncd (mode 6): Debian's NTPsec ntpq (-p, -c rv,
# -c sysinfo, -c peers, -c associations, -c pe, -c as), ntpstat and monitoring-plugins'
# check_ntp_peer, fetched as Debian packages and unpacked, never installed (NTPsec's ntpd is in
# the package but never run).
#   server  10.123.1.1 --- 10.123.1.2 client --- 10.123.2.1 server2
#   client: servers 10.123.1.1, 10.123.2.1 and 10.123.1.77 (nobody: unreachable); no restrict
#   line, so it serves nobody and answers ntpq on its loopback addresses only.
# Checked: before synchronisation ntpstat exits 1 and check_ntp_peer is not OK; once
# synchronised ntpq -p shows the columns and tally codes of tsyncctl sources (exit 0), ntpstat
# exits 0, check_ntp_peer -H 127.0.0.1 is OK; the servers (serving anyone) refuse mode 6 from
# the other namespace; the client's event lines carry ntpd 4.2's status words.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

NTPSEC_CACHE=${NTPSEC_CACHE:-/var/cache/tsyncd-test/ntpsec-tools}
ntpsec_tools_fetch "$NTPSEC_CACHE" ||
	skip "cannot obtain Debian's ntpsec, ntpstat and monitoring-plugins packages (apt-get download)"
[ -x /usr/bin/python3 ] || skip "Debian's /usr/bin/python3 is missing (ntpq needs it)"
ntpsec_run "$NTPSEC_CACHE" ntpq --version >/dev/null 2>&1 || skip "the unpacked ntpq does not run here"
note "$(ntpsec_run "$NTPSEC_CACHE" ntpq --version 2>&1 | head -n 1)"

# tool NAME ARGS...: a tool in the client's namespace (bounded: ntpq waits 5 s per request)
# shellcheck disable=SC2016 # $1 and $@ are the inner shell's
tool() { ns_exec client timeout 30 bash -c '. "$1"; shift; ntpsec_run "$@"' _ \
	"$(dirname "$0")/../lib/deb_fetch.sh" "$NTPSEC_CACHE" "$@"; }

ns_add server
ns_add server2
ns_add client
link_add server client 1
link_add server2 client 2
tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	server 10.123.2.1 iburst minpoll 0 maxpoll 2
	server 10.123.1.77 iburst minpoll 0 maxpoll 2
	clock virtual offset 0.01
EOF

rc=0
out=$(tool ntpstat) || rc=$?
check "ntpstat exits 1 before synchronisation (got $rc: $out)" [ "$rc" = 1 ]
rc=0
out=$(tool check_ntp_peer -H 127.0.0.1) || rc=$?
check "check_ntp_peer is not OK before synchronisation (got $rc: $out)" [ "$rc" != 0 ]

tsyncd_start server <<-EOF
	local stratum 1
	allow all
	clock virtual offset 0
EOF
# server2 serves on its IPv4 address only (ntpd -I), and on loopback
tsyncd_start server2 -I 10.123.2.1 <<-EOF
	local stratum 1
	allow all
	clock virtual offset 0
EOF
start=$(now_s)
check_served "server2 (-I 10.123.2.1) serves 10.123.2.1" client 10.123.2.1 0 0.02 5
check "server2 (-I 10.123.2.1) does not serve its IPv6 address fd00:123:2::1" \
	not served_offset client fd00:123:2::1
wait_until 20 synced client
check "the client synchronises (after $(since_s "$start") s)" synced client

# ntpq_rows ARGS / ctl_rows: "tally remote refid st t poll reach" of each source, sorted, from
# ntpq ARGS and from tsyncctl sources: what must agree
# shellcheck disable=SC2317 # called through check and wait_until
rows_of() { awk 'NR > 2 { print substr($0, 1, 1), substr($0, 2) }' |
	awk '{ if ($1 ~ /^[*+x.#o-]$/) t = $1; else { t = "_"; $0 = "_ " $0 }
		print t, $2, $3, $4, $5, $7, $8 }' | sort; }
# shellcheck disable=SC2317 # called through check and wait_until
ntpq_rows() { tool ntpq -n "$@" | rows_of; }
# shellcheck disable=SC2317 # called through check and wait_until
ctl_rows() { ctl client -n sources | awk 'NF == 0 { exit } { print }' | rows_of; }
# shellcheck disable=SC2317 # called through check and wait_until
same_rows() { [ -n "$(ctl_rows)" ] && [ "$(ntpq_rows "${@:--p}")" = "$(ctl_rows)" ]; }
# rows_agree ARGS: the reach registers move with every poll (1-4 s): a read of both may straddle
# one, so a few reads are compared
# shellcheck disable=SC2317 # called through check and wait_until
rows_agree() {
	for _ in 1 2 3 4 5 6; do
		same_rows "$@" && return 0
		sleep 0.3
	done
	return 1
}
wait_until 20 same_rows
tool ntpq -n -p
ctl client -n sources
check "ntpq -p shows the rows of tsyncctl sources (tally, remote, refid, st, t, poll, reach)" \
	rows_agree
rc=0
tool ntpq -n -p >/dev/null || rc=$?
check "ntpq -p exits 0" [ "$rc" = 0 ]
check "ntpq -p: the system peer is tallied *" grep -q '^\*10\.123\.[12]\.1 ' <<<"$(tool ntpq -n -p)"
check "ntpq -p: the other server is a candidate +" grep -q '^+10\.123\.[12]\.1 ' <<<"$(tool ntpq -n -p)"
check "ntpq -p: the silent server shows refid .INIT., stratum 16, reach 0" \
	grep -Eq '^ 10\.123\.1\.77 +\.INIT\. +16 u .* +0 +0\.000' <<<"$(tool ntpq -n -p)"
for cmd in pe peers; do
	check "ntpq -c $cmd shows the same rows" rows_agree -c "$cmd"
done
check "ntpq -p over ::1 too" grep -q '^\*10\.123' <<<"$(tool ntpq -n -p ::1)"

rv=$(tool ntpq -c rv)
echo "$rv"
check "ntpq -c rv: status 06xx (leap none, sync_ntp)" grep -q 'associd=0 status=06' <<<"$rv"
check "ntpq -c rv: stratum 2, refid of the system peer" grep -Eq 'stratum=2,.*' <<<"$rv"
check "ntpq -c rv: version tsyncd" grep -q 'version="tsyncd' <<<"$rv"
check "ntpq -c rv: refid is a server" grep -Eq 'refid=10\.123\.[12]\.1' <<<"$rv"
sysinfo=$(tool ntpq -c sysinfo)
echo "$sysinfo"
check "ntpq -c sysinfo: system peer and stratum" \
	grep -Eq 'system peer: +10\.123\.[12]\.1' <<<"$sysinfo"
check "ntpq -c sysinfo: no unknown variable" not grep -q 'Unknown variable' <<<"$sysinfo"
for cmd in associations as; do
	as=$(tool ntpq -c "$cmd")
	check "ntpq -c $cmd: three associations, one sys.peer, configured, no auth" \
		[ "$(grep -c ' yes .* none ' <<<"$as")" = 3 ] && grep -q 'sys.peer' <<<"$as"
done
echo "$as"

rc=0
out=$(tool ntpstat) || rc=$?
echo "$out"
check "ntpstat exits 0 once synchronised (got $rc)" [ "$rc" = 0 ]
check "ntpstat: synchronised to an NTP server at stratum 2" \
	grep -Eq 'synchronised to NTP server \(10\.123\.[12]\.1\) at stratum 2' <<<"$out"
rc=0
out=$(tool check_ntp_peer -H 127.0.0.1) || rc=$?
echo "$out"
check "check_ntp_peer -H 127.0.0.1 returns OK (got $rc)" [ "$rc" = 0 ]
check "check_ntp_peer says NTP OK" grep -q '^NTP OK' <<<"$out"

# a server serves anyone over NTP but answers mode 6 only on loopback by default
out=$(tool ntpq -n -p 10.123.1.1 2>&1)
check "the server refuses ntpq from another namespace (got: $out)" grep -q 'timed out' <<<"$out"
check "the server counted the refused mode 6 requests" \
	grep -Eq 'Mode 6 \(ntpq\) refused +: [1-9]' <<<"$(ctl server serverstats)"

# event lines with ntpd 4.2's words: no authentication bits without keys
check "mobilize with association IDs: 8011 81 mobilize assoc N" \
	log_has client '10\.123\.1\.1 8011 81 mobilize assoc [0-9]+'
check "reachable reported before the reach bit is set: 8014" event_logged client 10.123.1.1 reachable
check "sys_peer with reach and a selection, never falsetick: 9[0245]1a" \
	log_has client '10\.123\.[12]\.1 9[0245][0-9a-f]a 8a sys_peer'
check "no authentic bit in any peer event line" \
	not log_has client ' [ab-f][0-9a-f]{3} 8[0-9a-f] '
check "clock_sync: 0615" log_has client '0\.0\.0\.0 06[0-9a-f]5 05 clock_sync'
finish
