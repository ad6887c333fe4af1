#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Guest side of bench_igb.sh: Debian's chronyd and tsyncd in turn drive the guest's real clock
# from the host-side server over igb, both with `hwtimestamp IFACE`, xleave and a 4 s poll, each
# from the same start (frequency 0 from a drift file, the clock 0-1 s ahead); after WARM s,
# ntpmon measures the offset for RUN s. Prints "RESULT daemon n lost mean_us rms_us max_us".
set -u
WARM=${WARM:-90} RUN=${RUN:-180} ORDER=${ORDER:-chronyd tsyncd}
server=$TSYNC_VM_HOST_IP
line="server $server iburst minpoll 2 maxpoll 2 xleave"

start_chronyd() {
	echo "0.000 1.000" >/tmp/chrony.drift
	printf '%s\nhwtimestamp %s\nmakestep 1e-3 3\ndriftfile /tmp/chrony.drift\ncmdport 0\n' \
		"$line" "$TSYNC_VM_IF0" >/tmp/chrony.conf
	chronyd -u root -d -f /tmp/chrony.conf >/tmp/chronyd.log 2>&1 &
}

start_tsyncd() {
	echo "0.000" >/tmp/tsyncd.drift
	printf '%s\nhwtimestamp %s\ndriftfile /tmp/tsyncd.drift\n' "$line" "$TSYNC_VM_IF0" \
		>/etc/tsyncd.conf
	tsyncd -n -c /etc/tsyncd.conf >/tmp/tsyncd.log 2>&1 &
}

for daemon in $ORDER; do
	date -s "@$(($(date +%s) + 1))" >/dev/null # busybox: whole seconds, so 0-1 s ahead
	"start_$daemon"
	pid=$!
	sleep "$WARM"
	ntpmon "$server" $((RUN / 2)) 2 | sed "s/^/$daemon /" >"/tmp/mon.$daemon"
	kill "$pid"
	wait "$pid" 2>/dev/null
	sed "s/^/LOG $daemon /" "/tmp/$daemon.log" | tail -n 20
	# lines: DAEMON MON N OFFSET DELAY, or DAEMON MON N lost
	awk -v d="$daemon" '$4 == "lost" { lost++; next }
		{ n++; s += $4; ss += $4 * $4; a = $4 < 0 ? -$4 : $4; if (a > max) max = a }
		END { if (n == 0) { print "RESULT", d, 0, lost + 0, "-", "-", "-"; exit }
		      printf "RESULT %s %d %d %.1f %.1f %.1f\n", d, n, lost, s / n * 1e6,
		             sqrt(ss / n) * 1e6, max * 1e6 }' "/tmp/mon.$daemon"
	awk '$4 != "lost" { print "DELAY", $1, $5 }' "/tmp/mon.$daemon" | sort -k3 -n |
		awk '{ d[NR] = $3; name = $2 } END { if (NR) printf "MEDIAN_DELAY %s %.1f\n", name, d[int((NR + 1) / 2)] * 1e6 }'
done
