#!/bin/bash
# SPDX-License-Identifier: ISC
# Real clients check tsyncd's replies: Debian's ntpdig (ntpsec-ntpdig) and chronyd -Q (measure
# only, never set the clock), both from Debian packages unpacked into a cache directory (never
# installed). The server's clock is virtual with offset 0, so it equals the host's clock and
# both clients must measure an offset below 1 ms, stratum 1, and no leap warning.
#   server (tsyncd) 10.123.1.1 --- 10.123.1.2 client (ntpdig, chronyd)
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

CACHE=${TSYNCD_TEST_CACHE:-/var/cache/tsyncd-test}
NTPSEC=$CACHE/ntpsec
CHRONY=$CACHE/chrony
LIMIT_S=0.001

ns_add server
ns_add client
link_add server client 1
tsyncd_start server <<-EOF
	local stratum 1
	clock virtual
	allow all
EOF

# ---- ntpdig ----
if deb_fetch "$NTPSEC" ntpsec-ntpdig python3-ntp; then
	root=$NTPSEC/root
	# -j: JSON; -p 4: four samples; no -S/-s: it only reports (and has no CAP_SYS_TIME anyway)
	out=$(ns_exec client setpriv --bounding-set=-sys_time env \
		PYTHONPATH="$root/usr/lib/python3/dist-packages" \
		LD_LIBRARY_PATH="$root/usr/lib/x86_64-linux-gnu/ntp" \
		python3 "$root/usr/bin/ntpdig" -j -p 4 -t 2 10.123.1.1 2>&1)
	note "ntpdig: $out"
	json_field() {
		python3 -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$out" "$1" \
			2>/dev/null
	}
	offset=$(json_field offset)
	check "ntpdig measures |offset| < $LIMIT_S s (got ${offset:-none})" abs_below "${offset:-x}" "$LIMIT_S"
	check "ntpdig sees stratum 1" [ "$(json_field stratum)" = 1 ]
	check "ntpdig sees no leap warning" [ "$(json_field leap)" = no-leap ]
else
	not_ok "cannot obtain Debian's ntpsec-ntpdig and python3-ntp (apt-get download failed)"
fi

# ---- chronyd -Q ----
if chrony_fetch "$CHRONY"; then
	dir=$(dir_of chronyd)
	mkdir -m 700 "$dir"
	out=$(ns_exec client setpriv --bounding-set=-sys_time timeout 30 \
		"$CHRONY/root/usr/sbin/chronyd" -Q -u root -t 20 \
		"server 10.123.1.1 iburst maxsamples 4" "pidfile $dir/chronyd.pid" "cmdport 0" 2>&1)
	note "chronyd -Q: $(grep -E 'wrong|No suitable' <<<"$out")"
	offset=$(sed -n 's/.*System clock wrong by \([-+0-9.e]*\) seconds.*/\1/p' <<<"$out")
	check "chronyd measures |offset| < $LIMIT_S s (got ${offset:-none})" abs_below "${offset:-x}" "$LIMIT_S"
	check "chronyd did not control the clock" grep -q 'Disabled control of system clock' <<<"$out"
else
	not_ok "cannot obtain Debian's chrony (apt-get download failed)"
fi
finish
