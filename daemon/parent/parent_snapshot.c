// SPDX-License-Identifier: ISC
/* The one state snapshot the parent publishes (control socket, server replies, later mode 6
 * and metrics all read it). */
#include <math.h>
#include <string.h>

#include "daemon/parent/parent_int.h"

#define LOCAL_REFID             0x4c4f434cu /* "LOCL" */
#define LOCAL_ROOT_DISPERSION_S 0.010

/* A `now`-scale (monotonic) time as a time of the disciplined clock. */
static struct msg_time to_clock_time(struct timespec clock_now, double now, double t)
{
    struct timespec ts = clock_now;
    double back = now - t;
    long long ns = (long long)llround(back * 1e9);

    ts.tv_sec -= (time_t)(ns / 1000000000);
    ts.tv_nsec -= (long)(ns % 1000000000);
    if (ts.tv_nsec < 0) {
        ts.tv_nsec += 1000000000;
        ts.tv_sec--;
    }
    if (ts.tv_sec < 0)
        ts.tv_sec = ts.tv_nsec = 0;
    return msg_time_from_timespec(ts);
}

static const struct disc_source_status *find_source(const struct disc_status *st, int id)
{
    int k;

    for (k = 0; k < st->nsources; k++) {
        if (st->sources[k].id == id)
            return &st->sources[k];
    }
    return NULL;
}

static void fill_source(struct msg_source_state *out, const struct parent *p, uint32_t slot,
                        const struct disc_source_status *d)
{
    const struct parent_slot *s = &p->slots[slot];

    memset(out, 0, sizeof(*out));
    out->slot = slot;
    out->in_use = 1;
    out->kind = s->kind;
    memcpy(out->name, s->name, sizeof(out->name));
    memcpy(out->addr, s->addr, sizeof(out->addr));
    out->tx_source = s->tx_source;
    out->rx_source = s->rx_source;
    out->replies = s->replies;
    out->interleaved = s->interleaved;
    memcpy(out->rejected, s->rejected, sizeof(out->rejected));
    out->age_s = -1;
    out->tally = ' ';
    out->assoc_id = s->assoc_id;
    out->precision_log2 = s->precision_log2;
    out->server_root_delay_s = s->server_root_delay_s;
    out->server_root_dispersion_s = s->server_root_dispersion_s;
    if (d == NULL)
        return;
    out->tally = (uint8_t)d->tally;
    out->reach = d->reach;
    out->stratum = (uint8_t)(d->stratum < 0 ? 0 : d->stratum > 16 ? 16 : d->stratum);
    out->leap = (uint8_t)d->leap;
    out->ts_source = (uint8_t)d->ts_source;
    out->reason = (uint8_t)d->reason;
    out->poll_log2 = (int8_t)d->poll_log2;
    out->prefer = d->prefer;
    out->noselect = d->noselect;
    out->server_refid = d->server_refid;
    out->samples = d->samples < 0 ? 0 : (uint32_t)d->samples;
    out->offset_s = d->offset_s;
    out->delay_s = d->delay_s;
    out->jitter_s = d->jitter_s;
    out->dispersion_s = d->dispersion_s;
    out->root_distance_s = d->root_distance_s;
    out->age_s = d->age_s;
    out->freq_ppm = d->freq_ppm;
    out->freq_sd_ppm = d->freq_sd_ppm;
    out->offset_sd_s = d->offset_sd_s;
    out->ntpd_status = parent_peer_status_now(p, slot, d->reach, d->tally);
}

/* The system fields only mode 6 shows. */
static void fill_mode6_system(const struct parent *p, struct msg_snapshot *m)
{
    int minpoll = 17;

    m->ntpd_status = parent_sys_status_now(p);
    m->sys_peer_assoc = m->sys_peer_slot >= 0 ? p->slots[m->sys_peer_slot].assoc_id : 0;
    for (size_t i = 0; i < p->cfg->n_sources; i++)
        minpoll = p->cfg->sources[i].minpoll < minpoll ? p->cfg->sources[i].minpoll : minpoll;
    for (size_t i = 0; i < p->cfg->n_refclocks; i++)
        minpoll = p->cfg->refclocks[i].poll < minpoll ? p->cfg->refclocks[i].poll : minpoll;
    m->min_poll_log2 = (int8_t)(minpoll < -7 ? -7 : minpoll);
    parent_leap_snapshot(p, m);
}

static void fill_system(struct parent *p, struct msg_snapshot *m, const struct disc_status *st,
                        struct timespec clock_now, double now)
{
    bool synced = st->synchronized && p->responsive && !p->obs.disrupted;

    m->sync_state = synced                      ? MSG_SYNC_SYNCHRONISED
                    : p->cfg->local_stratum > 0 ? MSG_SYNC_LOCAL
                                                : MSG_SYNC_UNSYNCHRONISED;
    /* The discipline may still hold a system peer whose replies stopped: say why it is not. */
    m->sync_reason =
        (uint8_t)(st->reason == DISC_SYNC_OK && !synced ? DISC_SYNC_UNREACHABLE : st->reason);
    /* the leap second armed (parent_leap_decide), not what the sources announce */
    m->leap = !synced ? 3 : p->leap_sign > 0 ? 1 : p->leap_sign < 0 ? 2 : 0;
    m->stratum = synced ? (uint8_t)st->stratum : 16;
    m->refid = synced ? st->refid : 0;
    m->root_delay_s = st->root_delay_s;
    m->root_dispersion_s = st->root_dispersion_s;
    m->ref_time =
        st->ref_time >= 0 ? to_clock_time(clock_now, now, st->ref_time) : (struct msg_time){0};
    if (m->sync_state == MSG_SYNC_LOCAL) {
        m->leap = 0;
        m->stratum = (uint8_t)p->cfg->local_stratum;
        m->refid = LOCAL_REFID;
        m->root_delay_s = 0;
        m->root_dispersion_s = LOCAL_ROOT_DISPERSION_S;
        m->ref_time = msg_time_from_timespec(clock_now);
    }
    m->sys_peer_slot = synced ? p->sys_peer_slot : -1;
    m->poll_log2 = st->poll_log2;
    m->steps = st->steps;
    m->unsync_for_s = p->unsync_since >= 0 ? (int32_t)(now - p->unsync_since) : 0;
    m->last_step_time = st->last_step_time >= 0 ? to_clock_time(clock_now, now, st->last_step_time)
                                                : (struct msg_time){0};
    m->now = msg_time_from_timespec(clock_now);
    m->offset_s = st->offset_s;
    m->jitter_s = st->jitter_s;
    m->freq_ppm = st->freq_ppm;
    m->freq_sd_ppm = st->freq_sd_ppm;
    m->applied_freq_ppm = st->applied_freq_ppm;
    m->last_step_s = st->last_step_s;
    m->refused_offset_s = st->refused_offset_s;
    m->max_error_s = st->root_delay_s / 2 + st->root_dispersion_s;
    struct clk_info info;
    if (clk_get_info(p->clk, &info) == 0)
        msg_copy_str(m->driver, sizeof(m->driver), info.driver);
    msg_copy_str(m->reason, sizeof(m->reason), synced ? "" : p->reason);
    fill_mode6_system(p, m);
}

void parent_publish(struct parent *p, double now)
{
    (void)now;
    p->snapshot_pending = true;
}

void parent_send_snapshot(struct parent *p, double now)
{
    struct msg_snapshot *m = &p->snap;
    struct disc_status *st = &p->status_buf;
    struct timespec clock_now = {0, 0};
    char err[160];
    uint32_t i;

    disc_get_status(p->disc, now, st);
    clk_now(p->clk, &clock_now);
    memset(m, 0, sizeof(*m));
    m->generation = ++p->generation;
    fill_system(p, m, st, clock_now, now);
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        if (p->slots[i].in_use) {
            fill_source(&m->sources[m->nsources], p, i, find_source(st, p->slots[i].disc_id));
            m->nsources++;
        }
    }
    /* The child refuses (and restarts on) a snapshot out of range: a bug here must show as a
     * loud log line and a stale snapshot, not as a restart loop. */
    if (msg_check_payload(MSG_SNAPSHOT, m, err, sizeof(err)) < 0) {
        log_err("snapshot not published, a value is out of range: %s", err);
        p->snapshot_pending = false;
        return;
    }
    if (p->child != NULL && chan_send(p->child, MSG_SNAPSHOT, &p->tx_seq, m, sizeof(*m)) == 0)
        p->snapshot_pending = false;
    else
        log_debug("snapshot not sent yet: %m");
}
