#!/bin/sh
# SPDX-License-Identifier: ISC
# What `make install` puts on a machine, without installing anything: into a DESTDIR it installs
# the programs (tsyncd-ntske, the NTS-KE process, where tsyncd executes it), the unit and
# tsyncd-start, the sysusers.d and tmpfiles.d files, the example
# configuration (which loads under --strict) and the man pages; tsyncd.conf(5) documents every
# directive of the parser's table; `systemd-analyze security` rates the unit 3.0 at most;
# tsyncd-start picks the configuration and ntpd's flags as tsyncd.conf(5) says, reading the
# option files without executing them; tsyncctl and tsyncd answer --help and --version.
# (The vm tests swap_ntpsec.sh and swap_chrony.sh install the Debian package on a systemd guest.)
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
[ -x "$top_builddir/tsyncd" ] || { echo "SKIP: $top_builddir/tsyncd not built"; exit 77; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
check() {
    what=$1
    shift
    if "$@" >"$tmp/check.out" 2>&1; then
        passed=$((passed + 1))
        echo "ok   - $what"
    else
        failed=$((failed + 1))
        echo "FAIL - $what"
        sed 's/^/    /' "$tmp/check.out" | head -n 20
    fi
}

# 1. make install into a DESTDIR, with the configured directories
dest=$tmp/dest
MAKEFLAGS='' MFLAGS='' make -s -C "$top_builddir" install DESTDIR="$dest" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log"; echo "FAIL - make install"; exit 1; }
# dir NAME: the configured value of the make variable NAME (sbindir, ...), expanded
# shellcheck disable=SC2016 # a make rule, not shell
dir() { printf 'print:\n\t@echo $(%s)\n' "$1" |
    MAKEFLAGS='' MFLAGS='' make -s --no-print-directory -C "$top_builddir" -f Makefile -f - print; }
sbindir=$(dir sbindir) libexecdir=$(dir libexecdir) unitdir=$(dir systemdsystemunitdir)
pkgdatadir=$(dir pkgdatadir) mandir=$(dir mandir)
for f in "$sbindir/tsyncd" "$(dir bindir)/tsyncctl" "$libexecdir/tsyncd/tsyncd-start" \
    "$(dir pkglibexecdir)/tsyncd-ntske" \
    "$unitdir/tsyncd.service" "$(dir sysusersdir)/tsyncd.conf" "$(dir tmpfilesdir)/tsyncd.conf" \
    "$pkgdatadir/tsyncd.conf" "$mandir/man5/tsyncd.conf.5" "$mandir/man8/tsyncd.8" \
    "$mandir/man8/tsyncctl.8"; do
    check "make install installs $f" test -s "$dest$f"
done
check "make install leaves /etc alone under DESTDIR" test ! -e "$dest/etc"
check "sysusers.d: a system user tsyncd" grep -Eq '^u tsyncd ' "$dest$(dir sysusersdir)/tsyncd.conf"
check "tmpfiles.d: /var/lib/tsyncd owned by tsyncd" \
    grep -Eq '^d /var/lib/tsyncd [0-7]+ tsyncd tsyncd' "$dest$(dir tmpfilesdir)/tsyncd.conf"
unit=$dest$unitdir/tsyncd.service
check "the unit starts $libexecdir/tsyncd/tsyncd-start" \
    grep -qx "ExecStart=$libexecdir/tsyncd/tsyncd-start" "$unit"
check "the example configuration loads under --strict" \
    "$top_builddir/tsyncd" --check-config --strict -c "$dest$pkgdatadir/tsyncd.conf"

# 2. tsyncd.conf(5) names every directive the parser accepts
sed -n '/^} directives\[\] = {/,/^};/s/^ *{"\([a-z]*\)",.*/\1/p' \
    "$top_srcdir/daemon/config/config_directives.c" >"$tmp/directives"
check "the parser's directive table is found ($(wc -l <"$tmp/directives") directives)" \
    test "$(wc -l <"$tmp/directives")" -gt 40
missing=""
while read -r d; do
    grep -Eq "\\\\fB$d(\\\\fR| )" "$top_srcdir/man/tsyncd.conf.5" || missing="$missing $d"
done <"$tmp/directives"
check "tsyncd.conf(5) documents every directive${missing:+ (missing:$missing)}" test -z "$missing"

# 2b. the tarball carries what README.md and DEVELOPERS.md point to, and every docs/*.md
dir DISTFILES | tr ' ' '\n' | sed 's|^\./||' | sort -u >"$tmp/distfiles"
cd "$top_srcdir" || exit 1
refs=$(grep -ohE '(\./)?([A-Za-z0-9_.-]+/)*[A-Za-z0-9_-]+\.(md|sh)|\.ci/run|debian/' README.md DEVELOPERS.md |
    sed 's|^\./||; s|/$||' | sort -u)
not_dist=""
for f in $refs docs/*.md; do
    [ -e "$f" ] || continue # a name in prose, not a file of the tree
    grep -qx "$f" "$tmp/distfiles" || not_dist="$not_dist $f"
done
cd - >/dev/null || exit 1
check "make dist carries what the READMEs point to${not_dist:+ (missing:$not_dist)}" test -z "$not_dist"

# 3. systemd-analyze security, when systemd-analyze is here
if command -v systemd-analyze >/dev/null; then
    score=$(systemd-analyze security --offline=true "$unit" 2>/dev/null |
        sed -n 's/.*Overall exposure level for tsyncd.service: \([0-9.]*\).*/\1/p')
    check "systemd-analyze security: ${score:-?}, at most 3.0" \
        systemd-analyze security --offline=true --threshold=30 "$unit"
else
    echo "SKIP - systemd-analyze is missing: the unit's security score is not measured"
fi

# 4. tsyncd-start: which configuration, which flags, which user
start=$dest$libexecdir/tsyncd/tsyncd-start
root=$tmp/root
# start_cmd: the command tsyncd-start would run in the fake root $root (without -n -c ROOT)
start_cmd() {
    TSYNCD_START_ROOT=$root "$start" --dry-run 2>"$tmp/why" | sed "s|^$sbindir/tsyncd -n -c $root||"
}
mkdir -p "$root/etc/default" "$root/etc/sysconfig" "$root/etc/ntpsec"
check "no configuration at all: exit 1 with the reason" \
    sh -c "! TSYNCD_START_ROOT=$root $start --dry-run 2>&1 | grep -q 'no configuration'; test \$? = 1"
echo "server 192.0.2.1" >"$root/etc/ntpsec/ntp.conf"
printf '%s\n' '# Debian ntpsec' 'NTPD_OPTS="-g -N"  # comment' 'IGNORE_DHCP=""' >"$root/etc/default/ntpsec"
check "ntpsec's configuration with NTPD_OPTS of /etc/default/ntpsec" \
    test "$(start_cmd)" = "/etc/ntpsec/ntp.conf -g -N"
echo "ntpsec:x:100:101::/nonexistent:/usr/sbin/nologin" >"$root/etc/passwd"
check "... run as ntpsec when that user exists" \
    test "$(start_cmd)" = "/etc/ntpsec/ntp.conf -g -N -u ntpsec"
check "... and says so" grep -q 'configuration /etc/ntpsec/ntp.conf; flags from /etc/default/ntpsec NTPD_OPTS: -g -N; user ntpsec' "$tmp/why"
echo "server 192.0.2.2" >"$root/etc/ntp.conf"
printf '%s\n' 'OPTIONS="-u ntp:ntp -p /var/run/ntpd.pid -g"' >"$root/etc/sysconfig/ntpd"
check "/etc/ntp.conf before ntpsec's, with OPTIONS of /etc/sysconfig/ntpd (RHEL), its own -u" \
    test "$(start_cmd)" = "/etc/ntp.conf -u ntp:ntp -p /var/run/ntpd.pid -g"
printf '%s\n' "export NTPD_OPTS='-x'" >"$root/etc/default/ntp"
check "/etc/default/ntp (Debian's ntp) before /etc/sysconfig/ntpd" \
    test "$(start_cmd)" = "/etc/ntp.conf -x"
# shellcheck disable=SC2016 # a value that would run a command if the file were sourced
printf '%s\n' 'NTPD_OPTS=$(touch '"$tmp"'/executed)' >"$root/etc/default/ntp"
start_cmd >/dev/null
check "option files are read, never executed" test ! -e "$tmp/executed"
sysconfdir=$(dir sysconfdir)
mkdir -p "$root$sysconfdir"
echo "server 192.0.2.3" >"$root$sysconfdir/tsyncd.conf"
echo 'TSYNCD_OPTS="--strict"' >"$root/etc/default/tsyncd"
check "$sysconfdir/tsyncd.conf before both, with TSYNCD_OPTS of /etc/default/tsyncd, no user change" \
    test "$(start_cmd)" = "$sysconfdir/tsyncd.conf --strict"
printf '#!/bin/sh\necho "$*"\n' >"$tmp/fake-tsyncd" && chmod +x "$tmp/fake-tsyncd"
TSYNCD_START_ROOT=$root TSYNCD_START_BINARY=$tmp/fake-tsyncd "$start" -d >"$tmp/exec" 2>/dev/null
check "without --dry-run it runs that command, with its own arguments last" \
    test "$(cat "$tmp/exec")" = "-n -c $root$sysconfdir/tsyncd.conf --strict -d"

# 5. --help and --version
for prog in tsyncd tsyncctl; do
    check "$prog --help exits 0 and names --version" sh -c "'$top_builddir/$prog' --help | grep -q -- --version"
    check "$prog --version prints the version" sh -c "'$top_builddir/$prog' --version | grep -qx '$prog [0-9.]*'"
    check "$prog --bogus exits 2" sh -c "'$top_builddir/$prog' --bogus >/dev/null 2>&1; test \$? = 2"
done

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
