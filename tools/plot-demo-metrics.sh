#!/bin/bash
# SPDX-License-Identifier: ISC
# docs/demo-metrics.svg: the metrics of a run of the demo (tools/demo.sh's two tiers in network
# namespaces: upstream -> ntp-public -> ntp-private, which starts 5 minutes ahead), sampled twice
# a second from `tsyncctl metrics` (the text the metrics listener serves). ntp-private starts
# with NTP blocked (unsynchronised, "unreachable") until 8 s, then steps; between 30 s and 45 s
# NTP is blocked again (the field report's experiment 2): synchronised drops to 0 and the error
# bound grows until the block is lifted. Plotted with Debian's gnuplot (gnuplot-nox,
# unpacked with tests/lib/deb_fetch.sh, never installed). Every clock is virtual.
# Usage: sudo tools/plot-demo-metrics.sh [OUTPUT.svg]   (about 70 s; builds in build/ first)
set -u
top=$(cd "$(dirname "$0")/.." && pwd -P)
out=${1:-$top/docs/demo-metrics.svg}
export top_srcdir=$top top_builddir=${BUILD_DIR:-$top/build}
# shellcheck source=tests/integration/lib.sh
. "$top/tests/integration/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$top/tests/lib/deb_fetch.sh"
lib_init

GNUPLOT_CACHE=${GNUPLOT_CACHE:-/var/cache/tsyncd-test/gnuplot}
deb_fetch "$GNUPLOT_CACHE" gnuplot-nox liblua5.4-0 gnuplot-data ||
	skip "cannot obtain Debian's gnuplot-nox"
gnuplot() {
	LD_LIBRARY_PATH=$GNUPLOT_CACHE/root/usr/lib/x86_64-linux-gnu \
		GNUPLOT_LIB=$GNUPLOT_CACHE/root/usr/share/gnuplot/gnuplot/5.4 \
		"$GNUPLOT_CACHE/root/usr/bin/gnuplot-nox" "$@"
}

ns_add upstream
ns_add ntp-public
ns_add ntp-private
link_add upstream ntp-public 1
link_add ntp-public ntp-private 2
tsyncd_start upstream <<-EOF
	local stratum 1
	allow all
	clock virtual offset 0
EOF
tsyncd_start ntp-public <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 0 freq 20
EOF
block_ntp ntp-private || fatal "nft rule in ntp-private's namespace"
start=$(now_s)
tsyncd_start ntp-private <<-EOF
	server 10.123.2.1 iburst minpoll 0 maxpoll 2
	clock virtual offset 300 freq -30
EOF

# value NAME METRIC: the value of an unlabelled metric in `tsyncctl metrics` of daemon NAME
data=$(dir_of plot)/metrics.dat
mkdir -p "$(dirname "$data")"
echo "# t private_offset private_bound private_sync public_offset public_bound public_sync private_freq" >"$data"
sample() {
	ctl "$1" metrics | awk '
		$1 == "ntp_system_offset_seconds" { o = $2 }
		$1 == "ntp_system_maximum_error_seconds" { b = $2 }
		$1 == "ntp_system_synchronised" { s = $2 }
		$1 == "ntp_system_frequency_ppm" { f = $2 }
		END { printf "%s %s %s %s", o, b, s, f }'
}
blocked=0
while awk_true "$(since_s "$start") < 70"; do
	t=$(since_s "$start")
	if [ "$blocked" = 0 ] && awk_true "$t >= 8"; then unblock_ntp ntp-private && blocked=1; fi
	if [ "$blocked" = 1 ] && awk_true "$t >= 30"; then block_ntp ntp-private && blocked=2; fi
	if [ "$blocked" = 2 ] && awk_true "$t >= 45"; then unblock_ntp ntp-private && blocked=3; fi
	read -r po pb ps pf <<<"$(sample ntp-private)"
	read -r qo qb qs _ <<<"$(sample ntp-public)"
	echo "$t $po $pb $ps $qo $qb $qs $pf" >>"$data"
	sleep 0.5
done
note "$(wc -l <"$data") samples"

gnuplot <<-EOF || fatal "gnuplot failed"
	set terminal svg size 900,760 dynamic font "sans,11" background rgb "white"
	set output "$out"
	set multiplot layout 3,1 title "tsyncd demo: two tiers, ntp-private starts 300 s ahead; NTP blocked on ntp-private (red) until 8 s and from 30 to 45 s"
	set grid
	set key outside right
	set xrange [0:70]
	set object 1 rect from 30, graph 0 to 45, graph 1 fc rgb "#ffe0e0" fs solid 0.6 noborder behind
	set object 2 rect from 0, graph 0 to 8, graph 1 fc rgb "#ffe0e0" fs solid 0.6 noborder behind
	set ylabel "|offset|, bound (s)"
	set logscale y
	set format y "10^{%T}"
	plot "$data" using 1:(abs(\$2) > 0 ? abs(\$2) : 1e-9) with linespoints pt 7 ps 0.4 title "ntp-private |offset|", \
	     "" using 1:3 with lines lw 2 title "ntp-private error bound", \
	     "" using 1:(abs(\$5) > 0 ? abs(\$5) : 1e-9) with linespoints pt 7 ps 0.4 title "ntp-public |offset|", \
	     "" using 1:6 with lines lw 2 title "ntp-public error bound"
	unset logscale y
	set format y "%g"
	set ylabel "synchronised"
	set yrange [-0.1:1.1]
	plot "$data" using 1:4 with steps lw 2 title "ntp-private", "" using 1:(\$7 * 0.96) with steps lw 2 title "ntp-public"
	set yrange [*:*]
	set ylabel "frequency (ppm)"
	set xlabel "seconds since ntp-private started"
	plot "$data" using 1:8 with lines lw 2 title "ntp-private correction (its clock is 30 ppm slow)"
	unset multiplot
EOF
note "wrote $out"
finish
