#!/bin/sh
# SPDX-License-Identifier: ISC
# Builds the Debian package from a release tarball (what `make deb` does), then runs lintian.
#   tools/build-deb.sh TARBALL OUTDIR
# The tarball is unpacked in OUTDIR/ and built with dpkg-buildpackage -us -uc -b; the .deb, the
# .changes and lintian.log stay in OUTDIR. DEB_BUILD_OPTIONS passes through (nocheck skips the
# unit tests). Exits 1 when the build fails or lintian reports an error or a warning (the
# overrides, each with its reason, are in debian/tsyncd.lintian-overrides).
set -eu
[ $# -eq 2 ] || { echo "usage: $0 TARBALL OUTDIR" >&2; exit 2; }
tarball=$(readlink -f "$1")
out=$2
for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null ||
		{ echo "build-deb: $tool is missing (apt-get install dpkg-dev debhelper lintian)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"
out=$(readlink -f "$out")
tar -C "$out" -xzf "$tarball"
src=$(echo "$out"/tsyncd-*/)
version=$(basename "$src" | sed 's/^tsyncd-//')
# a native package: its version is the release's
changelog=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
if [ "$changelog" != "$version" ]; then
	echo "build-deb: debian/changelog is at $changelog, the tarball at $version" >&2
	exit 1
fi
echo "build-deb: dpkg-buildpackage -us -uc -b in $src (log: $out/build.log)"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	echo "build-deb: dpkg-buildpackage failed" >&2
	exit 1
fi
ls "$out"/*.deb
echo "build-deb: lintian (log: $out/lintian.log)"
rc=0
lintian --fail-on error,warning --display-info --pedantic --show-overrides "$out"/tsyncd_*.changes \
	>"$out/lintian.log" 2>&1 || rc=$?
cat "$out/lintian.log"
[ "$rc" = 0 ] || { echo "build-deb: lintian found errors or warnings" >&2; exit 1; }
echo "build-deb: ok"
