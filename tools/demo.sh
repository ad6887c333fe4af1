#!/bin/bash
# SPDX-License-Identifier: ISC
# The demo: the field report's two tiers in network namespaces on this machine.
#   upstream (local stratum 1) -> ntp-public (client and server) -> ntp-private (5 minutes ahead)
# Shows ntp-private's `tsyncctl sources` every 2 s as it converges through ntp-public, then its
# `tsyncctl tracking` and the clock_step line of its log, and removes everything it created.
# Every daemon uses the virtual clock driver: the host clock is never touched.
# Usage: sudo tools/demo.sh   (Debian 12: installs the build dependencies, builds in build/ if
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
tsyncd_start ntp-public <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 0
EOF
echo "== ntp-private: server 10.123.2.1 iburst, its clock 5 minutes ahead"
start=$(now_s)
tsyncd_start ntp-private <<-EOF
	server 10.123.2.1 iburst minpoll 0 maxpoll 2
	clock virtual offset 300
EOF

synced_rounds=0
while [ "$synced_rounds" -lt 3 ] && awk_true "$(since_s "$start") < 40"; do
	echo
	echo "---- $(since_s "$start") s: ntp-private# tsyncctl sources   ($(ctl ntp-private status))"
	ctl ntp-private sources
	if synced ntp-private; then synced_rounds=$((synced_rounds + 1)); fi
	sleep 2
done
echo
echo "---- ntp-private# tsyncctl tracking"
ctl ntp-private tracking
echo
echo "---- ntp-private's log: the step"
grep -E 'clock_step|synchronised to' "$(log_of ntp-private)"
echo
if synced ntp-private; then
	echo "== ntp-private converged through ntp-public in $(since_s "$start") s; cleaning up"
else
	echo "== ntp-private did not converge within 40 s; cleaning up"
	exit 1
fi
