#!/bin/bash
# SPDX-License-Identifier: ISC
# NTS (RFC 8915) between tsyncd client and server, with certificates made here (openssl):
#   server   (tsyncd, NTS-KE for ntsserver.test)  10.123.1.1 --- 10.123.1.2 client
#   expired  (tsyncd, an expired certificate)     10.123.2.1 --- 10.123.2.2 client
#   tamper   (tsyncd, names the NTPv4 server 127.0.0.3, where a relay in the client's
#            namespace inverts an octet of every reply) 10.123.3.1 --- 10.123.3.2 client
#   server   10.123.4.1 --- 10.123.4.2 single (tsyncd-ntske --single-process)
# The client (tsyncd) has four NTS sources: ntsserver.test, wrong.test (the same server under a
# name its certificate does not have), expired.test and tamper.test. It must synchronise to
# ntsserver.test only, say why each other is not authenticated, survive a server restart with
# its cookie keys kept, and recover from stale cookies (NTS NAK) after one with new keys.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/nts_lib.sh
. "$(dirname "$0")/nts_lib.sh"
lib_init

certs=$ITEST_TMP/certs
NTS_CERTS=$certs
nts_certs "$certs" ntsserver.test tamper.test
nts_expired_cert "$certs" expired.test

ns_add server
ns_add expired
ns_add tamper
ns_add client
ns_add single
link_add server client 1
link_add expired client 2
link_add tamper client 3
link_add server single 4
ns_hosts client "10.123.1.1 ntsserver.test wrong.test" "10.123.2.1 expired.test" \
	"10.123.3.1 tamper.test"
ns_hosts single "10.123.4.1 ntsserver.test"

nts_tsyncd_server server ntsserver.test 0.05
nts_tsyncd_server expired expired.test 0.05
nts_tsyncd_server tamper tamper.test 0.05 "ntsntpserver 127.0.0.3"
ip -n "$(ns_of client)" addr add 127.0.0.3/8 dev lo
ns_exec client python3 "$ITEST_DIR/udp_tamper.py" 127.0.0.3 10.123.3.1 100000 \
	>"$ITEST_TMP/tamper.log" 2>&1 &
ITEST_PIDS[relay]=$!
ITEST_LOGS["tamper relay"]=$ITEST_TMP/tamper.log
start=$(now_s)
tsyncd_start client <<-EOF
	server ntsserver.test nts iburst minpoll 0 maxpoll 0
	server wrong.test nts iburst minpoll 0 maxpoll 0
	server expired.test nts iburst minpoll 0 maxpoll 0
	server tamper.test nts iburst minpoll 0 maxpoll 0
	nts ca $certs/ca.pem
	clock virtual
	EOF

# shellcheck disable=SC2317 # called through wait_until
sys_peer_is() { [ "$(source_field client "$1" tally)" = "*" ]; }
wait_until 20 sys_peer_is ntsserver.test
check "the client synchronises over NTS to ntsserver.test (${WAITED_S} s)" \
	sys_peer_is ntsserver.test
# the start-up majority waits up to 16 s for the three sources that never authenticate
check "the client's clock follows the server (+50 ms)" \
	wait_until 30 offset_below client 0.002
ctl client sources
check "tsyncctl sources shows ntsserver.test authenticated with cookies" \
	grep -Eq '^ntsserver.test \(10.123.1.1\): .*NTS: authenticated, [1-8] cookies, last NTS-KE' \
	<(ctl client sources)
check "the server answered with NTS" \
	grep -Eq 'NTS-authenticated served : [1-9]' <(ctl server serverstats)

# the rejected sources, each with its reason in the log
check "wrong host name: rejected with a clear log line" \
	wait_until 5 log_has client "source wrong.test: NTS-KE failed \(certificate not accepted: .*name in the certificate does not match"
check "expired certificate: rejected with a clear log line" \
	wait_until 5 log_has client "source expired.test: NTS-KE failed \(certificate not accepted: .*expired"
check "tampered replies: rejected with a clear log line" \
	wait_until 10 log_has client "source tamper.test: [0-9]+ NTS reply\(ies\) not authentic, dropped \(the authenticator does not verify"
check "the relay did relay tamper.test's replies" grep -q relayed "$ITEST_TMP/tamper.log"
check "tamper.test polls the NTPv4 server NTS-KE named (127.0.0.3)" \
	grep -q '^tamper.test (127.0.0.3)' <(ctl client sources)
for peer in expired.test tamper.test; do
	reach=$(source_field client "$peer" reach)
	check "no sample from the unauthenticated source $peer (reach ${reach:-?})" [ "${reach:-x}" = 0 ]
done
check "the wrong-name source is never polled (no NTP without NTS)" \
	not grep -Eq "wrong.test.*(reachable|sys_peer)" "$(log_of client)"

# the sandbox of the NTS-KE processes, and no TLS library in tsyncd
for name in client server; do
	pid=$(child_pid "$name" tsyncd-ntske) || fatal "no tsyncd-ntske child of $name"
	check "$name's NTS-KE process: CapEff 0 ($(proc_status "$pid" CapEff))" \
		[ "$(proc_status "$pid" CapEff)" = 0000000000000000 ]
	check "$name's NTS-KE process: Seccomp 2 ($(proc_status "$pid" Seccomp))" \
		[ "$(proc_status "$pid" Seccomp)" = 2 ]
	check "$name's NTS-KE process: the daemon's user $ITEST_UID, as its parent" \
		[ "$(proc_status "$pid" Uid | awk '{ print $1 $2 $3 $4 }')" = "$ITEST_UID$ITEST_UID$ITEST_UID$ITEST_UID" ]
	check "$name's NTS-KE process holds no log file (its lines go to the parent)" \
		not grep -q tsyncd.log <(ls -l "/proc/$pid/fd" 2>/dev/null)
done
check "the parent says the NTS-KE process started (and logs for it)" \
	log_has client "NTS-KE process [0-9]+ started"
check "tsyncd does not link GnuTLS (ldd)" not grep -q gnutls <(ldd "$TSYNCD")
check "tsyncd has no GnuTLS symbol (nm -D)" not grep -q gnutls_ <(nm -D "$TSYNCD")
check "tsyncd-ntske links GnuTLS" grep -q libgnutls <(ldd "$top_builddir/tsyncd-ntske")
keys=$(dir_of server)/state/nts-keys
check "the cookie keys are readable by the daemon's user only ($(stat -c '%a %u' "$keys"))" \
	[ "$(stat -c '%a %u' "$keys")" = "600 $ITEST_UID" ]

# a restart with the cookie keys kept: the cookies stay valid
tsyncd_stop server
nts_tsyncd_server server ntsserver.test 0.05
mark=$(now_s)
check "after a restart with the keys kept, NTS samples come again" \
	wait_until 15 fresh_sample client ntsserver.test "$mark"
check "... without an NTS NAK" not log_has client "NTS NAK"
check "... and without a new NTS-KE" [ "$(log_count client 'ntsserver.test: NTS-KE done')" = 1 ]

# a restart with new keys: the client's cookies are stale (and two SO_REUSEPORT workers answer
# NTS too, with the keys the network child publishes)
tsyncd_stop server
rm -f "$keys"
TSYNCD_SERVER_WORKERS=2 nts_tsyncd_server server ntsserver.test 0.05
check "stale cookies: the server sends an NTS NAK and says so" \
	wait_until 15 log_has server "NTS NAK sent \(cookie sealed with a key no longer held\)"
check "stale cookies: the client logs the NTS NAK" \
	wait_until 10 log_has client "source ntsserver.test: NTS NAK: the server does not accept our cookies"
check "stale cookies: the client runs NTS-KE again" \
	wait_until 10 log_grew client "ntsserver.test: NTS-KE done" 1
mark=$(now_s)
check "... and gets authenticated samples again" wait_until 15 fresh_sample client ntsserver.test "$mark"
check "... from a server with workers" log_has server "server worker 1 started"

# a new network child gets a new NTS-KE channel and runs NTS-KE again
old=$(child_pid client tsyncd-net)
kill -KILL "$old"
check "a restarted network child runs NTS-KE again" \
	wait_until 15 log_grew client "ntsserver.test: NTS-KE done" 2
mark=$(now_s)
check "... and gets authenticated samples" wait_until 15 fresh_sample client ntsserver.test "$mark"

# the NTS-KE process dies: tsyncd goes on, the source lives on the cookies its replies bring
kill -KILL "$(child_pid client tsyncd-ntske)"
check "the NTS-KE process's death is logged, tsyncd goes on" \
	wait_until 5 log_has client "NTS-KE is unavailable until tsyncd restarts"
mark=$(now_s)
sleep 10 # more polls than cookies held: only cookies from the replies keep it going
check "... and its NTS source still gets authenticated samples" \
	fresh_sample client ntsserver.test "$mark"
check "tsyncd is still running" alive client

# `nobody` (shared with unrelated services) may not be able to replace the cookie keys
ns_add nobody
dir=$(dir_of nobody)
mkdir -p "$dir/chroot" "$dir/keys" && chown nobody "$dir/keys"
printf '%s\n' "controlsocket none" "logfile $dir/tsyncd.log" "user nobody" "chroot $dir/chroot" \
	"clock none" "nts cert $certs/ntsserver.test.pem" "nts key $certs/ntsserver.test.key" \
	"nts cookie $dir/keys/nts-keys" >"$dir/tsyncd.conf"
rc=0
ns_exec nobody timeout 10 "$TSYNCD" -n -c "$dir/tsyncd.conf" >"$dir/stderr" 2>&1 || rc=$?
check "user nobody owning the cookie keys' directory: refused at start (exit status $rc)" [ "$rc" = 1 ]
check "... and the log says why" grep -q "nobody.*NTS cookie keys' directory" "$dir/tsyncd.log"

# contradictions: NTS and interleaved mode on one line
printf 'server a.example nts xleave\n' >"$ITEST_TMP/xleave.conf"
out=$("$TSYNCD" --check-config -c "$ITEST_TMP/xleave.conf" 2>&1)
check "nts with xleave: a configuration error naming the line" \
	grep -q "xleave.conf:1: nts and xleave cannot be combined" <<<"$out"

# one process: tsyncd refuses NTS, tsyncd-ntske runs the NTS-KE role inline
printf 'server 127.0.0.1 nts\nclock none\ncontrolsocket none\n' >"$ITEST_TMP/single.conf"
out=$(timeout 10 "$TSYNCD" -n --single-process -c "$ITEST_TMP/single.conf" 2>&1)
check "tsyncd --single-process refuses NTS and names tsyncd-ntske" \
	grep -q "runs in tsyncd-ntske --single-process" <<<"$out"
TSYNCD=$top_builddir/tsyncd-ntske tsyncd_start single --single-process < <(printf '%s\n' \
	"server ntsserver.test nts iburst minpoll 0 maxpoll 0" "nts ca $certs/ca.pem" "clock virtual")
# shellcheck disable=SC2317 # called through wait_until
single_synced() { [ "$(source_field single ntsserver.test tally)" = "*" ]; }
check "tsyncd-ntske --single-process synchronises over NTS" wait_until 20 single_synced
note "whole test: $(since_s "$start") s"
finish
