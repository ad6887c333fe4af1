#!/bin/bash
# SPDX-License-Identifier: ISC
# VMClock: tsyncd watches a file with the VMClock page layout (`vmclock PATH`, the test's stand-in
# for /dev/vmclock0) while synchronised; the test changes the disruption marker as a hypervisor
# does after a live migration (seq_count odd, marker + 1, seq_count even). Within a second or two:
# the log says why, `tsyncctl status` exits 1 (unsynchronised at once), the ClockBound segment
# says "disrupted" (3) with the new marker, the network child polls every source in a burst;
# then the client synchronises again and the segment says "synchronised" (1).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

server_client_start 0
dir=$(dir_of client)
mkdir -p "$dir"
page=$dir/vmclock0
shm=$dir/shm0
python3 "$ITEST_DIR/vmclock_page.py" create "$page" 41 || fatal "cannot write $page"
reader() { python3 "$ITEST_DIR/clockbound_reader.py" read "$shm"; }
field() { reader | tr ' ' '\n' | sed -n "s/^$1=//p"; }
status_is() { [ "$(field status)" = "$1" ]; }

# maxpoll 3: without the burst the next poll would be up to 8 s away
tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 3 maxpoll 3
	clock virtual offset 0.02
	vmclock $page
	clockbound $shm
EOF
check "the log says the VMClock is watched" log_has client "watching $page for clock disruptions"
wait_until 20 synced client
check "the client synchronises (after $WAITED_S s)" synced client
wait_until 5 status_is 1
check "the segment says synchronised (1)" status_is 1
check "... with disruption support and the marker 41" \
	[ "$(field support) $(field marker)" = "1 41" ]
sleep 9 # past the iburst: polls are 8 s apart now
polls_before=$(log_count client "burst")

python3 "$ITEST_DIR/vmclock_page.py" bump "$page"
start=$(now_s)
wait_until 3 unsynced client
check "tsyncctl status exits 1 within 2 s of the disruption (took $WAITED_S s)" \
	awk_true "$WAITED_S <= 2"
check "status says why" eval 'ctl client status | grep -q "clock disrupted (VMClock"'
check "the log names the disruption" log_has client "clock disrupted \(VMClock disruption marker 41 -> 42\)"
wait_until 3 status_is 3
check "the segment says disrupted (3) (after $WAITED_S s)" status_is 3
check "... with the new marker 42" [ "$(field marker)" = 42 ]
check "the network child polls every source in a burst" \
	log_grew client "polling every source in a burst" "$polls_before"
wait_until 20 synced client
resync_s=$(since_s "$start")
note "synchronised again $resync_s s after the disruption (poll interval 8 s)"
check "synchronised again within 8 s, before the next regular poll (took $resync_s s)" \
	awk_true "$resync_s < 8"
wait_until 5 status_is 1
check "the segment says synchronised (1) again" status_is 1
check "the log says so" log_has client "the sources are measured again after the clock disruption"
finish
