#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Guest side of clock_set.sh: tsyncd synchronises the guest's real clock to the host-side server,
# then root sets the clock 100 s ahead with date(1) while tsyncd runs: tsyncd must see that
# itself (the clock guard's evidence), lift its bound and correct the clock back.
set -u
cat >/etc/tsyncd.conf <<CONF
server $TSYNC_VM_HOST_IP iburst minpoll 2 maxpoll 2
CONF
ntp_offset() { # the guest clock's offset as the host-side server sees it (chronyd -Q sets nothing)
	chronyd -u root -Q "server $TSYNC_VM_HOST_IP iburst maxsamples 4" 2>&1 |
		sed -n 's/.*System clock wrong by \([-0-9.]*\) seconds.*/\1/p'
}
tsyncd -n -c /etc/tsyncd.conf >/tmp/tsyncd.log 2>&1 &
pid=$!
tsyncctl waitsync 60 >/dev/null 2>&1
echo "WAITSYNC $?"
sleep 20 # synchronised for a while: the guard holds an anchor
date -s "@$(($(date +%s) + 100))" >/dev/null # whole seconds: 99-100 s ahead
sleep 40
echo "OFFSET after $(ntp_offset)"
kill -0 "$pid" 2>/dev/null && echo "RUNNING yes"
kill "$pid" 2>/dev/null
wait "$pid"
sed 's/^/LOG /' /tmp/tsyncd.log
