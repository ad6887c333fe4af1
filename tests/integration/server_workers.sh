#!/bin/bash
# SPDX-License-Identifier: ISC
# SO_REUSEPORT worker children (TSYNCD_SERVER_WORKERS=2): sandboxed like the network child,
# answering with the system state the network child publishes (stratum 1, not 16), sharing the
# clients with the network child; a dead worker's clients are served by the others.
#   server 10.123.1.1 --- 10.123.1.2 client
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

ns_add server
ns_add client
link_add server client 1
TSYNCD_SERVER_WORKERS=2 TSYNCD_SERVER_REPORT_S=1 tsyncd_start server <<-EOF
	local stratum 1
	clock virtual
	allow all
EOF

# query_ports N: one request from each of N source ports; prints "answered stratum1"
query_ports() {
	ns_exec client python3 - "$1" <<-'EOF'
		import socket, struct, sys, time
		socks = []
		for i in range(int(sys.argv[1])):
		    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		    s.settimeout(0.5)
		    xmt = struct.pack("!Q", 0x7777000000000000 + i)
		    s.sendto(bytes([0x23]) + bytes(39) + xmt, ("10.123.1.1", 123))
		    socks.append((s, xmt))
		answered = stratum1 = 0
		for s, xmt in socks:
		    try:
		        d = s.recv(2048)
		    except socket.timeout:
		        continue
		    if len(d) == 48 and d[24:32] == xmt:
		        answered += 1
		        stratum1 += d[1] == 1
		print(answered, stratum1)
	EOF
}

w0=$(child_pid server tsyncd-srv0) || fatal "no worker 0"
w1=$(child_pid server tsyncd-srv1) || fatal "no worker 1"
root=$(dir_of server)/chroot
for w in "$w0" "$w1"; do
	check "worker $w: user $ITEST_UID" [ "$(proc_status "$w" Uid | awk '{ print $1 }')" = "$ITEST_UID" ]
	check "worker $w: no capabilities" [ "$(proc_status "$w" CapEff)" = 0000000000000000 ]
	check "worker $w: seccomp filter" [ "$(proc_status "$w" Seccomp)" = 2 ]
	check "worker $w: chrooted" [ "$(readlink "/proc/$w/root")" = "$root" ]
done

# shellcheck disable=SC2317 # called through wait_until
all_stratum1() { [ "$(query_ports 64)" = "64 64" ]; }
wait_until 5 all_stratum1
read -r answered stratum1 <<<"$(query_ports 64)"
check "64 source ports: all answered ($answered), all with stratum 1 ($stratum1)" \
	[ "$answered/$stratum1" = 64/64 ]
# shellcheck disable=SC2317 # called through wait_until
each_served() {
	local who
	for who in 'net: ' 'srv: worker 0: ' 'srv: worker 1: '; do # the children log through the parent
		log_has server "${who}server: served [1-9]" || return 1
	done
}
wait_until 5 each_served
check "the network child and both workers answered some of them" each_served

kill -KILL "$w0"
sleep 0.5
read -r answered stratum1 <<<"$(query_ports 64)"
check "worker 0 killed: 64 source ports still all answered ($answered)" [ "$answered" = 64 ]
# shellcheck disable=SC2317 # called through wait_until
gone() { ! kill -0 "$1" 2>/dev/null; }
pid=$(pid_of server)
tsyncd_stop server
check "the workers exit with the daemon" wait_until 5 gone "$w1"
check "no process of the daemon left" [ -z "$(pgrep -P "$pid")" ]
finish
