#!/bin/bash
# SPDX-License-Identifier: ISC
# -g once per boot, and its window (issue 10, items 1 and 7).
#   -g: a client 2000 s off (beyond the panic threshold) started with -g steps; restarted with -g
#   in the same boot (its runtime directory keeps the boot id, as /run/tsyncd does under
#   systemd's Restart=on-failure) it does not: -g is ignored and logged so, and the panic
#   refusal holds. A gflag of another boot grants it again.
#   The window: with -g, a client whose only source is 9e8 s (28.5 years) ahead steps by 5 years
#   at most (the clock guard's floor window), logs the cut, and then refuses the rest (panic).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

server_client_start 2000
start_client() {
	tsyncd_start client -g <<-EOF
		server 10.123.1.1 iburst minpoll 0 maxpoll 2
		clock virtual offset 0
	EOF
}
gflag=$(dir_of client)/run/gflag

# ---- the first start with -g: stepped ----
start_client
wait_until 15 synced client
step=$(step_sizes client | head -n 1)
check "first start with -g: stepped by about +2000 s (got '${step:-none}')" near "${step:-}" 2000 0.1
check "the use of -g is recorded with this boot's id" \
	[ "$(cat "$gflag")" = "$(cat /proc/sys/kernel/random/boot_id)" ]
tsyncd_stop client

# ---- restarted in the same boot: -g ignored ----
steps_before=$(step_sizes client | wc -l)
start_client
wait_until 15 log_grew client panic_stop 0
check "restart with -g: logged as ignored" log_has client '-g ignored: a start earlier in this boot'
check "restart with -g: the panic refusal holds" log_has client 'panic_stop'
check "restart with -g: no new step" [ "$(step_sizes client | wc -l)" = "$steps_before" ]
check "restart with -g: status is not synchronised" unsynced client
tsyncd_stop client

# ---- a gflag of another boot: granted again ----
echo "00000000-0000-0000-0000-000000000000" >"$gflag"
start_client
wait_until 15 synced client
check "-g of another boot: granted, stepped again" [ "$(step_sizes client | wc -l)" = $((steps_before + 1)) ]
tsyncd_stop client

# ---- -g and a source 28 years ahead: the one unbounded correction is cut to the window ----
# (a step the clock driver refuses is not counted: tests/unit/test_hostile_child.c, with a
# kernel that says EPERM; the virtual driver takes every step the window lets through)
ns_add far
ns_add farclient
link_add far farclient 2
tsyncd_start far <<-EOF
	local stratum 1
	allow all
	clock virtual offset 900000000
EOF
tsyncd_start farclient -g <<-EOF
	server 10.123.2.1 iburst minpoll 0 maxpoll 2
	clock virtual offset 0
EOF
wait_until 15 log_has farclient 'clock guard: a step of'
check "+9e8 s with -g: the step is cut, and said so" \
	log_has farclient 'clock guard: a step of \+9[0-9]{8}\.[0-9]+ s would set the clock'
step=$(step_sizes farclient | head -n 1)
check "+9e8 s with -g: stepped by 5 years at most (got '${step:-none}')" \
	near "${step:-0}" 157788000 86400
wait_until 10 log_has farclient 'panic_stop'
check "+9e8 s with -g: the rest is a panic refusal" log_has farclient 'panic_stop'
check "+9e8 s with -g: one step only" [ "$(step_sizes farclient | wc -l)" = 1 ]
finish
