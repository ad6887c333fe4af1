// SPDX-License-Identifier: ISC
/* Shared helpers of the guest-side probes (clockprobe, phcprobe): TAP-like result lines. */
#ifndef TSYNC_TESTS_VM_PROBE_H
#define TSYNC_TESTS_VM_PROBE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* Print "ok   - WHAT" or "FAIL - WHAT" (printf-style) and count failures. Returns ok. */
bool probe_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print "NAME: N checks, N failed"; returns 1 if a check failed, else 0 (an exit code). */
int probe_summary(const char *name);

/* A timespec as integer nanoseconds. */
int64_t probe_ts_ns(struct timespec ts);

/* Sleep for seconds (CLOCK_MONOTONIC_RAW based, so slews and steps in the guest do not matter). */
void probe_sleep_s(double seconds);

/* true only inside the vmrun test guest: PID 1 runs /init and /etc/tsyncd-vm-guest exists. Probes
 * that change the clock refuse to run elsewhere, so they can never move a host's clock. */
bool probe_in_test_guest(void);

#endif
