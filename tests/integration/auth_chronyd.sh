#!/bin/bash
# SPDX-License-Identifier: ISC
# Symmetric keys with Debian's chronyd, both ways: chronyd polls a tsyncd server with an
# AES128-CMAC key, and a tsyncd client polls chronyd with a SHA256 key (truncated to 20 octets
# on the wire, as chrony does for NTPv4); at another address with a key chronyd has another
# secret for, the client gets no answer at all (chrony sends no crypto-NAK). chronyd runs with -x (no clock control), without
# CAP_SYS_TIME (setpriv), from the Debian package unpacked by deb_fetch, never installed.
#   srv (tsyncd) 10.123.1.1 --- 10.123.1.2 chr (chronyd) 10.123.2.1, .11 --- 10.123.2.2 cli
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

CHRONY_CACHE=${CHRONY_CACHE:-/var/cache/tsyncd-test/chrony}
CAP_SYS_TIME_BIT=25
SRV_OFFSET_S=0.1
CMAC_KEY=2b7e151628aed2a6abf7158809cf4f3c
SHA256_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f

chrony_fetch "$CHRONY_CACHE" ||
	skip "cannot obtain Debian's chrony package (apt-get download chrony failed)"
CHRONYD=$CHRONY_CACHE/root/usr/sbin/chronyd
CHRONYC=$CHRONY_CACHE/root/usr/bin/chronyc
setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$CHRONYD" -x -v >/dev/null 2>&1 || skip "the unpacked chronyd does not run here (libraries?)"
note "$(setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$CHRONYD" -x -v | head -n 1)"

ns_add srv
ns_add chr
ns_add cli
link_add srv chr 1
link_add chr cli 2
ip -n "$(ns_of chr)" addr add 10.123.2.11/24 dev "${RUN}l2a" || fatal "address 10.123.2.11"

# the same keys in both formats: ntp.keys (hex: more than 20 characters) and chrony's keyfile
mkdir -p "$(dir_of srv)" "$(dir_of cli)"
for name in srv cli; do
	printf '1 AES128CMAC %s\n3 SHA256 %s\n5 MD5 tsyncd-%s\n' "$CMAC_KEY" "$SHA256_KEY" "$name" \
		>"$(dir_of "$name")/ntp.keys"
	chmod 600 "$(dir_of "$name")/ntp.keys"
done
tsyncd_start srv <<-EOF
	local stratum 1
	allow all
	clock virtual offset $SRV_OFFSET_S
	keys $(dir_of srv)/ntp.keys
	trustedkey 1 3
EOF

dir=$(dir_of chronyd)
mkdir -m 700 "$dir"
printf '1 AES128 HEX:%s\n3 SHA256 HEX:%s\n5 MD5 ASCII:chrony\n' "$CMAC_KEY" "$SHA256_KEY" \
	>"$dir/chrony.keys"
chmod 600 "$dir/chrony.keys"
cat >"$dir/chrony.conf" <<-EOF
	server 10.123.1.1 key 1 iburst minpoll 0 maxpoll 0
	keyfile $dir/chrony.keys
	allow 10.123.2.0/24
	pidfile $dir/chronyd.pid
	bindcmdaddress $dir/chronyd.sock
	cmdport 0
EOF
ITEST_LOGS["chronyd: output"]=$dir/chronyd.out
ip netns exec "$(ns_of chr)" setpriv --bounding-set=-sys_time --inh-caps=-sys_time \
	"$CHRONYD" -x -d -u root -f "$dir/chrony.conf" >"$dir/chronyd.out" 2>&1 &
ITEST_PIDS[chronyd]=$!
start=$(now_s)

# shellcheck disable=SC2317 # called through wait_until
chronyc() { timeout 10 "$CHRONYC" -n -h "$dir/chronyd.sock" "$@"; }
wait_until 5 chronyc tracking || fatal "chronyc cannot talk to chronyd on $dir/chronyd.sock"
cap_eff=$(proc_status "$(pid_of chronyd)" CapEff)
check "chronyd runs without CAP_SYS_TIME (CapEff $cap_eff) and with -x" \
	[ $((0x$cap_eff >> CAP_SYS_TIME_BIT & 1)) = 0 ]
grep -q 'Disabled control of system clock' "$dir/chronyd.out" || fatal "chronyd without -x?"

# 1. chronyd -> tsyncd with AES128-CMAC
# shellcheck disable=SC2317 # called through wait_until
chrony_selected() { chronyc -c sources | grep -q '^\^,\*,10\.123\.1\.1,'; }
wait_until 30 chrony_selected
check "chronyd selects the tsyncd server (^*) after $(since_s "$start") s" chrony_selected
chronyc -n authdata
# mode SK (symmetric key), key 1, a 128-bit key
check "chronyd authenticates it with symmetric key 1 (128 bits)" \
	grep -Eq '^10\.123\.1\.1 +SK +1 +[^ ]+ +128 ' <<<"$(chronyc -n authdata)"
check "chronyd's ntpdata: authenticated" \
	grep -Eq '^Authenticated +: Yes' <<<"$(chronyc ntpdata 10.123.1.1)"
stats=$(ctl srv serverstats)
check "the tsyncd server answered signed requests and found no bad one" \
	grep -q '^Bad authentication *: 0$' <<<"$stats"
authenticated=$(awk -F': ' '/^Authenticated requests/ { print $2 }' <<<"$stats")
check "  (authenticated requests: ${authenticated:-?})" [ "${authenticated:-0}" -gt 0 ]

# 2. tsyncd -> chronyd with SHA256 (truncated MAC)
tsyncd_start cli <<-EOF
	clock virtual
	keys $(dir_of cli)/ntp.keys
	trustedkey 3 5
	server 10.123.2.1 key 3 iburst minpoll 0 maxpoll 0
	server 10.123.2.11 key 5 iburst minpoll 0 maxpoll 0
EOF
# shellcheck disable=SC2317 # called through wait_until
cli_selected() { [ "$(source_field cli 10.123.2.1 tally)" = "*" ]; }
wait_until 30 cli_selected
ctl cli sources
check "the tsyncd client selects chronyd (*) with key 3 after $WAITED_S s" cli_selected
check "  and rejected none of its replies" not log_has cli 'reply rejected|crypto-NAK'
offset_ms=$(source_field cli 10.123.2.1 offset)
check "  it measures the server's time through chronyd: +$SRV_OFFSET_S s (${offset_ms:-?} ms)" \
	near "${offset_ms:-}" "$(awk "BEGIN { print $SRV_OFFSET_S * 1000 }")" 20
reach=$(source_field cli 10.123.2.11 reach)
check "with a key chronyd cannot verify, no answer at all (reach ${reach:-?}, nothing rejected)" \
	[ "${reach:-}" = 0 ]
chrony_authenticated=$(chronyc serverstats | awk -F': *' '/^Authenticated NTP packets/ { print $2 }')
check "chronyd counts the tsyncd client's requests as authenticated (${chrony_authenticated:-?})" \
	[ "${chrony_authenticated:-0}" -gt 0 ]
finish
