#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The PHC of QEMU's igb NIC in the guest: it ticks at the right rate, and PTP_SYS_OFFSET and
# PTP_SYS_OFFSET_EXTENDED work (what `refclock phc` relies on).
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight igb
phcprobe=$(probe phcprobe)
# shellcheck disable=SC2016 # expanded in the guest
"$VMRUN" run --nic igb --add "$phcprobe" --timeout 120 --cmd '
echo "# igb is $TSYNC_VM_IF0, its PHC ${TSYNC_VM_PHC0:-(none)}"
[ -n "${TSYNC_VM_PHC0:-}" ] || { echo "FAIL - igb has no PHC in sysfs"; exit 1; }
phcprobe check "$TSYNC_VM_PHC0"'
