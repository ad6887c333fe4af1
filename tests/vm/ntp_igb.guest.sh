#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Guest side of ntp_igb.sh: tsyncd as an NTP client of the host-side server over igb with
# `hwtimestamp IFACE`, starting 3-5 s ahead, drives the guest's real clock.
set -u
RUN=${RUN:-40} # s tsyncd runs after it reports synchronised
cat >/etc/tsyncd.conf <<CONF
server $TSYNC_VM_HOST_IP iburst minpoll 2 maxpoll 2
hwtimestamp $TSYNC_VM_IF0
CONF
ntp_offset() { # the guest clock's offset as the host-side server sees it (chronyd -Q sets nothing)
	chronyd -u root -Q "server $TSYNC_VM_HOST_IP iburst maxsamples 4" 2>&1 |
		sed -n 's/.*System clock wrong by \([-0-9.]*\) seconds.*/\1/p'
}
date -s "@$(($(date +%s) + 5))" >/dev/null # whole seconds: 3-5 s ahead of the host
echo "OFFSET before $(ntp_offset)"
tsyncd -n -c /etc/tsyncd.conf >/tmp/tsyncd.log 2>&1 &
pid=$!
tsyncctl waitsync 60 >/tmp/waitsync.log 2>&1
echo "WAITSYNC $? $(cat /tmp/waitsync.log)"
sleep $((RUN / 2))
# a link reset: the driver may clear its timestamping setting; tsyncd must enable it again
ip link set "$TSYNC_VM_IF0" down
sleep 1
ip link set "$TSYNC_VM_IF0" up
sleep $((RUN / 2))
echo "# tsyncd's own view:"
tsyncctl -n tracking 2>&1 | sed 's/^/#   /'
tsyncctl -n sources 2>&1 | sed 's/^/#   /'
kill -0 "$pid" 2>/dev/null && echo "RUNNING yes"
kill "$pid" 2>/dev/null
wait "$pid"
echo "OFFSET after $(ntp_offset)"
sed 's/^/LOG /' /tmp/tsyncd.log
