#!/bin/bash
# SPDX-License-Identifier: ISC
# A real peer: Debian's chronyd synchronises to a tsyncd server in a namespace.
# chronyd comes from the Debian package, downloaded and unpacked into a cache directory, never
# installed (installing it would start a service on the host). It runs with -x (it never
# controls the clock) and without CAP_SYS_TIME in its bounding set. The tsyncd server's virtual
# clock is 100 ms ahead of the host's, so chronyd must find the host clock 100 ms slow.
#   server (tsyncd) 10.123.1.1 --- 10.123.1.2 client (chronyd)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

CHRONY_CACHE=${CHRONY_CACHE:-/var/cache/tsyncd-test/chrony}
SERVER_OFFSET_S=0.1
CAP_SYS_TIME_BIT=25

chrony_fetch "$CHRONY_CACHE" ||
	skip "cannot obtain Debian's chrony package (apt-get download chrony failed)"
CHRONYD=$CHRONY_CACHE/root/usr/sbin/chronyd
CHRONYC=$CHRONY_CACHE/root/usr/bin/chronyc
setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$CHRONYD" -x -v >/dev/null 2>&1 || skip "the unpacked chronyd does not run here (libraries?)"
note "$(setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$CHRONYD" -x -v | head -n 1)"

server_client_start "$SERVER_OFFSET_S"

dir=$(dir_of chronyd)
mkdir -m 700 "$dir"
cat >"$dir/chrony.conf" <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 0
	pidfile $dir/chronyd.pid
	bindcmdaddress $dir/chronyd.sock
	cmdport 0
EOF
ITEST_LOGS["chronyd: output"]=$dir/chronyd.out
ip netns exec "$(ns_of client)" setpriv --bounding-set=-sys_time --inh-caps=-sys_time \
	"$CHRONYD" -x -d -u root -f "$dir/chrony.conf" >"$dir/chronyd.out" 2>&1 &
ITEST_PIDS[chronyd]=$!
start=$(now_s)

# shellcheck disable=SC2317 # called through wait_until
chronyc() { timeout 10 "$CHRONYC" -n -h "$dir/chronyd.sock" "$@"; }
wait_until 5 chronyc tracking || fatal "chronyc cannot talk to chronyd on $dir/chronyd.sock"
cap_eff=$(proc_status "$(pid_of chronyd)" CapEff)
check "chronyd runs without CAP_SYS_TIME (CapEff $cap_eff)" \
	[ $((0x$cap_eff >> CAP_SYS_TIME_BIT & 1)) = 0 ]
check "chronyd does not control the clock (-x)" \
	grep -q 'Disabled control of system clock' "$dir/chronyd.out"

# the CSV row of the tsyncd server: mode, state, address, stratum, poll, reach, ...
chrony_row() { chronyc -c sources | grep '^\^,.,10\.123\.1\.1,'; }
# shellcheck disable=SC2317 # called through wait_until
chrony_selected() { chrony_row | grep -q '^\^,\*,'; }
wait_until 30 chrony_selected
note "chronyd selected tsyncd after $(since_s "$start") s"
chronyc sources
check "chronyc sources shows the tsyncd server as ^*" chrony_selected
IFS=, read -r _ _ _ stratum _ <<<"$(chrony_row)"
check "chronyd sees stratum 1 (got '${stratum:-}')" [ "${stratum:-}" = 1 ]
# with -x, chronyd corrects its notion of the clock, not the clock: "System time" is how far the
# host clock is from tsyncd's time
# shellcheck disable=SC2317 # called through wait_until
host_slow_s() { chronyc tracking | sed -n 's/^System time *: \([0-9.]*\) seconds slow of NTP time/\1/p'; }
# shellcheck disable=SC2317 # called through wait_until
host_slow_by_offset() { near "$(host_slow_s)" "$SERVER_OFFSET_S" 0.005; }
wait_until 10 host_slow_by_offset
system_time=$(host_slow_s)
check "chronyd finds the host clock ${SERVER_OFFSET_S} s slow of tsyncd's time (${system_time:-?} s)" \
	near "${system_time:-}" "$SERVER_OFFSET_S" 0.005
finish
