#!/bin/bash
# SPDX-License-Identifier: ISC
# Interleaved mode (RFC 9769) with Debian's chronyd, both ways, over kernel timestamps:
#  1. chronyd (`server ... xleave`) against a tsyncd server gets interleaved replies
#     (`chronyc ntpdata` shows "Interleaved : Yes");
#  2. a tsyncd client (`server ... xleave`) against a chronyd server gets them too, and its
#     samples come from them (tsyncctl sources -v: "last sample interleaved mode").
# chronyd is unpacked from the Debian package (never installed), runs with -x and without
# CAP_SYS_TIME; every tsyncd runs on the virtual clock.
#   tsyncd server 10.123.1.1 --- 10.123.1.2 chronyd client
#   chronyd server 10.123.2.1 --- 10.123.2.2 tsyncd client
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

CHRONY_CACHE=${CHRONY_CACHE:-/var/cache/tsyncd-test/chrony}
chrony_fetch "$CHRONY_CACHE" ||
	skip "cannot obtain Debian's chrony package (apt-get download chrony failed)"
CHRONYD=$CHRONY_CACHE/root/usr/sbin/chronyd
CHRONYC=$CHRONY_CACHE/root/usr/bin/chronyc
setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$CHRONYD" -x -v >/dev/null 2>&1 || skip "the unpacked chronyd does not run here (libraries?)"
note "$(setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$CHRONYD" -x -v | head -n 1)"

# start_chronyd NAME NAMESPACE CONFIG-LINES: chronyd -x in a namespace, its socket in its dir
start_chronyd() {
	local name=$1 ns=$2 dir
	dir=$(dir_of "$name")
	mkdir -m 700 "$dir"
	printf '%s\npidfile %s/chronyd.pid\nbindcmdaddress %s/chronyd.sock\ncmdport 0\n' \
		"$3" "$dir" "$dir" >"$dir/chrony.conf"
	ITEST_LOGS["$name: output"]=$dir/chronyd.out
	ip netns exec "$(ns_of "$ns")" setpriv --bounding-set=-sys_time --inh-caps=-sys_time \
		"$CHRONYD" -x -d -u root -f "$dir/chrony.conf" >"$dir/chronyd.out" 2>&1 &
	ITEST_PIDS[$name]=$!
}
# chronyc NAME ARGS...: chronyc against the chronyd started as NAME
chronyc() {
	local dir
	dir=$(dir_of "$1")
	shift
	timeout 10 "$CHRONYC" -n -h "$dir/chronyd.sock" "$@"
}

# ---- 1. chronyd client, tsyncd server ----
server_client_start 0.05
start_chronyd chrony-client client "server 10.123.1.1 iburst minpoll 0 maxpoll 0 xleave"
# shellcheck disable=SC2317 # called through wait_until
chrony_interleaved() { chronyc chrony-client ntpdata 10.123.1.1 | grep -Eq '^Interleaved +: Yes'; }
wait_until 30 chrony_interleaved
chronyc chrony-client ntpdata 10.123.1.1 | grep -E '^(Interleaved|Total|Mode|Offset)' |
	sed 's/^/# /'
check "chronyd gets interleaved replies from tsyncd (chronyc ntpdata: Interleaved : Yes)" \
	chrony_interleaved
check "tsyncd counts interleaved replies (serverstats)" \
	awk_true "$(ctl server serverstats | sed -n 's/^Interleaved replies *: //p') > 0"

# ---- 2. tsyncd client, chronyd server ----
ns_add chrony-server
ns_add xclient
link_add chrony-server xclient 2
start_chronyd chrony-server chrony-server "local stratum 1
allow"
tsyncd_start xclient <<-EOF
	server 10.123.2.1 iburst minpoll 0 maxpoll 0 xleave
	clock virtual offset 0.2
EOF
# shellcheck disable=SC2317 # called through wait_until
tsyncd_interleaved() { ctl xclient sources -v | grep -q 'last sample interleaved mode'; }
wait_until 30 tsyncd_interleaved
ctl xclient sources -v | sed 's/^/# /'
check "the tsyncd client's samples come from interleaved replies" tsyncd_interleaved
check "tsyncd logged that the server interleaves" \
	log_has xclient 'server replies in interleaved mode'
wait_until 20 synced xclient
check "the tsyncd client is synchronised through interleaved mode" synced xclient
finish
