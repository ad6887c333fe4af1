#!/bin/bash
# SPDX-License-Identifier: ISC
# A flood of requests from 100 000 spoofed source addresses (raw socket, bounded in count and
# time) leaves the server's memory bounded (a fixed-size client table that evicts) and a
# legitimate client served all along.
#   client 10.123.1.2 --- 10.123.1.1 server 10.123.2.1 --- 10.123.2.2 attacker
#   the attacker sends from addresses in 10.200.0.0/13; the server routes them back to it
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

FLOOD_SOURCES=100000
ns_add server
ns_add client
ns_add attacker
link_add server client 1
link_add server attacker 2
ip -n "$(ns_of server)" route add 10.200.0.0/13 via 10.123.2.2 || fatal "route to the spoofed"
ns_exec server sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

TSYNCD_SERVER_REPORT_S=1 tsyncd_start server <<-EOF
	local stratum 1
	clock virtual
	allow all
	ratelimit interval -1 burst 8
EOF
net_pid=$(child_pid server tsyncd-net) || fatal "no network child"
rss_kb() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$net_pid/status"; }
rss_before=$(rss_kb)

# flood BASE: FLOOD_SOURCES mode 3 requests, each from another spoofed address of 10.BASE.0.0/14
# (BASE 200 or 204), within 15 s at most
flood() {
	ns_exec attacker timeout 20 python3 - "$FLOOD_SOURCES" "$1" <<-'EOF'
		import socket, struct, sys, time
		n, base = int(sys.argv[1]), int(sys.argv[2])
		s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
		dst = socket.inet_aton("10.123.2.1")
		ntp = bytes([0x23]) + bytes(47)
		udp_len = 8 + len(ntp)
		start = time.monotonic()
		for i in range(n):
		    src = bytes([10, base + (i >> 16), (i >> 8) & 255, i & 255])
		    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, i & 0xFFFF, 0, 64, 17, 0,
		                     src, dst)
		    udp = struct.pack("!HHHH", 40000 + (i & 1023), 123, udp_len, 0)
		    s.sendto(ip + udp + ntp, ("10.123.2.1", 0))
		    if i % 1000 == 999:
		        time.sleep(0.04)  # at most 25 000 packets/s: the flood must not just fill buffers
		    if time.monotonic() - start > 15:
		        break
		print(i + 1)
	EOF
}

# the legitimate client queries every 0.5 s during the flood (within the limit of 2/s); prints
# "answered asked"
legit_queries() {
	ns_exec client python3 - <<-'EOF'
		import socket, struct, time
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.settimeout(0.15)
		asked = answered = 0
		end = time.monotonic() + 5
		while time.monotonic() < end:
		    xmt = struct.pack("!Q", 0xABCD000000000000 + asked)
		    s.sendto(bytes([0x23]) + bytes(39) + xmt, ("10.123.1.1", 123))
		    asked += 1
		    try:
		        while True:
		            d = s.recv(2048)
		            if len(d) == 48 and d[24:32] == xmt and d[1] == 1:
		                answered += 1
		                break
		    except socket.timeout:
		        pass
		    time.sleep(0.35)
		print(answered, asked)
	EOF
}

legit_queries >"$ITEST_TMP/legit" &
legit_pid=$!
start=$(now_s)
sent=$(flood 200) || fatal "the flood did not run"
note "flood: $sent packets from distinct spoofed addresses in $(since_s "$start") s"
wait "$legit_pid"
read -r answered asked <"$ITEST_TMP/legit"
note "legitimate client during the flood: $answered of $asked answered"
check "the flood sent $FLOOD_SOURCES requests" [ "$sent" = "$FLOOD_SOURCES" ]
check "the legitimate client was served during the flood (>= 90 %)" \
	awk_true "${answered:-0} >= 0.9 * ${asked:-1}"

# shellcheck disable=SC2317 # called through wait_until
flood_done() { log_has server "server: served [0-9]+, .*clients 8192, evictions [0-9]{5,}"; }
wait_until 5 flood_done
line=$(grep 'server: served' "$(log_of server)" | tail -n 1)
note "${line#*tsyncd*: }"
check "the client table stayed at its fixed size (8192 entries) and evicted" flood_done
rss_after=$(rss_kb)
note "network child RSS: $rss_before kB before, $rss_after kB after"
check "the network child's memory grew by less than 2 MB" [ $((rss_after - rss_before)) -lt 2048 ]

# a second flood of other addresses: no further growth
flood 204 >/dev/null
rss_again=$(rss_kb)
note "after a second flood: $rss_again kB"
check "a second flood does not grow it further (< 256 kB)" [ $((rss_again - rss_after)) -lt 256 ]
check "the legitimate client is still answered" served_near server 10.123.1.1 0 0.01
check "the network child survived" [ "$(child_pid server tsyncd-net)" = "$net_pid" ]
finish
