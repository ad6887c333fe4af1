#!/bin/bash
# SPDX-License-Identifier: ISC
# The server's access control, rate limiting and Kiss-o'-Death, seen from clients at three
# addresses of one namespace (ntpd-style rules: restrict ... kod limited / noserve / ignore):
#   server 10.123.1.1 --- client 10.123.1.2 (limited), .3 (noserve kod), .4 (ignore)
# Every reply must be 48 octets (no larger than its request), KoD replies must carry no time and
# be rate-limited themselves, and the server's counters must agree.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

ns_add server
ns_add client
link_add server client 1
client_if="${RUN}l1b"
ip -n "$(ns_of client)" addr add 10.123.1.3/24 dev "$client_if" || fatal "address .3"
ip -n "$(ns_of client)" addr add 10.123.1.4/24 dev "$client_if" || fatal "address .4"

TSYNCD_SERVER_REPORT_S=1 tsyncd_start server <<-EOF
	local stratum 1
	clock virtual
	restrict default kod limited nomodify notrap nopeer noquery
	restrict 10.123.1.3 kod noserve
	restrict 10.123.1.4 ignore
	ratelimit interval 1 burst 4 leak 0
EOF

# burst SRC COUNT: COUNT requests from SRC to the server within 0.2 s, replies collected for 1 s.
# Prints "time=N rate=N deny=N other=N bad=N": time replies, KoD RATE, KoD DENY, other replies,
# and replies that break a rule (longer than 48 octets, wrong origin, a KoD carrying a time).
burst() {
	ns_exec client python3 - "$1" "$2" <<-'EOF'
		import socket, struct, sys, time
		src, count = sys.argv[1], int(sys.argv[2])
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind((src, 0))
		sent = {}
		for i in range(count):
		    xmt = 0x1122334400000000 + i
		    s.sendto(struct.pack("!B47x", 0x23)[:40] + struct.pack("!Q", xmt), ("10.123.1.1", 123))
		    sent[xmt] = True
		    time.sleep(0.2 / count)
		counts = dict(time=0, rate=0, deny=0, other=0, bad=0)
		s.settimeout(0.1)
		end = time.monotonic() + 1.0
		while time.monotonic() < end:
		    try:
		        d = s.recv(2048)
		    except socket.timeout:
		        continue
		    if len(d) != 48:
		        counts["bad"] += 1
		        continue
		    stratum, refid = d[1], d[12:16]
		    org, rx, tx = struct.unpack("!Q", d[24:32])[0], d[32:40], d[40:48]
		    if org not in sent:
		        counts["bad"] += 1
		    elif stratum == 0:
		        key = {b"RATE": "rate", b"DENY": "deny"}.get(refid, "other")
		        counts[key] += 1
		        if struct.unpack("!Q", tx)[0] != org or d[0] >> 6 != 3:
		            counts["bad"] += 1
		    else:
		        counts["time"] += 1
		print(" ".join("%s=%d" % kv for kv in counts.items()))
	EOF
}
# count LINE KEY: the number after KEY= in a burst line
count() { sed -n "s/.*\b$2=\([0-9]*\).*/\1/p" <<<"$1"; }

r=$(burst 10.123.1.2 20)
note "limited client, 20 requests in 0.2 s: $r"
check "burst 4: exactly 4 time replies to a limited client" [ "$(count "$r" time)" = 4 ]
check "one KoD RATE (KoD replies are rate-limited too)" [ "$(count "$r" rate)" = 1 ]
check "no malformed or oversized reply" [ "$(count "$r" bad)" = 0 ]

r=$(burst 10.123.1.3 20)
note "noserve kod client: $r"
check "noserve + kod: no time, a single KoD DENY (time/deny/bad 0/1/0)" \
	[ "$(count "$r" time)/$(count "$r" deny)/$(count "$r" bad)" = 0/1/0 ]

r=$(burst 10.123.1.4 20)
note "ignored client: $r"
check "ignore: no reply at all" [ "$r" = "time=0 rate=0 deny=0 other=0 bad=0" ]

sleep 2.2 # the limited client's bucket refills one token per 2 s
r=$(burst 10.123.1.2 1)
note "limited client after 2.2 s: $r"
check "the limited client is served again once below the rate" [ "$(count "$r" time)" = 1 ]

# the counters: 61 requests: 5 served, 16 limited (1 KoD RATE), 40 denied (1 KoD DENY)
# shellcheck disable=SC2317 # called through wait_until
stats_ok() {
	log_has server "server: served 5, limited 16 \(leaked 0\), kod rate 1, kod deny 1, denied 40,"
}
wait_until 5 stats_ok
check "the server's counters: served 5, limited 16, kod rate 1, kod deny 1, denied 40" stats_ok
grep 'server: served' "$(log_of server)" | tail -n 1 | sed 's/^/# /'
finish
