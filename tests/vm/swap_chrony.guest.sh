# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# In the Debian guest of swap_chrony.sh (vmrun --debian), run at each boot. Boot 1: ntpsec is
# purged and chrony installed (its package from the image cache), running from its stock
# configuration; `apt-get install ./tsyncd.deb` replaces it; with no ntpd configuration on the
# host, the package installs its example /etc/tsyncd.conf (pool pool.ntp.org, whose four
# addresses are the host side here); tsyncd synchronises; reboot. Boot 2: it still does.
set -u
# shellcheck source=tests/vm/swap.guest-lib.sh
. /root/swap.guest-lib.sh
conf_sum() { sha256sum /etc/chrony/chrony.conf; }

if [ "$TSYNC_VM_BOOT" = 1 ]; then
	echo "== boot 1: chrony instead of ntpsec"
	dpkg --purge ntpsec >/dev/null
	rc=0
	apt-get install -y -q /root/chrony.deb >/root/apt-chrony.log 2>&1 || rc=$?
	check "apt-get installs chrony (exit $rc)" [ "$rc" = 0 ]
	check "chrony.service is active" systemctl is-active chrony
	check "chronyd runs from its stock configuration" test -z "$(dpkg --verify chrony | grep ' /etc/')"
	conf_sum >/root/conf.sum
	for i in 1 3 4 5; do echo "10.77.0.$i pool.ntp.org" >>/etc/hosts; done
	install_tsyncd
	check "chrony is removed, its configuration kept" \
		test "$(dpkg-query -W -f='${Status}' chrony)" = "deinstall ok config-files"
	check "no chronyd runs any more" test -z "$(pgrep -x chronyd)"
	check "the package says it installed the example as /etc/tsyncd.conf" \
		grep -q '^tsyncd: no ntpd configuration here: installed the example as /etc/tsyncd.conf' /root/apt.log
	check "/etc/tsyncd.conf is the example" cmp -s /etc/tsyncd.conf /usr/share/tsyncd/tsyncd.conf
	synchronised 'pool\.ntp\.org'
	check "every tsyncd process runs as tsyncd" test "$(ps -o user= -C tsyncd | sort -u)" = tsyncd
	check "/var/lib/tsyncd belongs to tsyncd (tmpfiles.d)" test "$(stat -c %U /var/lib/tsyncd)" = tsyncd
	check "/etc/chrony/chrony.conf is unchanged" cmp -s /root/conf.sum <(conf_sum)
	[ "$failed" = 0 ] || exit 1
	echo "== reboot"
	exec tsyncd-vm reboot
fi

after_reboot chronyd
synchronised 'pool\.ntp\.org'
exit "$failed"
