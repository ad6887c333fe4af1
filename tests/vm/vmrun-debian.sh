# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# Sourced by vmrun: `vmrun build` makes the root file system of --debian guests with this.
#
# The Debian root file system of --debian guests, from Debian's archive only (mmdebstrap): systemd,
# ntpsec enabled with its stock configuration, the libraries tsyncd's package needs and chrony's
# dependencies (so that both install offline: chrony's package is $VM_DIR/debs/chrony) and the
# runner (guest-debian.sh). Made once as $VM_DIR/debian.img (ext4); guests boot a snapshot of
# it, so nothing they do stays. mmdebstrap keeps services from starting while it installs, and
# runs without CAP_SYS_TIME: no maintainer script can touch the host clock.
DEBIAN_PKGS="systemd systemd-sysv ntpsec procps libnl-3-200 libnl-genl-3-200 libnl-route-3-200
libcap-ng0 libseccomp2 iproute2 ucf libedit2"
DEBIAN_MASKED="getty@tty1.service serial-getty@ttyS0.service apt-daily.timer apt-daily-upgrade.timer
e2scrub_reap.service e2scrub_all.timer fstrim.timer"
DEBIAN_MIRROR=${TSYNC_VM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY=${TSYNC_VM_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}

host_codename() { (. /etc/os-release && echo "${ID:-}:${VERSION_CODENAME:-}"); }

debian_stamp() {
	{
		sha256sum "$HERE/guest-debian.sh" "$HERE/vmrun-debian.sh"
		echo "$DEBIAN_MIRROR $(host_codename)"
	} | sha256sum | cut -c1-16
}

# customize_debian_root DIR: a fixed identity, no getty or timers, the runner unit.
customize_debian_root() {
	local root=$1 unit
	echo guest >"$root/etc/hostname"
	printf '%s\n' "127.0.0.1 localhost" "127.0.1.1 guest" >"$root/etc/hosts"
	echo 7473796e63642d766d2d677565737431 >"$root/etc/machine-id" # no first-boot setup
	: >"$root/etc/fstab"                                           # / stays as /init mounted it
	for unit in $DEBIAN_MASKED; do ln -sfn /dev/null "$root/etc/systemd/system/$unit"; done
	install -m 0755 "$HERE/guest-debian.sh" "$root/usr/local/sbin/tsyncd-vm"
	printf '%s\n' "[Unit]" "Description=tsyncd vm test: the command of vmrun" \
		"ConditionPathExists=/run/tsyncd-vm/cmd" \
		"After=network.target time-sync.target ntpsec.service chrony.service tsyncd.service" \
		"[Service]" "ExecStart=/usr/local/sbin/tsyncd-vm run" \
		"[Install]" "WantedBy=multi-user.target" >"$root/etc/systemd/system/tsyncd-vm.service"
	ln -sfn ../tsyncd-vm.service "$root/etc/systemd/system/multi-user.target.wants/tsyncd-vm.service"
	echo "tsyncd test guest: its clock may be changed" >"$root/etc/tsyncd-vm-guest"
}

build_debian_root() {
	local force=$1 dir=$VM_DIR/debian.d codename excludes=() d
	if [ -z "$force" ] && [ -s "$VM_DIR/debian.img" ] &&
		[ "$(cat "$VM_DIR/debian.stamp" 2>/dev/null)" = "$(debian_stamp)" ]; then
		say "up to date: $VM_DIR/debian.img"
		return 0
	fi
	codename=$(host_codename)
	case $codename in
	debian:?*) codename=${codename#debian:} ;;
	*) say "not Debian ($codename): no Debian guest image, the --debian tests will be skipped" && return 0 ;;
	esac
	rm -rf "$dir" "$VM_DIR/debian.stamp"
	# small: no documentation, no translations; merged /usr set up by mmdebstrap's hook, so
	# that usrmerge (and perl with it) is not needed
	for d in man doc locale info; do excludes+=(--dpkgopt="path-exclude=/usr/share/$d/*"); done
	say "Debian root: mmdebstrap $codename (systemd, ntpsec) from $DEBIAN_MIRROR, without CAP_SYS_TIME"
	# shellcheck disable=SC2086 # one package per word
	setpriv --bounding-set=-sys_time --inh-caps=-sys_time -- mmdebstrap --variant=minbase \
		--mode=root --include="$(echo $DEBIAN_PKGS | tr ' ' ,)" "${excludes[@]}" \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		--dpkgopt='path-include=/usr/share/doc/*/copyright' "$codename" "$dir" \
		"deb $DEBIAN_MIRROR $codename main" "deb $DEBIAN_MIRROR $codename-updates main" \
		"deb $DEBIAN_SECURITY $codename-security main" >"$VM_DIR/debian.log" 2>&1 ||
		{ tail -n 20 "$VM_DIR/debian.log" >&2; die "mmdebstrap failed (log: $VM_DIR/debian.log)"; }
	customize_debian_root "$dir"
	# room for the packages a test installs and for the journal
	rm -f "$VM_DIR/debian.img.tmp"
	mke2fs -q -t ext4 -L tsyncd-guest -d "$dir" "$VM_DIR/debian.img.tmp" \
		"$(($(du -sm "$dir" | cut -f1) + 400))M" >/dev/null || die "mke2fs -d $dir failed"
	mv "$VM_DIR/debian.img.tmp" "$VM_DIR/debian.img"
	rm -rf "$dir"
	debian_stamp >"$VM_DIR/debian.stamp"
	say "ok: $VM_DIR/debian.img ($(du -sh "$VM_DIR/debian.img" | cut -f1) used)"
}
