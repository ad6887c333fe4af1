#!/bin/bash
# SPDX-License-Identifier: ISC
# The watchdog (issue 10, item 7): a network child stopped with SIGSTOP sends no heartbeat; the
# parent notices within DAEMON_WATCHDOG_S (5 s), logs it as the child's fault ("stopped
# answering ... killed and restarted"), not the servers', kills it and starts a new one, and
# synchronisation goes on.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

server_client_start 0
tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	clock virtual offset 1
EOF
wait_until 10 synced client || fatal "the client did not synchronise within 10 s"

blame='no source reachable|no reply from any'
blamed_before=$(log_count client "$blame")
net=$(child_pid client tsyncd-net)
kill -STOP "$net"
stopped=$(now_s)
wait_until 10 log_has client "network child $net stopped answering for [0-9]+ s: killed and restarted"
noticed=$(since_s "$stopped")
check "the stopped child is noticed and logged as such within 7 s (after $noticed s)" \
	awk_true "$noticed < 7 && $(log_count client "network child $net stopped answering") == 1"
check "the stopped child is gone" wait_until 3 proc_gone "$net"
wait_until 10 new_child client tsyncd-net "$net"
check "a new network child runs (after $(since_s "$stopped") s)" new_child client tsyncd-net "$net"
check "the servers were not blamed meanwhile" [ "$(log_count client "$blame")" = "$blamed_before" ]
wait_until 15 fresh_sample client 10.123.1.1 "$stopped"
check "new samples arrive and the client is synchronised" synced client
grep -E "stopped answering|not answered|network child|not synchroni" "$(log_of client)" | tail -n 6
finish
