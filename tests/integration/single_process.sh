#!/bin/bash
# SPDX-License-Identifier: ISC
# --single-process (no fork, no sandbox: for debuggers and simulators) runs the same modules:
# a client 5 minutes ahead synchronises, steps and serves, without any child process.
#   server 10.123.1.1 --- 10.123.1.2 client (--single-process)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

server_client_start 0
start=$(now_s)
tsyncd_start client --single-process <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 300
EOF
check "no child process" [ -z "$(pgrep -P "$(pid_of client)")" ]
wait_until 10 synced client
note "time to sync: $(since_s "$start") s"
check "the client synchronises within 10 s" synced client
step=$(step_sizes client | head -n 1)
check "the log has a clock_step of about -300 s (got '${step:-none}')" near "${step:-}" -300 0.1
check "the server is the system peer ('*')" [ "$(source_field client 10.123.1.1 tally)" = '*' ]
check_served "the client serves its clock, the server's within 3 ms" \
	client 10.123.1.2 0 0.003 3
wait_until 30 freq_measured client
check "the frequency is measured (sd <= 2 ppm) within 30 s" freq_measured client
tsyncd_stop client
check "SIGTERM: the drift file is written" is_number "$(cat "$(drift_of client)" 2>/dev/null)"
finish
