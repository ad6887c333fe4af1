#!/bin/bash
# SPDX-License-Identifier: ISC
# Privilege separation, seen from /proc: the network child has no capabilities, a seccomp filter,
# a non-root uid and the chroot; the resolver likewise; the parent, with `clock virtual`, keeps no
# capability either (CAP_SYS_TIME only with `clock system`), and no bounding set.
# Then the child is killed three ways (SIGKILL, a forbidden system call, malformed messages to
# the parent: the last two are test hooks, TSYNCD_TEST_HOOKS=1): each time the parent survives,
# restarts it, leaves the clock alone and synchronisation goes on.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

NO_CAPS=0000000000000000

server_client_start 0
TSYNCD_TEST_HOOKS=1 tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 10
EOF
wait_until 10 synced client || fatal "the client did not synchronise within 10 s"

# ---- the processes as /proc shows them ----
parent=$(pid_of client)
check "the parent is named tsyncd" [ "$(cat "/proc/$parent/comm")" = tsyncd ]

# sandboxed ROLE PID: the checks every sandboxed process must pass
sandboxed() {
	local role=$1 pid=$2 uid
	uid=$(proc_status "$pid" Uid)
	check "$role: CapEff 0 ($(proc_status "$pid" CapEff))" \
		[ "$(proc_status "$pid" CapEff)" = $NO_CAPS ]
	check "$role: CapPrm 0" [ "$(proc_status "$pid" CapPrm)" = $NO_CAPS ]
	check "$role: CapBnd 0 ($(proc_status "$pid" CapBnd))" \
		[ "$(proc_status "$pid" CapBnd)" = $NO_CAPS ]
	check "$role: uid $ITEST_UID" [ "$(awk '{ print $1 }' <<<"$uid")" = "$ITEST_UID" ]
	check "$role: Seccomp 2 (filter)" [ "$(proc_status "$pid" Seccomp)" = 2 ]
	check "$role: NoNewPrivs 1" [ "$(proc_status "$pid" NoNewPrivs)" = 1 ]
	check "$role: real, effective, saved and fs uids are not root (Uid: $uid)" \
		grep -Eqv '(^| )0( |$)' <<<"$uid"
}
sandboxed "the parent with clock virtual ($parent)" "$parent"
check "the parent is chrooted into $(dir_of client)/chroot" \
	[ "$(readlink "/proc/$parent/root")" = "$(dir_of client)/chroot" ]
net=$(child_pid client tsyncd-net) || fatal "no tsyncd-net child of the parent ($parent)"
sandboxed "the network child ($net)" "$net"
check "the network child is chrooted into $(dir_of client)/chroot" \
	[ "$(readlink "/proc/$net/root")" = "$(dir_of client)/chroot" ]
if dns=$(child_pid client tsyncd-dns); then
	sandboxed "the resolver ($dns)" "$dns"
else
	not_ok "no tsyncd-dns child of the parent ($parent)"
fi

# restarted NET_PID WHAT: the parent is alive and runs a new network child, and samples arrive
restarted() {
	local old=$1 what=$2 since
	since=$(now_s)
	wait_until 15 new_child client tsyncd-net "$old"
	check "$what: the parent restarts the network child (after $WAITED_S s)" \
		new_child client tsyncd-net "$old"
	check "$what: the parent is alive" alive client
	check "$what: the old child is gone" proc_gone "$old"
	wait_until 15 fresh_sample client 10.123.1.1 "$since"
	check "$what: new samples arrive (after $WAITED_S s) and the client is synchronised" \
		synced client
	net=$(child_pid client tsyncd-net)
}

# ---- 1. SIGKILL ----
kill -KILL "$net"
restarted "$net" "SIGKILL"

# ---- 2. a forbidden system call (hook: SIGUSR1) ----
old=$net
kill -USR1 "$net"
restarted "$old" "forbidden system call"
check "forbidden system call: the parent logs the seccomp kill" \
	log_has client '(seccomp|SIGSYS|signal 31|[Bb]ad system call)'

# ---- 3. a hostile child (hook: SIGUSR2): malformed messages ----
steps_before=$(step_sizes client | wc -l)
last_step_before=$(tracking_field client "Last step")
offset_before=$(served_offset client 10.123.1.2)
tracking_before=$(tracking_field client "System offset")
old=$net
kill -USR2 "$net"
wait_until 10 log_has client 'malformed message'
check "hostile child: the parent logs \"malformed message\" with a reason" \
	log_has client 'malformed message.*: .+'
restarted "$old" "hostile child"
check "hostile child: no new clock_step" [ "$(step_sizes client | wc -l)" = "$steps_before" ]
check "hostile child: tracking's last step is unchanged" \
	[ "$(tracking_field client "Last step")" = "$last_step_before" ]
offset_after=$(served_offset client 10.123.1.2)
check "hostile child: the clock, read over NTP, moved by < 1 ms ($offset_before -> $offset_after)" \
	near "$offset_after" "$offset_before" 0.001
tracking_after=$(tracking_field client "System offset")
check "hostile child: tracking's offset is unchanged within 1 ms ($tracking_before -> $tracking_after)" \
	near "$tracking_after" "$tracking_before" 0.001
grep -E 'malformed|restart|seccomp|SIGSYS|signal' "$(log_of client)"

# ---- 4. the parent dies: its children follow (PR_SET_PDEATHSIG) ----
net=$(child_pid client tsyncd-net)
dns=$(child_pid client tsyncd-dns)
kill -KILL "$parent"
wait_until 5 proc_gone "$net"
check "the parent killed: the network child exits too (within $WAITED_S s)" proc_gone "$net"
if [ -n "$dns" ]; then
	wait_until 5 proc_gone "$dns"
	check "the parent killed: the resolver exits too (within $WAITED_S s)" proc_gone "$dns"
fi
finish
