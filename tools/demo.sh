#!/bin/bash
# SPDX-License-Identifier: ISC
# The demo: the field report's two tiers in network namespaces on this machine.
#   upstream (local stratum 1) -> ntp-public (client and server) -> ntp-private (5 minutes ahead)
# Shows ntp-private's `tsyncctl sources` every 2 s as it converges through ntp-public, then its
# `tsyncctl tracking` and its log's event lines, each explained in one line, says when each
# clock was synchronised, and removes everything it created.
# Every daemon uses the virtual clock driver: the host clock is never touched.
# Usage: tools/demo.sh as root (Debian 12: installs the build dependencies, builds in build/ if
# needed, runs the demo)
set -u
top=$(cd "$(dirname "$0")/.." && pwd -P)
build=${BUILD_DIR:-$top/build}

# build: autogen, configure and make tsyncd and tsyncctl in $build (output in build.log)
build() {
	echo "== building tsyncd in $build (log: $build/build.log)"
	mkdir -p "$build" || return 1
	(
		cd "$top" && { [ -x configure ] || ./autogen.sh; } &&
			cd "$build" && { [ -f Makefile ] || "$top/configure"; } &&
			make -j"$(nproc)" tsyncd tsyncctl
	) >"$build/build.log" 2>&1 || {
		tail -n 30 "$build/build.log"
		return 1
	}
}
if [ ! -x "$build/tsyncd" ] || [ ! -x "$build/tsyncctl" ]; then
	"$top/tools/install-deps.sh" || { echo "demo: cannot install the build dependencies" >&2; exit 1; }
	build || { echo "demo: the build failed" >&2; exit 1; }
fi

export top_srcdir=$top top_builddir=$build
# shellcheck source=tests/integration/lib.sh
. "$top/tests/integration/lib.sh"
lib_init

echo "== three namespaces: upstream 10.123.1.1 - 10.123.1.2 ntp-public 10.123.2.1 - 10.123.2.2 ntp-private"
ns_add upstream
ns_add ntp-public
ns_add ntp-private
link_add upstream ntp-public 1
link_add ntp-public ntp-private 2

echo "== upstream: local stratum 1 (the top tier)"
tsyncd_start upstream <<-EOF
	local stratum 1
	allow all
	clock virtual offset 0
EOF
echo "== ntp-public: server 10.123.1.1 iburst, serves the private network"
public_start=$(now_s)
tsyncd_start ntp-public <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 0
EOF
echo "== ntp-private: server 10.123.2.1 iburst, its clock 5 minutes (300 s) ahead"
start=$(now_s)
tsyncd_start ntp-private <<-EOF
	server 10.123.2.1 iburst minpoll 0 maxpoll 2
	clock virtual offset 300
EOF

# show_sources: ntp-private's table, with the units the table leaves out
show_sources() {
	echo
	echo "---- $(since_s "$start") s: ntp-private# tsyncctl sources   ($(ctl ntp-private status))"
	ctl ntp-private sources
	echo "(when, poll: s since the last sample, between polls; reach: the last 8 polls, octal;" \
		"delay, offset, jitter: ms)"
}

# Every 0.25 s: note when each clock is first synchronised and when ntp-private steps; every 2 s
# the table; until ntp-private has been synchronised for 3 tables, or 40 s.
public_synced="" private_synced="" private_stepped="" synced_tables=0 next_table=0
while [ "$synced_tables" -lt 3 ] && awk_true "$(since_s "$start") < 40"; do
	# (synchronised at the first look: it took at most that long)
	[ -n "$public_synced" ] || ! synced ntp-public || public_synced=$(since_s "$public_start") ||
		true
	[ -n "$public_synced" ] || public_looked=1
	[ -n "$private_synced" ] || ! synced ntp-private || private_synced=$(since_s "$start")
	[ -n "$private_stepped" ] || ! ctl ntp-private tracking | grep -q '^Last step *: [-+0-9]' ||
		private_stepped=$(since_s "$start")
	if awk_true "$(since_s "$start") >= $next_table"; then
		show_sources
		[ -z "$private_synced" ] || synced_tables=$((synced_tables + 1))
		next_table=$(awk -v t="$next_table" 'BEGIN { print t + 2 }')
	fi
	sleep 0.25
done
echo
echo "---- ntp-private# tsyncctl tracking"
ctl ntp-private tracking

# explain LINE: one line saying what a line of tsyncd's log means
explain() {
	local line=$1 rest event detail
	rest=${line#*]: }
	case $rest in
	"synchronised to "*) echo "   = the clock is synchronised: its source, the source's stratum + 1, the offset left" ;;
	*)
		# ntpd's event line: ADDRESS STATUS-WORD EVENT-CODE NAME [DETAIL]
		read -r _ _ _ event detail <<<"$rest"
		case $event in
		restart) echo "   = event restart: the daemon started (0.0.0.0 and the status word: the system, as ntpd logs it)" ;;
		freq_not_set) echo "   = event freq_not_set: no drift file yet, the frequency starts at 0 ppm and is measured" ;;
		freq_set) echo "   = event freq_set: the frequency was read from the drift file ($detail)" ;;
		mobilize) echo "   = event mobilize: an association with this source was set up" ;;
		reachable) echo "   = event reachable: the source answers" ;;
		unreachable) echo "   = event unreachable: the source stopped answering" ;;
		sys_peer) echo "   = event sys_peer: the clock now follows this source" ;;
		clock_step) echo "   = event clock_step: the clock was stepped by $detail at once (above tinker step 0.128 s)" ;;
		clock_sync) echo "   = event clock_sync: the clock is synchronised" ;;
		spike_detect) echo "   = event spike_detect: a large offset, stepped only if later samples confirm it" ;;
		freq_mode) echo "   = event freq_mode: the frequency is being measured before the first correction" ;;
		panic_stop) echo "   = event panic_stop: the offset is above tinker panic (1000 s): the clock is left alone" ;;
		no_sys_peer) echo "   = event no_sys_peer: no source is usable: the clock runs on its last frequency" ;;
		popcorn) echo "   = event popcorn: a single outlying sample of this source was ignored" ;;
		no_reply) echo "   = event no_reply: a burst of requests got no answer" ;;
		rate_exceeded) echo "   = event rate_exceeded: the server asked to poll it less often (KoD RATE)" ;;
		access_denied) echo "   = event access_denied: the server refuses to serve this client (KoD DENY/RSTR)" ;;
		*) echo "   = event $event${detail:+ ($detail)}" ;;
		esac
		;;
	esac
}
echo
echo "---- ntp-private's log: its events, each explained below it"
grep -E ' [0-9a-f]{4} [0-9a-f]{2} [a-z_]+|synchronised to' "$(log_of ntp-private)" | head -n 20 |
	while IFS= read -r line; do
		echo "$line"
		explain "$line"
	done
echo
if [ -n "$private_synced" ]; then
	if [ -n "${public_looked:-}" ]; then
		echo "== ntp-public synchronised to upstream ${public_synced:-?} s after it started"
	else
		echo "== ntp-public synchronised to upstream within ${public_synced:-?} s after it started" \
			"(it already was at the first look)"
	fi
	echo "== ntp-private stepped its 300 s error away ${private_stepped:-?} s after it started, and" \
		"was synchronised through ntp-public ${private_synced} s after it started"
	echo "== (watched for $(since_s "$start") s in all); cleaning up"
else
	echo "== ntp-private did not synchronise within 40 s; cleaning up"
	exit 1
fi
