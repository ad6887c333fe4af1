// SPDX-License-Identifier: ISC
// The clock guard: the bound on how far samples may move the clock (guard.h).
#include "config.h"

#include <math.h>
#include <string.h>

#include "discipline/guard.h"

void guard_init(struct guard *g, double drift_ppm, double now, double freq_ppm)
{
    memset(g, 0, sizeof(*g));
    g->drift_ppm = drift_ppm > 0 ? drift_ppm : GUARD_DRIFT_PPM;
    g->corr_time = now;
    g->freq_ppm = freq_ppm;
}

double guard_correction(const struct guard *g, double now)
{
    return g->corr_s + g->freq_ppm * 1e-6 * (now - g->corr_time);
}

void guard_stepped(struct guard *g, double now, double step_s)
{
    g->corr_s = guard_correction(g, now) + step_s;
    g->corr_time = now;
}

void guard_frequency(struct guard *g, double now, double freq_ppm)
{
    g->corr_s = guard_correction(g, now);
    g->corr_time = now;
    g->freq_ppm = freq_ppm;
}

double guard_bound(const struct guard *g, double now)
{
    if (!g->anchored)
        return INFINITY;
    return g->e0 + g->rate_ppm * 1e-6 * fmax(now - g->t0, 0);
}

// Where the anchor trajectory puts the correction at `now`, s.
static double reference(const struct guard *g, double now)
{
    return g->c0 + g->f0 * 1e-6 * (now - g->t0);
}

static double clamp(double x, double lo, double hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

void guard_limit(const struct guard *g, double now, double step_s, double freq_ppm,
                 double *step_out, double *freq_out, bool *cut)
{
    *step_out = step_s;
    *freq_out = freq_ppm;
    *cut = false;
    if (!g->anchored || g->following)
        return;
    double c = guard_correction(g, now), ref = reference(g, now), b = guard_bound(g, now);
    // A correction already outside (it cannot get there through the guard) may only come back.
    double target = clamp(c + step_s, fmin(ref - b, c), fmax(ref + b, c));
    *step_out = target - c;
    // The frequency must keep the correction in bound (give or take GUARD_SLACK_S) over the next
    // GUARD_HORIZON_S: at the edge of the bound it moves the clock no faster than the bound
    // grows. The slack lets an honest slew reach the edge without a cut; a liar gains nothing
    // from it that accumulates.
    double ref_h = reference(g, now + GUARD_HORIZON_S);
    double b_h = guard_bound(g, now + GUARD_HORIZON_S) + GUARD_SLACK_S;
    double lo = (ref_h - b_h - target) / GUARD_HORIZON_S * 1e6;
    double hi = (ref_h + b_h - target) / GUARD_HORIZON_S * 1e6;
    *freq_out = clamp(freq_ppm, lo, hi);
    *cut = *step_out != step_s || *freq_out != freq_ppm;
}

double guard_excess(const struct guard *g, double now, double offset_s)
{
    if (!g->anchored || g->following || !isfinite(offset_s))
        return 0;
    double away = fabs(guard_correction(g, now) + offset_s - reference(g, now));
    return fmax(away - guard_bound(g, now), 0);
}

static void anchor(struct guard *g, double now, double freq_ppm, double freq_sd_ppm, double error_s)
{
    g->anchored = true;
    g->t0 = now;
    g->c0 = guard_correction(g, now);
    g->f0 = freq_ppm;
    g->e0 = fmin(fmax(error_s, 0), GUARD_MAX_ERROR_S);
    g->rate_ppm = g->drift_ppm + fmin(fmax(freq_sd_ppm, 0), GUARD_MAX_SD_PPM);
}

void guard_synchronised(struct guard *g, double now, double freq_ppm, double freq_sd_ppm,
                        double error_s)
{
    if (!isfinite(freq_ppm) || !isfinite(freq_sd_ppm) || !isfinite(error_s))
        return;
    if (!g->anchored || g->following) {
        anchor(g, now, freq_ppm, freq_sd_ppm, error_s);
        return;
    }
    // Once, when the frequency is first known well: the anchor moves to where the clock is (it
    // is within the bound), with the better frequency and its smaller uncertainty.
    if (!g->refined && freq_sd_ppm <= GUARD_REFINE_SD_PPM &&
        now - g->t0 >= GUARD_REFINE_MIN_AGE_S) {
        anchor(g, now, freq_ppm, freq_sd_ppm, error_s);
        g->refined = true;
    }
}

void guard_release(struct guard *g)
{
    g->anchored = false;
    g->refined = false;
}

void guard_follow(struct guard *g, bool following)
{
    g->following = following;
}
