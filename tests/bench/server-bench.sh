#!/bin/bash
# SPDX-License-Identifier: ISC
# NTP server benchmark on loopback, in one run: tsyncd, Debian's chronyd and a bare
# recvmmsg/sendmmsg responder (the machine's limit), each pinned to CPU $SERVER_CPU while the
# load generator (tests/bench/ntpload) runs on CPU $LOAD_CPU.
#
# For each server: the highest rate (requests/s, in steps of $STEP) answered with < 1 % loss
# (the servers run side by side and take each step in turn, each up to $TRIES times: other
# work on the machine disturbs single runs), the server's CPU time per reply (from
# /proc/PID/schedstat) at that rate and at half that rate, the latency p50/p99 at half that rate
# (the least disturbed of $TRIES runs), and the memory of the serving processes (RSS, and PSS:
# shared pages split among the processes that map them). Nothing touches the host clock: tsyncd
# runs with `clock none`, chronyd with -x (and without CAP_SYS_TIME in its bounding set). Needs
# root (chronyd, tsyncd's chroot).
#
# Usage: server-bench.sh [BUILD_DIR]   environment: STEP, START, MAX_RATE, TRIAL_S, SERVER_CPU,
#        LOAD_CPU, NICE, TRIES, CHRONY_CACHE, KEEP_TMP=1
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
BUILD=${1:-${top_builddir:-$top_srcdir/build}}
NTPLOAD=$BUILD/tests/bench/ntpload
BARE=$BUILD/tests/bench/bare-responder
TSYNCD=$BUILD/tsyncd
CHRONY_CACHE=${CHRONY_CACHE:-/var/cache/tsyncd-test/chrony}
CHRONYD=$CHRONY_CACHE/root/usr/sbin/chronyd
STEP=${STEP:-20000}
START=${START:-20000}
MAX_RATE=${MAX_RATE:-600000}
TRIAL_S=${TRIAL_S:-1}
TRIES=${TRIES:-3}
SERVER_CPU=${SERVER_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
NICE=${NICE:--10} # servers and generator alike: other work on the machine disturbs them less
PORT_BARE=12401
PORT_CHRONY=12402
PORT_TSYNCD=12403

die() {
	echo "server-bench: $*" >&2
	exit 1
}
[ "$(id -u)" = 0 ] || die "needs root"
for f in "$NTPLOAD" "$BARE" "$TSYNCD"; do
	[ -x "$f" ] || die "$f is not built (make tsyncd tests/bench/ntpload tests/bench/bare-responder)"
done

# Debian's chrony, unpacked into $CHRONY_CACHE/root (never installed)
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/deb_fetch.sh"
chrony_fetch "$CHRONY_CACHE" || echo "server-bench: cannot obtain chronyd; its row is skipped" >&2

TMP=$(mktemp -d /tmp/server-bench.XXXXXX) || die "mktemp"
chmod 755 "$TMP"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${KEEP_TMP:-0}" = 1 ]; then echo "# kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# cpu_ns PID...: CPU time of the processes in ns (schedstat: exact, not sampled by ticks)
cpu_ns() {
	local p t=0 run _
	for p in "$@"; do
		read -r run _ <"/proc/$p/schedstat" || continue
		t=$((t + run))
	done
	echo "$t"
}
# pss_kb PID...: the sum of Pss (shared pages divided among the processes that map them)
pss_kb() {
	local p t=0 v
	for p in "$@"; do
		v=$(awk '$1 == "Pss:" { print $2 }' "/proc/$p/smaps_rollup" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
# rss_kb PID...: the sum of VmRSS
rss_kb() {
	local p t=0 v
	for p in "$@"; do
		v=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$p/status" 2>/dev/null)
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
# field LINE KEY: the value of KEY=value in an ntpload output line
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p; s/^$2=\([^ ]*\).*/\1/p" <<<"$1" | head -n 1; }

# load PORT RATE SECONDS: one ntpload run (on LOAD_CPU); prints its output line
load() {
	local n
	n=$(awk -v r="$2" -v s="$3" 'BEGIN { printf "%d", r * s }')
	nice -n "$NICE" taskset -c "$LOAD_CPU" "$NTPLOAD" -s 127.0.0.1 -P "$1" -r "$2" -n "$n" -t "$(($3 + 5))" -w 0.3
}

# us_per_reply NS REPLIES
us_per_reply() { awk -v c="$1" -v n="$2" 'BEGIN { printf "%.2f", (n > 0 ? c / 1000 / n : 0) }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# trial NAME RATE SECONDS: one load run against server NAME; sets OUT, LOSS and CPU (us/reply)
trial() {
	local c0 c1
	# shellcheck disable=SC2086 # a list of PIDs
	c0=$(cpu_ns ${SRV_PIDS[$1]})
	OUT=$(load "${SRV_PORT[$1]}" "$2" "$3")
	# shellcheck disable=SC2086
	c1=$(cpu_ns ${SRV_PIDS[$1]})
	LOSS=$(field "$OUT" loss_pct)
	CPU=$(us_per_reply $((c1 - c0)) "$(field "$OUT" valid)")
	echo "# $1 rate $2: $OUT cpu_us=$CPU" >&2
}
below_1pct() { awk -v l="$1" 'BEGIN { exit !(l < 1.0) }'; }

# ---- the servers, all started at once (idle unless loaded) ----
declare -A SRV_PORT SRV_PIDS BEST BEST_CPU HALF_CPU P50 P99
NAMES=(bare)
nice -n "$NICE" taskset -c "$SERVER_CPU" "$BARE" "$PORT_BARE" &
PIDS+=($!)
SRV_PORT[bare]=$PORT_BARE
SRV_PIDS[bare]=$!

if [ -x "$CHRONYD" ]; then
	mkdir -m 700 "$TMP/chrony"
	printf '%s\n' "local stratum 1" "allow" "port $PORT_CHRONY" "cmdport 0" \
		"pidfile $TMP/chrony/chronyd.pid" >"$TMP/chrony/chrony.conf"
	nice -n "$NICE" taskset -c "$SERVER_CPU" setpriv --bounding-set=-sys_time \
		"$CHRONYD" -x -d -u root -f "$TMP/chrony/chrony.conf" >"$TMP/chrony/out" 2>&1 &
	PIDS+=($!)
	NAMES+=(chronyd)
	SRV_PORT[chronyd]=$PORT_CHRONY
	SRV_PIDS[chronyd]=$!
	CHRONY_VERSION=$("$CHRONYD" -v | head -n 1)
fi

mkdir -p "$TMP/tsyncd/chroot"
printf '%s\n' "local stratum 1" "allow all" "port $PORT_TSYNCD" "clock none" \
	"controlsocket $TMP/tsyncd/tsyncd.sock" "logfile $TMP/tsyncd/log" "user nobody" \
	"chroot $TMP/tsyncd/chroot" >"$TMP/tsyncd/tsyncd.conf"
nice -n "$NICE" taskset -c "$SERVER_CPU" "$TSYNCD" -n -c "$TMP/tsyncd/tsyncd.conf" \
	>"$TMP/tsyncd/out" 2>&1 &
TSYNCD_PID=$!
PIDS+=("$TSYNCD_PID")
NAMES+=(tsyncd)
SRV_PORT[tsyncd]=$PORT_TSYNCD
sleep 1.5
SRV_PIDS[tsyncd]="$TSYNCD_PID $(pgrep -P "$TSYNCD_PID" | tr '\n' ' ')"
NET_PID=$(for p in ${SRV_PIDS[tsyncd]}; do
	[ "$(cat "/proc/$p/comm" 2>/dev/null)" = tsyncd-net ] && echo "$p"
done)
for n in "${NAMES[@]}"; do
	load "${SRV_PORT[$n]}" 1000 1 >/dev/null # warm-up: page faults, caches
	BEST[$n]=0
	BEST_CPU[$n]=-
done

# ---- the ramp: each step for every server still passing, interleaved, up to $TRIES tries ----
for ((rate = START; rate <= MAX_RATE; rate += STEP)); do
	active=0
	for n in "${NAMES[@]}"; do
		[ "$rate" = "$START" ] || [ "${BEST[$n]}" = $((rate - STEP)) ] || continue
		for ((try = 1; try <= TRIES; try++)); do
			trial "$n" "$rate" "$TRIAL_S"
			if below_1pct "$LOSS"; then
				BEST[$n]=$rate
				BEST_CPU[$n]=$CPU
				active=1
				break
			fi
		done
	done
	[ "$active" = 1 ] || break
done

# ---- half rate: latency and CPU, the least disturbed of $TRIES runs (lowest p99) ----
for n in "${NAMES[@]}"; do
	half=$((BEST[$n] / 2))
	P50[$n]=-
	P99[$n]=-
	HALF_CPU[$n]=-
	[ "$half" -gt 0 ] || continue
	for ((try = 1; try <= TRIES; try++)); do
		trial "$n" "$half" 2
		p99=$(field "$OUT" p99_us)
		if [ "${P99[$n]}" = - ] || awk -v a="$p99" -v b="${P99[$n]}" 'BEGIN { exit !(a < b) }'; then
			P50[$n]=$(field "$OUT" p50_us)
			P99[$n]=$p99
			HALF_CPU[$n]=$CPU
		fi
	done
done

echo
echo "$(nproc) CPUs, $(uname -r), servers on CPU $SERVER_CPU, generator on CPU $LOAD_CPU," \
	"${TRIAL_S} s per step of $STEP/s, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "${CHRONY_VERSION:-chronyd not run}"
echo
echo "| server         | max rate/s | CPU us/reply | CPU us/reply | p50 us  | p99 us  | RSS MB | PSS MB |"
echo "|                | (<1% loss) | at max rate  | at half rate | (half)  | (half)  |        |        |"
echo "|----------------|-----------:|-------------:|-------------:|--------:|--------:|-------:|-------:|"
for n in "${NAMES[@]}"; do
	# shellcheck disable=SC2086 # lists of PIDs
	printf '| %-14s | %10s | %12s | %12s | %7s | %7s | %6s | %6s |\n' "$n" "${BEST[$n]}" \
		"${BEST_CPU[$n]}" "${HALF_CPU[$n]}" "${P50[$n]}" "${P99[$n]}" \
		"$(mb "$(rss_kb ${SRV_PIDS[$n]})")" "$(mb "$(pss_kb ${SRV_PIDS[$n]})")"
done
echo
echo "tsyncd: all processes (parent, network child, resolver); the network child alone:" \
	"$(mb "$(rss_kb "$NET_PID")") MB RSS, $(mb "$(pss_kb "$NET_PID")") MB PSS"
