#!/bin/sh
# SPDX-License-Identifier: ISC
#
# Builds and runs libFuzzer targets for a bounded time.
#
#   run-fuzz.sh BUILD_DIR SECONDS TARGET...
#
# Target NAME is tests/fuzz/fuzz_NAME.c. Its line "// fuzz-sources: a.c b.c" lists the project
# sources (relative to the source tree) compiled into the fuzzer together with it; nothing is
# linked from the gcc-built libraries; an optional line "// fuzz-libs: -lfoo" adds system
# libraries. Seeds come from tests/fuzz/corpus/NAME/ (read only); the
# binary, the growing corpus, crash artifacts and logs go to BUILD_DIR/tests/fuzz/.
# Targets run FUZZ_JOBS at a time (default 2: one per CPU of the CI machine), each for SECONDS,
# so N targets take about ceil(N / FUZZ_JOBS) * SECONDS after the builds. Prints per target
#   fuzz NAME: ok (N runs)   or   fuzz NAME: CRASH (artifact and log paths)   or
#   fuzz NAME: build failed (reason)
# and exits 1 if any target crashed or failed to build. CLANG (environment) names the compiler.
set -u

if [ $# -lt 3 ]; then
    echo "usage: $0 BUILD_DIR SECONDS TARGET..." >&2
    exit 2
fi
build_dir=$(cd "$1" && pwd) || exit 2
seconds=$2
shift 2
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
clang=${CLANG:-clang}
out="$build_dir/tests/fuzz"
cflags="-g -O1 -std=gnu11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
cflags="$cflags -fno-omit-frame-pointer -include $build_dir/config.h -I$srcdir -I$build_dir"

if ! command -v "$clang" >/dev/null 2>&1; then
    for t in "$@"; do
        echo "fuzz $t: build failed ($clang not found: apt-get install clang libclang-rt-14-dev)"
    done
    exit 1
fi
mkdir -p "$out" || exit 1

# shellcheck disable=SC2317 # build and run are called through in_batches
# build NAME: compiles fuzz_NAME.c and its listed sources into $out/fuzz_NAME.
build() {
    main="$srcdir/tests/fuzz/fuzz_$1.c"
    if [ ! -f "$main" ]; then
        echo "run-fuzz: no such target: $main" >&2
        return 1
    fi
    sources=$(sed -n 's|^// fuzz-sources:||p' "$main")
    libs=$(sed -n 's|^// fuzz-libs:||p' "$main")
    pkgs=$(sed -n 's|^// fuzz-pkgs:||p' "$main")
    paths=""
    for s in $sources; do
        paths="$paths $srcdir/$s"
    done
    pkg_flags=""
    if [ -n "$pkgs" ]; then
        # shellcheck disable=SC2086
        pkg_flags=$(pkg-config --cflags --libs $pkgs) || return 1
    fi
    # shellcheck disable=SC2086 # word splitting of the flag and source lists is intended
    "$clang" $cflags -o "$out/fuzz_$1" "$main" $paths $libs $pkg_flags -lm >"$out/fuzz_$1.build.log" 2>&1
}

# shellcheck disable=SC2317
# run NAME: fuzzes for $seconds; the exit status is libFuzzer's.
run() {
    corpus="$out/corpus-$1"
    artifacts="$out/artifacts-$1"
    mkdir -p "$corpus" "$artifacts"
    seeds="$srcdir/tests/fuzz/corpus/$1"
    [ -d "$seeds" ] || seeds=""
    # shellcheck disable=SC2086 # an absent seed directory is dropped
    "$out/fuzz_$1" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" "$corpus" $seeds >"$out/fuzz_$1.log" 2>&1
}

jobs=${FUZZ_JOBS:-2}

# in_batches FUNCTION TARGET...: FUNCTION TARGET for each, $jobs at a time; its exit status
# goes to $out/fuzz_TARGET.status
in_batches() {
    fn=$1
    shift
    running=0
    for t in "$@"; do
        ($fn "$t"; echo $? >"$out/fuzz_$t.status") &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait
            running=0
        fi
    done
    wait
}

failed=0
built=""
in_batches build "$@"
for t in "$@"; do
    if [ "$(cat "$out/fuzz_$t.status" 2>/dev/null)" != 0 ]; then
        echo "fuzz $t: build failed (see $out/fuzz_$t.build.log)"
        failed=1
    else
        built="$built $t"
    fi
    rm -f "$out/fuzz_$t.status"
done
# shellcheck disable=SC2086 # the list of targets built
in_batches run $built

for t in $built; do
    [ -f "$out/fuzz_$t.status" ] || continue
    status=$(cat "$out/fuzz_$t.status")
    rm -f "$out/fuzz_$t.status"
    runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$out/fuzz_$t.log" | tail -n 1)
    if [ "$status" = 0 ] && [ -n "$runs" ]; then
        echo "fuzz $t: ok ($runs runs)"
    else
        echo "fuzz $t: CRASH (exit $status; artifacts in $out/artifacts-$t/, log $out/fuzz_$t.log)"
        grep -m 1 -E 'ERROR: |runtime error:|SUMMARY:' "$out/fuzz_$t.log" | sed 's/^/    /'
        failed=1
    fi
done
exit $failed
