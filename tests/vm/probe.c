// SPDX-License-Identifier: ISC
/* Shared helpers of the guest-side probes. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/vm/probe.h"

static int checks, failures;

bool probe_check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(ok ? "ok   - " : "FAIL - ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    fflush(stdout);
    checks++;
    if (!ok)
        failures++;
    return ok;
}

int probe_summary(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, checks, failures);
    return failures ? 1 : 0;
}

int64_t probe_ts_ns(struct timespec ts)
{
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void probe_sleep_s(double seconds)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_RAW, &now);
    int64_t end_ns = probe_ts_ns(now) + (int64_t)(seconds * 1e9);
    for (;;) {
        clock_gettime(CLOCK_MONOTONIC_RAW, &now);
        int64_t left_ns = end_ns - probe_ts_ns(now);
        if (left_ns <= 0)
            return;
        struct timespec d = {.tv_sec = left_ns / 1000000000, .tv_nsec = left_ns % 1000000000};
        nanosleep(&d, NULL);
    }
}

bool probe_in_test_guest(void)
{
    /* PID 1 is "/bin/sh /init" (guest-init.sh); its argv is NUL-separated in /proc/1/cmdline */
    char cmdline[256];
    FILE *f = fopen("/proc/1/cmdline", "r");
    if (f == NULL)
        return false;
    size_t n = fread(cmdline, 1, sizeof cmdline - 1, f);
    fclose(f);
    cmdline[n] = '\0';
    bool init_is_ours = false;
    for (size_t i = 0; i < n; i += strlen(cmdline + i) + 1)
        if (strcmp(cmdline + i, "/init") == 0)
            init_is_ours = true;
    return init_is_ours && access("/etc/tsyncd-vm-guest", F_OK) == 0;
}
