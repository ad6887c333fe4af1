# SPDX-License-Identifier: ISC
# shellcheck shell=bash
# In the Debian guest of swap_ntpsec.sh (vmrun --debian), run at each boot. Boot 1: ntpsec runs
# from its stock configuration; `apt-get install ./tsyncd.deb` replaces it; tsyncd runs from
# ntpsec's configuration, flags and user, and synchronises to the host-side servers that stand
# in for the Debian pool; then the guest reboots. Boot 2: tsyncd runs and synchronises again;
# then /etc/tsyncd.conf with hwtimestamp and refclock phc (igb): the unit's sandbox keeps them.
set -u
# shellcheck source=tests/vm/swap.guest-lib.sh
. /root/swap.guest-lib.sh
conf_sums() { sha256sum /etc/ntpsec/ntp.conf /etc/default/ntpsec; }

if [ "$TSYNC_VM_BOOT" = 1 ]; then
	echo "== boot 1: ntpsec as installed"
	check "ntpsec.service is active" systemctl is-active ntpsec
	pgrep -a ntpd
	check "ntpd runs with /etc/ntpsec/ntp.conf" pgrep -f 'ntpd .*-c /etc/ntpsec/ntp.conf'
	# (the image leaves out man pages: dpkg --verify lists them as missing)
	dpkg --verify ntpsec | grep ' /etc/' | tee /root/verify
	check "ntpsec's configuration files are as shipped (dpkg --verify ntpsec)" test ! -s /root/verify
	conf_sums >/root/conf.sums
	# the host-side servers stand in for the Debian pool (no DNS in the guest)
	echo "10.77.0.1 0.debian.pool.ntp.org" >>/etc/hosts
	for i in 1 2 3; do echo "10.77.0.$((i + 2)) $i.debian.pool.ntp.org" >>/etc/hosts; done
	install_tsyncd
	check "ntpsec is removed, its configuration kept" \
		test "$(dpkg-query -W -f='${Status}' ntpsec)" = "deinstall ok config-files"
	check "the package says it kept /etc/ntpsec/ntp.conf" \
		grep -q '^tsyncd: kept /etc/ntpsec/ntp.conf' /root/apt.log
	check "the package says what the service runs with" \
		grep -q '^tsyncd: the service runs with: configuration /etc/ntpsec/ntp.conf' /root/apt.log
	check "no ntpd runs any more" test -z "$(pgrep -x ntpd)"
	check "/etc/ntpsec/ntp.conf and /etc/default/ntpsec are unchanged" cmp -s /root/conf.sums <(conf_sums)
	check "no /etc/tsyncd.conf was installed (ntpsec's configuration is used)" test ! -e /etc/tsyncd.conf
	for name in ntp ntpd; do
		check "$name.service, ntpsec's alias, is now tsyncd.service" \
			test "$(systemctl show -P Id $name.service)" = tsyncd.service
	done
	check "tsyncd runs with ntpsec's configuration, flags (-g -N) and user" \
		journalctl -b -u tsyncd -g 'configuration /etc/ntpsec/ntp.conf; flags from /etc/default/ntpsec NTPD_OPTS: -g -N; user ntpsec'
	check "-N: SCHED_FIFO refused by the unit (EPERM, not a kill), said once, normal priority" \
		test "$(journalctl -b -u tsyncd -g 'SCHED_FIFO priority [0-9]+ refused' | grep -c refused)" = 1
	synchronised '[0-3]\.debian\.pool\.ntp\.org'
	check "every tsyncd process runs as ntpsec" test "$(ps -o user= -C tsyncd | sort -u)" = ntpsec
	# (the image leaves out man pages, which the unit's Documentation= names)
	systemd-analyze verify --man=no /lib/systemd/system/tsyncd.service >/root/verify.log 2>&1
	cat /root/verify.log
	check "systemd-analyze verify: the installed unit is clean" test ! -s /root/verify.log
	echo "SECURITY $(systemd-analyze security tsyncd | sed -n 's/.*Overall exposure level for tsyncd.service: //p')"
	check "systemd-analyze security tsyncd: 3.0 at most" systemd-analyze security --threshold=30 tsyncd
	[ "$failed" = 0 ] || exit 1
	echo "== reboot"
	exec tsyncd-vm reboot
fi

after_reboot ntpd
synchronised '[0-3]\.debian\.pool\.ntp\.org'
check "/etc/ntpsec/ntp.conf and /etc/default/ntpsec are still unchanged" cmp -s /root/conf.sums <(conf_sums)

echo "== boot $TSYNC_VM_BOOT: /etc/tsyncd.conf with NIC hardware timestamps and the igb PHC"
printf '%s\n' "server $TSYNC_VM_HOST_IP iburst minpoll 0 maxpoll 2" "hwtimestamp $TSYNC_VM_IF0" \
	"refclock phc $TSYNC_VM_PHC0 poll 0 noselect" >/etc/tsyncd.conf
systemctl restart tsyncd
check "tsyncd.service restarts" systemctl is-active tsyncd
check "tsyncd-start takes /etc/tsyncd.conf first" \
	journalctl -b -u tsyncd -g 'tsyncd-start: configuration /etc/tsyncd.conf$'
check "with /etc/tsyncd.conf every tsyncd process runs as tsyncd" \
	test "$(ps -o user= -C tsyncd | sort -u)" = tsyncd
tsyncctl waitsync 60 >/dev/null
# `sources` shows the last sample's stamps: up to 3 polls (4 s) for one stamped by the NIC
for _ in 1 2 3 4; do
	sleep 4
	tsyncctl sources >/root/hw
	grep -q "^$TSYNC_VM_HOST_IP: timestamps tx hardware" /root/hw && break
done
cat /root/hw
check "the sandbox keeps hardware timestamping: requests get hardware TX timestamps" \
	grep -q "^$TSYNC_VM_HOST_IP: timestamps tx hardware" /root/hw ||
	journalctl -b -u tsyncd -g 'hwtimestamp|hardware' | tail -20
# shellcheck disable=SC2016 # awk's fields
check "the sandbox keeps PHC refclocks: $TSYNC_VM_PHC0 is read (reach > 0)" \
	awk '$4 == "l" && $7 != 0 { found = 1 } END { exit !found }' /root/hw
exit "$failed"
