// SPDX-License-Identifier: ISC
/*
 * phcprobe: a PTP hardware clock as the kernel offers it, read-only.
 *
 *   phcprobe check DEV           capabilities; PTP_SYS_OFFSET_EXTENDED works and the PHC ticks
 *                                at the rate of the system clock; PTP_SYS_OFFSET agrees with it;
 *                                PTP_SYS_OFFSET_PRECISE reported (supported or not)
 *   phcprobe tsyncd NAME DEV     tsyncd's own PHC reading (hwts/phc.h): phc_open(NAME), a device
 *                                or an interface name (found through ethtool netlink); phc_sample
 *                                falls back to a method the device has, and each sample agrees with
 *                                a raw PTP_SYS_OFFSET_EXTENDED reading of DEV within their errors
 *   phcprobe offset DEV SECONDS  sample CLOCK_REALTIME - PHC every 0.5 s for SECONDS (each from
 *                                the tightest of 9 PTP_SYS_OFFSET_EXTENDED readings) and print
 *                                n, mean, RMS and the largest |offset| in ns: an independent
 *                                measure of how well a daemon keeps the system clock on the PHC
 *
 * "ok"/"FAIL" lines; exit 1 if a check failed, 2 if the device cannot be used.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ptp_clock.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "hwts/phc.h"
#include "tests/vm/probe.h"

#define EXT_SAMPLES        9
#define SAMPLE_PERIOD_S    0.5
#define MAX_WINDOW_NS      1000000 /* a sane PTP_SYS_OFFSET_EXTENDED reading takes < 1 ms */
#define RATE_TOLERANCE_PPM 10.0
#define TSYNCD_SAMPLES     10
/* Slack for two independent readings taken about 1 ms apart: the PHC and the system clock drift
 * apart by less than 10 ppm, and a bracket may be a little off under emulation. */
#define AGREEMENT_SLACK_NS 2000

static int64_t ptp_ns(struct ptp_clock_time t)
{
    return t.sec * 1000000000 + t.nsec;
}

/* ok/FAIL line for an ioctl: "NAME" or "NAME: error" */
static bool check_ioctl(int rc, const char *name)
{
    int e = errno;
    return probe_check(rc == 0, "%s%s%s", name, rc ? ": " : "", rc ? strerror(e) : "");
}

/* One PTP_SYS_OFFSET_EXTENDED call, its tightest sample: system time (CLOCK_REALTIME, the
 * middle of the window) and PHC time. */
struct phc_reading {
    int64_t sys_ns;
    int64_t phc_ns;
    int64_t window_ns; /* system time after - before the PHC read */
};

static int read_extended(int fd, struct phc_reading *r)
{
    struct ptp_sys_offset_extended ext;
    memset(&ext, 0, sizeof ext);
    ext.n_samples = EXT_SAMPLES;
    if (ioctl(fd, PTP_SYS_OFFSET_EXTENDED, &ext) != 0)
        return -1;
    r->window_ns = INT64_MAX;
    for (unsigned i = 0; i < ext.n_samples; i++) {
        int64_t before = ptp_ns(ext.ts[i][0]), after = ptp_ns(ext.ts[i][2]);
        if (after - before < r->window_ns) {
            r->window_ns = after - before;
            r->sys_ns = before + (after - before) / 2;
            r->phc_ns = ptp_ns(ext.ts[i][1]);
        }
    }
    return 0;
}

static void check_caps(int fd)
{
    struct ptp_clock_caps caps;
    memset(&caps, 0, sizeof caps);
    if (!check_ioctl(ioctl(fd, PTP_CLOCK_GETCAPS, &caps), "PTP_CLOCK_GETCAPS"))
        return;
    printf("#    max_adj %d ppb, cross_timestamping %d, pps %d\n", caps.max_adj,
           caps.cross_timestamping, caps.pps);
}

/* The PHC advances at the rate of the (undisciplined) system clock over 2 s: a frozen or racing
 * PHC fails. */
static void check_ticks(int fd)
{
    struct phc_reading r0, r1;
    int rc = read_extended(fd, &r0);
    probe_sleep_s(2.0);
    rc |= read_extended(fd, &r1);
    if (!check_ioctl(rc, "PTP_SYS_OFFSET_EXTENDED"))
        return;
    double phc_s = (double)(r1.phc_ns - r0.phc_ns) * 1e-9;
    double sys_s = (double)(r1.sys_ns - r0.sys_ns) * 1e-9;
    double rate_ppm = (phc_s / sys_s - 1.0) * 1e6;
    probe_check(fabs(rate_ppm) < RATE_TOLERANCE_PPM,
                "PHC ticks: %.6f s in %.6f s of CLOCK_REALTIME (%+.2f ppm), best windows %lld "
                "and %lld ns",
                phc_s, sys_s, rate_ppm, (long long)r0.window_ns, (long long)r1.window_ns);
}

static void check_sys_offset(int fd)
{
    struct ptp_sys_offset so;
    memset(&so, 0, sizeof so);
    so.n_samples = 5;
    if (!check_ioctl(ioctl(fd, PTP_SYS_OFFSET, &so), "PTP_SYS_OFFSET"))
        return;
    /* ts[2i] system, ts[2i+1] PHC, ts[2i+2] system */
    int64_t before = ptp_ns(so.ts[0]), phc = ptp_ns(so.ts[1]), after = ptp_ns(so.ts[2]);
    int64_t offset = before + (after - before) / 2 - phc;
    struct phc_reading ext;
    if (read_extended(fd, &ext) != 0)
        return;
    int64_t ext_offset = ext.sys_ns - ext.phc_ns;
    probe_check(llabs(offset - ext_offset) < MAX_WINDOW_NS,
                "PTP_SYS_OFFSET agrees with EXTENDED: realtime - PHC %lld ns vs %lld ns",
                (long long)offset, (long long)ext_offset);
}

static void report_precise(int fd)
{
    struct ptp_sys_offset_precise pr;
    memset(&pr, 0, sizeof pr);
    if (ioctl(fd, PTP_SYS_OFFSET_PRECISE, &pr) == 0)
        printf("#    PTP_SYS_OFFSET_PRECISE: supported\n");
    else
        printf("#    PTP_SYS_OFFSET_PRECISE: %s (tsyncd falls back to EXTENDED)\n",
               strerror(errno));
}

static int run_check(int fd)
{
    check_caps(fd);
    check_ticks(fd);
    check_sys_offset(fd);
    report_precise(fd);
    return probe_summary("phcprobe check");
}

/* phc_sample against a raw reading: |tsyncd's phc - sys + raw sys - phc| within both errors. */
static void check_tsyncd_sample(int fd, const struct phc_sample *ps, int i)
{
    struct phc_reading raw;
    if (read_extended(fd, &raw) != 0)
        return;
    int64_t sum_ns = probe_ts_ns(ps->phc) - probe_ts_ns(ps->sys);
    probe_check(sum_ns == ps->offset_ns, "sample %d: phc - sys of its timestamps is offset_ns", i);
    int64_t raw_sys_minus_phc = raw.sys_ns - raw.phc_ns;
    int64_t disagreement_ns = ps->offset_ns + raw_sys_minus_phc;
    int64_t bound_ns = llround(ps->error_s * 1e9) + raw.window_ns / 2 + AGREEMENT_SLACK_NS;
    probe_check(llabs(disagreement_ns) <= bound_ns,
                "sample %d (%s, %d/%d readings kept): phc - sys %lld ns, raw reading %lld ns, "
                "apart %lld ns (bound %lld)",
                i, phc_method_name(ps->method), ps->n_kept, ps->n_read, (long long)ps->offset_ns,
                (long long)-raw_sys_minus_phc, (long long)disagreement_ns, (long long)bound_ns);
}

static int run_tsyncd(const char *name, const char *dev)
{
    int err = 0;
    struct phc *phc = phc_open(name, &err);
    if (!probe_check(phc != NULL, "phc_open(%s)%s%s", name, err ? ": " : "",
                     err ? strerror(-err) : ""))
        return probe_summary("phcprobe tsyncd");
    struct ptp_clock_caps caps;
    int caps_rc = phc_get_caps(phc, &caps);
    probe_check(caps_rc == 0, "phc_get_caps: max_adj %d ppb", caps_rc == 0 ? caps.max_adj : 0);
    int fd = open(dev, O_RDONLY); /* raw readings of the same PHC, for comparison */
    probe_check(fd >= 0, "open %s", dev);
    for (int i = 0; i < TSYNCD_SAMPLES && fd >= 0; i++) {
        struct phc_sample ps;
        int rc = phc_sample(phc, &ps);
        if (!probe_check(rc == 0, "phc_sample %d%s%s", i, rc ? ": " : "", rc ? strerror(-rc) : ""))
            break;
        check_tsyncd_sample(fd, &ps, i);
        probe_sleep_s(0.2); /* within the default read budget */
    }
    enum phc_method method = phc_get_method(phc);
    probe_check(method != PHC_METHOD_UNKNOWN, "phc method in use: %s", phc_method_name(method));
    if (fd >= 0)
        close(fd);
    phc_close(phc);
    return probe_summary("phcprobe tsyncd");
}

static int run_offset(int fd, double seconds)
{
    double sum = 0, sum_sq = 0, max_abs = 0;
    int n = 0, errors = 0;
    for (double t = 0; t < seconds; t += SAMPLE_PERIOD_S) {
        struct phc_reading r;
        if (read_extended(fd, &r) != 0) {
            errors++;
        } else {
            double ns = (double)(r.sys_ns - r.phc_ns);
            sum += ns;
            sum_sq += ns * ns;
            max_abs = fabs(ns) > max_abs ? fabs(ns) : max_abs;
            n++;
        }
        probe_sleep_s(SAMPLE_PERIOD_S);
    }
    if (n == 0) {
        fprintf(stderr, "phcprobe: no PHC reading succeeded\n");
        return 2;
    }
    printf("realtime-phc n=%d mean=%.0f rms=%.0f max=%.0f ns read_errors=%d\n", n, sum / n,
           sqrt(sum_sq / n), max_abs, errors);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "tsyncd") == 0)
        return run_tsyncd(argv[2], argv[3]);
    bool check = argc == 3 && strcmp(argv[1], "check") == 0;
    bool offset = argc == 4 && strcmp(argv[1], "offset") == 0;
    if (!check && !offset) {
        fprintf(stderr, "usage: phcprobe check DEV | tsyncd NAME DEV | offset DEV SECONDS\n");
        return 2;
    }
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "phcprobe: %s: %s\n", argv[2], strerror(errno));
        return 2;
    }
    int rc = check ? run_check(fd) : run_offset(fd, atof(argv[3]));
    close(fd);
    return rc;
}
