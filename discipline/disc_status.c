// SPDX-License-Identifier: ISC
// disc_get_status() and the enum strings.
#include "config.h"

#include <math.h>
#include <string.h>

#include "discipline/disc_internal.h"
#include "discipline/sample.h"

static void source_status(const struct disc *d, int id, double now, struct disc_source_status *o)
{
    const struct disc_src *s = &d->src[id];
    const struct flt *f = &s->flt;
    memset(o, 0, sizeof(*o));
    o->id = id;
    o->tally = s->tally;
    o->reason = s->reason;
    o->prefer = s->cfg.prefer;
    o->noselect = s->cfg.noselect;
    o->is_refclock = s->cfg.is_refclock;
    o->ts_source = s->ts_source;
    o->reach = s->reach;
    o->stratum = s->stratum;
    o->server_refid = s->server_refid;
    o->refid = s->cfg.refid;
    o->leap = s->leap;
    o->poll_log2 = disc_src_poll(d, s);
    o->samples = f->n;
    o->popcorn_count = f->popcorn_count;
    o->age_s = isfinite(s->last_sample_time) ? now - s->last_sample_time : -1;
    if (f->n == 0)
        return;
    double corr = disc_correction(d, now);
    double u, u_var;
    flt_predict(f, now, &u, &u_var);
    o->offset_s = -(u + corr);
    o->offset_sd_s = sqrt(u_var);
    o->last_offset_s = -(f->last_u + corr);
    o->delay_s = f->last_delay_s;
    o->min_delay_s = flt_min_delay(f);
    o->dispersion_s = f->last_dispersion_s + FLT_PHI * fmax(now - f->last_t, 0);
    o->jitter_s = flt_jitter(f);
    o->freq_ppm = f->y * 1e6;
    o->freq_sd_ppm = sqrt(f->p[1][1]) * 1e6;
    o->root_delay_s = s->root_delay_s + o->min_delay_s;
    o->root_distance_s = s->root_distance_s;
}

void disc_get_status(const struct disc *d, double now, struct disc_status *out)
{
    memset(out, 0, sizeof(*out));
    out->synchronized = d->synchronized;
    out->reason = d->reason;
    out->stratum = d->synchronized ? d->stratum : 16;
    out->refid = d->refid;
    out->leap = d->synchronized ? d->leap : DISC_LEAP_UNSYNC;
    out->root_delay_s = d->root_delay_s;
    out->root_dispersion_s = d->root_dispersion_s;
    if (d->ref_time >= 0)
        out->root_dispersion_s += FLT_PHI * fmax(now - d->ref_time, 0);
    out->ref_time = d->ref_time;
    out->sys_peer = d->sys_peer;
    out->survivors = d->survivors;
    out->offset_s = d->offset_s;
    out->jitter_s = d->jitter_s;
    out->freq_ppm = d->base_ppm;
    out->freq_sd_ppm = d->base_sd_ppm;
    out->applied_freq_ppm = d->freq_ppm;
    out->poll_log2 = d->loop.poll_log2;
    out->steps = d->loop.steps;
    out->last_step_s = d->last_step_s;
    out->last_step_time = d->last_step_time;
    out->refused_offset_s = d->refused_offset_s;
    for (int id = 0; id < DISC_MAX_SOURCES; id++)
        if (d->src[id].used)
            source_status(d, id, now, &out->sources[out->nsources++]);
}

const char *disc_reason_str(enum disc_reason r)
{
    switch (r) {
    case DISC_REASON_OK:
        return "selectable";
    case DISC_REASON_UNREACHABLE:
        return "unreachable";
    case DISC_REASON_NOSELECT:
        return "noselect";
    case DISC_REASON_UNSYNC:
        return "server unsynchronised";
    case DISC_REASON_STRATUM:
        return "stratum too high";
    case DISC_REASON_DISTANCE:
        return "root distance too large";
    case DISC_REASON_FALSETICKER:
        return "falseticker";
    case DISC_REASON_STEP_PENDING:
        return "large offset pending confirmation";
    }
    return "unknown";
}

const char *disc_sync_reason_str(enum disc_sync_reason r)
{
    switch (r) {
    case DISC_SYNC_OK:
        return "synchronised";
    case DISC_SYNC_NO_SOURCES:
        return "no sources configured";
    case DISC_SYNC_UNREACHABLE:
        return "no source reachable";
    case DISC_SYNC_NONE_SELECTABLE:
        return "no selectable source";
    case DISC_SYNC_NO_MAJORITY:
        return "no majority of sources agrees (falsetickers)";
    case DISC_SYNC_MINSOURCES:
        return "fewer agreeing sources than minsources";
    case DISC_SYNC_STARTING:
        return "starting: waiting for samples to confirm the offset";
    case DISC_SYNC_PANIC:
        return "offset beyond the panic threshold: clock not adjusted, set it manually";
    case DISC_SYNC_RATE_LIMIT:
        return "step needed but the step rate limit is reached";
    }
    return "unknown";
}

const char *disc_sample_result_str(enum disc_sample_result r)
{
    switch (r) {
    case DISC_SAMPLE_ACCEPTED:
        return "accepted";
    case DISC_SAMPLE_PENDING:
        return "held: large offset pending confirmation";
    case DISC_SAMPLE_POPCORN:
        return "delay outlier dropped";
    case DISC_SAMPLE_UNSYNC:
        return "server unsynchronised";
    case DISC_SAMPLE_INVALID:
        return "invalid sample";
    case DISC_SAMPLE_TOO_SOON:
        return "sample too soon after the previous one";
    case DISC_SAMPLE_BAD_ID:
        return "no such source";
    }
    return "unknown";
}
