#!/bin/bash
# SPDX-License-Identifier: ISC
# Each process's seccomp filter kills it for each call it must not make (issue 10, item 6). With
# TSYNCD_TEST_HOOKS=1, a process makes forbidden call k when it receives signal SIGRTMIN+k (the
# parent logs the table; daemon/main/daemon_hooks.c): the network child, the resolver and the
# parent must each die of SIGSYS; the parent restarts a network child and logs why. Each daemon
# runs in its own namespace without sources (`clock none` for the first: it keeps no
# capability either), all at once.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

# The calls each process must not make (names of daemon_hooks.c's table).
NET_CALLS=(socket_udp socket_unix socketpair connect_unix bind listen accept kill pidfd_open exec)
PARENT_CALLS=(open_read open_write open_dirfd_read rename unlink fchdir kill pidfd_open exec)
DNS_CALLS=(open_write exec kill listen accept socketpair)

# sig_of NAME CALL: the signal that makes daemon NAME's processes try CALL
sig_of() { grep -o "[0-9]*=$2\( \|\$\)" "$(log_of "$1")" | head -n 1 | cut -d= -f1; }

runs=$((${#PARENT_CALLS[@]} + ${#DNS_CALLS[@]}))
for ((i = 0; i < runs; i++)); do
	ns_add "d$i"
	clock=virtual
	[ "$i" = 0 ] && clock=none
	TSYNCD_TEST_HOOKS=1 tsyncd_start "d$i" <<-EOF
		clock $clock
	EOF
done

# ---- /proc of the parent with clock none ----
parent=$(pid_of d0)
for f in CapEff CapPrm CapBnd; do
	check "clock none: the parent's $f is 0 ($(proc_status "$parent" $f))" \
		[ "$(proc_status "$parent" $f)" = 0000000000000000 ]
done
check "clock none: the parent has a seccomp filter and no_new_privs" \
	[ "$(proc_status "$parent" Seccomp)/$(proc_status "$parent" NoNewPrivs)" = 2/1 ]
check "clock none: the parent runs as uid $ITEST_UID" \
	[ "$(proc_status "$parent" Uid | awk '{ print $1 $2 $3 $4 }')" = "$ITEST_UID$ITEST_UID$ITEST_UID$ITEST_UID" ]

# ---- the network child: one forbidden call in each daemon, restarted ----
declare -A net_pid
for ((i = 0; i < ${#NET_CALLS[@]}; i++)); do
	net_pid[$i]=$(child_pid "d$i" tsyncd-net) || fatal "d$i: no network child"
	kill -s "$(sig_of "d$i" "${NET_CALLS[$i]}")" "${net_pid[$i]}"
done
for ((i = 0; i < ${#NET_CALLS[@]}; i++)); do
	call=${NET_CALLS[$i]}
	wait_until 5 new_child "d$i" tsyncd-net "${net_pid[$i]}"
	check "network child, $call: killed by the seccomp filter, logged" \
		log_has "d$i" "network child ${net_pid[$i]} killed by the seccomp filter"
	check "network child, $call: restarted" new_child "d$i" tsyncd-net "${net_pid[$i]}"
done

# ---- the parent and the resolver: the parent dies of SIGSYS; a dead resolver ends it ----
for ((i = 0; i < runs; i++)); do
	if [ "$i" -lt ${#PARENT_CALLS[@]} ]; then
		kill -s "$(sig_of "d$i" "${PARENT_CALLS[$i]}")" "$(pid_of "d$i")"
	else
		call=${DNS_CALLS[$((i - ${#PARENT_CALLS[@]}))]}
		dns_pid[i]=$(child_pid "d$i" tsyncd-dns) || fatal "d$i: no resolver"
		kill -s "$(sig_of "d$i" "$call")" "${dns_pid[$i]}"
	fi
done
for ((i = 0; i < runs; i++)); do
	pid=$(pid_of "d$i")
	wait_until 5 proc_gone "$pid"
	status=0
	wait "$pid" 2>/dev/null || status=$?
	unset "ITEST_PIDS[d$i]"
	if [ "$i" -lt ${#PARENT_CALLS[@]} ]; then
		check "parent, ${PARENT_CALLS[$i]}: killed by SIGSYS (exit status $status)" \
			[ "$status" = $((128 + 31)) ]
	else
		call=${DNS_CALLS[$((i - ${#PARENT_CALLS[@]}))]}
		check "resolver, $call: killed by the seccomp filter, logged" \
			log_has "d$i" "resolver ${dns_pid[$i]} killed by the seccomp filter"
	fi
done
finish
