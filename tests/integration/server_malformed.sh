#!/bin/bash
# SPDX-License-Identifier: ISC
# Malformed, oversized and non-client packets get no answer (no amplification, no disclosure)
# and are counted; the server keeps answering valid requests.
#   server 10.123.1.1 --- client 10.123.1.2
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

ns_add server
ns_add client
link_add server client 1
TSYNCD_SERVER_REPORT_S=1 tsyncd_start server <<-EOF
	local stratum 1
	clock virtual
	allow all
EOF

# send_all: each kind of bad packet (name, octets), then a valid request; prints one line per
# reply "LEN FIRST_OCTET" received within 1 s.
send_all() {
	ns_exec client python3 - <<-'EOF'
		import socket, struct, time
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
		xmt = struct.pack("!Q", 0x5555666677778888)
		def req(first, length=48):
		    p = bytes([first]) + bytes(39) + xmt
		    return (p + bytes(max(0, length - 48)))[:length]
		bad = [
		    bytes(0),                 # empty
		    req(0x23, 20),            # short
		    req(0x23, 47),            # one octet short
		    req(0x23, 1400),          # oversized (> 1232) and trailing junk
		    req(0x23, 60),            # 12 octets: neither extension field nor MAC
		    req(0x03),                # version 0
		    req(0x3b),                # version 7
		    req(0x26, 12),            # mode 6 (control)
		    req(0x26, 48),            # mode 6, 48 octets
		    req(0x27, 48),            # mode 7 (ntpdc: the monlist amplifier)
		    req(0x27, 200),           # mode 7, larger
		    req(0x24),                # mode 4: a server reply
		    req(0x21),                # mode 1: symmetric active
		    req(0x25),                # mode 5: broadcast
		]
		for p in bad:
		    s.sendto(p, ("10.123.1.1", 123))
		time.sleep(0.2)
		s.sendto(req(0x23), ("10.123.1.1", 123))
		s.settimeout(0.2)
		end = time.monotonic() + 1.0
		while time.monotonic() < end:
		    try:
		        d = s.recv(4096)
		    except socket.timeout:
		        continue
		    print(len(d), d[0])
	EOF
}

replies=$(send_all)
note "replies: ${replies:-none}"
check "exactly one reply: to the valid request" [ "$(wc -l <<<"$replies")" = 1 ]
check "that reply is 48 octets, mode 4, version 4" [ "$replies" = "48 36" ]

# 14 bad packets: 6 malformed (empty, short, 47, oversized, trailer, version 0 / 7 -> 7 in all),
# modes 7, 7, 4, 1, 5 -> 5 other modes; mode 6 from another host is refused (not loopback, no
# restrict rule opens queries) -> 2 mode 6 refused
# shellcheck disable=SC2317 # called through wait_until
stats_ok() { log_has server "server: served 1, .* malformed 7, other modes 5,.* mode 6 answered 0, refused 2"; }
wait_until 5 stats_ok
check "counted: 7 malformed, 5 of other modes, 2 mode 6 refused, 1 served" stats_ok
grep 'server: served' "$(log_of server)" | tail -n 1 | sed 's/^/# /'
check "the network child is still the first one (no crash)" [ "$(log_count server 'network child [0-9]+ started')" = 1 ]
finish
