// SPDX-License-Identifier: ISC
/* The parent's ClockBound segment and VMClock watch. */
#include "daemon/parent/parent_observe.h"

#include <math.h>
#include <time.h>

#include "daemon/parent/parent_int.h"

static void open_clockbound(struct parent *p)
{
    const char *path = p->cfg->observe.clockbound;
    char err[256];

    if (path == NULL)
        return;
    if (cb_open(&p->obs.clockbound, path, err, sizeof(err)) < 0)
        log_warning("clockbound: %s; no bound is published for applications", err);
    else
        log_info("publishing the clock error bound in %s (ClockBound layout 2)", path);
}

static void open_vmclock(struct parent *p)
{
    const struct cfg_observe *o = &p->cfg->observe;
    const char *path = o->vmclock != NULL ? o->vmclock : CFG_DEFAULT_VMCLOCK;
    bool missing;
    char err[256];

    if (o->vmclock_off)
        return;
    if (vmclock_open(&p->obs.vmclock, path, &missing, err, sizeof(err)) < 0) {
        if (o->vmclock != NULL || !missing)
            log_warning("vmclock: %s; clock disruptions (live migration) are not noticed", err);
        return;
    }
    log_info("watching %s for clock disruptions (disruption marker %llu)", path,
             (unsigned long long)p->obs.vmclock.last.disruption_marker);
}

void parent_observe_open(struct parent *p)
{
    open_clockbound(p);
    open_vmclock(p);
}

void parent_observe_close(struct parent *p)
{
    cb_close(&p->obs.clockbound);
    vmclock_close(&p->obs.vmclock);
}

static void check_vmclock(struct parent *p, double now)
{
    char why[128];

    if (p->obs.vmclock.page != NULL && vmclock_check(&p->obs.vmclock, why, sizeof(why)) == 1)
        parent_clock_disrupted(p, why, now);
}

static void publish_bound(struct parent *p, const struct disc_status *st)
{
    bool synced = st->synchronized && p->responsive && !p->obs.disrupted;

    struct cb_inputs in = {
        .synchronised = synced,
        .ever_synchronised = p->obs.ever_synchronised,
        .disrupted = p->obs.disrupted,
        .root_delay_s = st->root_delay_s,
        .root_dispersion_s = st->root_dispersion_s,
        .offset_s = st->offset_s,
        .freq_sd_ppm = st->freq_sd_ppm,
    };
    struct cb_bound b = {
        .disruption_marker = p->obs.vmclock.last.disruption_marker,
        .disruption_support = p->obs.vmclock.page != NULL,
    };

    cb_compute(&in, &b);
    /* coarse may lag the true time by a tick: an earlier as-of only makes readers add more
     * drift, never less */
    clock_gettime(CLOCK_MONOTONIC_COARSE, &b.as_of);
    cb_publish(&p->obs.clockbound, &b);
}

/* Samples of the system peer since the disruption (its filter started again at 0). */
static int peer_samples(const struct disc_status *st)
{
    int k;

    for (k = 0; k < st->nsources; k++) {
        if (st->sources[k].id == st->sys_peer)
            return st->sources[k].samples;
    }
    return 0;
}

void parent_observe_update(struct parent *p, const struct disc_status *st, double now)
{
    bool synced = st->synchronized && p->responsive;

    check_vmclock(p, now);
    if (p->obs.disrupted && synced && !p->obs.just_disrupted &&
        peer_samples(st) >= PARENT_DISRUPTION_SAMPLES) {
        p->obs.disrupted = false; /* the next update reports "synchronised" again */
        log_notice("the sources are measured again after the clock disruption");
    }
    p->obs.just_disrupted = false;
    if (synced && !p->obs.disrupted)
        p->obs.ever_synchronised = true;
    publish_bound(p, st);
}
