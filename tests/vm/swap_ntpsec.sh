#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The ntpsec-to-tsyncd swap on a Debian system that boots systemd (vmrun --debian): ntpsec runs
# from its stock configuration, the tsyncd package (build/deb, `make deb`) is installed with apt,
# tsyncd.service is active, `tsyncctl status` exits 0 against four host-side servers (standing
# in for the stock configuration's Debian pool), the stock configuration is kept, and all of it
# holds again after a reboot of the guest; then /etc/tsyncd.conf with hwtimestamp and refclock phc
# shows that the unit's sandbox keeps NIC hardware timestamps and PHCs (igb). The checks run in the
# guest (swap_ntpsec.guest.sh). Skipped when the package is not built or no Debian guest can run.
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
swap_run igb swap_ntpsec.guest.sh
echo "systemd-analyze security tsyncd in the guest: $(sed -n 's/^SECURITY //p' "$SWAP_OUT")"
rm -f "$SWAP_OUT"
finish
