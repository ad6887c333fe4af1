#!/bin/bash
# SPDX-License-Identifier: ISC
# -g once per boot, and a failed step (issue 10, item 7).
#   -g: a client 2000 s off (beyond the panic threshold) started with -g steps; restarted with -g
#   in the same boot (its runtime directory keeps the boot id, as /run/tsyncd does under
#   systemd's Restart=on-failure) it does not: -g is ignored and logged so, and the panic
#   refusal holds. A gflag of another boot grants it again.
#   A failed step: with -g, a client 1.1e9 s off asks the (virtual) clock driver for a step it
#   refuses: the step is reported as failed and not counted (tracking: no step).
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

# ---- a step the clock driver refuses ----
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
	clock virtual offset -200000000
EOF
wait_until 15 log_has farclient 'clock step of .* FAILED'
check "a refused step is reported as failed" log_has farclient 'clock step of \+1[01][0-9]{8}\.[0-9]+ s FAILED'
check "a refused step is no clock_step event" [ -z "$(step_sizes farclient)" ]
last_step=$(tracking_field farclient "Last step")
check "tracking counts no step (Last step: '$last_step')" [ "$last_step" = none ]
grep -E "FAILED|step|-g" "$(log_of farclient)" | head -n 5
finish
