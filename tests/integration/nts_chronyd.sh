#!/bin/bash
# SPDX-License-Identifier: ISC
# NTS with Debian's chronyd (package chrony, unpacked by deb_fetch, never installed; -x: it
# never controls the clock, and it runs without CAP_SYS_TIME), both ways, with certificates
# made here (openssl):
#   csrv (chronyd: NTS-KE and NTP server)   10.123.1.1 --- 10.123.1.2 tcli (tsyncd client)
#   tsrv (tsyncd: NTS-KE and NTP server)    10.123.2.1 --- 10.123.2.2 ccli (chronyd client)
# The tsyncd client must synchronise to chronyd over NTS (its virtual clock 50 ms ahead of the
# host's, chronyd serving the host clock), and chronyd to tsyncd (`chronyc authdata`: NTS with
# cookies; `chronyc sources`: ^*).
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/integration/nts_lib.sh
. "$(dirname "$0")/nts_lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

CHRONY_CACHE=${CHRONY_CACHE:-/var/cache/tsyncd-test/chrony}
chrony_fetch "$CHRONY_CACHE" ||
	skip "cannot obtain Debian's chrony package (apt-get download chrony failed)"
CHRONYD=$CHRONY_CACHE/root/usr/sbin/chronyd
CHRONYC=$CHRONY_CACHE/root/usr/bin/chronyc
setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$CHRONYD" -x -v 2>/dev/null | grep -q '+NTS' || skip "the unpacked chronyd has no NTS"
note "$(setpriv --bounding-set=-sys_time --inh-caps=-sys_time "$CHRONYD" -x -v | head -n 1)"

NTS_CERTS=$ITEST_TMP/certs
nts_certs "$NTS_CERTS" ntsserver.test
ns_add csrv
ns_add tcli
ns_add tsrv
ns_add ccli
link_add csrv tcli 1
link_add tsrv ccli 2
ns_hosts tcli "10.123.1.1 ntsserver.test"
ns_hosts ccli "10.123.2.1 ntsserver.test"

# chronyd_start NAME: chronyd in namespace NAME with $(dir_of NAME)/chrony.conf, no clock
# control, no CAP_SYS_TIME
chronyd_start() {
	local dir
	dir=$(dir_of "$1")
	ITEST_LOGS["$1: chronyd output"]=$dir/chronyd.out
	ip netns exec "$(ns_of "$1")" setpriv --bounding-set=-sys_time --inh-caps=-sys_time \
		"$CHRONYD" -x -d -u root -f "$dir/chrony.conf" >"$dir/chronyd.out" 2>&1 &
	ITEST_PIDS[$1]=$!
	wait_until 5 chronyc "$1" tracking || fatal "chronyc cannot talk to chronyd in $1"
}
chronyc() {
	local name=$1
	shift
	timeout 10 "$CHRONYC" -n -h "$(dir_of "$name")/chronyd.sock" "$@"
}
chrony_conf() {
	local dir
	dir=$(dir_of "$1")
	shift
	mkdir -p "$dir" && chmod 700 "$dir"
	printf '%s\n' "pidfile $dir/chronyd.pid" "bindcmdaddress $dir/chronyd.sock" "cmdport 0" \
		"$@" >"$dir/chrony.conf"
}

# ---- tsyncd client, chronyd server ----
chrony_conf csrv "local stratum 1" "allow all" "ntsservercert $NTS_CERTS/ntsserver.test.pem" \
	"ntsserverkey $NTS_CERTS/ntsserver.test.key" "ntsdumpdir $(dir_of csrv)"
chronyd_start csrv
start=$(now_s)
tsyncd_start tcli <<-EOF
	server ntsserver.test nts iburst minpoll 0 maxpoll 0
	nts ca $NTS_CERTS/ca.pem
	clock virtual offset 0.05
EOF
# shellcheck disable=SC2317 # called through wait_until
tsyncd_selected() { [ "$(source_field tcli ntsserver.test tally)" = "*" ]; }
check "tsyncd synchronises over NTS to chronyd" wait_until 30 tsyncd_selected
note "after $(since_s "$start") s"
ctl tcli sources
check "tsyncd's source is NTS-authenticated with cookies" \
	grep -Eq '^ntsserver.test \(10.123.1.1\): .*NTS: authenticated, [1-8] cookies' \
	<(ctl tcli sources)
check "tsyncd's clock follows chronyd's (the host clock, 50 ms behind tsyncd's start)" \
	wait_until 10 offset_below tcli 0.002
check "tsyncd logs the NTS-KE with chronyd" log_has tcli "ntsserver.test: NTS-KE done, 8 cookies"
check "chronyd counts NTS-KE sessions" \
	grep -Eq 'NTS-KE connections accepted *: [1-9]' <(chronyc csrv serverstats)
check "chronyd counts authenticated NTP requests" \
	grep -Eq 'Authenticated NTP packets *: [1-9]' <(chronyc csrv serverstats)

# ---- chronyd client, tsyncd server ----
nts_tsyncd_server tsrv ntsserver.test 0.1
chrony_conf ccli "server ntsserver.test iburst nts minpoll 0 maxpoll 0" \
	"ntstrustedcerts $NTS_CERTS/ca.pem"
start=$(now_s)
chronyd_start ccli
# shellcheck disable=SC2317 # called through wait_until
chrony_selected() { chronyc ccli -c sources | grep -q '^\^,\*,10\.123\.2\.1,'; }
check "chronyd synchronises over NTS to tsyncd" wait_until 30 chrony_selected
note "after $(since_s "$start") s"
chronyc ccli sources
chronyc ccli authdata
# CSV: name, mode, key id, type, key length, last, attempts, NAKs, cookies, cookie length
IFS=, read -r _ mode _ _ _ _ _ naks cookies cookie_len <<<"$(chronyc ccli -c authdata | head -n 1)"
check "chronyc authdata shows NTS (mode ${mode:-?})" [ "${mode:-}" = NTS ]
check "chronyc authdata shows cookies (${cookies:-?} of ${cookie_len:-?} octets)" \
	[ "${cookies:-0}" -ge 1 ] && [ "${cookie_len:-0}" = 100 ]
check "no NTS NAK for chronyd (${naks:-?})" [ "${naks:-1}" = 0 ]
# shellcheck disable=SC2317 # called through wait_until
host_slow() {
	near "$(chronyc ccli tracking | sed -n 's/^System time *: \([0-9.]*\) seconds slow.*/\1/p')" \
		0.1 0.005
}
check "chronyd finds the host clock 100 ms slow of tsyncd's time" wait_until 10 host_slow
check "tsyncd served NTS" grep -Eq 'NTS-authenticated served : [1-9]' <(ctl tsrv serverstats)
check "tsyncd served the NTS-KE session" grep -Eq 'NTS-KE sessions served   : [1-9]' \
	<(ctl tsrv serverstats)
finish
