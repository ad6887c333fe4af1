#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Guest side of refclock_phc.sh (runs in the vmrun guest with an igb NIC and the host-side NTP
# server). The igb PHC free-runs from the guest's boot-time clock, so it is first set from an
# NTP-synchronised guest clock: a PHC that follows true time, as on EC2 Nitro. Then each daemon
# disciplines the guest clock with `refclock phc DEV poll 0` for the same time, one after the
# other, each starting with the kernel frequency at 0. The PHC is made to run 50 ppm fast (the
# guest's oscillator is "50 ppm slow"), so a daemon must find and apply that frequency: a clock
# left alone drifts 3 ms from the PHC in a minute. phcprobe measures realtime - PHC during the
# last MEASURE seconds of each run, independently of what the daemons report.
# Prints "RESULT <daemon> n=.. mean=.. rms=.. max=.. ns read_errors=..", or "RESULT <daemon>
# absent: REASON" (not built), or "RESULT <daemon> failed: ..." / "died ..." (a failure).
set -u
WARMUP=${WARMUP:-20}   # s for a daemon to lock on before the measurement
MEASURE=${MEASURE:-30} # s of measurement
phc=${TSYNC_VM_PHC0:?no PHC: run with --nic igb}
mkdir -p /var/log/chrony /run/chrony /run/tsyncd
chmod 0750 /run/chrony

PHC_FREQ_PPB=50000
# kernel frequency 0 and the nominal tick: no daemon inherits the previous one's work
reset_clock() { adjtimex -q -f 0 -t 10000; }

measure() { # measure NAME PID: wait WARMUP s, then sample realtime - PHC for MEASURE s
	sleep "$WARMUP"
	local result
	result=$(phcprobe offset "$phc" "$MEASURE")
	if kill -0 "$2" 2>/dev/null; then
		echo "RESULT $1 ${result#realtime-phc }"
	else
		echo "RESULT $1 died during the run; its log:"
		sed 's/^/#   /' "/tmp/$1.log"
	fi
}

echo "# PHC $phc of $TSYNC_VM_IF0; guest clock synchronised to the host, then copied into the PHC"
chronyd -u root -q "server $TSYNC_VM_HOST_IP iburst maxsamples 6" 2>&1 | grep -v '^$' || exit 1
phc_ctl "$phc" set freq "$PHC_FREQ_PPB" | grep -v '^$'
phcprobe offset "$phc" 2 | sed 's/^/# after phc_ctl set: /'

run_chronyd() {
	printf '%s\n' "refclock PHC $phc poll 0" "makestep 1 3" "logdir /var/log/chrony" \
		"log tracking refclocks" >/etc/chrony.conf
	reset_clock
	chronyd -u root -d -f /etc/chrony.conf >/tmp/chronyd.log 2>&1 &
	local pid=$!
	measure chronyd "$pid"
	echo "# chronyd's own view:"
	chronyc -n tracking | grep -E 'Reference|System time|Last offset|RMS offset|Frequency' | sed 's/^/#   /'
	chronyc -n sourcestats | tail -n 1 | sed 's/^/#   sourcestats: /'
	kill "$pid" 2>/dev/null
	wait "$pid"
}

# The tsyncd half: skipped only when tsyncd is not built.
run_tsyncd() {
	if ! command -v tsyncd >/dev/null || ! command -v tsyncctl >/dev/null; then
		echo "RESULT tsyncd absent: tsyncd or tsyncctl not built"
		return
	fi
	printf '%s\n' "refclock phc $phc poll 0" >/etc/tsyncd.conf
	if ! tsyncd --check-config -c /etc/tsyncd.conf >/tmp/tsyncd-check.log 2>&1; then
		echo "RESULT tsyncd failed: its configuration does not accept refclock phc"
		sed 's/^/#   /' /tmp/tsyncd-check.log
		return
	fi
	reset_clock
	# shellcheck disable=SC2086 # TSYNCD_ARGS: extra words for the command line
	tsyncd -n -c /etc/tsyncd.conf ${TSYNCD_ARGS:-} >/tmp/tsyncd.log 2>&1 &
	local pid=$!
	sleep 3
	if ! tsyncctl -n sources 2>/dev/null | grep -q PHC; then
		echo "RESULT tsyncd failed: no PHC source listed after 3 s"
		tsyncctl -n sources 2>&1 | sed 's/^/#   /'
		tail -n 5 /tmp/tsyncd.log | sed 's/^/#   log: /'
		kill "$pid" 2>/dev/null
		return
	fi
	measure tsyncd "$pid"
	echo "# tsyncd's own view:"
	tsyncctl -n tracking 2>&1 | sed 's/^/#   /'
	tsyncctl -n sources 2>&1 | sed 's/^/#   /'
	kill "$pid" 2>/dev/null
	wait "$pid"
}

run_chronyd
run_tsyncd
exit 0
