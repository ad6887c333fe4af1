#!/bin/bash
# SPDX-License-Identifier: ISC
# The project's test command: build, run every test (unit, integration, vm), the unit tests again
# under ASan/UBSan, and each fuzz target for FUZZ_SECONDS; ends with "N passed, N failed".
# Usage: sudo tests/run-all.sh            (integration and vm tests need root; they skip otherwise)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
jobs=${JOBS:-$(nproc)}
fuzz_seconds=${FUZZ_SECONDS:-60}
passed=0
failed=0
skipped=0

note() { printf '\n=== %s\n' "$*"; }

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
        grep -q '^# FAIL: *[1-9]\|^# ERROR: *[1-9]' "$dir/test-suite.log" &&
            sed -n '/^FAIL:\|^ERROR:/,$p' "$dir/test-suite.log" | head -n 200
    else
        echo "no test-suite.log in $dir"
        failed=$((failed + 1))
    fi
}

note "bootstrap"
./autogen.sh >/dev/null 2>&1 || { echo "autogen.sh failed"; echo "0 passed, 1 failed"; exit 1; }

note "vm test image (Debian packages; the vm tests skip without it)"
if [ "$(id -u)" = 0 ]; then
    tests/vm/vmrun build >vmrun-build.out 2>&1 || tail -n 5 vmrun-build.out
fi

note "build (gcc, -Wall -Wextra -Werror)"
if configure_build build; then
    note "make check: unit, integration and vm tests"
    # build the test programs in parallel, then run one test at a time: the integration and vm
    # tests measure timing on a 2-CPU machine
    make -C build -j"$jobs" check TESTS= >build/check-build.out 2>&1
    run_suite build check 1
else
    failed=$((failed + 1))
fi

note "unit tests under ASan/UBSan, LeakSanitizer in the sandboxed daemon"
if configure_build build-san --enable-sanitizers; then
    run_suite build-san check-unit "$jobs"
    make -C build-san check TESTS=tests/integration/sanitizer_lsan.sh >build-san/check-lsan.out 2>&1
    grep -E '^(PASS|FAIL|ERROR|SKIP):' build-san/check-lsan.out
    count_suite build-san/test-suite.log
else
    failed=$((failed + 1))
fi

note "fuzzing, ${fuzz_seconds} s per target"
if [ -f build/Makefile ]; then
    fuzz_out=$(make -s -C build fuzz FUZZ_SECONDS="$fuzz_seconds" 2>&1)
    echo "$fuzz_out" | grep -E '^fuzz '
    passed=$((passed + $(echo "$fuzz_out" | grep -c '^fuzz .*: ok')))
    failed=$((failed + $(echo "$fuzz_out" | grep -c '^fuzz .*: \(CRASH\|FAIL\)')))
fi

note "summary (${skipped} skipped)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
