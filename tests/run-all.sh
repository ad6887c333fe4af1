#!/bin/bash
# SPDX-License-Identifier: ISC
# The project's test command: installs what is missing (tools/install-deps.sh; vmrun build for
# the vm tests), builds with -Werror in build/, builds the Debian package and runs lintian,
# checks the release tarball (make distcheck), runs every test (unit, integration, vm), the unit
# tests again under ASan/UBSan in build-san/, and each fuzz target for FUZZ_SECONDS (beside the
# tests, at nice 19); ends with
# "N passed, N failed". Skipped tests and test cases are listed with their reason and counted.
# Usage: tests/run-all.sh as root (sudo tests/run-all.sh); the integration and vm tests need
# root and skip otherwise. README.md says what it installs and writes on the machine.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
jobs=${JOBS:-$(nproc)}
fuzz_seconds=${FUZZ_SECONDS:-60}
passed=0
failed=0
skipped=0
fuzz_pid=""

# (with the time since the start: CI must finish within 30 minutes on 2 CPUs)
note() { printf '\n=== %s (at %d s)\n' "$*" "$SECONDS"; }
pass() {
	passed=$((passed + 1))
	echo "PASS: $*"
}
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
is_root() { [ "$(id -u)" = 0 ]; }

# Adds the counts of an automake test-suite.log summary (PASS, FAIL, ERROR, XPASS, SKIP).
count_suite() {
	local log=$1 p f e xp s
	p=$(sed -n 's/^# PASS: *//p' "$log")
	f=$(sed -n 's/^# FAIL: *//p' "$log")
	e=$(sed -n 's/^# ERROR: *//p' "$log")
	xp=$(sed -n 's/^# XPASS: *//p' "$log")
	s=$(sed -n 's/^# SKIP: *//p' "$log")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${e:-0} + ${xp:-0}))
	skipped=$((skipped + ${s:-0}))
}

# What skipped inside tests that passed: cmocka cases ("[  SKIPPED ] N test(s)") and checks a
# script skipped ("SKIP - reason"). Lists them and adds them to the skip count.
count_partial_skips() {
	local dir=$1 log name n
	while IFS= read -r log; do
		name=${log#"$dir"/}
		n=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s), listed below:/\1/p' "$log" | head -n 1)
		skipped=$((skipped + ${n:-0}))
		sed -n 's/^\[  SKIPPED \] \([a-z_0-9]*\)$/\1/p' "$log" | sort -u |
			while read -r case_name; do echo "SKIP: $name: cmocka case $case_name"; done
		n=$(grep -c '^SKIP - ' "$log")
		skipped=$((skipped + n))
		sed -n 's/^SKIP - //p' "$log" | while read -r reason; do echo "SKIP: $name: $reason"; done
	done < <(find "$dir/tests" -name '*.log' 2>/dev/null | sort)
}

# configure_build DIR [CONFIGURE ARGS...]: configure and build in DIR; counts a failure on error.
configure_build() {
	local dir=$1
	shift
	mkdir -p "$dir"
	if ! (cd "$dir" && "$top/configure" --enable-werror "$@" >configure.out 2>&1); then
		echo "configure failed in $dir:"
		tail -n 20 "$dir/configure.out"
		return 1
	fi
	if ! make -C "$dir" -j"$jobs" all >"$dir/make.out" 2>&1; then
		echo "build failed in $dir:"
		grep -E 'error|warning' "$dir/make.out" | head -n 40
		return 1
	fi
}

# run_suite DIR TARGET JOBS: make TARGET (check, check-unit) in DIR, then count it.
run_suite() {
	local dir=$1 target=$2
	make -C "$dir" -j"$3" "$target" >"$dir/check.out" 2>&1
	grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS):' "$dir/check.out"
	if [ -f "$dir/test-suite.log" ]; then
		count_suite "$dir/test-suite.log"
		count_partial_skips "$dir"
		# the reason of every skipped test, from its log
		sed -n 's/^SKIP: \(.*\)$/\1/p' "$dir/check.out" | while read -r t; do
			echo "  $t: $(grep -m1 '^SKIP' "$dir/${t%.sh}.log" 2>/dev/null | sed 's/^SKIP:* *//')"
		done
		grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]' "$dir/test-suite.log" &&
			sed -n '/^FAIL:\|^ERROR:/,$p' "$dir/test-suite.log" | head -n 200
	else
		fail "no test-suite.log in $dir"
	fi
}

note "dependencies (tools/install-deps.sh: Debian packages)"
if is_root; then
	tools/install-deps.sh || fail "tools/install-deps.sh"
else
	tools/install-deps.sh || echo "not root: the missing packages above are not installed"
fi

note "bootstrap"
./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed"; echo "0 passed, 1 failed"; exit 1; }
# A tree configured in place (README "Building": ./configure && make) cannot also configure
# out of tree: its config.h and Makefiles would shadow build/'s.
if [ -f config.status ]; then
	echo "the source tree is configured in place: make distclean there, then build in build/"
	make distclean >/dev/null 2>&1 || rm -f config.status
fi

note "vm test images in /var/cache/tsyncd-vm (Debian packages; the vm tests skip without them)"
if is_root; then
	tests/vm/vmrun build >vmrun-build.out 2>&1 || tail -n 5 vmrun-build.out
	grep -E '^vmrun: (ok|up to date|apt-get|adding)' vmrun-build.out
else
	echo "SKIP: not root: no vm test image (the vm tests skip)"
fi

note "build (gcc, -Wall -Wextra -Werror)"
if configure_build build; then
	note "Debian package (make deb: dpkg-buildpackage from the tarball, lintian)"
	if DEB_BUILD_OPTIONS="nocheck parallel=$jobs" make -C build deb >build/deb.out 2>&1; then
		pass "make deb: dpkg-buildpackage -us -uc -b"
		grep -E '^[EWIO]: ' build/deb/lintian.log
		pass "lintian: no error or warning ($(grep -c '^O: ' build/deb/lintian.log) documented override)"
	else
		tail -n 30 build/deb.out
		fail "make deb (log: build/deb.out)"
	fi

	note "release tarball (make distcheck, with tests/integration/packaging.sh)"
	if make -C build distcheck TESTS=tests/integration/packaging.sh >build/distcheck.out 2>&1; then
		pass "make distcheck: $(grep -o 'tsyncd-[0-9.]*\.tar\.gz' build/distcheck.out | tail -n 1) builds, installs and passes"
	else
		tail -n 30 build/distcheck.out
		fail "make distcheck (log: build/distcheck.out)"
	fi

	# The fuzzers run beside the tests, at the lowest priority: the tests, which measure timing,
	# keep the CPUs when they want them, and the fuzzers (wall-clock bounded) take the rest.
	# Together they fit CI's 30 minutes on 2 CPUs.
	fuzz_started=$SECONDS
	nice -n 19 make -s -C build fuzz FUZZ_SECONDS="$fuzz_seconds" >build/fuzz.out 2>&1 &
	fuzz_pid=$!

	note "make check: unit, integration and vm tests"
	# build the test programs in parallel, then run one test at a time: the integration and vm
	# tests measure timing on a 2-CPU machine
	make -C build -j"$jobs" check TESTS= >build/check-build.out 2>&1
	run_suite build check 1
else
	fail "build in build/"
fi

note "unit tests under ASan/UBSan, LeakSanitizer in the sandboxed daemon"
if configure_build build-san --enable-sanitizers; then
    run_suite build-san check-unit "$jobs"
    make -C build-san check TESTS=tests/integration/sanitizer_lsan.sh >build-san/check-lsan.out 2>&1
    grep -E '^(PASS|FAIL|ERROR|SKIP):' build-san/check-lsan.out
    count_suite build-san/test-suite.log
else
	fail "build in build-san/"
fi

note "fuzzing, ${fuzz_seconds} s per target (started at ${fuzz_started:-?} s, beside the tests)"
if [ -n "$fuzz_pid" ]; then
	fuzz_rc=0
	wait "$fuzz_pid" || fuzz_rc=$?
	fuzz_out=$(cat build/fuzz.out)
	echo "$fuzz_out" | grep -E '^fuzz '
	passed=$((passed + $(echo "$fuzz_out" | grep -c '^fuzz .*: ok')))
	fuzz_bad=$(echo "$fuzz_out" | grep '^fuzz ' | grep -vc ': ok')
	failed=$((failed + fuzz_bad))
	# make fuzz failed without naming a target (clang missing, a broken script): one failure
	if [ "$fuzz_rc" != 0 ] && [ "$fuzz_bad" = 0 ]; then
		echo "$fuzz_out" | tail -n 10
		fail "make fuzz (exit $fuzz_rc)"
	fi
else
	fail "fuzzing: not run (no build)"
fi

note "summary (${skipped} skipped, listed above with their reason)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
