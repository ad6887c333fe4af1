#!/bin/sh
# SPDX-License-Identifier: ISC
# PID 1 of the tsyncd test guest (busybox sh), installed as /init by `vmrun build`.
# Serial ports: ttyS0 kernel console, ttyS1 output of the guest command, ttyS2 status lines
# ("ready ...", then "rc=N") that vmrun reads to return the command's exit code. With
# tsyncvm.root= it boots systemd on that disk instead (guest-debian.sh runs the command there).
PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin
export PATH HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
chmod 1777 /tmp
hostname guest
ip link set lo up
stty -F /dev/ttyS1 raw -echo
stty -F /dev/ttyS2 raw -echo
status() { echo "$*" >/dev/ttyS2; }

# The modules listed at build time (NIC drivers; ptp and pps come as their dependencies).
# shellcheck disable=SC2046 # one module name per word
modprobe -a $(cat /etc/tsyncd-vm-modules)

# tsyncvm.nics=MAC0,MAC1,...: NIC i gets 10.77.i.2/24 (the host side of its tap is 10.77.i.1).
nics=
read -r cmdline </proc/cmdline
for arg in $cmdline; do
	case $arg in tsyncvm.nics=*) nics=${arg#*=} ;; esac
done
nic_index=0
for mac in $(echo "$nics" | tr , ' '); do
	dev=
	tries=0
	while [ -z "$dev" ] && [ $tries -lt 100 ]; do
		for path in /sys/class/net/*; do
			[ "$(cat "$path/address")" = "$mac" ] && dev=${path##*/}
		done
		[ -n "$dev" ] || { sleep 0.05; tries=$((tries + 1)); }
	done
	if [ -z "$dev" ]; then
		status "warning: no interface with MAC $mac"
		continue
	fi
	echo "export TSYNC_VM_IF$nic_index=$dev" >>/run/tsyncd-vm.env
	for ptp in "/sys/class/net/$dev/device/ptp/"ptp*; do
		[ -e "$ptp" ] && echo "export TSYNC_VM_PHC$nic_index=/dev/${ptp##*/}" >>/run/tsyncd-vm.env
	done
	ip addr add "10.77.$nic_index.2/24" dev "$dev"
	ip link set "$dev" up
	# operstate "up": carrier on and qdisc active, so the first packets are not dropped
	tries=0
	while [ "$(cat "/sys/class/net/$dev/operstate")" != up ] && [ $tries -lt 100 ]; do
		sleep 0.05
		tries=$((tries + 1))
	done
	nic_index=$((nic_index + 1))
done
if [ $nic_index -gt 0 ]; then
	echo "export TSYNC_VM_HOST_IP=10.77.0.1 TSYNC_VM_GUEST_IP=10.77.0.2" >>/run/tsyncd-vm.env
fi
[ -f /vm/env ] && cat /vm/env >>/run/tsyncd-vm.env
touch /run/tsyncd-vm.env
# shellcheck disable=SC1091 # written just above
. /run/tsyncd-vm.env

# tsyncvm.root=DEV (vmrun --debian): hand over to systemd on the Debian root file system DEV,
# with the command, its environment and the --add files (/vm/add) in it.
for arg in $cmdline; do
	case $arg in tsyncvm.root=*) root_dev=${arg#*=} ;; esac
done
if [ -n "${root_dev:-}" ]; then
	mkdir -p /newroot
	if ! mount -t ext4 "$root_dev" /newroot; then
		status "rc=125 (cannot mount the Debian root $root_dev)"
		poweroff -f
	fi
	[ -d /vm/add ] && cp -a /vm/add/. /newroot/
	mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /newroot/run
	mkdir -p /newroot/run/tsyncd-vm
	cp -a /vm/. /newroot/run/tsyncd-vm/
	cp /run/tsyncd-vm.env /newroot/run/tsyncd-vm/env.sh
	for fs in /dev /proc /sys; do mount -o move "$fs" "/newroot$fs"; done
	exec switch_root /newroot /sbin/init
fi
status "ready uptime=$(cut -d' ' -f1 /proc/uptime)"

cd /root || exit 1
if [ -f /vm/cmd ]; then
	bash /vm/cmd </dev/null >/dev/ttyS1 2>&1
	status "rc=$?"
else
	echo "tsyncd test guest: interactive shell; exit or 'poweroff -f' to quit"
	setsid cttyhack bash -l
	status "rc=$?"
fi
sync
poweroff -f
