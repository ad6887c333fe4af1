#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tsyncd's timestamping modules on QEMU's igb, as an NTP client uses them (hwtsprobe): the NIC
# grants TX stamping and refuses RX filters (as a real 82576 does); requests to the host-side
# NTP server get hardware TX stamps that agree with the kernel's, and replies fall back to
# kernel RX stamps. The PHC is first set 1000 s ahead, so that a stamp left unconverted or
# converted the wrong way cannot pass for a good one.
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight igb
hwtsprobe=$(probe hwtsprobe) || exit 77
# shellcheck disable=SC2016 # expanded in the guest
"$VMRUN" run --nic igb --host-ntp --add "$hwtsprobe" --timeout 120 \
	--cmd 'phc_ctl "$TSYNC_VM_PHC0" adj 1000 | grep -v "^$"
hwtsprobe "$TSYNC_VM_IF0" "$TSYNC_VM_HOST_IP"'
