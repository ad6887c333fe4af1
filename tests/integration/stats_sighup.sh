#!/bin/bash
# SPDX-License-Identifier: ISC
# ntpd's statistics files, its leapfile and SIGHUP:
#   server 10.123.1.1 (local stratum 1) --- 10.123.1.2 client
#   client: statsdir, statistics loopstats peerstats clockstats sysstats protostats, daily files
#   linked to their plain names (sysstats: one file), leapfile (the IERS file of tests/data).
# Checked: the lines have ntpd's fields (MJD of today, seconds past midnight, ...), the current
# member is linked, protostats has the event lines; ntpq -c rv shows tai, leapsec and expire;
# SIGHUP after a logrotate-like move reopens the log and statistics files, applies a logconfig
# change and names a server change as needing a restart; NTPsec's ntpviz (Debian's, unpacked,
# with gnuplot) draws tsyncd's peerstats and loopstats into non-empty pictures.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

NTPVIZ_CACHE=${NTPVIZ_CACHE:-/var/cache/tsyncd-test/ntpviz}

server_client_start 0
dir=$(dir_of client)
stats=$dir/stats
if ! mkdir -p "$stats" || ! chown "$ITEST_UID:$ITEST_UID" "$stats"; then
	fatal "mkdir $stats failed"
fi
cp "$top_srcdir/tests/data/leap-seconds.list" "$dir/leap-seconds.list"
export TSYNCD_SYSSTATS_S=2
tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 0
	clock virtual offset 0.02
	statsdir $stats
	statistics loopstats peerstats clockstats sysstats protostats
	filegen loopstats file loopstats type day enable
	filegen peerstats file peerstats type day link enable
	filegen sysstats type none
	leapfile $dir/leap-seconds.list
EOF
unset TSYNCD_SYSSTATS_S
wait_until 20 synced client
check "the client synchronises" synced client

day=$(date -u +%Y%m%d)
mjd=$(($(date -u +%s) / 86400 + 40587))
# shellcheck disable=SC2317 # called through wait_until
lines_in() { [ "$(wc -l <"$stats/$1" 2>/dev/null || echo 0)" -ge "$2" ]; }
wait_until 15 lines_in "loopstats.$day" 5
wait_until 10 lines_in sysstats 2
ls -li "$stats"
check "loopstats.$day has lines" lines_in "loopstats.$day" 5
check "peerstats.$day has lines" lines_in "peerstats.$day" 5
check "loopstats is a link of loopstats.$day" [ "$stats/loopstats" -ef "$stats/loopstats.$day" ]
check "peerstats is a link of peerstats.$day" [ "$stats/peerstats" -ef "$stats/peerstats.$day" ]
num='-?[0-9]+\.[0-9]+'
check "loopstats lines: MJD SOD offset freq jitter wander poll (ntpd's formats)" \
	not grep -Evq "^$mjd [0-9]+\.[0-9]{3} $num $num $num $num -?[0-9]+$" "$stats/loopstats.$day"
check "peerstats lines: MJD SOD address status offset delay dispersion jitter" \
	not grep -Evq "^$mjd [0-9]+\.[0-9]{3} 10\.123\.1\.1 [0-9a-f]{4} $num $num $num $num$" \
	"$stats/peerstats.$day"
check "peerstats status words of the system peer: 96xx" \
	grep -Eq "^$mjd [0-9.]+ 10\.123\.1\.1 96[0-9a-f]{2} " "$stats/peerstats.$day"
check "sysstats lines: MJD SOD and 11 counters" \
	grep -Eq "^$mjd [0-9]+\.[0-9]{3}( [0-9]+){11}$" "$stats/sysstats"
check "protostats has the event lines (mobilize, clock_sync)" \
	grep -Eq "^$mjd [0-9.]+ 10\.123\.1\.1 8011 81 mobilize assoc" "$stats/protostats.$day"
check "the leapfile was loaded (37 s)" log_has client 'leapfile .*: 28 entries, TAI - UTC 37 s'

# ntpq's view of the leapfile (tools of the ntpq test; skipped without them)
NTPSEC_CACHE=${NTPSEC_CACHE:-/var/cache/tsyncd-test/ntpsec-tools}
if ntpsec_tools_fetch "$NTPSEC_CACHE" && [ -x /usr/bin/python3 ]; then
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	rv=$(ns_exec client timeout 20 bash -c '. "$1"; ntpsec_run "$2" ntpq -c "rv 0 tai,leapsec,expire"' \
		_ "$top_srcdir/tests/lib/deb_fetch.sh" "$NTPSEC_CACHE")
	check "ntpq -c rv: tai=37, leapsec=201701010000, expire (got: $rv)" \
		grep -q 'tai=37, leapsec=201701010000, expire=20260628' <<<"$rv"
else
	note "ntpq unavailable: its leap variables are not checked"
fi

# SIGHUP after a logrotate-like move (logrotate's "create": the new file exists, owned by the
# daemon's user, which cannot create files in the log directory); the configuration changed
# meanwhile
mv "$dir/tsyncd.log" "$dir/tsyncd.log.1"
install -m 644 -o "$ITEST_UID" /dev/null "$dir/tsyncd.log"
ITEST_LOGS["client: rotated log"]=$dir/tsyncd.log.1
mv "$stats/peerstats.$day" "$stats/peerstats.$day.1"
sed -i 's/^logconfig =allall$/logconfig =allall -syncstatus/' "$dir/tsyncd.conf"
echo "server 10.123.1.9 iburst" >>"$dir/tsyncd.conf"
kill -HUP "$(pid_of client)"
wait_until 5 log_has client 'SIGHUP: log and statistics files reopened'
check "SIGHUP: a new log file" log_has client 'SIGHUP: log and statistics files reopened'
check "SIGHUP: logconfig applied" log_has client 'SIGHUP: applied: logconfig'
check "SIGHUP: the new server needs a restart" \
	log_has client 'SIGHUP: changed since the start, applied only after a restart of tsyncd: server'
check "the daemon still runs" alive client
wait_until 10 lines_in "peerstats.$day" 2
check "SIGHUP: peerstats.$day reopened (a new file, growing)" lines_in "peerstats.$day" 2
check "the moved file is left alone" lines_in "peerstats.$day.1" 5

# ntpviz draws tsyncd's files; without it the test is skipped, unless something failed already
# skip_viz REASON
skip_viz() {
	[ "$failed" = 0 ] || finish
	skip "$1"
}
if ! ntpsec_tools_fetch "$NTPVIZ_CACHE" viz; then
	skip_viz "cannot obtain Debian's ntpsec-ntpviz and gnuplot packages (apt-get download)"
fi
bin=$ITEST_TMP/bin
mkdir -p "$bin" && cat >"$bin/gnuplot" <<-EOF
	#!/bin/sh
	LD_LIBRARY_PATH=$NTPVIZ_CACHE/root/usr/lib/x86_64-linux-gnu exec $NTPVIZ_CACHE/root/usr/bin/gnuplot-nox "\$@"
EOF
chmod +x "$bin/gnuplot"
"$bin/gnuplot" --version >/dev/null 2>&1 ||
	skip_viz "the unpacked gnuplot does not run here (its libraries: apt-get install gnuplot-nox)"
out=$ITEST_TMP/ntpviz
mkdir -p "$out"
# shellcheck disable=SC2016 # $1 .. $4 are the inner shell's
PATH=$bin:$PATH timeout 50 bash -c '. "$1"; ntpsec_run "$2" ntpviz -d "$3" -o "$4" -p 1' _ \
	"$top_srcdir/tests/lib/deb_fetch.sh" "$NTPVIZ_CACHE" "$stats" "$out" >"$out/ntpviz.log" 2>&1
ITEST_LOGS["ntpviz: output"]=$out/ntpviz.log
ls -l "$out"
for plot in local-offset local-jitter local-stability peer-offsets peer-jitters; do
	check "ntpviz drew $plot.png from tsyncd's statistics (not empty)" [ -s "$out/$plot.png" ]
done
check "ntpviz wrote its index.html" [ -s "$out/index.html" ]
[ -n "${NTPVIZ_KEEP:-}" ] && cp "$out"/*.png "$NTPVIZ_KEEP"/
finish
