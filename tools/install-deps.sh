#!/bin/sh
# SPDX-License-Identifier: ISC
# Install the Debian 12 packages needed to build and test tsyncd (idempotent; run as root).
set -e
# build; test; the Debian package (make deb: dpkg-buildpackage, lintian)
PKGS="build-essential autoconf automake pkg-config
libnl-3-dev libnl-genl-3-dev libnl-route-3-dev libcap-ng-dev libseccomp-dev libcmocka-dev nettle-dev
libgnutls28-dev openssl
clang libclang-rt-14-dev iproute2 nftables procps util-linux python3
dpkg-dev debhelper lintian devscripts"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: need root to install:$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
