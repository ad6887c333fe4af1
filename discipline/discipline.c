// SPDX-License-Identifier: ISC
// The discipline facade: sources, samples, and the update that selects, combines and steers.
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "discipline/disc_internal.h"
#include "discipline/sample.h"
#include "discipline/select.h"

// Prior standard deviation of the oscillator frequency: with and without a drift file, s/s.
#define FREQ_PRIOR_SD_DRIFTFILE 5e-6
#define FREQ_PRIOR_SD_UNKNOWN   200e-6
// Jump threshold when steps are disabled (step_threshold_s 0), s.
#define JUMP_DEFAULT_S 0.128

void disc_params_default(struct disc_params *p)
{
    *p = (struct disc_params){
        .step_threshold_s = 0.128,
        .startup_step_threshold_s = 0.001,
        .panic_threshold_s = 1000,
        .max_slew_ppm = 500,
        .max_freq_ppm = 500,
        .min_sources = 1,
        .min_cluster = SEL_MIN_CLUSTER,
        .max_combine = SEL_MAX_COMBINE,
        .max_stratum = 16,
        .max_distance_s = 1.5,
        .precision_log2 = -20,
        .step_confirm_samples = 2,
        .step_confirm_span_s = 1.5,
        .step_budget = 3,
        .step_budget_period_s = 3600,
        .min_sample_interval_s = 0.5,
        .startup_wait_s = 16,
    };
}

static bool params_valid(const struct disc_params *p)
{
    return p->step_threshold_s >= 0 && p->startup_step_threshold_s >= 0 &&
           p->panic_threshold_s >= 0 && p->max_slew_ppm > 0 && p->max_slew_ppm <= 100000 &&
           p->max_freq_ppm > 0 && p->max_freq_ppm <= 100000 && p->min_sources >= 1 &&
           p->min_cluster >= 1 && p->max_combine >= 1 &&
           p->max_stratum >= 1 && p->max_stratum <= 16 && p->max_distance_s > 0 &&
           isfinite(p->initial_freq_ppm) && fabs(p->initial_freq_ppm) <= p->max_freq_ppm &&
           p->precision_log2 >= -40 && p->precision_log2 <= 0 && p->step_confirm_samples >= 1 &&
           p->step_confirm_samples <= FLT_PENDING && p->step_confirm_span_s >= 0 &&
           p->step_budget >= 0 && p->step_budget_period_s > 0 && p->min_sample_interval_s >= 0 &&
           p->startup_wait_s >= 0 && p->startup_wait_s <= 3600 &&
           isfinite(p->step_threshold_s + p->startup_step_threshold_s + p->panic_threshold_s +
                    p->max_distance_s + p->step_confirm_span_s + p->step_budget_period_s +
                    p->min_sample_interval_s);
}

struct disc *disc_create(const struct disc_params *p)
{
    if (!params_valid(p))
        return NULL;
    struct disc *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->p = *p;
    d->freq_ppm = p->initial_freq_ppm;
    d->base_ppm = p->initial_freq_ppm;
    d->base_sd_ppm = (p->have_initial_freq ? FREQ_PRIOR_SD_DRIFTFILE : FREQ_PRIOR_SD_UNKNOWN) * 1e6;
    d->corr_time = NAN; // set by the first call that knows `now`
    loop_init(&d->loop, p);
    d->sys_peer = -1;
    d->reason = DISC_SYNC_NO_SOURCES;
    d->ref_time = -1;
    d->stratum = 16;
    d->leap = DISC_LEAP_UNSYNC;
    d->last_step_time = -1;
    d->last_update = NAN;
    d->first_sample_time = -1;
    d->startup = true;
    d->expected_sources = 1;
    return d;
}

void disc_destroy(struct disc *d)
{
    free(d);
}

double disc_correction(const struct disc *d, double now)
{
    if (isnan(d->corr_time))
        return d->corr_s;
    return d->corr_s + d->freq_ppm * 1e-6 * (now - d->corr_time);
}

void disc_set_frequency(struct disc *d, double now, double freq_ppm)
{
    d->corr_s = disc_correction(d, now);
    d->corr_time = now;
    d->freq_ppm = freq_ppm;
}

// Disagreement with a filter's prediction from which a sample may be a clock jump, s.
static double p_jump_threshold(const struct disc_params *p)
{
    return p->step_threshold_s > 0 ? p->step_threshold_s : JUMP_DEFAULT_S;
}

static struct disc_src *get_src(struct disc *d, int id)
{
    if (!d || id < 0 || id >= DISC_MAX_SOURCES || !d->src[id].used)
        return NULL;
    return &d->src[id];
}

int disc_add_source(struct disc *d, const struct disc_source_config *cfg)
{
    if (cfg->min_poll < DISC_MIN_POLL_LIMIT || cfg->max_poll > DISC_MAX_POLL_LIMIT ||
        cfg->min_poll > cfg->max_poll)
        return -1;
    for (int id = 0; id < DISC_MAX_SOURCES; id++) {
        struct disc_src *s = &d->src[id];
        if (s->used)
            continue;
        memset(s, 0, sizeof(*s));
        s->used = true;
        s->cfg = *cfg;
        s->last_sample_time = -INFINITY;
        s->stratum = cfg->is_refclock ? 0 : 16;
        s->leap = DISC_LEAP_UNSYNC;
        s->tally = DISC_TALLY_REJECT;
        s->reason = DISC_REASON_UNREACHABLE;
        flt_init(&s->flt, -d->base_ppm * 1e-6, d->base_sd_ppm * 1e-6, p_jump_threshold(&d->p));
        return id;
    }
    return -1;
}

void disc_remove_source(struct disc *d, int id)
{
    struct disc_src *s = get_src(d, id);
    if (s)
        s->used = false;
    if (d && d->sys_peer == id)
        d->sys_peer = -1;
}

void disc_source_polled(struct disc *d, int id, double now)
{
    struct disc_src *s = get_src(d, id);
    if (s)
        s->reach = (uint8_t)(s->reach << 1);
}

static enum disc_sample_result feed(struct disc *d, struct disc_src *s, double now, double offset,
                                    double delay, double dispersion, double noise)
{
    if (isnan(d->corr_time))
        d->corr_time = now;
    if (d->first_sample_time < 0)
        d->first_sample_time = now;
    struct flt_input in = {
        .t = now,
        .u = -offset - disc_correction(d, now),
        .delay_s = delay,
        .dispersion_s = dispersion,
        .noise_s = noise,
    };
    switch (flt_add(&s->flt, &in)) {
    case FLT_POPCORN:
        return DISC_SAMPLE_POPCORN;
    case FLT_PENDING_JUMP:
        s->new_sample = true;
        return DISC_SAMPLE_PENDING;
    case FLT_ACCEPTED:
    default:
        s->new_sample = true;
        return DISC_SAMPLE_ACCEPTED;
    }
}

// Common checks after the source was marked as heard.
static enum disc_sample_result admit(struct disc *d, struct disc_src *s, double now)
{
    if (!isfinite(now))
        return DISC_SAMPLE_INVALID;
    if (now - s->last_sample_time < d->p.min_sample_interval_s)
        return DISC_SAMPLE_TOO_SOON;
    s->last_sample_time = now;
    return DISC_SAMPLE_ACCEPTED;
}

// A reply (or reading) arrived: the source is reachable (reach bit 0), whatever the filter
// then does with the sample. NULL for a bad id.
static struct disc_src *heard(struct disc *d, int id)
{
    struct disc_src *s = get_src(d, id);
    if (s)
        s->reach |= 1;
    return s;
}

static bool finite_nonneg(double x)
{
    return isfinite(x) && x >= 0;
}

enum disc_sample_result disc_source_sample(struct disc *d, int id, const struct disc_sample *smp,
                                           double now)
{
    struct disc_src *s = heard(d, id);
    struct flt_measurement m;
    if (!s)
        return DISC_SAMPLE_BAD_ID;
    if ((s->cfg.is_refclock || !flt_measure(smp, d->p.precision_log2, &m) ||
         !finite_nonneg(smp->root_delay_s) || !finite_nonneg(smp->root_dispersion_s) ||
         smp->leap < DISC_LEAP_NONE || smp->leap > DISC_LEAP_UNSYNC ||
         smp->ts_source < DISC_TS_USER || smp->ts_source > DISC_TS_HARDWARE))
        return DISC_SAMPLE_INVALID;
    enum disc_sample_result r = admit(d, s, now);
    if (r != DISC_SAMPLE_ACCEPTED)
        return r;
    s->server_unsync = smp->leap == DISC_LEAP_UNSYNC || smp->stratum <= 0 || smp->stratum >= 16;
    if (s->server_unsync)
        return DISC_SAMPLE_UNSYNC;
    s->stratum = smp->stratum;
    s->server_refid = smp->refid;
    s->leap = smp->leap;
    s->ts_source = smp->ts_source;
    s->root_delay_s = smp->root_delay_s;
    s->root_dispersion_s = smp->root_dispersion_s;
    return feed(d, s, now, m.offset_s, m.delay_s, m.dispersion_s,
                flt_timestamp_noise(smp->ts_source));
}

enum disc_sample_result disc_refclock_sample(struct disc *d, int id,
                                             const struct disc_refclock_sample *smp, double now)
{
    struct disc_src *s = heard(d, id);
    if (!s)
        return DISC_SAMPLE_BAD_ID;
    if ((!s->cfg.is_refclock || !isfinite(smp->offset_s) || !finite_nonneg(smp->delay_s) ||
         !finite_nonneg(smp->error_bound_s) || smp->leap < DISC_LEAP_NONE ||
         smp->leap > DISC_LEAP_UNSYNC))
        return DISC_SAMPLE_INVALID;
    enum disc_sample_result r = admit(d, s, now);
    if (r != DISC_SAMPLE_ACCEPTED)
        return r;
    s->server_unsync = smp->leap == DISC_LEAP_UNSYNC;
    if (s->server_unsync)
        return DISC_SAMPLE_UNSYNC;
    s->stratum = 0;
    s->server_refid = s->cfg.refid;
    s->leap = smp->leap;
    s->ts_source = DISC_TS_REFCLOCK;
    s->root_delay_s = 0;
    s->root_dispersion_s = smp->error_bound_s;
    double precision = flt_exp2(d->p.precision_log2);
    return feed(d, s, now, smp->offset_s, smp->delay_s, precision,
                fmax(smp->delay_s / 2, flt_timestamp_noise(DISC_TS_REFCLOCK)));
}

void disc_clock_stepped(struct disc *d, double step_s)
{
    if (isfinite(step_s))
        d->corr_s += step_s;
}

void disc_step_failed(struct disc *d)
{
    d->loop = d->undo.loop;
    d->last_step_s = d->undo.last_step_s;
    d->last_step_time = d->undo.last_step_time;
}

void disc_frequency_applied(struct disc *d, double now, double freq_ppm)
{
    if (!d->p.observe_only && isfinite(freq_ppm))
        disc_set_frequency(d, now, freq_ppm);
}

void disc_set_expected_sources(struct disc *d, int n)
{
    d->expected_sources = n > 0 ? n : 1;
}

void disc_reset_samples(struct disc *d)
{
    double sd_ppm = fmax(d->base_sd_ppm, DISC_DISRUPTION_FREQ_SD_PPM);
    for (int id = 0; id < DISC_MAX_SOURCES; id++) {
        struct disc_src *s = &d->src[id];
        if (!s->used)
            continue;
        flt_init(&s->flt, -d->base_ppm * 1e-6, sd_ppm * 1e-6, p_jump_threshold(&d->p));
        s->last_sample_time = -INFINITY;
        s->new_sample = false;
        s->tally = DISC_TALLY_REJECT;
        s->reason = DISC_REASON_UNREACHABLE;
    }
    d->synchronized = false;
    d->sys_peer = -1;
    d->survivors = 0;
    d->reason = DISC_SYNC_STARTING;
}

int disc_src_poll(const struct disc *d, const struct disc_src *s)
{
    int poll = d->loop.poll_log2;
    if (poll < s->cfg.min_poll)
        poll = s->cfg.min_poll;
    if (poll > s->cfg.max_poll)
        poll = s->cfg.max_poll;
    // Start-up: while the frequency is too uncertain for the interval (the phase would drift by
    // more than DISC_STARTUP_DRIFT_S in one poll at one standard error), poll faster, down to
    // 2^DISC_STARTUP_MIN_POLL s: the frequency is measured in a minute instead of an hour and
    // the clock stays within a millisecond meanwhile. A few packets, in the first minutes only.
    while (d->startup && poll > DISC_STARTUP_MIN_POLL &&
           d->base_sd_ppm * 1e-6 * flt_exp2(poll) > DISC_STARTUP_DRIFT_S)
        poll--;
    return poll;
}

int disc_poll_interval(const struct disc *d, int id)
{
    if (!d || id < 0 || id >= DISC_MAX_SOURCES || !d->src[id].used)
        return -1;
    return disc_src_poll(d, &d->src[id]);
}
