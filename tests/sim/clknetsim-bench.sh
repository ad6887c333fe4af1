#!/bin/bash
# SPDX-License-Identifier: ISC
# tsyncd beside Debian's chronyd under clknetsim, in the same simulated runs (a benchmark run by
# hand: clknetsim is a download, built outside the project; docs/performance.md says how).
#
# Usage: CLKNETSIM_PATH=/path/to/clknetsim tests/sim/clknetsim-bench.sh [-s SEEDS] [-k]
#            [SCENARIO...]
#   -s SEEDS   seeds 1..SEEDS per scenario (default 5)
#   -k         keep every run's directory (configurations, logs, offsets) under $SIM_DIR
#   SCENARIO   one or more of: lan wan step300 default asym vm hw (default: all)
# Environment: TSYNCD (default build/tsyncd), CHRONY_DIR (Debian's chrony unpacked there,
# default /var/cache/tsyncd-test/chrony), SIM_DIR (default a temporary directory); to study a
# run (with -k): TSYNCD_ARGS (more options of tsyncd, e.g. -D 2 for debug lines),
# TSYNCD_CONF_EXTRA (lines added to its configuration, e.g. statistics files:
# "statsdir DIR/\nstatistics loopstats peerstats").
#
# Each run simulates three nodes: node 1 is the server (chronyd, local stratum 1), node 2 a
# tsyncd client and node 3 a chronyd client, both with the same clock and network conditions
# (independent random draws of the same expressions). Every daemon runs without CAP_SYS_TIME
# (setpriv), so a call that escaped the simulator would fail instead of touching this machine's
# clock. Offset statistics are taken over the second half of each run (clknetsim -r); the
# packets a client sent and the time after which it stays within 1 ms cover the whole run.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/deb_fetch.sh"

seeds=5
keep=0
while getopts "s:k" opt; do
	case $opt in
	s) seeds=$OPTARG ;;
	k) keep=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
scenarios=${*:-lan wan step300 default asym vm hw}

: "${CLKNETSIM_PATH:?set CLKNETSIM_PATH to a built clknetsim (make SHELL=/bin/bash)}"
TSYNCD=${TSYNCD:-$top/build/tsyncd}
CHRONY_DIR=${CHRONY_DIR:-/var/cache/tsyncd-test/chrony}
for f in "$CLKNETSIM_PATH/clknetsim" "$CLKNETSIM_PATH/clknetsim.so" "$TSYNCD"; do
	[ -x "$f" ] || [ -f "$f" ] || { echo "missing $f" >&2; exit 2; }
done
chrony_fetch "$CHRONY_DIR" || { echo "cannot fetch Debian's chrony" >&2; exit 2; }
CHRONYD=$CHRONY_DIR/root/usr/sbin/chronyd
SIM_DIR=${SIM_DIR:-$(mktemp -d /tmp/tsyncd-sim.XXXXXX)}
START_DATE=1767225600 # 2026-01-01 00:00:00 UTC

# ---- scenarios: network and clock expressions, polls, duration ----

# scenario_vars NAME: sets duration (s), up/down delay expressions, freq expression, offset,
# server/client option strings for both daemons, extra directives and environment.
scenario_vars() {
	lan_delay="(+ 1e-4 (* 5e-5 (exponential)))"
	freq="(+ 1e-4 (sum (* 1e-9 (normal))))"
	offset=0.1
	up=$lan_delay down=$lan_delay
	tsyncd_opts="iburst minpoll 4 maxpoll 4" chrony_opts="iburst minpoll 4 maxpoll 4"
	tsyncd_extra="" chrony_extra="makestep 1e-3 3" server_extra="" sim_env=""
	duration=14400
	case $1 in
	lan) ;;
	wan)
		up="(+ 1e-2 (* 1e-3 (exponential)))" down=$up
		tsyncd_opts="iburst minpoll 6 maxpoll 6" chrony_opts=$tsyncd_opts
		duration=28800
		;;
	step300) offset=300 chrony_extra="makestep 1e-3 3" ;;
	default)
		tsyncd_opts="iburst" chrony_opts="iburst"
		duration=86400
		;;
	asym)
		up="(+ 1e-3 (* 1e-4 (exponential)))" down="(+ 1e-3 (* 1e-3 (exponential)))"
		tsyncd_opts="iburst minpoll 6 maxpoll 6" chrony_opts=$tsyncd_opts
		duration=28800
		;;
	vm) freq="(+ 1e-4 (sum (* 2e-8 (normal))))" ;;
	hw)
		tsyncd_opts="iburst minpoll 0 maxpoll 0 xleave" chrony_opts=$tsyncd_opts
		tsyncd_extra="hwtimestamp eth0"
		chrony_extra="makestep 1e-3 3
hwtimestamp eth0
clockprecision 1e-9"
		server_extra="hwtimestamp eth0
clockprecision 1e-9"
		sim_env="CLKNETSIM_TIMESTAMPING=2 CLKNETSIM_PHC_DELAY=1e-6 CLKNETSIM_PHC_JITTER=1e-7 CLKNETSIM_PHC_JITTER_ASYM=0.4"
		duration=3600
		;;
	*) echo "unknown scenario $1" >&2; return 1 ;;
	esac
}

write_configs() {
	local dir=$1 n
	{
		for n in 2 3; do
			echo "node${n}_offset = $offset"
			echo "node${n}_freq = $freq"
			echo "node${n}_delay1 = $up"
			echo "node1_delay${n} = $down"
			[ "$scenario" = hw ] && echo "node${n}_refclock = (+ 10.0 (* 1e-8 (normal)))"
		done
		[ "$scenario" = hw ] && echo "node1_refclock = (+ 10.0 (* 1e-8 (normal)))"
	} >"$dir/conf"
	# chronyd's pid file and command socket would be the real /run/chrony ones
	printf 'local stratum 1\nallow\npidfile %s/server.pid\ncmdport 0\n%s\n' "$dir" \
		"$server_extra" >"$dir/server.conf"
	printf 'server 192.168.123.1 %s\nclock system\ncontrolsocket none\n%s\n%s\n' \
		"$tsyncd_opts" "$tsyncd_extra" "${TSYNCD_CONF_EXTRA:-}" >"$dir/tsyncd.conf"
	printf 'server 192.168.123.1 %s\npidfile %s/chrony.pid\ncmdport 0\n%s\n' "$chrony_opts" \
		"$dir" "$chrony_extra" >"$dir/chrony.conf"
}

# run_node DIR NODE SEED CMD...: one simulated node, without CAP_SYS_TIME; only the daemon
# itself gets the preload (setpriv and env would take the node's one connection).
run_node() {
	local dir=$1 node=$2 seed=$3
	shift 3
	# shellcheck disable=SC2086
	setpriv --bounding-set=-sys_time --inh-caps=-sys_time \
		env $sim_env CLKNETSIM_SOCKET="$dir/sock" CLKNETSIM_START_DATE=$START_DATE \
		CLKNETSIM_RANDOM_SEED=$((seed * 10 + node)) CLKNETSIM_NODE=$node \
		LD_PRELOAD="$CLKNETSIM_PATH/clknetsim.so" "$@" >"$dir/log.$node" 2>&1 &
}

# node_stat DIR NODE NAME: a value of clknetsim's statistics for a node
node_stat() {
	awk -v node="$2" -v name="$3" '
		/^-+ Node [0-9]+ -+$/ { cur = $3 }
		cur == node && index($0, name ":") == 1 { print $NF; exit }' "$1/stats"
}

# sync_time DIR COLUMN: seconds after which |offset| stays below 1 ms (-1: never)
sync_time() {
	awk -v c="$2" '{ o = $c < 0 ? -$c : $c; if (o >= 1e-3) last = NR } END {
		print (last < NR ? last : -1) }' "$1/log.offset"
}

run_one() {
	local scenario=$1 seed=$2 dir
	dir=$SIM_DIR/$scenario.$seed
	rm -rf "$dir" && mkdir -p "$dir" || return 1
	scenario_vars "$scenario" || return 1
	write_configs "$dir"
	run_node "$dir" 1 "$seed" "$CHRONYD" -d -f "$dir/server.conf"
	# shellcheck disable=SC2086 # TSYNCD_ARGS: words
	run_node "$dir" 2 "$seed" "$TSYNCD" -n --single-process ${TSYNCD_ARGS:-} -c "$dir/tsyncd.conf"
	run_node "$dir" 3 "$seed" "$CHRONYD" -d -f "$dir/chrony.conf"
	CLKNETSIM_RANDOM_SEED=$seed timeout 1800 "$CLKNETSIM_PATH/clknetsim" -s "$dir/sock" \
		-o "$dir/log.offset" -r $((duration / 2)) -l "$duration" "$dir/conf" 3 \
		>"$dir/stats" 2>"$dir/log" || { echo "clknetsim failed in $dir" >&2; wait; return 1; }
	wait
	local t_rms c_rms t_sync c_sync t_int c_int warn
	t_rms=$(node_stat "$dir" 2 "RMS offset")
	c_rms=$(node_stat "$dir" 3 "RMS offset")
	t_int=$(node_stat "$dir" 2 "Mean outgoing packet interval")
	c_int=$(node_stat "$dir" 3 "Mean outgoing packet interval")
	t_sync=$(sync_time "$dir" 2)
	c_sync=$(sync_time "$dir" 3)
	warn=$(grep -c 'not synchronised' "$dir/log.2")
	awk -v s="$scenario" -v seed="$seed" -v tr="$t_rms" -v cr="$c_rms" -v ts="$t_sync" \
		-v cs="$c_sync" -v ti="$t_int" -v ci="$c_int" -v d="$duration" -v w="$warn" 'BEGIN {
		printf "| %-8s | %4d | %10.3f | %10.3f | %6.2f | %7d | %7d | %7.0f | %7.0f | %5d |\n",
			s, seed, tr * 1e6, cr * 1e6, (cr > 0 ? tr / cr : 0), ts, cs,
			(ti > 0 ? d / ti : 0), (ci > 0 ? d / ci : 0), w }'
	[ "$keep" = 1 ] || rm -rf "$dir"
}

echo "# clknetsim $(git -C "$CLKNETSIM_PATH" rev-parse --short HEAD 2>/dev/null || echo '?'), $("$CHRONYD" -v | head -n 1 | cut -d' ' -f1-4), tsyncd $("$TSYNCD" --version 2>/dev/null)"
echo "| scenario | seed | tsyncd RMS us | chronyd RMS us | ratio | tsyncd <1ms after s | chronyd <1ms after s | tsyncd packets | chronyd packets | tsyncd warnings |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for scenario in $scenarios; do
	for seed in $(seq 1 "$seeds"); do
		run_one "$scenario" "$seed"
	done
done
[ "$keep" = 1 ] && echo "# runs kept in $SIM_DIR"
exit 0
