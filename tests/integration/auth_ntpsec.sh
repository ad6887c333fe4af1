#!/bin/bash
# SPDX-License-Identifier: ISC
# Symmetric keys with NTPsec's ntpd, both ways: ntpd polls a tsyncd server with a SHA256 key
# (truncated to 20 octets on the wire, as NTPsec does), and a tsyncd client polls ntpd at two of
# its addresses, with an MD5 key given in ASCII and with a SHA1 key; at a third address with a
# key ntpd has another secret for, it gets no answer at all (NTPsec sends no crypto-NAK). ntpd comes from Debian's ntpsec
# package unpacked by deb_fetch (never installed) and runs in the foreground (-n), with
# `disable kernel`, without CAP_SYS_TIME (setpriv): every clock adjustment it tries fails with
# EPERM, so it serves the host clock unchanged, and the host clock tripwire checks that nothing
# changed. (With `disable ntp` it would never call itself synchronised, nor serve a stratum.)
#   srv (tsyncd) 10.123.1.1 --- 10.123.1.2 ntp (NTPsec) 10.123.2.1, .11, .12 --- 10.123.2.2 cli
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

NTPSEC_CACHE=${NTPSEC_CACHE:-/var/cache/tsyncd-test/ntpsec-ntpd}
CAP_SYS_TIME_BIT=25
SRV_OFFSET_S=0.1
SHA1_KEY=0123456789abcdef0123456789abcdef01234567
SHA256_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
MD5_KEY=tsyncd-md5-key # 20 characters or fewer: ASCII

[ -x "$NTPSEC_CACHE/root/usr/sbin/ntpd" ] || deb_fetch "$NTPSEC_CACHE" ntpsec ||
	skip "cannot obtain Debian's ntpsec package (apt-get download ntpsec failed)"
NTPD=$NTPSEC_CACHE/root/usr/sbin/ntpd
setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$NTPD" --version >/dev/null 2>&1 || skip "the unpacked ntpd does not run here (libraries?)"
note "$(setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$NTPD" --version)"

ns_add srv
ns_add ntp
ns_add cli
link_add srv ntp 1
link_add ntp cli 2
for a in 11 12; do
	ip -n "$(ns_of ntp)" addr add "10.123.2.$a/24" dev "${RUN}l2a" || fatal "address 10.123.2.$a"
done

dir=$(dir_of ntpd)
mkdir -p "$(dir_of srv)" "$(dir_of cli)" || fatal "mkdir failed"
mkdir -m 700 "$dir" || fatal "mkdir $dir failed"
for keys in "$(dir_of srv)/ntp.keys" "$(dir_of cli)/ntp.keys" "$dir/ntp.keys"; do
	printf '2 SHA1 %s\n3 SHA256 %s\n4 MD5 %s\n' "$SHA1_KEY" "$SHA256_KEY" "$MD5_KEY" >"$keys"
	echo "5 MD5 $(basename "$(dirname "$keys")")" >>"$keys" # another secret on each side
	chmod 600 "$keys"
done
tsyncd_start srv <<-EOF
	local stratum 1
	allow all
	clock virtual offset $SRV_OFFSET_S
	keys $(dir_of srv)/ntp.keys
	trustedkey 3
EOF

cat >"$dir/ntp.conf" <<-EOF
	server 10.123.1.1 key 3 iburst minpoll 0 maxpoll 0
	keys $dir/ntp.keys
	trustedkey 2 3 4 5
	disable kernel
	logfile $dir/ntpd.log
	logconfig =all
	statsdir $dir/
	statistics peerstats
	filegen peerstats file peerstats type none enable
EOF
ITEST_LOGS["ntpd: log"]=$dir/ntpd.log
ITEST_LOGS["ntpd: output"]=$dir/ntpd.out
ip netns exec "$(ns_of ntp)" setpriv --bounding-set=-sys_time --inh-caps=-sys_time \
	"$NTPD" -n -c "$dir/ntp.conf" -p "$dir/ntpd.pid" >"$dir/ntpd.out" 2>&1 &
ITEST_PIDS[ntpd]=$!
start=$(now_s)
wait_until 5 test -s "$dir/ntpd.log" || fatal "ntpd did not start (see its output)"
cap_eff=$(proc_status "$(pid_of ntpd)" CapEff)
check "ntpd runs without CAP_SYS_TIME (CapEff $cap_eff)" \
	[ $((0x$cap_eff >> CAP_SYS_TIME_BIT & 1)) = 0 ]

# 1. NTPsec -> tsyncd with SHA256: its peer status word (peerstats, 4th field) for the tsyncd
# server has the authentication bits (0x4000 enabled, 0x2000 okay) and selection 6 (sys.peer)
# shellcheck disable=SC2317 # called through wait_until
ntpsec_status() { awk '$3 == "10.123.1.1" { s = $4 } END { print s }' "$dir/peerstats"; }
# shellcheck disable=SC2317 # called through wait_until
ntpsec_selected() {
	local s
	s=$(ntpsec_status)
	[ -n "$s" ] && [ $((0x$s & 0x6700)) = $((0x6600)) ]
}
wait_until 40 ntpsec_selected
status=$(ntpsec_status)
check "ntpd takes tsyncd as its authenticated system peer (status ${status:-?}) after $WAITED_S s" \
	ntpsec_selected
stats=$(ctl srv serverstats)
authenticated=$(awk -F': ' '/^Authenticated requests/ { print $2 }' <<<"$stats")
check "the tsyncd server answered ${authenticated:-?} signed requests, none bad" \
	grep -q '^Bad authentication *: 0$' <<<"$stats"
check "  (at least one)" [ "${authenticated:-0}" -gt 0 ]

# 2. tsyncd -> NTPsec with MD5 (ASCII key) and SHA1, one address each
tsyncd_start cli <<-EOF
	clock virtual
	keys $(dir_of cli)/ntp.keys
	trustedkey 2 4 5
	server 10.123.2.1 key 4 iburst minpoll 0 maxpoll 0
	server 10.123.2.11 key 2 iburst minpoll 0 maxpoll 0
	server 10.123.2.12 key 5 iburst minpoll 0 maxpoll 0
EOF
# shellcheck disable=SC2317 # called through wait_until
cli_selected() { [ "$(source_field cli 10.123.2.1 tally)" = "*" ]; }
# shellcheck disable=SC2317 # called through wait_until
sha1_used() { case "$(source_field cli 10.123.2.11 tally)" in [*+]) true ;; *) false ;; esac }
wait_until 30 cli_selected
wait_until 10 sha1_used
ctl cli sources
check "the tsyncd client selects ntpd (*) with key 4 (MD5)" cli_selected
check "  and combines its replies signed with key 2 (SHA1) at the other address (+)" sha1_used
check "  and rejected none of its replies" not log_has cli 'reply rejected|crypto-NAK'
reach=$(source_field cli 10.123.2.12 reach)
check "with a key ntpd cannot verify, no answer at all (reach ${reach:-?}, nothing rejected)" \
	[ "${reach:-}" = 0 ]
# ntpd found the tsyncd server 0.1 s ahead but could not slew: it still serves the host clock
offset_ms=$(source_field cli 10.123.2.1 offset)
check "  and finds ntpd's clock is the host's, unadjusted (${offset_ms:-?} ms)" \
	near "${offset_ms:-}" 0 20
check "ntpd's clock adjustments failed (EPERM)" \
	grep -q 'adj_systime: Operation not permitted' "$dir/ntpd.log"
finish
