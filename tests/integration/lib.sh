# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Sourced by tests/integration/*.sh and tools/demo.sh: tsyncd daemons in network namespaces.
#
# Every daemon runs in its own namespace "<run>-<name>" (run = "tsi" + this shell's PID, so
# parallel `make -j check` runs never collide), with the virtual clock driver: the host clock is
# never touched, and a tripwire fails the test if it changed all the same. Links are veth pairs
# with addresses in 10.123.N.0/24 that exist only inside these namespaces. Everything (daemons,
# namespaces, the temporary directory) is removed on exit, whatever the outcome; the daemons'
# logs are printed when a test fails.
#
# Usage: . lib.sh; lib_init; ns_add server; ns_add client; link_add server client 1;
#        tsyncd_start server <<EOF ... EOF; ...; finish
#        (server_client_start does the first four for the usual local stratum 1 server)
set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
top_builddir=${top_builddir:-$top_srcdir/build}
ITEST_DIR=$top_srcdir/tests/integration
TSYNCD=${TSYNCD:-$top_builddir/tsyncd}
TSYNCCTL=${TSYNCCTL:-$top_builddir/tsyncctl}
RUN=tsi$$
ITEST_TMP=
ITEST_NAMESPACES=()
declare -A ITEST_PIDS=()   # name -> PID of a process started in the background
declare -A ITEST_LOGS=()   # label -> file printed when the test fails
ITEST_CLOCK_BEFORE=
ITEST_CLEANED=0
# The daemons' unprivileged user: a dedicated uid and gid that no account uses (as the package's
# `tsyncd` user; `nobody` may not own a writable drift directory)
ITEST_UID=64123
passed=0
failed=0

# ---- results ----

ok() {
	passed=$((passed + 1))
	echo "ok - $*"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $*"
}
# check DESCRIPTION COMMAND...: ok if COMMAND succeeds, not ok otherwise
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# not COMMAND...: succeeds when COMMAND fails (for check, where "!" is no keyword)
not() { ! "$@"; }
# fatal MESSAGE: a failure after which the test cannot go on
fatal() {
	not_ok "$*"
	exit 1
}
skip() {
	echo "SKIP: $*"
	exit 77
}
note() { echo "# $*"; }
# finish: the summary line; exit 0 when nothing failed
finish() {
	echo "# $passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}

# awk_true EXPR: exit status of an awk condition (numeric checks on decimals)
awk_true() { awk "BEGIN { exit !($1) }"; }
# is_number VALUE: VALUE is a decimal number
is_number() { [[ $1 =~ ^[-+]?[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$ ]]; }
# near VALUE EXPECTED TOLERANCE: both are numbers and |VALUE - EXPECTED| < TOLERANCE
near() {
	is_number "$1" && is_number "$2" &&
		awk_true "($1 - ($2) < 0 ? ($2) - $1 : $1 - ($2)) < $3"
}
# abs_below VALUE LIMIT: |VALUE| < LIMIT (decimals); false when VALUE is not a number
abs_below() { near "$1" 0 "$2"; }

# ---- time ----

# now_s: seconds on a monotonic scale (boot time), 10 ms resolution
now_s() {
	local up _
	read -r up _ </proc/uptime
	echo "$up"
}
# since_s START: seconds elapsed since START (a now_s value), two decimals
since_s() { awk -v a="$1" -v b="$(now_s)" 'BEGIN { printf "%.2f", b - a }'; }

# wait_until TIMEOUT_S COMMAND...: run COMMAND (output discarded) every 0.1 s until it succeeds
# or TIMEOUT_S seconds have passed. Returns 0 on success, 1 on timeout; WAITED_S is the time
# it took.
WAITED_S=0
wait_until() {
	local timeout_s=$1 start
	shift
	start=$(now_s)
	while :; do
		if "$@" >/dev/null 2>&1; then
			WAITED_S=$(since_s "$start")
			return 0
		fi
		WAITED_S=$(since_s "$start")
		awk_true "$WAITED_S >= $timeout_s" && return 1
		sleep 0.1
	done
}

# holds DURATION_S COMMAND...: COMMAND (output discarded) succeeds every time it is run, every
# 0.1 s, for DURATION_S seconds. Returns 1 at the first failure; WAITED_S is when it failed.
holds() {
	local duration_s=$1 start
	shift
	start=$(now_s)
	while :; do
		WAITED_S=$(since_s "$start")
		"$@" >/dev/null 2>&1 || return 1
		awk_true "$WAITED_S >= $duration_s" && return 0
		sleep 0.1
	done
}

# ---- the host clock tripwire ----

host_clock_state() { python3 "$ITEST_DIR/hostclock.py"; }

# tripwire_check: compare the host clock's adjtimex state (freq, offset, status, tick) and
# CLOCK_REALTIME - CLOCK_MONOTONIC with the values read by lib_init; false if either changed
# (the latter by more than 10 ms: a step).
tripwire_check() {
	local before after
	read -r -a before <<<"$ITEST_CLOCK_BEFORE"
	read -r -a after <<<"$(host_clock_state)"
	if [ "${#after[@]}" != 5 ]; then
		echo "host clock tripwire: cannot read the host clock state"
		return 1
	fi
	if [ "${before[*]:0:4}" != "${after[*]:0:4}" ]; then
		echo "host clock tripwire: adjtimex state (freq offset status tick) changed:" \
			"before ${before[*]:0:4}, after ${after[*]:0:4}"
		return 1
	fi
	local jump_ns=$((after[4] - before[4]))
	if [ "${jump_ns#-}" -gt 10000000 ]; then
		echo "host clock tripwire: CLOCK_REALTIME jumped by $jump_ns ns"
		return 1
	fi
}

# ---- setup and cleanup ----

# lib_init: skip (77) unless root with ip netns, nft and python3, and tsyncd is built; then the
# tripwire's first reading, the temporary directory and the cleanup trap.
lib_init() {
	[ "$(id -u)" = 0 ] || skip "needs root (network namespaces)"
	command -v ip >/dev/null || skip "ip (iproute2) is missing"
	ip netns list >/dev/null 2>&1 || skip "ip netns does not work here"
	command -v nft >/dev/null || skip "nft (nftables) is missing"
	# probes in a throw-away namespace: namespaces, veth and nf_tables must work here
	unshare -n true 2>/dev/null || skip "cannot create network namespaces here"
	unshare -n ip link add itest0 type veth peer name itest1 2>/dev/null ||
		skip "cannot create veth links here"
	unshare -n nft add table inet itest_probe 2>/dev/null || skip "nftables does not work here"
	command -v python3 >/dev/null || skip "python3 is missing"
	[ -x "$TSYNCD" ] || skip "$TSYNCD is not built"
	[ -x "$TSYNCCTL" ] || skip "$TSYNCCTL is not built"
	unset TSYNCD_TEST_HOOKS
	reap_stale_namespaces
	ITEST_CLOCK_BEFORE=$(host_clock_state) || skip "cannot read the host clock state"
	ITEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/tsyncd-it.XXXXXX") || fatal "mktemp failed"
	chmod 755 "$ITEST_TMP"
	trap lib_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
}

# reap_stale_namespaces: delete the namespaces of earlier runs whose shell is gone (killed with
# SIGKILL, so its EXIT trap never ran), with whatever still runs inside them
reap_stale_namespaces() {
	local ns pid
	for ns in $(ip netns list | awk '$1 ~ /^tsi[0-9]+-/ { print $1 }'); do
		pid=${ns#tsi}
		pid=${pid%%-*}
		kill -0 "$pid" 2>/dev/null && continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns delete "$ns" 2>/dev/null && echo "# removed the stale namespace $ns"
	done
}

# proc_gone PID: no such process, or only a zombie left of it
proc_gone() {
	local state
	state=$(awk '$1 == "State:" { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ]
}

# stop_pid PID: SIGTERM, then SIGKILL after 3 s; reaps it when it is our child
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 30; i++)); do
		proc_gone "$pid" && break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

dump_logs() {
	local label
	for label in "${!ITEST_LOGS[@]}"; do
		[ -s "${ITEST_LOGS[$label]}" ] || continue
		echo "---- $label: ${ITEST_LOGS[$label]} (last 150 lines)"
		tail -n 150 "${ITEST_LOGS[$label]}"
	done
}

# lib_cleanup: the EXIT trap. Stops the daemons, kills whatever still runs in our namespaces,
# deletes them (and their veths), checks the tripwire, prints the logs when the test failed and
# removes the temporary directory (kept when KEEP_TMP=1).
lib_cleanup() {
	local rc=$? name ns pid
	[ "$ITEST_CLEANED" = 1 ] && return
	ITEST_CLEANED=1
	trap - EXIT INT TERM HUP
	for name in "${!ITEST_PIDS[@]}"; do
		stop_pid "${ITEST_PIDS[$name]}"
	done
	for ns in "${ITEST_NAMESPACES[@]}"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns delete "$ns" 2>/dev/null
		rm -rf "/etc/netns/$ns"
	done
	if ! tripwire_check; then
		echo "not ok - the host clock was not touched"
		rc=1
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		dump_logs
	fi
	if [ -n "$ITEST_TMP" ]; then
		if [ "${KEEP_TMP:-0}" = 1 ]; then
			echo "# kept $ITEST_TMP"
		else
			rm -rf "$ITEST_TMP"
		fi
	fi
	exit "$rc"
}

# ---- namespaces and links ----

ns_of() { echo "$RUN-$1"; }

# ns_add NAME: a namespace with loopback up
ns_add() {
	local ns
	ns=$(ns_of "$1")
	ip netns add "$ns" || fatal "ip netns add $ns failed"
	ITEST_NAMESPACES+=("$ns")
	ip -n "$ns" link set lo up || fatal "loopback up in $ns failed"
}

# ns_exec NAME COMMAND...: run COMMAND inside namespace NAME (in the background, call ip netns
# exec directly, so that $! is the command's PID)
ns_exec() {
	local ns
	ns=$(ns_of "$1")
	shift
	ip netns exec "$ns" "$@"
}

# ns_hosts NAME "ADDRESS HOSTNAME..."...: an /etc/hosts of the namespace's own (ip netns exec
# mounts /etc/netns/<namespace>/hosts over /etc/hosts), removed with the namespace
ns_hosts() {
	local dir
	dir=/etc/netns/$(ns_of "$1")
	shift
	mkdir -p "$dir" || fatal "mkdir $dir failed"
	{
		echo "127.0.0.1 localhost"
		printf '%s\n' "$@"
	} >"$dir/hosts"
}

# link_add A B N: a veth link between namespaces A (10.123.N.1/24, fd00:123:N::1/64) and B
# (10.123.N.2/24, fd00:123:N::2/64; no duplicate address detection: usable at once)
link_add() {
	local a=$1 b=$2 n=$3 ns_a ns_b if_a="${RUN}l${3}a" if_b="${RUN}l${3}b"
	ns_a=$(ns_of "$a")
	ns_b=$(ns_of "$b")
	ip link add "$if_a" netns "$ns_a" type veth peer name "$if_b" netns "$ns_b" ||
		fatal "veth $a-$b failed"
	if ! ip -n "$ns_a" addr add "10.123.$n.1/24" dev "$if_a" ||
		! ip -n "$ns_b" addr add "10.123.$n.2/24" dev "$if_b" ||
		! ip -n "$ns_a" addr add "fd00:123:$n::1/64" dev "$if_a" nodad ||
		! ip -n "$ns_b" addr add "fd00:123:$n::2/64" dev "$if_b" nodad ||
		! ip -n "$ns_a" link set "$if_a" up || ! ip -n "$ns_b" link set "$if_b" up; then
		fatal "addresses on link $a-$b failed"
	fi
}

# block_ntp NAME: nft drops NTP (UDP port 123) to and from namespace NAME
block_ntp() {
	ns_exec "$1" nft -f - <<-'EOF'
		table inet tsyncd_test {
			chain output {
				type filter hook output priority 0; policy accept;
				udp dport 123 drop
			}
			chain input {
				type filter hook input priority 0; policy accept;
				udp sport 123 drop
			}
		}
	EOF
}
# unblock_ntp NAME: removes block_ntp's rules
unblock_ntp() { ns_exec "$1" nft delete table inet tsyncd_test; }

# ---- daemons ----

# dir_of NAME: the temporary directory of daemon NAME (config, log, control socket, chroot)
dir_of() { echo "$ITEST_TMP/$1"; }
ctl_socket() { echo "$ITEST_TMP/$1/tsyncd.sock"; }
log_of() { echo "$ITEST_TMP/$1/tsyncd.log"; }
drift_of() { echo "$ITEST_TMP/$1/state/tsyncd.drift"; }

# tsyncd_start NAME [TSYNCD ARGS...] <CONFIG: start tsyncd in namespace NAME with the common
# lines (control socket, log, drift file, user $ITEST_UID, chroot, port) and the configuration lines
# read from stdin (server, clock, local, allow...). The environment is passed on (for example
# TSYNCD_TEST_HOOKS=1). Waits (10 s at most) until it answers on its control socket.
tsyncd_start() {
	local name=$1 dir
	shift
	dir=$(dir_of "$name")
	# the drift file's directory belongs to the daemon's user, like ntpd's /var/lib/ntp
	if ! mkdir -p "$dir/chroot" "$dir/state" || ! chown "$ITEST_UID:$ITEST_UID" "$dir/state"; then
		fatal "mkdir $dir failed"
	fi
	{
		echo "# $name: generated by tests/integration/lib.sh"
		echo "controlsocket $dir/tsyncd.sock"
		echo "logfile $dir/tsyncd.log"
		echo "driftfile $dir/state/tsyncd.drift"
		echo "logconfig =allall"
		echo "user $ITEST_UID:$ITEST_UID"
		echo "chroot $dir/chroot"
		echo "port 123"
		cat
	} >"$dir/tsyncd.conf"
	ITEST_LOGS["$name: log"]=$dir/tsyncd.log
	ITEST_LOGS["$name: stderr"]=$dir/stderr
	ITEST_LOGS["$name: config"]=$dir/tsyncd.conf
	# not through ns_exec: a function in the background is a subshell, and $! must be tsyncd
	# (ip netns exec execs the command without forking)
	# its own runtime directory (the -g once-per-boot state), as systemd's RuntimeDirectory=
	RUNTIME_DIRECTORY=$dir/run ip netns exec "$(ns_of "$name")" "$TSYNCD" -n \
		-c "$dir/tsyncd.conf" -p "$dir/tsyncd.pid" "$@" >"$dir/stderr" 2>&1 &
	ITEST_PIDS[$name]=$!
	wait_until 10 tsyncd_answers "$name"
	alive "$name" || fatal "tsyncd $name exited at start (see its stderr below)"
	tsyncd_answers "$name" ||
		fatal "tsyncd $name did not answer on $dir/tsyncd.sock within 10 s"
}

# server_client_start OFFSET_S: namespaces "server" and "client" joined by link 1 (server
# 10.123.1.1 and fd00:123:1::1, client 10.123.1.2 and fd00:123:1::2), and tsyncd started in
# "server" as local stratum 1 serving anyone, its virtual clock OFFSET_S seconds ahead of the
# host's. The client is left to the test.
server_client_start() {
	ns_add server
	ns_add client
	link_add server client 1
	tsyncd_start server <<-EOF
		local stratum 1
		allow all
		clock virtual offset $1
	EOF
}

# tsyncd_answers NAME: the daemon is alive and its control socket answers (status exits 0 or 1);
# true as well when the daemon is dead (nothing to wait for)
tsyncd_answers() {
	local rc=0
	alive "$1" || return 0
	ctl "$1" status >/dev/null 2>&1 || rc=$?
	[ "$rc" != 2 ]
}

# tsyncd_stop NAME: SIGTERM (clean exit), SIGKILL after 3 s
tsyncd_stop() {
	stop_pid "${ITEST_PIDS[$1]}"
	unset "ITEST_PIDS[$1]"
}

pid_of() { echo "${ITEST_PIDS[$1]}"; }
# alive NAME: the process started as NAME runs (is not gone, nor a zombie)
alive() { ! proc_gone "${ITEST_PIDS[$1]}"; }

# ctl NAME COMMAND...: tsyncctl against daemon NAME (killed after 10 s: every wait is bounded)
ctl() {
	local name=$1
	shift
	timeout 10 "$TSYNCCTL" -s "$(ctl_socket "$name")" "$@"
}

# synced NAME: tsyncctl status exits 0
synced() { ctl "$1" status >/dev/null 2>&1; }
# freq_measured NAME: the daemon's frequency estimate is good enough for its drift file
# (standard error <= 2 ppm in `tsyncctl tracking`; the daemon writes no worse estimate)
freq_measured() {
	ctl "$1" tracking 2>/dev/null |
		awk '/^Frequency/ { for (i = 1; i < NF; i++) if ($i == "(sd") ok = ($(i + 1) + 0 <= 2) }
		     END { exit !ok }'
}
# unsynced NAME: tsyncctl status exits 1 (reachable daemon, not synchronised)
unsynced() {
	local rc=0
	ctl "$1" status >/dev/null 2>&1 || rc=$?
	[ "$rc" = 1 ]
}

# log_has NAME ERE: the daemon's log file matches the extended regular expression
log_has() { grep -Eq -- "$2" "$(log_of "$1")" 2>/dev/null; }
# log_count NAME ERE: the number of matching log lines
log_count() {
	local n
	n=$(grep -Ec -- "$2" "$(log_of "$1")" 2>/dev/null)
	echo "${n:-0}"
}

# step_sizes NAME: the sizes in seconds of the clock_step lines of the log, one a line
step_sizes() { sed -n 's/.*clock_step \([-+]\{0,1\}[0-9.]*\) s.*/\1/p' "$(log_of "$1")"; }

# source_field NAME ADDR FIELD: a column of the `tsyncctl sources` row of ADDR. FIELD: tally,
# refid, st, t, when, poll, reach, delay, offset, jitter (ntpq -p order).
source_field() {
	ctl "$1" sources 2>/dev/null | awk -v addr="$2" -v field="$3" '
		BEGIN { split("remote refid st t when poll reach delay offset jitter", names, " ") }
		{
			tally = substr($0, 1, 1)
			line = substr($0, 2)
			n = split(line, f, " ")
			if (n < 10 || f[1] != addr) next
			if (field == "tally") { print tally; exit }
			for (i = 1; i <= 10; i++) if (names[i] == field) { print f[i]; exit }
		}'
}

# tracking_field NAME KEY: the value after "KEY:" in `tsyncctl tracking` (first word)
tracking_field() {
	ctl "$1" tracking 2>/dev/null | awk -v key="$2" '
		{
			i = index($0, ":")
			if (i == 0) next
			k = substr($0, 1, i - 1)
			gsub(/^[ \t]+|[ \t]+$/, "", k)
			if (tolower(k) != tolower(key)) next
			v = substr($0, i + 1)
			split(v, w, " ")
			print w[1]
			exit
		}'
}

# served_offset NAME ADDR: the clock that daemon NAME (at ADDR) serves, minus the host's clock,
# in seconds, measured by an SNTP query from inside its namespace (tsyncd-independent)
served_offset() {
	local reply
	reply=$(ns_exec "$1" python3 "$ITEST_DIR/sntp.py" "$2" 1) || return 1
	echo "${reply%% *}"
}

# served_near NAME ADDR EXPECTED_S TOLERANCE_S: served_offset is within TOLERANCE_S of EXPECTED_S
# (SERVED_S: the offset measured)
SERVED_S=
served_near() {
	SERVED_S=$(served_offset "$1" "$2") || SERVED_S="no reply"
	near "$SERVED_S" "$3" "$4"
}

# check_served DESCRIPTION NAME ADDR EXPECTED_S TOLERANCE_S [WAIT_S]: served_near, retried for
# WAIT_S seconds (default 0), reported with the offset measured
check_served() {
	local what=$1
	shift
	if wait_until "${5:-0}" served_near "${@:1:4}"; then
		ok "$what (measured $SERVED_S s)"
	else
		not_ok "$what (measured $SERVED_S s)"
	fi
}

# offset_below NAME LIMIT_S: |System offset| of `tsyncctl tracking` is below LIMIT_S
offset_below() { abs_below "$(tracking_field "$1" "System offset")" "$2"; }

# event_logged NAME SOURCE EVENT: the log has ntpd's event line "SOURCE XXXX XX EVENT" (status
# word, event code), for example "10.123.1.1 8024 84 reachable" (SOURCE may have a ":123")
event_logged() { log_has "$1" "(^| )${2//./\\.}(:123)? [0-9a-f]{4} [0-9a-f]{2} $3( |$)"; }
# log_grew NAME ERE COUNT: the log has more than COUNT lines matching ERE
log_grew() { [ "$(log_count "$1" "$2")" -gt "$3" ]; }

# ---- processes ----

# child_pid NAME COMM: the PID of the child of daemon NAME whose name (comm) is COMM
child_pid() {
	local c comm
	for c in $(pgrep -P "${ITEST_PIDS[$1]}"); do
		read -r comm <"/proc/$c/comm" 2>/dev/null || continue
		if [ "$comm" = "$2" ]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}
# new_child NAME COMM OLD_PID: daemon NAME has a child COMM other than OLD_PID
new_child() {
	local c
	c=$(child_pid "$1" "$2") && [ "$c" != "$3" ]
}
# proc_status PID FIELD: the value of FIELD in /proc/PID/status ("Uid" gives four numbers)
proc_status() { awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' "/proc/$1/status"; }

# fresh_sample NAME ADDR START: the sources row of ADDR shows a sample received after START (a
# now_s value): "when" (whole seconds, rounded down) + 1 <= the time since START
fresh_sample() {
	local when
	when=$(source_field "$1" "$2" when)
	[[ $when =~ ^[0-9]+$ ]] && awk_true "$when + 1 <= $(since_s "$3")"
}

# ---- systemd's notification socket ----

# notify_listen NAME: a notification socket for daemon NAME (start it with
# NOTIFY_SOCKET=$(notify_socket NAME)); the messages go to notify_log NAME, one a line
notify_socket() { echo "$ITEST_TMP/$1/notify.sock"; }
notify_log() { echo "$ITEST_TMP/$1/notify.log"; }
notify_listen() {
	mkdir -p "$(dir_of "$1")"
	python3 "$ITEST_DIR/notify_listen.py" "$(notify_socket "$1")" "$(notify_log "$1")" &
	ITEST_PIDS[$1-notify]=$!
	ITEST_LOGS["$1: notifications"]=$(notify_log "$1")
	wait_until 5 test -S "$(notify_socket "$1")" || fatal "the notification socket of $1"
}
# notified NAME ERE: a notification to daemon NAME's socket matches ERE
notified() { grep -Eq -- "$2" "$(notify_log "$1")" 2>/dev/null; }
