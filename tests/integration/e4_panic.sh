#!/bin/bash
# SPDX-License-Identifier: ISC
# (e4): an error beyond the panic threshold (1000 s, ntpd's default). Two clients 2000 s ahead
# of the same server:
#   "client" without -g: the clock is not touched, the refusal is logged (repeatedly) and
#   `tsyncctl status` exits 1 saying panic;
#   "gclient" with -g: the first step of any size is allowed, so it is stepped by -2000 s.
#   client 10.123.1.2 --- 10.123.1.1 server 10.123.2.1 --- 10.123.2.2 gclient
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

ns_add server
ns_add client
ns_add gclient
link_add server client 1
link_add server gclient 2

tsyncd_start server <<-EOF
	local stratum 1
	allow all
	clock virtual offset 0
EOF
start=$(now_s)
tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 2000
EOF
tsyncd_start gclient -g <<-EOF
	server 10.123.2.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 2000
EOF

# with -g: stepped
wait_until 10 synced gclient
note "with -g: synchronised after $(since_s "$start") s"
check "with -g: status exits 0 within 10 s" synced gclient
step=$(step_sizes gclient | head -n 1)
check "with -g: the clock was stepped by about -2000 s (got '${step:-none}')" \
	near "${step:-}" -2000 0.1
check_served "with -g: its clock, read over NTP, is the server's within 3 ms" \
	gclient 10.123.2.2 0 0.003

# without -g: refused
wait_until 10 log_has client panic
note "without -g: the refusal was logged $(since_s "$start") s after the start"
check "without -g: the log reports the panic refusal" log_has client panic
check "without -g: the logged refusal gives the offset, about -2000 s" \
	log_has client 'panic.*-(1999\.9|2000\.0)'
check "without -g: status exits 1" unsynced client
reason=$(ctl client status)
check "without -g: status says panic (\"$reason\")" grep -q panic <<<"$reason"
check "without -g: no clock_step in the log" [ -z "$(step_sizes client)" ]
last_step=$(tracking_field client "Last step")
check "without -g: tracking shows no step (Last step: '$last_step')" [ "$last_step" = none ]
check_served "without -g: its clock, read over NTP, is still 2000 s ahead (within 3 ms)" \
	client 10.123.1.2 2000 0.003
applied=$(tracking_field client "Applied freq")
check "without -g: no frequency applied either (Applied freq: '$applied')" near "$applied" 0 0.0005
wait_until 15 log_grew client 'panic_stop' 1
check "without -g: the refusal (ntpd's panic_stop event) is repeated (after $(since_s "$start") s)" \
	log_grew client 'panic_stop' 1
check_served "without -g: still 2000 s ahead (within 3 ms) after $(since_s "$start") s" \
	client 10.123.1.2 2000 0.003
ctl client tracking
finish
