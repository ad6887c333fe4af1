# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Sourced by tests/integration/chronyd_peer.sh, tests/integration/server_clients.sh and
# tests/bench/server-bench.sh: Debian packages downloaded with apt-get and unpacked with dpkg -x
# into a cache directory, never installed (installing chrony would start a service on the host).
# Several tests may share a cache directory at the same time: its lock file serialises them.

# deb_fetch DIR PACKAGE...: download the packages and unpack them into DIR/root, once: a complete
# DIR/root holds the marker file .complete. Returns non-zero when a download or unpacking fails
# (the download's output is in DIR/download.log).
deb_fetch() {
	local dir=$1
	shift
	[ -f "$dir/root/.complete" ] && return 0
	mkdir -p "$dir" || return 1
	(
		flock 9
		[ -f "$dir/root/.complete" ] && exit 0
		cd "$dir" || exit 1
		rm -f ./*.deb
		download() { apt-get -q -o APT::Sandbox::User=root download "$@" >download.log 2>&1; }
		download "$@" || { apt-get -q update >/dev/null 2>&1 && download "$@"; } || exit 1
		rm -rf root.new && mkdir root.new || exit 1
		for p in "$@"; do
			for deb in "${p}"_*.deb; do dpkg -x "$deb" root.new || exit 1; done
		done
		touch root.new/.complete && rm -rf root && mv root.new root
	) 9>"$dir/.lock"
}

# chrony_fetch DIR: Debian's chrony unpacked into DIR/root (chronyd is DIR/root/usr/sbin/chronyd);
# an executable chronyd there is taken as is
chrony_fetch() {
	[ -x "$1/root/usr/sbin/chronyd" ] || deb_fetch "$1" chrony
}

# ntpsec_tools_fetch DIR: Debian's NTPsec client tools unpacked into DIR/root (never its ntpd,
# which is in the package but never run): ntpq (python, with python3-ntp), ntpstat (the C
# one), monitoring-plugins' check_ntp_peer and check_ntp_time, and with "viz" as second
# argument ntpviz with gnuplot. Run them with ntpsec_run DIR PROGRAM ARGS...
ntpsec_tools_fetch() {
	local pkgs="ntpsec python3-ntp ntpstat monitoring-plugins-basic monitoring-plugins-common"
	[ "${2:-}" = viz ] && pkgs="$pkgs ntpsec-ntpviz gnuplot-nox gnuplot-data liblua5.4-0 fonts-liberation"
	# shellcheck disable=SC2086 # a list of package names
	deb_fetch "$1" $pkgs
}

# ntpsec_run DIR PROGRAM ARGS...: a program of ntpsec_tools_fetch DIR with its python modules,
# its libraries and Debian's python3 (the python modules are built for it)
ntpsec_run() {
	local root=$1/root prog=$2
	shift 2
	case $prog in
	ntpq | ntpviz)
		PYTHONPATH=$root/usr/lib/python3/dist-packages \
			LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu/ntp:$root/usr/lib/x86_64-linux-gnu \
			/usr/bin/python3 "$root/usr/bin/$prog" "$@"
		;;
	check_*) "$root/usr/lib/nagios/plugins/$prog" "$@" ;;
	*) LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu "$root/usr/bin/$prog" "$@" ;;
	esac
}
