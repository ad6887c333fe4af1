#!/bin/bash
# SPDX-License-Identifier: ISC
# (e1) over IPv6: a client 5 minutes ahead synchronises to its server over an IPv6-only path
# and steps; the server answers IPv6 clients.
#   server fd00:123:1::1 --- fd00:123:1::2 client
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

server_client_start 0
check_served "the server answers over IPv6" server fd00:123:1::1 0 0.003 5

start=$(now_s)
tsyncd_start client <<-EOF
	server fd00:123:1::1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 300
EOF
wait_until 10 synced client
note "time to sync over IPv6: $(since_s "$start") s"
check "the client synchronises over IPv6 within 10 s" synced client
ctl client sources
step=$(step_sizes client | head -n 1)
check "the log has a clock_step of about -300 s (got '${step:-none}')" near "${step:-}" -300 0.1
check "the IPv6 server is the system peer ('*')" \
	[ "$(source_field client fd00:123:1::1 tally)" = '*' ]
check_served "the client's clock, read over IPv6, is the server's within 3 ms" \
	client fd00:123:1::2 0 0.003 3
finish
