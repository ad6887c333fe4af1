// SPDX-License-Identifier: ISC
// disc_update(): selection, combining, step policy and frequency steering.
#include "config.h"

#include <math.h>

#include "discipline/disc_internal.h"
#include "discipline/sample.h"
#include "discipline/select.h"

// What disc_update() knows about a candidate besides struct sel_candidate.
struct cand_extra {
    struct disc_src *src;
    bool confirmed;  // enough agreeing samples at its current level to justify a step
    double jump_u;   // u shift of a confirmed pending run (0 if none), s
    double jump_var; // its variance, s^2
};

struct counts {
    int sources, reachable;
};

static double root_distance(const struct disc_src *s, double now)
{
    double age = fmax(now - s->flt.last_t, 0);
    return (s->root_delay_s + flt_min_delay(&s->flt)) / 2 + s->root_dispersion_s +
           s->flt.last_dispersion_s + FLT_PHI * age + flt_jitter(&s->flt);
}

static enum disc_reason unselectable_reason(const struct disc *d, const struct disc_src *s,
                                            double lambda)
{
    if (s->reach == 0)
        return DISC_REASON_UNREACHABLE;
    if (s->server_unsync)
        return DISC_REASON_UNSYNC;
    if (s->flt.n == 0)
        return DISC_REASON_UNREACHABLE; // answers, but no usable sample yet
    if (s->cfg.noselect)
        return DISC_REASON_NOSELECT;
    if (s->stratum >= d->p.max_stratum)
        return DISC_REASON_STRATUM;
    if (lambda > d->p.max_distance_s)
        return DISC_REASON_DISTANCE;
    return DISC_REASON_OK;
}

// Offset of the source at `now`: its filter's prediction, or the level of a pending run of far
// samples once that run is confirmed (then the local clock has probably jumped).
static void source_offset(const struct disc *d, struct disc_src *s, double now,
                          struct sel_candidate *c, struct cand_extra *x)
{
    double u, u_var;
    struct flt_pending_run run;
    flt_predict(&s->flt, now, &u, &u_var);
    double corr = disc_correction(d, now);
    c->offset_s = -(u + corr);
    x->jump_u = 0;
    x->jump_var = 0;
    x->confirmed = s->flt.n >= d->p.step_confirm_samples &&
                   s->flt.last_t - s->flt.t_first >= d->p.step_confirm_span_s;
    if (flt_pending(&s->flt, now, &run) && run.count >= d->p.step_confirm_samples &&
        run.span_s >= d->p.step_confirm_span_s) {
        c->offset_s = -(run.u + corr);
        x->jump_u = run.u - u;
        x->jump_var = run.var + u_var;
        x->confirmed = true;
    }
}

static int collect(struct disc *d, double now, struct sel_candidate *cand, struct cand_extra *ext,
                   struct counts *k)
{
    int n = 0;
    *k = (struct counts){0};
    for (int id = 0; id < DISC_MAX_SOURCES; id++) {
        struct disc_src *s = &d->src[id];
        if (!s->used)
            continue;
        k->sources++;
        s->tally = DISC_TALLY_REJECT;
        s->root_distance_s = s->flt.n ? root_distance(s, now) : INFINITY;
        s->reason = unselectable_reason(d, s, s->root_distance_s);
        if (s->reason != DISC_REASON_UNREACHABLE)
            k->reachable++;
        struct sel_candidate c = {.id = id};
        struct cand_extra x = {.src = s};
        if (s->flt.n)
            source_offset(d, s, now, &c, &x);
        s->offset_s = c.offset_s;
        if (s->reason != DISC_REASON_OK)
            continue;
        if (s->flt.npending > 0)
            s->reason = DISC_REASON_STEP_PENDING;
        c.root_distance_s = s->root_distance_s;
        c.jitter_s = flt_jitter(&s->flt);
        c.stratum = s->stratum;
        c.prefer = s->cfg.prefer;
        c.refclock = s->cfg.is_refclock;
        cand[n] = c;
        ext[n++] = x;
    }
    return n;
}

static void record_tallies(struct sel_candidate *cand, struct cand_extra *ext, int n)
{
    for (int i = 0; i < n; i++) {
        ext[i].src->tally = cand[i].tally;
        if (cand[i].tally == DISC_TALLY_FALSETICKER)
            ext[i].src->reason = DISC_REASON_FALSETICKER;
    }
}

static bool survivor(const struct sel_candidate *c)
{
    return c->tally == DISC_TALLY_CANDIDATE || c->tally == DISC_TALLY_SYSPEER;
}

// Oscillator correction: survivors' frequencies weighted by their inverse variance.
static void estimate_base(struct disc *d, const struct sel_candidate *cand,
                          const struct cand_extra *ext, int n)
{
    double wsum = 0, ysum = 0;
    for (int i = 0; i < n; i++) {
        if (!survivor(&cand[i]))
            continue;
        const struct flt *f = &ext[i].src->flt;
        double w = 1 / fmax(f->p[1][1], 1e-30);
        wsum += w;
        ysum += w * f->y;
    }
    if (wsum > 0) {
        d->base_ppm = -ysum / wsum * 1e6;
        d->base_sd_ppm = sqrt(1 / wsum) * 1e6;
    }
}

// Shared u shift of a confirmed jump and its variance: survivors' pending levels weighted by
// 1/lambda^2 (survivors without a pending run count as no shift).
static double jump_shift(const struct sel_candidate *cand, const struct cand_extra *ext, int n,
                         double *var)
{
    double wsum = 0, sum = 0, vsum = 0;
    for (int i = 0; i < n; i++) {
        if (!survivor(&cand[i]))
            continue;
        double w = 1 / (cand[i].root_distance_s * cand[i].root_distance_s);
        wsum += w;
        sum += w * ext[i].jump_u;
        vsum += w * ext[i].jump_var;
    }
    *var = wsum > 0 ? vsum / wsum : 0;
    return wsum > 0 ? sum / wsum : 0;
}

static bool all_survivors_confirmed(const struct sel_candidate *cand, const struct cand_extra *ext,
                                    int n)
{
    for (int i = 0; i < n; i++)
        if (survivor(&cand[i]) && !ext[i].confirmed)
            return false;
    return true;
}

static enum disc_leap leap_vote(const struct sel_candidate *cand, const struct cand_extra *ext,
                                int n, int survivors)
{
    int ins = 0, del = 0;
    for (int i = 0; i < n; i++) {
        if (!survivor(&cand[i]))
            continue;
        ins += ext[i].src->leap == DISC_LEAP_INSERT;
        del += ext[i].src->leap == DISC_LEAP_DELETE;
    }
    if (2 * ins > survivors)
        return DISC_LEAP_INSERT;
    if (2 * del > survivors)
        return DISC_LEAP_DELETE;
    return DISC_LEAP_NONE;
}

static void update_system_vars(struct disc *d, const struct disc_src *peer, double now)
{
    d->stratum = peer->stratum + 1;
    d->refid = peer->cfg.refid;
    d->root_delay_s = peer->root_delay_s + flt_min_delay(&peer->flt);
    d->root_dispersion_s = peer->root_dispersion_s + peer->flt.last_dispersion_s +
                           FLT_PHI * fmax(now - peer->flt.last_t, 0) + d->jitter_s;
    d->ref_time = now;
}

static enum disc_sync_reason unsync_reason(const struct counts *k, const struct sel_result *r,
                                           int ncand)
{
    if (k->sources == 0)
        return DISC_SYNC_NO_SOURCES;
    if (k->reachable == 0)
        return DISC_SYNC_UNREACHABLE;
    if (ncand == 0)
        return DISC_SYNC_NONE_SELECTABLE;
    if (r->no_majority)
        return DISC_SYNC_NO_MAJORITY;
    return DISC_SYNC_MINSOURCES;
}

// Kernel status: unsynchronised once the last good update is older than one poll interval.
static void kernel_status(const struct disc *d, double now, struct disc_action *out)
{
    double age = d->ref_time >= 0 ? now - d->ref_time : INFINITY;
    bool holdover = !d->synchronized && age > flt_exp2(d->loop.poll_log2);
    out->unsync = d->ref_time < 0 || holdover;
    out->leap = out->unsync ? DISC_LEAP_NONE : d->leap;
    out->est_error_s = d->jitter_s;
    out->max_error_s = d->root_delay_s / 2 + d->root_dispersion_s + FLT_PHI * fmax(age, 0);
    if (out->unsync || out->max_error_s > MAX_ERROR_UNSYNC)
        out->max_error_s = MAX_ERROR_UNSYNC;
}

static void adapt_poll(struct disc *d, const struct disc_src *peer)
{
    int min_poll = DISC_MAX_POLL_LIMIT, max_poll = DISC_MIN_POLL_LIMIT;
    for (int id = 0; id < DISC_MAX_SOURCES; id++)
        if (d->src[id].used) {
            min_poll = d->src[id].cfg.min_poll < min_poll ? d->src[id].cfg.min_poll : min_poll;
            max_poll = d->src[id].cfg.max_poll > max_poll ? d->src[id].cfg.max_poll : max_poll;
        }
    loop_adapt_poll(&d->loop, peer->flt.q, flt_jitter(&peer->flt), min_poll, max_poll);
}

static void apply_decision(struct disc *d, enum loop_decision dec, double now,
                           struct disc_action *out)
{
    double freq = d->freq_ppm; // PANIC, RATE_LIMIT: leave the clock as it is
    switch (dec) {
    case LOOP_SLEW: {
        double tau = LOOP_TAU_POLLS * flt_exp2(d->loop.poll_log2);
        freq = loop_frequency(&d->p, d->base_ppm, d->offset_s, tau);
        d->synchronized = true;
        d->reason = DISC_SYNC_OK;
        break;
    }
    case LOOP_STEP:
        out->step = true;
        out->step_s = d->offset_s;
        d->undo = (struct disc_step_undo){d->loop, d->last_step_s, d->last_step_time};
        loop_step_taken(&d->loop);
        d->last_step_s = d->offset_s;
        d->last_step_time = now;
        freq = loop_frequency(&d->p, d->base_ppm, 0, 1);
        d->reason = DISC_SYNC_STARTING;
        break;
    case LOOP_WAIT:
        if (!loop_panics(&d->loop, &d->p, d->offset_s)) // else: leave the clock as it is
            freq = loop_frequency(&d->p, d->base_ppm, 0, 1);
        d->reason = DISC_SYNC_STARTING;
        break;
    case LOOP_PANIC:
    case LOOP_RATE_LIMIT:
        out->refusal = dec == LOOP_PANIC ? DISC_REFUSAL_PANIC : DISC_REFUSAL_RATE_LIMIT;
        out->refused_offset_s = d->offset_s;
        d->refused_offset_s = d->offset_s;
        d->reason = dec == LOOP_PANIC ? DISC_SYNC_PANIC : DISC_SYNC_RATE_LIMIT;
        break;
    }
    if (!d->p.observe_only)
        disc_set_frequency(d, now, freq);
}

// Before the first correction: no step until a majority of the sources expected (servers, pool
// members, reference clocks) has answered, or DISC_STARTUP_WAIT_S after the first sample. So
// one fast liar never sets the clock before the others could outvote it.
static bool startup_majority(const struct disc *d, double now)
{
    int answered = 0;

    if (d->loop.corrected || d->first_sample_time < 0 ||
        now - d->first_sample_time >= d->p.startup_wait_s)
        return true;
    for (int id = 0; id < DISC_MAX_SOURCES; id++)
        answered += d->src[id].used && d->src[id].flt.n > 0;
    return 2 * answered > d->expected_sources;
}

static void synchronise(struct disc *d, struct sel_candidate *cand, struct cand_extra *ext, int n,
                        const struct sel_result *r, double now, struct disc_action *out)
{
    struct disc_src *peer = &d->src[r->sys_peer_id];
    bool peer_new = peer->new_sample;
    d->sys_peer = r->sys_peer_id;
    d->survivors = r->survivors;
    d->offset_s = r->offset_s;
    d->jitter_s = r->jitter_s;
    estimate_base(d, cand, ext, n);
    bool confirmed = all_survivors_confirmed(cand, ext, n) && startup_majority(d, now);
    enum loop_decision dec = loop_decide(&d->loop, &d->p, d->offset_s, confirmed, now);
    if (d->p.observe_only && dec == LOOP_STEP)
        dec = LOOP_SLEW; // nothing is adjusted: the offset is only reported
    d->synchronized = false;
    if (dec == LOOP_STEP) {
        // A confirmed jump is a fact about the local clock: every source saw it.
        double du_var, du = jump_shift(cand, ext, n, &du_var);
        for (int id = 0; id < DISC_MAX_SOURCES; id++)
            if (d->src[id].used && d->src[id].flt.n > 0)
                flt_shift(&d->src[id].flt, du, du_var);
    }
    apply_decision(d, dec, now, out);
    if (d->synchronized) {
        d->leap = leap_vote(cand, ext, n, r->survivors);
        update_system_vars(d, peer, now);
        if (peer_new)
            adapt_poll(d, peer);
    }
}

void disc_update(struct disc *d, double now, struct disc_action *out)
{
    *out = (struct disc_action){0};
    // `now` never goes backwards and is finite; hold the last time if the caller slips.
    if (!isnan(d->last_update) && !(now >= d->last_update))
        now = d->last_update;
    if (!isfinite(now))
        now = 0;
    if (isnan(d->corr_time))
        d->corr_time = now;
    struct sel_candidate cand[DISC_MAX_SOURCES];
    struct cand_extra ext[DISC_MAX_SOURCES];
    struct counts k;
    int n = collect(d, now, cand, ext, &k);
    struct sel_result r;
    sel_select_limits(cand, n, d->p.min_sources, d->p.min_cluster, d->p.max_combine, d->sys_peer,
                      &r);
    record_tallies(cand, ext, n);
    if (r.ok) {
        synchronise(d, cand, ext, n, &r, now, out);
    } else {
        d->synchronized = false;
        d->sys_peer = -1;
        d->survivors = 0;
        d->reason = unsync_reason(&k, &r, n);
        if (!d->p.observe_only)
            disc_set_frequency(d, now, loop_frequency(&d->p, d->base_ppm, 0, 1));
    }
    if (!d->synchronized) {
        d->stratum = 16;
        d->leap = DISC_LEAP_UNSYNC;
    }
    for (int id = 0; id < DISC_MAX_SOURCES; id++)
        d->src[id].new_sample = false;
    out->freq_ppm = d->freq_ppm;
    kernel_status(d, now, out);
    d->startup = d->first_sample_time < 0 || now - d->first_sample_time < DISC_STARTUP_WINDOW_S;
    d->last_update = now;
}
