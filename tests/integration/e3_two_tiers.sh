#!/bin/bash
# SPDX-License-Identifier: ISC
# (e3) of the field report, two tiers: an upstream server, "ntp-public" (a client of upstream
# and a server), and "ntp-private", which can reach only ntp-public, starts 5 minutes ahead and
# converges through it. ntp-public starts 2 s behind.
#   upstream 10.123.1.1 --- 10.123.1.2 public 10.123.2.1 --- 10.123.2.2 private
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

ns_add upstream
ns_add public
ns_add private
link_add upstream public 1
link_add public private 2

tsyncd_start upstream <<-EOF
	local stratum 1
	allow all
	clock virtual offset 0
EOF
start=$(now_s)
tsyncd_start public <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset -2
EOF
tsyncd_start private <<-EOF
	server 10.123.2.1 iburst minpoll 0 maxpoll 2
	allow all
	clock virtual offset 300
EOF

wait_until 15 synced public
note "ntp-public synchronised after $(since_s "$start") s"
check "ntp-public synchronises to upstream" synced public
pstep=$(step_sizes public | head -n 1)
check "ntp-public stepped by about +2 s (got '${pstep:-none}')" \
	near "${pstep:-}" 2 0.1
wait_until 20 synced private
note "ntp-private synchronised after $(since_s "$start") s"
check "ntp-private synchronises (within 20 s)" synced private
ctl private status

check "ntp-private: ntp-public is the system peer ('*')" \
	[ "$(source_field private 10.123.2.1 tally)" = '*' ]
check "ntp-private: ntp-public is at stratum 2 (st column)" \
	[ "$(source_field private 10.123.2.1 st)" = 2 ]
check "ntp-private: ntp-public's refid is upstream's address" \
	[ "$(source_field private 10.123.2.1 refid)" = 10.123.1.1 ]
check "ntp-private is at stratum 3" [ "$(tracking_field private Stratum)" = 3 ]
step=$(step_sizes private | head -n 1)
check "ntp-private stepped by about -300 s (got '${step:-none}')" \
	near "${step:-}" -300 0.1
wait_until 10 offset_below private 0.001
check "ntp-private: tracking offset below 1 ms (got $(tracking_field private "System offset") s)" \
	offset_below private 0.001
check_served "ntp-private's clock, read over NTP, is upstream's within 3 ms" \
	private 10.123.2.2 0 0.003
check_served "ntp-public's clock, read over NTP, is upstream's within 3 ms" \
	public 10.123.2.1 0 0.003
ctl private sources
ctl private tracking
finish
