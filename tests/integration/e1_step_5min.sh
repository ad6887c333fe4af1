#!/bin/bash
# SPDX-License-Identifier: ISC
# (e1) of the field report: a client whose clock is 5 minutes ahead of its server synchronises
# and steps its (virtual) clock within 10 s of its start; its event lines carry ntpd's words.
#   server 10.123.1.1: local stratum 1, virtual clock = host clock
#   client 10.123.1.2: virtual clock 300 s ahead, server 10.123.1.1 iburst, polls 1..4 s
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

server_client_start 0
check_served "the server serves its clock (the host's) over NTP" \
	server 10.123.1.1 0 0.003 5

start=$(now_s)
tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	clock virtual offset 300
	allow all
EOF

wait_until 10 synced client
sync_s=$(since_s "$start")
note "time to sync: $sync_s s after the client's start"
check "tsyncctl status exits 0 within 10 s of the start (took $sync_s s)" synced client
ctl client status

step=$(step_sizes client | head -n 1)
check "the log has a clock_step of about -300 s (got '${step:-none}')" \
	near "${step:-}" -300 0.1
check "exactly one step in the log" [ "$(step_sizes client | wc -l)" = 1 ]
# the event lines of the seed's experiment, with ntpd 4.2's status words: reachable without the
# reach bit, sys_peer with it (never a falseticker just before, no authentic bit), the step with
# the system peer's clock source while LI still says unsynchronised, then clock_sync
check "event line: 10.123.1.1 8014 84 reachable" log_has client '10\.123\.1\.1 8014 84 reachable'
check "event line: 10.123.1.1 9[0245][0-9a-f]a 8a sys_peer" \
	log_has client '10\.123\.1\.1 9[0245][0-9a-f]a 8a sys_peer'
check "event line: 0.0.0.0 c61c 0c clock_step -300..." \
	log_has client '0\.0\.0\.0 c61c 0c clock_step -(299|300)\.[0-9]{6} s'
check "event line: 0.0.0.0 0615 05 clock_sync" log_has client '0\.0\.0\.0 0615 05 clock_sync'
last_step=$(tracking_field client "Last step")
check "tracking shows the last step, about -300 s (got '$last_step')" \
	near "${last_step:-}" -300 0.1

wait_until 10 offset_below client 0.001
check "tracking offset below 1 ms (got $(tracking_field client "System offset") s)" \
	offset_below client 0.001
check_served "the client's clock, read over NTP, is the server's within 3 ms" \
	client 10.123.1.2 0 0.003
check "the server is the system peer ('*') at stratum 1" \
	[ "$(source_field client 10.123.1.1 tally)$(source_field client 10.123.1.1 st)" = "*1" ]
ctl client sources
ctl client tracking

warnings=$(log_count client 'not synchroni[sz]ed|no source reachable')
stable_s=8
if holds $stable_s synced client; then
	ok "it stays synchronised for $stable_s s while the server answers"
else
	not_ok "it stays synchronised for $stable_s s while the server answers" \
		"(status exit 1 after $WAITED_S s: $(ctl client status))"
fi
check "no \"not synchronised\" warning in the log meanwhile" \
	[ "$(log_count client 'not synchroni[sz]ed|no source reachable')" = "$warnings" ]

wait_until 30 freq_measured client
check "the frequency is measured (sd <= 2 ppm) within 30 s" freq_measured client
tsyncd_stop client
check "SIGTERM: a clean exit" log_has client 'exiting'
check "SIGTERM: the drift file is written ($(cat "$(drift_of client)" 2>/dev/null))" \
	is_number "$(cat "$(drift_of client)" 2>/dev/null)"
finish
