#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The PHC of QEMU's igb NIC in the guest: it ticks at the right rate, PTP_SYS_OFFSET and
# PTP_SYS_OFFSET_EXTENDED work (phcprobe check), and tsyncd's own PHC module (hwts/phc.c) finds
# it by device and by interface name and reads offsets that agree with raw readings (phcprobe
# tsyncd). hwts-probe's report of the interface is shown too.
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight igb
phcprobe=$(probe phcprobe) || exit 77
adds=("$phcprobe")
[ -x "$top_builddir/hwts/hwts-probe" ] && adds+=("$top_builddir/hwts/hwts-probe")
# shellcheck disable=SC2016 # expanded in the guest
"$VMRUN" run --nic igb --add "${adds[@]}" --timeout 120 --cmd '
echo "# igb is $TSYNC_VM_IF0, its PHC ${TSYNC_VM_PHC0:-(none)}"
[ -n "${TSYNC_VM_PHC0:-}" ] || { echo "FAIL - igb has no PHC in sysfs"; exit 1; }
rc=0
phcprobe check "$TSYNC_VM_PHC0" || rc=1
phcprobe tsyncd "$TSYNC_VM_PHC0" "$TSYNC_VM_PHC0" || rc=1
phcprobe tsyncd "$TSYNC_VM_IF0" "$TSYNC_VM_PHC0" || rc=1
if command -v hwts-probe >/dev/null; then
	hwts-probe -n 3 "$TSYNC_VM_IF0" | sed "s/^/# hwts-probe: /"
fi
exit $rc'
