// SPDX-License-Identifier: ISC
/* Clock driver interface: argument checks, the clock map, status emulation. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "discipline/clock_int.h"

static const struct {
    const char *name;
    enum clk_kind kind;
} clk_kinds[] = {
    {"system", CLK_SYSTEM},
    {"none", CLK_NONE},
    {"virtual", CLK_VIRTUAL},
};

const char *clk_kind_name(enum clk_kind kind)
{
    for (size_t i = 0; i < sizeof clk_kinds / sizeof clk_kinds[0]; i++)
        if (clk_kinds[i].kind == kind)
            return clk_kinds[i].name;
    return "unknown";
}

int clk_kind_from_name(const char *name, enum clk_kind *kind)
{
    for (size_t i = 0; i < sizeof clk_kinds / sizeof clk_kinds[0]; i++) {
        if (strcmp(clk_kinds[i].name, name) == 0) {
            *kind = clk_kinds[i].kind;
            return 0;
        }
    }
    return -1;
}

int clk_fail(struct clk *clk, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(clk->err, sizeof clk->err, fmt, ap);
    va_end(ap);
    return -1;
}

const char *clk_error(const struct clk *clk)
{
    return clk->err;
}

/* ---- timespec arithmetic ---- */

int64_t clk_ts_diff_ns(struct timespec a, struct timespec b)
{
    return ((int64_t)a.tv_sec - (int64_t)b.tv_sec) * CLK_NS_PER_S + (a.tv_nsec - b.tv_nsec);
}

struct timespec clk_ts_add_ns(struct timespec ts, int64_t ns)
{
    int64_t sec = ns / CLK_NS_PER_S;
    int64_t rem = ns % CLK_NS_PER_S;
    ts.tv_sec += sec;
    ts.tv_nsec += rem;
    if (ts.tv_nsec >= CLK_NS_PER_S) {
        ts.tv_nsec -= CLK_NS_PER_S;
        ts.tv_sec++;
    } else if (ts.tv_nsec < 0) {
        ts.tv_nsec += CLK_NS_PER_S;
        ts.tv_sec--;
    }
    return ts;
}

/* ---- the clock map ---- */

void clk_map_identity(struct clk_map *map)
{
    memset(map, 0, sizeof *map);
}

bool clk_map_valid(const struct clk_map *map)
{
    return map->host_ref.tv_sec >= 0 && map->host_ref.tv_nsec >= 0 &&
           map->host_ref.tv_nsec < CLK_NS_PER_S && isfinite(map->offset_ref) &&
           fabs(map->offset_ref) <= CLK_MAP_OFFSET_MAX_S && isfinite(map->rate_ppm) &&
           fabs(map->rate_ppm) <= CLK_MAP_RATE_MAX_PPM;
}

struct timespec clk_map_apply(const struct clk_map *map, struct timespec host)
{
    if (map->offset_ref == 0.0 && map->rate_ppm == 0.0)
        return host;
    /* The interval in integer ns keeps full resolution; only the correction is a double
     * (|correction| < ~1e9 s * 1e9 ns: exact to well below 1 ns for sane maps). */
    int64_t since_ref_ns = clk_ts_diff_ns(host, map->host_ref);
    double corr_ns = map->offset_ref * 1e9 + (double)since_ref_ns * map->rate_ppm * 1e-6;
    return clk_ts_add_ns(host, (int64_t)llround(corr_ns));
}

struct timespec clk_map_now(const struct clk_map *map)
{
    struct timespec host;
    clock_gettime(CLOCK_REALTIME, &host);
    return clk_map_apply(map, host);
}

/* ---- status emulation (none, virtual) ---- */

void clk_soft_reset(struct clk_soft_status *s, struct timespec now)
{
    /* As the kernel at boot: unsynchronised, both errors at the limit. */
    struct clk_status st = {
        .unsync = true,
        .leap = CLK_LEAP_NONE,
        .maxerror_s = CLK_MAXERROR_LIMIT_S,
        .esterror_s = CLK_MAXERROR_LIMIT_S,
    };
    clk_soft_set(s, &st, now);
}

void clk_soft_set(struct clk_soft_status *s, const struct clk_status *st, struct timespec now)
{
    s->st = *st;
    s->set_at = now;
}

void clk_soft_info(const struct clk_soft_status *s, struct timespec now, struct clk_info *info)
{
    double elapsed_s = (double)clk_ts_diff_ns(now, s->set_at) * 1e-9;
    if (elapsed_s < 0)
        elapsed_s = 0;
    double maxerror_s = s->st.maxerror_s + elapsed_s * CLK_MAXERROR_GROWTH_S_PER_S;
    bool unsync = s->st.unsync;
    if (maxerror_s >= CLK_MAXERROR_LIMIT_S) {
        maxerror_s = CLK_MAXERROR_LIMIT_S;
        unsync = true; /* the kernel sets STA_UNSYNC itself at NTP_PHASE_LIMIT */
    }
    info->maxerror_s = maxerror_s;
    info->esterror_s = s->st.esterror_s;
    info->status = STA_NANO | (unsync ? STA_UNSYNC : 0);
    if (s->st.leap == CLK_LEAP_INSERT)
        info->status |= STA_INS;
    else if (s->st.leap == CLK_LEAP_DELETE)
        info->status |= STA_DEL;
    if (unsync)
        info->state = TIME_ERROR;
    else if (s->st.leap == CLK_LEAP_INSERT)
        info->state = TIME_INS;
    else if (s->st.leap == CLK_LEAP_DELETE)
        info->state = TIME_DEL;
    else
        info->state = TIME_OK;
}

/* ---- open / close ---- */

static int real_clock_adjtime(clockid_t id, struct timex *tx)
{
    return clock_adjtime(id, tx);
}

static int real_clock_gettime(clockid_t id, struct timespec *ts)
{
    return clock_gettime(id, ts);
}

static const char *check_options(const struct clk_options *opt, double *max_freq_ppm)
{
    *max_freq_ppm = opt->max_freq_ppm == 0.0 ? CLK_FREQ_KERNEL_MAX_PPM : opt->max_freq_ppm;
    if (!isfinite(*max_freq_ppm) || *max_freq_ppm <= 0.0 || *max_freq_ppm > CLK_FREQ_HARD_MAX_PPM)
        return "maximum frequency (maxslew) must be in (0, 100000] ppm";
    if (opt->kind != CLK_VIRTUAL)
        return NULL;
    if (!isfinite(opt->virt_initial_offset_s) ||
        fabs(opt->virt_initial_offset_s) > CLK_MAP_OFFSET_MAX_S)
        return "virtual clock: initial offset out of range";
    if (!isfinite(opt->virt_freq_error_ppm) ||
        fabs(opt->virt_freq_error_ppm) > CLK_FREQ_HARD_MAX_PPM)
        return "virtual clock: frequency error must be within +-100000 ppm";
    return NULL;
}

static const struct clk_ops *ops_for(enum clk_kind kind)
{
    switch (kind) {
    case CLK_SYSTEM:
        return &clk_system_ops;
    case CLK_NONE:
        return &clk_none_ops;
    case CLK_VIRTUAL:
        return &clk_virtual_ops;
    }
    return NULL;
}

static void init_syscalls(struct clk *clk, const struct clk_syscalls *sys)
{
    if (sys)
        clk->sys = *sys;
    if (!clk->sys.clock_adjtime)
        clk->sys.clock_adjtime = real_clock_adjtime;
    if (!clk->sys.clock_gettime)
        clk->sys.clock_gettime = real_clock_gettime;
    if (clk->sys.user_hz <= 0)
        clk->sys.user_hz = sysconf(_SC_CLK_TCK);
    if (clk->sys.user_hz <= 0)
        clk->sys.user_hz = 100;
}

struct clk *clk_open(const struct clk_options *opt, char *err, size_t errlen)
{
    double max_freq_ppm;
    const char *bad = check_options(opt, &max_freq_ppm);
    const struct clk_ops *ops = ops_for(opt->kind);
    if (!bad && !ops)
        bad = "unknown clock driver";
    if (bad) {
        if (errlen > 0)
            snprintf(err, errlen, "%s", bad);
        return NULL;
    }
    struct clk *clk = calloc(1, sizeof *clk);
    if (!clk) {
        if (errlen > 0)
            snprintf(err, errlen, "out of memory");
        return NULL;
    }
    clk->ops = ops;
    clk->max_freq_ppm = max_freq_ppm;
    init_syscalls(clk, opt->sys);
    clk->virt.host_clock = opt->host_clock;
    clk->virt.host_ctx = opt->host_clock_ctx;
    clk->virt.freq_error_ppm = opt->virt_freq_error_ppm;
    clk->virt.map.offset_ref = opt->virt_initial_offset_s;
    if (clk->ops->open(clk) < 0) {
        if (errlen > 0)
            snprintf(err, errlen, "%s", clk->err);
        free(clk);
        return NULL;
    }
    return clk;
}

void clk_close(struct clk *clk)
{
    free(clk);
}

/* ---- the interface ---- */

int clk_start(struct clk *clk)
{
    clk->err[0] = '\0';
    return clk->ops->start(clk);
}

int clk_now(struct clk *clk, struct timespec *ts)
{
    clk->err[0] = '\0';
    return clk->ops->now(clk, ts);
}

int clk_set_freq(struct clk *clk, double ppm)
{
    clk->err[0] = '\0';
    if (!isfinite(ppm))
        return clk_fail(clk, "frequency is not a finite number");
    return clk->ops->set_freq(clk, clk_limit_freq(clk, ppm));
}

double clk_limit_freq(const struct clk *clk, double ppm)
{
    return fmax(fmin(ppm, clk->max_freq_ppm), -clk->max_freq_ppm);
}

int clk_get_freq(struct clk *clk, double *ppm)
{
    clk->err[0] = '\0';
    return clk->ops->get_freq(clk, ppm);
}

int clk_step(struct clk *clk, double offset_s)
{
    clk->err[0] = '\0';
    if (!isfinite(offset_s) || fabs(offset_s) > CLK_MAP_OFFSET_MAX_S)
        return clk_fail(clk, "step of %g s refused: not finite or beyond %g s", offset_s,
                        CLK_MAP_OFFSET_MAX_S);
    return clk->ops->step(clk, (int64_t)llround(offset_s * 1e9));
}

int clk_slew_once(struct clk *clk, double offset_s, double *duration_s)
{
    clk->err[0] = '\0';
    if (!isfinite(offset_s) || fabs(offset_s) > CLK_SLEW_MAX_S)
        return clk_fail(clk, "slew of %g s refused: not finite or beyond %g s (step instead)",
                        offset_s, CLK_SLEW_MAX_S);
    if (clk->ops->slew_once(clk, offset_s) < 0)
        return -1;
    if (duration_s)
        *duration_s = fabs(offset_s) / (CLK_SLEW_RATE_PPM * 1e-6);
    return 0;
}

static double clamp_error_s(double s)
{
    if (!(s > 0.0)) /* also NaN */
        return 0.0;
    return s > CLK_MAXERROR_LIMIT_S ? CLK_MAXERROR_LIMIT_S : s;
}

int clk_set_status(struct clk *clk, const struct clk_status *st)
{
    clk->err[0] = '\0';
    if (st->leap != CLK_LEAP_NONE && st->leap != CLK_LEAP_INSERT && st->leap != CLK_LEAP_DELETE)
        return clk_fail(clk, "invalid leap indicator %d", (int)st->leap);
    struct clk_status c = *st;
    /* A NaN maximum error is unknown: the limit, which also means unsynchronised. */
    c.maxerror_s = isnan(st->maxerror_s) ? CLK_MAXERROR_LIMIT_S : clamp_error_s(st->maxerror_s);
    c.esterror_s = clamp_error_s(st->esterror_s);
    return clk->ops->set_status(clk, &c);
}

int clk_get_info(struct clk *clk, struct clk_info *info)
{
    clk->err[0] = '\0';
    memset(info, 0, sizeof *info);
    info->driver = clk->ops->name;
    return clk->ops->get_info(clk, info);
}

void clk_get_map(struct clk *clk, struct clk_map *map)
{
    clk->ops->get_map(clk, map);
}
