#!/bin/sh
# SPDX-License-Identifier: ISC
# tsyncd --check-config on the stock Amazon Linux ntp.conf (exit 0, the four amazon pool
# servers with iburst) and on a typo under --strict (exit 1, FILE:LINE: and the bad word).
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
tsyncd=$top_builddir/tsyncd
[ -x "$tsyncd" ] || { echo "SKIP: $tsyncd not built"; exit 77; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# 1. the stock Amazon Linux file loads and lists its four servers with iburst
amazon=$top_srcdir/tests/data/amazon-linux-ntp.conf
"$tsyncd" --check-config -c "$amazon" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "amazon: exit $rc, expected 0: $(cat "$tmp/err")"
for n in 0 1 2 3; do
    grep -q "^server $n\.amazon\.pool\.ntp\.org iburst" "$tmp/out" ||
        fail "amazon: server $n.amazon.pool.ntp.org iburst not listed"
done
[ "$(grep -c '^server ' "$tmp/out")" -eq 4 ] || fail "amazon: not exactly four servers"
grep -q '^driftfile /var/lib/ntp/drift$' "$tmp/out" || fail "amazon: driftfile not listed"

# 2. the same file under --strict still loads (its warnings are not unknown words)
"$tsyncd" --check-config --strict -c "$amazon" >/dev/null 2>&1 || fail "amazon: --strict failed"

# 3. a typo: a warning without --strict, an error naming FILE:LINE: and the word with it
printf '# typo\nserver a.example ibrust\n' >"$tmp/typo.conf"
"$tsyncd" --check-config -c "$tmp/typo.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "typo without --strict: exit $rc, expected 0"
grep -q "^$tmp/typo.conf:2: warning: .*ibrust" "$tmp/err" || fail "typo: no warning on stderr"

"$tsyncd" --check-config --strict -c "$tmp/typo.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "typo with --strict: exit $rc, expected 1"
grep -q "^$tmp/typo.conf:2: .*\"ibrust\"" "$tmp/err" ||
    fail "typo with --strict: no FILE:LINE: message naming ibrust: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "typo with --strict: configuration printed despite the error"

# 4. every error is reported, not just the first
printf 'server a minpoll x\nport 0\nserver b\n' >"$tmp/bad.conf"
"$tsyncd" --check-config -c "$tmp/bad.conf" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "bad values: exit $rc, expected 1"
grep -q "^$tmp/bad.conf:1: " "$tmp/err" || fail "bad values: line 1 not reported"
grep -q "^$tmp/bad.conf:2: " "$tmp/err" || fail "bad values: line 2 not reported"

# 5. command-line errors exit 2 with the usage
"$tsyncd" --bogus >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "unknown flag: exit $rc, expected 2"
grep -q '^usage: tsyncd' "$tmp/err" || fail "unknown flag: no usage on stderr"

# 6. the EC2 examples of contrib/ec2 load under --strict, with their observability settings
for conf in "$top_srcdir"/contrib/ec2/tsyncd.conf "$top_srcdir"/contrib/ec2/two-tier/*.conf; do
    "$tsyncd" --check-config --strict -c "$conf" >"$tmp/out" 2>"$tmp/err" ||
        fail "$conf: $(cat "$tmp/err")"
    grep -q '^clockbound /var/run/clockbound/shm0$' "$tmp/out" || fail "$conf: no clockbound"
done
"$tsyncd" --check-config -c "$top_srcdir/contrib/ec2/two-tier/ntp-private.conf" >"$tmp/out" 2>&1
grep -q '^metrics 127.0.0.1:9975$' "$tmp/out" || fail "ntp-private: metrics not on 127.0.0.1:9975"

# 7. metrics, clockbound and vmclock: defaults and errors
printf 'metrics\nvmclock off\n' >"$tmp/obs.conf"
"$tsyncd" --check-config --strict -c "$tmp/obs.conf" >"$tmp/out" 2>"$tmp/err" || fail "obs.conf"
grep -q '^metrics 127.0.0.1:9975$' "$tmp/out" || fail "metrics without an address: not localhost"
grep -q '^vmclock off$' "$tmp/out" || fail "vmclock off not kept"
printf 'metrics [::1]:9100\nclockbound\n' >"$tmp/obs.conf"
"$tsyncd" --check-config --strict -c "$tmp/obs.conf" >"$tmp/out" 2>"$tmp/err" || fail "obs.conf 2"
grep -q '^metrics \[::1\]:9100$' "$tmp/out" || fail "metrics [::1]:9100 not kept"
grep -q '^clockbound /var/run/clockbound/shm0$' "$tmp/out" || fail "clockbound default path"
printf 'metrics 127.0.0.1:0\nmetrics host.example\nclockbound relative/path\nvmclock\n' \
    >"$tmp/obs.conf"
"$tsyncd" --check-config -c "$tmp/obs.conf" >/dev/null 2>"$tmp/err" && fail "bad obs.conf loaded"
for n in 1 2 3 4; do
    grep -q "^$tmp/obs.conf:$n: " "$tmp/err" || fail "obs.conf: line $n not reported"
done

[ "$failed" -eq 0 ] && echo "PASS: check_config"
exit "$failed"
