#!/bin/bash
# SPDX-License-Identifier: ISC
# Metrics: Debian's Prometheus scrapes tsyncd's `metrics` listener in the client's namespace.
#   1. promtool check metrics finds nothing to complain about in what tsyncd serves, and
#      `tsyncctl metrics` prints the same metric families;
#   2. Prometheus sees ntp_system_synchronised 1, then 0 within one poll interval (+ margin)
#      of a firewall rule dropping NTP (the field report's experiment 2), then 1 again after;
#   3. the listener serves nothing but GET /metrics (404), refuses garbage (400) and oversized
#      heads (431), keeps at most 4 connections and closes idle ones;
#   4. every `tsyncctl --json` command prints valid JSON; the Grafana dashboard in contrib/ uses
#      only metric names tsyncd exports.
# Prometheus comes from the Debian package, unpacked (never installed as a service), and runs in
# the client's namespace on its loopback with a temporary configuration and storage directory.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/lib/deb_fetch.sh
. "$(dirname "$0")/../lib/deb_fetch.sh"
lib_init

PROM_CACHE=${PROM_CACHE:-/var/cache/tsyncd-test/prometheus}
deb_fetch "$PROM_CACHE" prometheus ||
	skip "cannot obtain Debian's prometheus package (apt-get download prometheus failed)"
PROMETHEUS=$PROM_CACHE/root/usr/bin/prometheus
PROMTOOL=$PROM_CACHE/root/usr/bin/promtool
"$PROMETHEUS" --version >/dev/null 2>&1 || skip "the unpacked prometheus does not run here"
note "$("$PROMETHEUS" --version 2>&1 | head -n 1)"

POLL_S=2 # maxpoll 1
# one poll interval, the reply in flight (2 s), a scrape interval and the query's own delay
LIMIT_S=$((POLL_S + 2 + 1 + 2))
METRICS=127.0.0.1:9975
DASHBOARD=$top_srcdir/contrib/grafana/tsyncd.json

server_client_start 0
tsyncd_start client <<-EOF
	server 10.123.1.1 iburst minpoll 0 maxpoll 1
	clock virtual offset 0.05
	metrics $METRICS
EOF

# http PATH_OR_REQUEST...: tests/integration/http_probe.py in the client's namespace
http() { ns_exec client python3 "$ITEST_DIR/http_probe.py" "$METRICS" "$@"; }

dir=$(dir_of prometheus)
mkdir -p "$dir/data"
chown -R nobody "$dir"
cat >"$dir/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  scrape_timeout: 1s
	scrape_configs:
	  - job_name: tsyncd
	    static_configs:
	      - targets: ['$METRICS']
EOF
ITEST_LOGS["prometheus: output"]=$dir/prometheus.out
ip netns exec "$(ns_of client)" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$PROMETHEUS" --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
	--web.listen-address=127.0.0.1:9090 >"$dir/prometheus.out" 2>&1 &
ITEST_PIDS[prometheus]=$!

# prom_value QUERY: the value of the (single) series Prometheus returns for QUERY now
prom_value() { http --prometheus 127.0.0.1:9090 "$1"; }
# prom_is QUERY VALUE: prom_value is VALUE
prom_is() { [ "$(prom_value "$1" 2>/dev/null)" = "$2" ]; }

# 1. the exposition itself
wait_until 15 synced client
check "the client synchronises (after $WAITED_S s)" synced client
http /metrics >"$dir/scrape.txt"
check "GET /metrics answers" grep -q '^ntp_system_synchronised 1$' "$dir/scrape.txt"
check "promtool check metrics is clean" \
	eval '"$PROMTOOL" check metrics <"$dir/scrape.txt" >"$dir/promtool.out" 2>&1'
cat "$dir/promtool.out"
families() { sed -n 's/^# TYPE \([^ ]*\) .*/\1/p' "$1"; }
ctl client metrics >"$dir/ctl.txt"
check "tsyncctl metrics prints the same metric families" \
	diff <(families "$dir/scrape.txt") <(families "$dir/ctl.txt")
check "a source's series carry its name and address" \
	grep -q '^ntp_source_offset_seconds{name="10.123.1.1",address="10.123.1.1"} ' "$dir/scrape.txt"
check "the timestamp kind is exported" \
	grep -q '^ntp_source_timestamp_info{name="10.123.1.1",address="10.123.1.1",kind="kernel",' \
	"$dir/scrape.txt"

# 2. Prometheus sees the silent failure of the field report
wait_until 20 prom_is ntp_system_synchronised 1
check "Prometheus scrapes ntp_system_synchronised 1 (after $WAITED_S s)" \
	prom_is ntp_system_synchronised 1
block_ntp client || fatal "nft rule in the client's namespace"
wait_until $((LIMIT_S + 10)) prom_is ntp_system_synchronised 0
note "blocked: Prometheus saw ntp_system_synchronised 0 after $WAITED_S s (poll $POLL_S s)"
check "Prometheus sees ntp_system_synchronised 0 within $LIMIT_S s of the block ($WAITED_S s)" \
	awk_true "$WAITED_S <= $LIMIT_S"
check "... with the reason: unreachable" \
	prom_is 'ntp_system_unsynchronised_reason{reason="unreachable"}' 1
unblock_ntp client
wait_until 20 prom_is ntp_system_synchronised 1
check "unblocked: Prometheus sees ntp_system_synchronised 1 again (after $WAITED_S s)" \
	prom_is ntp_system_synchronised 1

# 3. nothing but GET /metrics, bounded
check "GET / is 404" [ "$(http --status /)" = 404 ]
check "POST /metrics is 404" [ "$(http --status --method POST /metrics)" = 404 ]
check "a query string is ignored: GET /metrics?x=1 is 200" [ "$(http --status '/metrics?x=1')" = 200 ]
check "garbage is 400" [ "$(http --raw 'hello world')" = 400 ]
check "a head of more than 4096 octets is 431" [ "$(http --big-header)" = 431 ]
check "4 connections at once are served, a 5th drops the oldest" \
	[ "$(http --connections 5)" = "oldest closed, newest served" ]
check "an idle connection is closed within 5 s (+1)" [ "$(http --idle 7)" = closed ]
check "the daemon still answers" synced client

# 4. JSON and the dashboard
for cmd in sources sourcestats tracking status serverstats metrics waitsync; do
	check "tsyncctl --json $cmd is valid JSON" \
		eval 'ctl client --json $cmd | python3 -m json.tool >/dev/null'
done
check "the dashboard is valid JSON" python3 -m json.tool "$DASHBOARD" >/dev/null
missing=$(python3 "$top_srcdir/contrib/grafana/check-metrics.py" "$DASHBOARD" "$dir/scrape.txt")
check "the dashboard only uses exported metrics${missing:+ (missing: $missing)}" [ -z "$missing" ]
finish
