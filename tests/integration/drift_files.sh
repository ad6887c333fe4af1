#!/bin/bash
# SPDX-License-Identifier: ISC
# Hostile drift files (issue 10, item 5). The drift file's directory belongs to the daemon's
# unprivileged user, who can put anything there; the parent reads it as root at start:
#   a FIFO must not hang the start, a symbolic link must not be followed (its target holds a
#   valid frequency, which must not be used), a directory, a device and an oversized file are
#   refused: each is logged as ignored and the daemon starts without a frequency (freq_not_set).
# And `nobody`, shared with unrelated services, may not own a writable drift directory.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
lib_init

# start_with NAME: a daemon whose drift file is made by the command that follows (run as root
# in its state directory, the drift file's name is given as $1 to it)
start_with() {
	local name=$1 dir
	shift
	ns_add "$name"
	dir=$(dir_of "$name")
	mkdir -p "$dir/state"
	"$@" "$(drift_of "$name")" || fatal "$name: cannot make the drift file"
	start=$(now_s)
	tsyncd_start "$name" <<-EOF
		clock virtual
	EOF
	note "$name: answering $(since_s "$start") s after the start"
}
secret=$ITEST_TMP/secret
echo "123.456" >"$secret" # a valid frequency: used only if the link is followed
chmod 600 "$secret"
oversized() { head -c 100000 /dev/zero | tr '\0' ' ' >"$1"; }
device() { mknod -m 644 "$1" c 1 5; } # /dev/zero

start_with fifo mkfifo
start_with symlink ln -s "$secret"
start_with directory mkdir
start_with device device
start_with oversized oversized
# shellcheck disable=SC2016 # $1 is the inner shell's
start_with good sh -c 'echo "-12.5" >"$1"' sh
for kind in fifo symlink directory device oversized; do
	check "$kind: the daemon started and answers" tsyncd_answers "$kind"
done
check "fifo: refused (not a regular file)" log_has fifo 'drift file .* not a regular file, ignored'
check "symlink: refused (a symbolic link)" log_has symlink 'drift file .* a symbolic link, ignored'
check "symlink: the target's frequency was not used" not log_has symlink '123\.456'
check "directory: refused" log_has directory 'drift file .* not a regular file, ignored'
check "device: refused" log_has device 'drift file .* not a regular file, ignored'
check "oversized: refused" log_has oversized 'drift file .* too long, ignored'
for kind in fifo symlink directory device oversized; do
	check "$kind: started without a frequency (freq_not_set)" event_logged "$kind" 0.0.0.0 freq_not_set
done
check "a good drift file is used (freq_set -12.500)" log_has good 'freq_set ntpd -12\.500 PPM'

# ---- nobody with a writable drift directory ----
ns_add nobody
dir=$(dir_of nobody)
mkdir -p "$dir/chroot" "$dir/state"
chown nobody "$dir/state"
cat >"$dir/tsyncd.conf" <<-EOF
	controlsocket none
	logfile $dir/tsyncd.log
	driftfile $dir/state/tsyncd.drift
	user nobody
	chroot $dir/chroot
	clock none
EOF
rc=0
ns_exec nobody timeout 10 "$TSYNCD" -n -c "$dir/tsyncd.conf" >"$dir/stderr" 2>&1 || rc=$?
check "user nobody owning the drift directory: refused at start (exit status $rc)" [ "$rc" = 1 ]
check "user nobody: the log says why" grep -q 'nobody.*drift' "$dir/tsyncd.log"
finish
