#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# tsyncd's system clock driver against a real kernel: in the guest, clockprobe steps (+1.5 s,
# -2 s), slews, sets frequencies (ADJ_FREQUENCY and the ADJ_TICK range), status bits, errors and a
# leap second, and checks each effect with clock_gettime and adjtimex(modes = 0).
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
vm_preflight none
clockprobe=$(probe clockprobe) || exit 77
"$VMRUN" run --add "$clockprobe" --timeout 120 --cmd 'clockprobe driver'
