// SPDX-License-Identifier: ISC
/* The clock guard in the parent: the bound on every correction, the evidence that lifts it, the
 * floor of a first step (parent_guard.h). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <sys/stat.h>

#include "daemon/parent/parent_int.h"

static double seconds(struct timespec ts)
{
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* a - b of two clocks read back to back, s; false if one is unreadable. */
static bool clock_difference(const struct parent_guard *pg, clockid_t a, clockid_t b, double *out)
{
    struct timespec ta, tb;

    if (pg->gettime(a, &ta) < 0 || pg->gettime(b, &tb) < 0)
        return false;
    *out = seconds(ta) - seconds(tb);
    return true;
}

/* The drift file is written only while synchronised: its modification time is a time the clock
 * was known good at (0 without one). */
static double drift_written_at(const struct cfg *cfg)
{
    struct stat st;

    if (cfg->driftfile == NULL || stat(cfg->driftfile, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    return (double)st.st_mtime;
}

static void take_baseline(struct parent_guard *pg)
{
    pg->have_real = clock_difference(pg, CLOCK_REALTIME, CLOCK_MONOTONIC, &pg->real_minus_mono_s);
    pg->have_boot = clock_difference(pg, CLOCK_BOOTTIME, CLOCK_MONOTONIC, &pg->boot_minus_mono_s);
    pg->own_steps_s = 0;
}

void parent_guard_init(struct parent *p, const struct parent_options *opt, double freq_ppm,
                       double now)
{
    struct parent_guard *pg = &p->guard;

    guard_init(&pg->g, p->cfg->dispersion_ppm, now, freq_ppm);
    pg->gettime = opt->gettime != NULL ? opt->gettime : clock_gettime;
    pg->own_steps_move_realtime = p->cfg->clock == CFG_CLOCK_SYSTEM;
    pg->floor_s = fmax((double)TSYNC_BUILD_TIME, drift_written_at(p->cfg));
    pg->last_cut_log = pg->last_window_log = -INFINITY;
    take_baseline(pg);
}

void parent_guard_release(struct parent *p, const char *why)
{
    if (p->guard.g.anchored)
        log_info("clock guard: %s: no bound until the clock is synchronised again", why);
    guard_release(&p->guard.g);
}

/* CLOCK_REALTIME moved by `jump` s against CLOCK_MONOTONIC beyond the parent's own steps: an
 * armed leap second (its second, once), or someone else set the clock. */
static void check_realtime(struct parent *p, double real_minus_mono, double now)
{
    struct parent_guard *pg = &p->guard;
    double jump = real_minus_mono - pg->real_minus_mono_s - pg->own_steps_s;
    char why[96];

    if (fabs(jump) <= PARENT_GUARD_JUMP_S)
        return;
    if (pg->leap_armed != 0 && fabs(jump + pg->leap_armed) <= PARENT_GUARD_JUMP_S) {
        pg->leap_armed = 0; /* the kernel applied the leap second it was told of */
        return;
    }
    snprintf(why, sizeof(why), "the clock was set by someone else (%+.3f s)", jump);
    parent_clock_changed(p, false, why, now);
}

/* CLOCK_BOOTTIME gained on CLOCK_MONOTONIC: the host slept (REALTIME jumped with it). */
static bool check_suspend(struct parent *p, double now)
{
    struct parent_guard *pg = &p->guard;
    double boot, slept;
    char why[96];

    if (!pg->have_boot || !clock_difference(pg, CLOCK_BOOTTIME, CLOCK_MONOTONIC, &boot))
        return false;
    slept = boot - pg->boot_minus_mono_s;
    pg->boot_minus_mono_s = boot;
    if (slept <= PARENT_GUARD_SUSPEND_S)
        return false;
    snprintf(why, sizeof(why), "the host was suspended for %.0f s", slept);
    parent_clock_changed(p, true, why, now);
    return true;
}

void parent_guard_check(struct parent *p, double now)
{
    struct parent_guard *pg = &p->guard;
    bool suspended = check_suspend(p, now);
    double real;

    if (clock_difference(pg, CLOCK_REALTIME, CLOCK_MONOTONIC, &real)) {
        if (pg->have_real && !suspended)
            check_realtime(p, real, now);
        pg->real_minus_mono_s = real;
        pg->have_real = true;
    }
    pg->own_steps_s = 0;
}

/* Before any bound: a step keeps the clock within [floor, max(clock, floor) + FORWARD_MAX]; a
 * clock already outside may only come back (a step is cut, never turned around). Returns
 * whether it cut *step_s. */
static bool first_step_window(struct parent *p, double *step_s)
{
    struct timespec ts;
    double t, lo, hi;

    if (clk_now(p->clk, &ts) < 0)
        return false;
    t = seconds(ts);
    lo = fmin(p->guard.floor_s, t);
    hi = fmax(fmax(t, p->guard.floor_s) + PARENT_GUARD_FORWARD_MAX_S, t);
    if (t + *step_s < lo)
        *step_s = lo - t;
    else if (t + *step_s > hi)
        *step_s = hi - t;
    else
        return false;
    return true;
}

/* The samples put the clock further off than it can have drifted since it was synchronised:
 * the bound holds the correction; said loudly (every PARENT_GUARD_LOG_INTERVAL_S at most). */
static void check_disagreement(struct parent *p, const struct disc_status *st, double now)
{
    struct parent_guard *pg = &p->guard;
    double excess = guard_excess(&pg->g, now, st->offset_s);

    if (st->sys_peer < 0 || excess <= PARENT_GUARD_REPORT_S)
        return;
    pg->alarms++;
    pg->alarms_since_log++;
    if (now - pg->last_cut_log < PARENT_GUARD_LOG_INTERVAL_S)
        return;
    log_err("clock guard: the samples put the clock %+.6f s off, but since it was synchronised "
            "%.0f s ago it can have drifted only +-%.6f s: the correction is held to that bound "
            "(%lu updates so; a compromised network child, or every source wrong)",
            -st->offset_s, now - pg->g.t0, guard_bound(&pg->g, now), pg->alarms_since_log);
    pg->last_cut_log = now;
    pg->alarms_since_log = 0;
}

/* Steps up to the panic threshold (1000 s) are the step policy's business; only the larger
 * ones -g allows once can reach a floor or throw the clock years ahead. */
static double window_threshold(const struct parent *p)
{
    return p->cfg->panic_s > 0 ? p->cfg->panic_s : CFG_DEFAULT_PANIC_S;
}

void parent_guard_limit(struct parent *p, double now, double *step_s, double *freq_ppm)
{
    struct parent_guard *pg = &p->guard;
    double asked_step = *step_s;
    bool cut = false; /* said by check_disagreement(), which sees why */

    if (!pg->g.anchored && fabs(*step_s) > window_threshold(p) && first_step_window(p, step_s) &&
        now - pg->last_window_log >= PARENT_GUARD_LOG_INTERVAL_S) {
        pg->last_window_log = now;
        log_err("clock guard: a step of %+.3f s would set the clock before %.0f (the build "
                "time or the drift file's last write) or more than %.0f s past max(clock, that): "
                "%+.3f s applied",
                asked_step, pg->floor_s, PARENT_GUARD_FORWARD_MAX_S, *step_s);
    }
    guard_limit(&pg->g, now, *step_s, *freq_ppm, step_s, freq_ppm, &cut);
}

void parent_guard_stepped(struct parent *p, double now, double step_s)
{
    guard_stepped(&p->guard.g, now, step_s);
    if (p->guard.own_steps_move_realtime)
        p->guard.own_steps_s += step_s;
}

void parent_guard_frequency(struct parent *p, double now, double freq_ppm)
{
    guard_frequency(&p->guard.g, now, freq_ppm);
}

void parent_guard_leap(struct parent *p, enum clk_leap leap)
{
    p->guard.leap_armed = leap == CLK_LEAP_INSERT ? 1 : leap == CLK_LEAP_DELETE ? -1 : 0;
}

void parent_guard_update(struct parent *p, const struct disc_status *st, bool synced, double now)
{
    struct parent_guard *pg = &p->guard;
    bool refclock = p->sys_peer_slot >= 0 && p->slots[p->sys_peer_slot].kind == MSG_KIND_REFCLOCK;

    /* The true time is within the root distance of what the sources say, and the correction of
     * the offset still to be slewed lies ahead: both belong to the error at the anchor. */
    double error_s = fabs(st->offset_s) + st->root_delay_s / 2 + st->root_dispersion_s;
    /* A trajectory the clock cannot run at (samples that ask for more than its limit) would put
     * the clock outside its own cone: the anchor's frequency is one the clock can apply. */
    double freq_ppm = clk_limit_freq(p->clk, st->freq_ppm);

    check_disagreement(p, st, now);
    if (synced) {
        guard_follow(&pg->g, refclock);
        guard_synchronised(&pg->g, now, freq_ppm, st->freq_sd_ppm, error_s);
    } else if (st->sys_peer >= 0) { /* a narrower cone is safe whatever the samples say */
        guard_refine(&pg->g, now, freq_ppm, st->freq_sd_ppm, error_s);
    }
}
