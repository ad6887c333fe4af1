#!/bin/bash
# SPDX-License-Identifier: ISC
# NTS with Debian's NTPsec (package ntpsec with python3-ntp for ntpq, unpacked by deb_fetch,
# never installed), both ways, with certificates made here (openssl). NTPsec has no "do not
# touch the clock" switch: it runs without CAP_SYS_TIME in its bounding, inheritable and
# effective sets (setpriv), with `disable ntp` and `disable kernel`, so whatever it tries on the
# clock fails (and the host clock tripwire of lib.sh checks it did not change).
#   nsrv (ntpd: NTS-KE and NTP server, orphan mode) 10.123.1.1 --- 10.123.1.2 tcli (tsyncd)
#   tsrv (tsyncd: NTS-KE and NTP server)            10.123.2.1 --- 10.123.2.2 ncli (ntpd)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/nts_lib.sh
. "$(dirname "$0")/nts_lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

NTPSEC_CACHE=${NTPSEC_CACHE:-/var/cache/tsyncd-test/ntpsec-nts}
deb_fetch "$NTPSEC_CACHE" ntpsec python3-ntp ||
	skip "cannot obtain Debian's ntpsec and python3-ntp (apt-get download failed)"
NTPD=$NTPSEC_CACHE/root/usr/sbin/ntpd
NTPQ=$NTPSEC_CACHE/root/usr/bin/ntpq
NTPSEC_PY=$NTPSEC_CACHE/root/usr/lib/python3/dist-packages
setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$NTPD" --version >/dev/null 2>&1 || skip "the unpacked ntpd does not run here (libraries?)"
note "$(setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$NTPD" --version 2>&1 | head -n 1)"

NTS_CERTS=$ITEST_TMP/certs
nts_certs "$NTS_CERTS" ntsserver.test
ns_add nsrv
ns_add tcli
ns_add tsrv
ns_add ncli
link_add nsrv tcli 1
link_add tsrv ncli 2
ns_hosts tcli "10.123.1.1 ntsserver.test"
ns_hosts ncli "10.123.2.1 ntsserver.test"

# ntpd_start NAME CONFIG-LINES...: NTPsec's ntpd in namespace NAME, no clock control
ntpd_start() {
	local name=$1 dir
	shift
	dir=$(dir_of "$name")
	mkdir -p "$dir" && chmod 700 "$dir"
	# NTPsec refuses mode 6 queries (ntpq) unless a restrict line allows them
	printf '%s\n' "disable ntp" "disable kernel" "restrict default" "restrict 127.0.0.1" \
		"restrict ::1" "$@" >"$dir/ntp.conf"
	ITEST_LOGS["$name: ntpd log"]=$dir/ntpd.log
	ITEST_LOGS["$name: ntpd output"]=$dir/ntpd.out
	ip netns exec "$(ns_of "$name")" setpriv --bounding-set=-sys_time --inh-caps=-sys_time \
		"$NTPD" -n -c "$dir/ntp.conf" -l "$dir/ntpd.log" -p "$dir/ntpd.pid" \
		>"$dir/ntpd.out" 2>&1 &
	ITEST_PIDS[$name]=$!
	wait_until 5 ntpq "$name" -c rv || fatal "ntpq cannot talk to ntpd in $name"
	local cap
	cap=$(proc_status "${ITEST_PIDS[$name]}" CapEff)
	check "ntpd in $name runs without CAP_SYS_TIME (CapEff $cap)" [ $((0x$cap >> 25 & 1)) = 0 ]
}
ntpq() {
	local name=$1
	shift
	ip netns exec "$(ns_of "$name")" env PYTHONPATH="$NTPSEC_PY" \
		LD_LIBRARY_PATH="$NTPSEC_CACHE/root/usr/lib/x86_64-linux-gnu/ntp" timeout 10 \
		python3 "$NTPQ" -n "$@" 127.0.0.1
}

# ---- tsyncd client, NTPsec server ----
ntpd_start nsrv "nts enable" "nts cert $NTS_CERTS/ntsserver.test.pem" \
	"nts key $NTS_CERTS/ntsserver.test.key" "nts cookie $(dir_of nsrv)/nts-keys" \
	"tos orphan 3 orphanwait 1"
start=$(now_s)
tsyncd_start tcli <<-EOF
	server ntsserver.test nts iburst minpoll 0 maxpoll 0
	nts ca $NTS_CERTS/ca.pem
	clock virtual offset 0.05
EOF
# shellcheck disable=SC2317 # called through wait_until
tsyncd_selected() { [ "$(source_field tcli ntsserver.test tally)" = "*" ]; }
check "tsyncd synchronises over NTS to NTPsec" wait_until 40 tsyncd_selected
note "after $(since_s "$start") s"
ctl tcli sources
check "tsyncd's source is NTS-authenticated with cookies" \
	grep -Eq '^ntsserver.test \(10.123.1.1\): .*NTS: authenticated, [1-8] cookies' \
	<(ctl tcli sources)
check "tsyncd's clock follows NTPsec's (the host clock)" wait_until 10 offset_below tcli 0.002
ntpq nsrv -c ntsinfo
check "NTPsec served tsyncd's NTS-KE" grep -Eq 'NTS KE serves good: *[1-9]' <(ntpq nsrv -c ntsinfo)
check "NTPsec received authenticated requests" \
	grep -Eq 'NTS server recvs good: *[1-9]' <(ntpq nsrv -c ntsinfo)

# ---- NTPsec client, tsyncd server ----
nts_tsyncd_server tsrv ntsserver.test 0.1
start=$(now_s)
ntpd_start ncli "server ntsserver.test nts iburst minpoll 0 maxpoll 0" "nts ca $NTS_CERTS/ca.pem"
# shellcheck disable=SC2317 # called through wait_until
ntpsec_selected() { ntpq ncli -p | grep -q '^\*'; }
check "NTPsec synchronises over NTS to tsyncd" wait_until 40 ntpsec_selected
note "after $(since_s "$start") s"
ntpq ncli -p
ntpq ncli -c ntsinfo
check "NTPsec's NTS-KE with tsyncd succeeded" \
	grep -Eq 'NTS KE client probes good: *[1-9]' <(ntpq ncli -c ntsinfo)
check "NTPsec received authenticated replies from tsyncd" \
	grep -Eq 'NTS client recvs good: *[1-9]' <(ntpq ncli -c ntsinfo)
check "... and none it rejected" grep -Eq 'NTS client recvs w error: *0$' <(ntpq ncli -c ntsinfo)
# shellcheck disable=SC2317 # called through wait_until
ntpsec_offset_ok() {
	near "$(ntpq ncli -p | awk '/^\*/ { print $9 }')" 100 5 # ms: tsyncd is 100 ms ahead
}
check "NTPsec measures tsyncd's clock 100 ms ahead of the host's" wait_until 10 ntpsec_offset_ok
check "tsyncd served NTS" grep -Eq 'NTS-authenticated served : [1-9]' <(ctl tsrv serverstats)
finish
