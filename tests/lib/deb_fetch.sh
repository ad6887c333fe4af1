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
