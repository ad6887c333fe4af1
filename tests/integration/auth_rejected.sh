#!/bin/bash
# SPDX-License-Identifier: ISC
# Symmetric keys, what must fail: a tsyncd client with keyed sources uses only the one whose
# replies are signed with its key. A tsyncd server with a different secret for the key answers
# nothing; misbehaving servers (tests/integration/ntp_badserver.py) answer every request with
# the right origin timestamp but unsigned, with a tampered MAC, under another key id, or with a
# crypto-NAK: none of these replies is used, each kind is logged once (bounded rate), and
# start-up refuses a world-writable keys file and a keyed source whose keys file is missing;
# under `restrict ... notrust` a source without a key is not used at all.
#   srv (tsyncd) 10.123.1.1, .11 --- 10.123.1.2 cli (tsyncd) 10.123.2.2 --- 10.123.2.1, .11-.13 bad
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

KEY2=0123456789abcdef0123456789abcdef01234567 # SHA1, the same on both sides
SRV_KEY1=00112233445566778899aabbccddeeff00112233
CLI_KEY1=ffeeddccbbaa99887766554433221100ffeeddcc # key 1: another secret than the server's

# keys_file NAME TEXT: the keys file of daemon NAME (root, 0600), its path on stdout
keys_file() {
	local dir
	dir=$(dir_of "$1")
	mkdir -p "$dir" && printf '%s\n' "$2" >"$dir/ntp.keys" && chmod 600 "$dir/ntp.keys" &&
		echo "$dir/ntp.keys"
}

ns_add srv
ns_add cli
ns_add bad
link_add srv cli 1
link_add bad cli 2
ip -n "$(ns_of srv)" addr add 10.123.1.11/24 dev "${RUN}l1a" || fatal "address 10.123.1.11"
for a in 11 12 13; do
	ip -n "$(ns_of bad)" addr add "10.123.2.$a/24" dev "${RUN}l2a" || fatal "address 10.123.2.$a"
done

# 1. start-up errors (before anything runs): world-writable keys file, missing keys file
conf=$(dir_of cli)/check.conf
keys=$(keys_file cli "2 SHA1 $KEY2")
printf 'keys %s\ntrustedkey 2\nserver 10.123.1.1 key 2\nclock none\n' "$keys" >"$conf"
chmod 666 "$keys"
out=$("$TSYNCD" --check-config -c "$conf" 2>&1)
rc=$?
check "a world-writable keys file is refused at start-up (exit $rc)" [ "$rc" = 1 ]
check "  with a clear message: ${out%%$'\n'*}" grep -q "$keys: keys file is writable by every user" <<<"$out"
chmod 600 "$keys"
printf 'keys %s.missing\ntrustedkey 2\nserver 10.123.1.1 key 2\nclock none\n' "$keys" >"$conf"
out=$(timeout 10 "$TSYNCD" -n -c "$conf" 2>&1)
rc=$?
check "a keyed source without its keys file is an error at start-up (exit $rc)" [ "$rc" != 0 ]
check "  naming the configuration line: ${out%%$'\n'*}" \
	grep -q "^$conf:1: keys \"$keys.missing\": No such file or directory" <<<"$out"

# 2. the server: key 2 as the client has it, key 1 with another secret
srv_keys=$(keys_file srv "1 SHA1 $SRV_KEY1
2 SHA1 $KEY2")
tsyncd_start srv <<-EOF
	local stratum 1
	allow all
	clock virtual offset 0.05
	keys $srv_keys
	trustedkey 1 2
EOF

# 3. the misbehaving servers, each counting its replies
bad=(10.123.2.1 10.123.2.11 10.123.2.12 10.123.2.13)
modes=(plain tamper wrongkey nak)
expect=("unsigned" "bad MAC" "wrong key id" "crypto-NAK")
for i in 0 1 2 3; do
	: >"$ITEST_TMP/bad$i.count"
	ip netns exec "$(ns_of bad)" python3 "$ITEST_DIR/ntp_badserver.py" "${bad[$i]}" \
		"${modes[$i]}" "$ITEST_TMP/bad$i.count" "$KEY2" &
	ITEST_PIDS[bad$i]=$!
done

cli_keys=$(keys_file cli "1 SHA1 $CLI_KEY1
2 SHA1 $KEY2")
tsyncd_start cli <<-EOF
	clock virtual
	keys $cli_keys
	trustedkey 1 2
	server 10.123.1.1 key 2 iburst minpoll 0 maxpoll 0
	server 10.123.1.11 key 1 iburst minpoll 0 maxpoll 0
	server ${bad[0]} key 2 iburst minpoll 0 maxpoll 0
	server ${bad[1]} key 2 iburst minpoll 0 maxpoll 0
	server ${bad[2]} key 2 iburst minpoll 0 maxpoll 0
	server ${bad[3]} key 2 iburst minpoll 0 maxpoll 0
	restrict 10.123.2.0/24 notrust
	server 10.123.2.14 iburst minpoll 0 maxpoll 0
EOF
start=$(now_s)

# shellcheck disable=SC2317 # called through wait_until
selected() { [ "$(source_field cli 10.123.1.1 tally)" = "*" ]; }
wait_until 30 selected
check "the source signed with the client's key is selected (after $WAITED_S s)" selected
# shellcheck disable=SC2317 # called through wait_until
replies_sent() {
	local i
	for i in 0 1 2 3; do [ "$(wc -l <"$ITEST_TMP/bad$i.count")" -ge 6 ] || return 1; done
}
wait_until 20 replies_sent
ctl cli sources
for i in 0 1 2 3; do
	n=$(wc -l <"$ITEST_TMP/bad$i.count")
	reach=$(source_field cli "${bad[$i]}" reach)
	none_used=no
	[ "$n" -ge 6 ] && [ "${reach:-}" = 0 ] && none_used=yes
	check "${modes[$i]} server: $n replies, none used (reach ${reach:-?})" [ "$none_used" = yes ]
	lines=$(log_count cli "source ${bad[$i]} \(${bad[$i]}\): .*(${expect[$i]})")
	check "  rejected as ${expect[$i]}, logged once ($lines line(s))" [ "$lines" = 1 ]
done
reach=$(source_field cli 10.123.1.11 reach)
check "the server with another secret for key 1 is never reachable (reach ${reach:-?})" \
	[ "${reach:-}" = 0 ]
stats=$(ctl srv serverstats)
bad_auth=$(awk -F': ' '/^Bad authentication/ { print $2 }' <<<"$stats")
authenticated=$(awk -F': ' '/^Authenticated requests/ { print $2 }' <<<"$stats")
both=no
[ "${authenticated:-0}" -gt 0 ] && [ "${bad_auth:-0}" -gt 0 ] && both=yes
check "the server answered signed requests (${authenticated:-?}), dropped unverifiable ones (${bad_auth:-?})" \
	[ "$both" = yes ]
check "a source without a key under restrict notrust is refused, once" \
	[ "$(log_count cli '10\.123\.2\.14 .*notrust applies and the source has no key: not used')" = 1 ]
check "  and never polled (not in the sources)" not grep -q '10\.123\.2\.14' <<<"$(ctl cli sources)"
note "test took $(since_s "$start") s after start-up"
finish
