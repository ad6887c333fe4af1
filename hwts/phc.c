// SPDX-License-Identifier: ISC
// PHC offset sampling: method fallback, shortest-bracket selection, read budget (see phc.h).
// The real device operations and phc_open() are in phc_dev.c.

#include "config.h"

#include "hwts/phc.h"
#include "hwts/phc_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_S 1000000000LL

// One reading: system time before, PHC time, system time after (ns). PRECISE has before ==
// after.
struct phc_reading {
    int64_t before_ns;
    int64_t phc_ns;
    int64_t after_ns;
};

const char *phc_method_name(enum phc_method method)
{
    switch (method) {
    case PHC_METHOD_UNKNOWN:
        return "unknown";
    case PHC_METHOD_PRECISE:
        return "precise";
    case PHC_METHOD_EXTENDED:
        return "extended";
    case PHC_METHOD_BASIC:
        return "basic";
    }
    return "?";
}

struct phc *phc_open_ops(const struct phc_dev_ops *ops, void *ctx)
{
    struct phc *phc = calloc(1, sizeof(*phc));
    if (!phc)
        return NULL;
    phc->ops = ops;
    phc->ctx = ctx;
    phc->n_readings = PHC_DEFAULT_READINGS;
    phc->budget_per_s = PHC_DEFAULT_BUDGET;
    phc->tokens = PHC_DEFAULT_BUDGET;
    phc->last_refill_ns = ops->monotonic_ns(ctx);
    return phc;
}

int phc_get_caps(struct phc *phc, struct ptp_clock_caps *caps)
{
    memset(caps, 0, sizeof(*caps));
    return phc->ops->ioctl(phc->ctx, PTP_CLOCK_GETCAPS, caps);
}

int phc_set_readings(struct phc *phc, int n)
{
    if (n < 1 || n > PHC_MAX_READINGS)
        return -EINVAL;
    phc->n_readings = n;
    return 0;
}

int phc_set_budget(struct phc *phc, double reads_per_s)
{
    if (!(reads_per_s > 0.0))
        return -EINVAL;
    phc->budget_per_s = reads_per_s;
    if (phc->tokens > reads_per_s)
        phc->tokens = reads_per_s;
    return 0;
}

enum phc_method phc_get_method(const struct phc *phc)
{
    return phc->method;
}

// Token bucket: refills at budget_per_s, holds at most one second of reads.
static bool budget_take(struct phc *phc, int reads)
{
    int64_t now_ns = phc->ops->monotonic_ns(phc->ctx);
    double elapsed_s = (double)(now_ns - phc->last_refill_ns) / (double)NS_PER_S;
    phc->last_refill_ns = now_ns;
    if (elapsed_s > 0.0)
        phc->tokens += elapsed_s * phc->budget_per_s;
    if (phc->tokens > phc->budget_per_s)
        phc->tokens = phc->budget_per_s;
    if (phc->tokens < (double)reads)
        return false;
    phc->tokens -= reads;
    return true;
}

static void budget_refund(struct phc *phc, int reads)
{
    phc->tokens += reads;
}

static int64_t ptp_ns(const struct ptp_clock_time *t)
{
    return t->sec * NS_PER_S + t->nsec;
}

static int read_precise(struct phc *phc, struct phc_reading *r)
{
    struct ptp_sys_offset_precise req;
    memset(&req, 0, sizeof(req));
    int err = phc->ops->ioctl(phc->ctx, PTP_SYS_OFFSET_PRECISE, &req);
    if (err)
        return err;
    r->phc_ns = ptp_ns(&req.device);
    r->before_ns = r->after_ns = ptp_ns(&req.sys_realtime);
    return 1;
}

static int read_extended(struct phc *phc, struct phc_reading *r, int n)
{
    struct ptp_sys_offset_extended req;
    memset(&req, 0, sizeof(req)); // reserved words must be 0
    req.n_samples = (unsigned int)n;
    int err = phc->ops->ioctl(phc->ctx, PTP_SYS_OFFSET_EXTENDED, &req);
    if (err)
        return err;
    for (int i = 0; i < n; i++) {
        r[i].before_ns = ptp_ns(&req.ts[i][0]);
        r[i].phc_ns = ptp_ns(&req.ts[i][1]);
        r[i].after_ns = ptp_ns(&req.ts[i][2]);
    }
    return n;
}

// Basic: ts[] = sys, phc, sys, phc, ..., sys (2n + 1 stamps).
static int read_basic(struct phc *phc, struct phc_reading *r, int n)
{
    struct ptp_sys_offset req;
    memset(&req, 0, sizeof(req));
    req.n_samples = (unsigned int)n;
    int err = phc->ops->ioctl(phc->ctx, PTP_SYS_OFFSET, &req);
    if (err)
        return err;
    for (int i = 0; i < n; i++) {
        r[i].before_ns = ptp_ns(&req.ts[2 * i]);
        r[i].phc_ns = ptp_ns(&req.ts[2 * i + 1]);
        r[i].after_ns = ptp_ns(&req.ts[2 * i + 2]);
    }
    return n;
}

// Reads with `method`, charging the budget. Returns the number of readings or -errno.
static int read_with(struct phc *phc, enum phc_method method, struct phc_reading *r)
{
    int cost = method == PHC_METHOD_PRECISE ? 1 : phc->n_readings;
    if (!budget_take(phc, cost))
        return -EAGAIN;
    int n;
    if (method == PHC_METHOD_PRECISE)
        n = read_precise(phc, r);
    else if (method == PHC_METHOD_EXTENDED)
        n = read_extended(phc, r, phc->n_readings);
    else
        n = read_basic(phc, r, phc->n_readings);
    if (n == -EOPNOTSUPP || n == -ENOTTY)
        budget_refund(phc, cost); // refused by the PTP core before any device access
    return n;
}

// Reads with the remembered method, or probes PRECISE -> EXTENDED -> BASIC.
static int take_readings(struct phc *phc, struct phc_reading *r)
{
    if (phc->method != PHC_METHOD_UNKNOWN)
        return read_with(phc, phc->method, r);
    for (enum phc_method m = PHC_METHOD_PRECISE; m <= PHC_METHOD_BASIC; m++) {
        int n = read_with(phc, m, r);
        if (n > 0)
            phc->method = m;
        if (n != -EOPNOTSUPP && n != -ENOTTY)
            return n;
    }
    return -EOPNOTSUPP;
}

static int64_t delay_ns(const struct phc_reading *r)
{
    return r->after_ns - r->before_ns;
}

static int by_delay(const void *a, const void *b)
{
    int64_t da = delay_ns(a), db = delay_ns(b);
    return (da > db) - (da < db);
}

static struct timespec timespec_from_ns(int64_t ns)
{
    struct timespec t = {.tv_sec = ns / NS_PER_S, .tv_nsec = ns % NS_PER_S};
    if (t.tv_nsec < 0) {
        t.tv_nsec += NS_PER_S;
        t.tv_sec--;
    }
    return t;
}

// Averages the fastest quarter (at least one) of the readings with a non-negative bracket.
// Means are taken relative to the first kept reading so that sums cannot overflow.
static int combine(struct phc_reading *r, int n, struct phc_sample *s)
{
    int valid = 0;
    for (int i = 0; i < n; i++)
        if (delay_ns(&r[i]) >= 0)
            r[valid++] = r[i];
    if (valid == 0)
        return -ERANGE;
    qsort(r, (size_t)valid, sizeof(*r), by_delay);
    int kept = (valid + 3) / 4;
    int64_t base_mid_ns = r[0].before_ns + delay_ns(&r[0]) / 2;
    int64_t base_off_ns = r[0].phc_ns - base_mid_ns;
    double mid_sum = 0.0, off_sum = 0.0, delay_sum = 0.0;
    for (int i = 0; i < kept; i++) {
        int64_t mid_ns = r[i].before_ns + delay_ns(&r[i]) / 2;
        mid_sum += (double)(mid_ns - base_mid_ns);
        off_sum += (double)((r[i].phc_ns - mid_ns) - base_off_ns);
        delay_sum += (double)delay_ns(&r[i]);
    }
    int64_t sys_ns = base_mid_ns + llround(mid_sum / kept);
    s->offset_ns = base_off_ns + llround(off_sum / kept);
    s->sys = timespec_from_ns(sys_ns);
    s->phc = timespec_from_ns(sys_ns + s->offset_ns);
    s->delay_s = delay_sum / kept * 1e-9;
    s->error_s = s->delay_s / 2.0;
    s->n_read = n;
    s->n_kept = kept;
    return 0;
}

int phc_sample(struct phc *phc, struct phc_sample *sample)
{
    struct phc_reading readings[PHC_MAX_READINGS];
    memset(sample, 0, sizeof(*sample));
    int n = take_readings(phc, readings);
    if (n < 0)
        return n;
    int err = combine(readings, n, sample);
    if (err)
        return err;
    sample->method = phc->method;
    int64_t bound_ns;
    if (phc->ops->error_bound_ns && phc->ops->error_bound_ns(phc->ctx, &bound_ns) == 0) {
        sample->has_error_bound = true;
        sample->error_bound_s = (double)bound_ns * 1e-9;
    }
    return 0;
}
