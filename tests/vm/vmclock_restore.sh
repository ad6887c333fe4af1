#!/bin/bash
# SPDX-License-Identifier: ISC
# VMClock in a real guest: QEMU's `vmclock` device and a snapshot restore (savevm/loadvm) must make
# tsyncd in the guest notice the disruption marker and step its clock back into line.
#
# Skipped, visibly, until the guest can have the driver:
#   - QEMU 10 (bookworm-backports, tests/vm/vmrun) has the `vmclock` device;
#   - the guest needs ptp_vmclock (CONFIG_PTP_1588_CLOCK_VMCLOCK, Linux >= 6.13): Debian 12's 6.1
#     and the 6.12 kernels of bookworm(-backports) and trixie do not have it; trixie-backports'
#     7.x kernels do (ptp_vmclock.ko in linux-modules-7.3.4+deb13-amd64), but vmrun only boots
#     kernels from the host's apt sources, in the older one-package layout.
# What the disruption handling does is tested without a guest by
# tests/integration/vmclock_file.sh (a file with the device's page layout).
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"

skip() {
	echo "SKIP: $*"
	exit 77
}
VMRUN=$(dirname "$0")/vmrun
VM_DIR=${TSYNC_VM_DIR:-/var/cache/tsyncd-vm}
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is missing"
qemu-system-x86_64 -device help 2>/dev/null | grep -q 'name "vmclock"' ||
	skip "this QEMU ($(qemu-system-x86_64 --version | head -n 1)) has no vmclock device"
kver=$(cat "$VM_DIR/kver" 2>/dev/null) || skip "no guest image: run 'sudo $VMRUN build'"
deb=$(echo "$VM_DIR/debs/linux-image-$kver/"*.deb)
if [ ! -f "$deb" ] || ! dpkg-deb -c "$deb" 2>/dev/null | grep -q 'ptp_vmclock\.ko'; then
	skip "the guest kernel $kver has no ptp_vmclock driver (CONFIG_PTP_1588_CLOCK_VMCLOCK needs" \
		"Linux >= 6.13: in Debian only trixie-backports' 7.x kernels, which vmrun cannot boot yet)"
fi
skip "the guest kernel $kver has ptp_vmclock, but vmrun has no vmclock device, monitor or" \
	"snapshot drive yet: the restore test is not written"
