#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The chrony-to-tsyncd swap on a Debian system that boots systemd (vmrun --debian): chrony (the
# package vmrun build keeps in its cache) runs from its stock configuration, the tsyncd package
# replaces it; with no ntpd configuration the package installs its example /etc/tsyncd.conf,
# tsyncd synchronises to the host side, chrony's configuration is kept, and all of it holds
# again after a reboot. The checks run in the guest (swap_chrony.guest.sh). Skipped when the
# package is not built or no Debian guest can run here.
set -u
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/lib.sh"
chrony_deb=$(echo "$("$VMRUN" path)"/debs/chrony/chrony_*.deb)
if [ ! -f "$chrony_deb" ]; then
	echo "SKIP: no chrony package in $("$VMRUN" path)/debs/chrony (vmrun build)" >&2
	exit 77
fi
swap_run virtio-net-pci swap_chrony.guest.sh --add "$chrony_deb:/root/chrony.deb"
rm -f "$SWAP_OUT"
finish
