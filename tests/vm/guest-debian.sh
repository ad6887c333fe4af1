#!/bin/bash
# SPDX-License-Identifier: ISC
# The Debian guest's side of vmrun (vmrun --debian), installed by `vmrun build` as
# /usr/local/sbin/tsyncd-vm and started at every boot by tsyncd-vm.service once the system is
# up. The busybox /init of the initramfs has put the command, its environment and the --add
# files into the root file system (see guest-init.sh) and switched to systemd.
#   tsyncd-vm run      run /run/tsyncd-vm/cmd with bash in /root, its output to ttyS1, then
#                      "rc=N" to ttyS2 and power off
#   tsyncd-vm reboot   for the command: reboot the guest (systemctl reboot, a real shutdown);
#                      the command runs again after the boot, with TSYNC_VM_BOOT one higher
# TSYNC_VM_BOOT counts the boots of this run (1, 2, ...): the disk is a throw-away snapshot.
set -u
state=/var/lib/tsyncd-vm
run=/run/tsyncd-vm
status() { echo "$*" >/dev/ttyS2; }

case ${1:-} in
run)
	mkdir -p "$state"
	boot=$(($(cat "$state/boot" 2>/dev/null || echo 0) + 1))
	echo "$boot" >"$state/boot"
	sync
	# shellcheck disable=SC1091 # written by guest-init.sh
	. "$run/env.sh"
	export TSYNC_VM_BOOT=$boot PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin HOME=/root
	status "ready boot=$boot uptime=$(cut -d' ' -f1 /proc/uptime)"
	cd /root || exit 1
	bash "$run/cmd" </dev/null >/dev/ttyS1 2>&1
	rc=$?
	[ -e "$run/rebooting" ] && exit 0
	status "rc=$rc"
	sync
	systemctl poweroff --force --force
	;;
reboot)
	touch "$run/rebooting"
	status "reboot"
	systemctl reboot --check-inhibitors=no
	;;
*)
	echo "usage: tsyncd-vm run|reboot" >&2
	exit 2
	;;
esac
