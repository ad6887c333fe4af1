// SPDX-License-Identifier: ISC
/* The privileged parent: message dispatcher and the only caller of the clock driver. */
#include "daemon/parent/parent.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon/common/log.h"
#include "daemon/common/md5.h"
#include "daemon/main/notify.h"
#include "daemon/parent/parent_int.h"
#include "discipline/driftfile.h"

/* The frequency estimate must be this good (standard error, ppm) to be written to the drift
 * file. */
#define PARENT_DRIFT_MAX_SD_PPM 2.0

static void set_params(struct disc_params *dp, const struct cfg *cfg,
                       const struct parent_options *opt)
{
    disc_params_default(dp);
    dp->step_threshold_s = cfg->step_s;
    dp->panic_threshold_s = cfg->panic_s;
    dp->allow_big_first_step = opt->big_first_step;
    dp->max_slew_ppm = cfg->maxslewrate_ppm;
    dp->min_sources = (int)cfg->minsources;
    if (cfg->minclock > 0)
        dp->min_cluster = (int)cfg->minclock;
    if (cfg->maxclock > 0)
        dp->max_combine = (int)cfg->maxclock;
    /* `clock none` measures and serves but never adjusts: the discipline must not assume its
     * frequency requests took effect. */
    dp->observe_only = cfg->clock == CFG_CLOCK_NONE;
}

static void read_drift(struct parent *p, struct disc_params *dp)
{
    const struct cfg *cfg = p->cfg;
    char err[256];
    double ppm;

    if (cfg->driftfile == NULL) {
        log_event(NULL, parent_sys_status(p, LOG_EV_FREQ_NOT_SET), LOG_EV_FREQ_NOT_SET, NULL);
        return;
    }
    switch (drift_read(cfg->driftfile, &ppm, err, sizeof(err))) {
    case DRIFT_OK:
        dp->initial_freq_ppm = ppm;
        dp->have_initial_freq = true;
        log_event_freq_set(parent_sys_status(p, LOG_EV_FREQ_SET), ppm);
        return;
    case DRIFT_INVALID:
        log_warning("drift file %s ignored: %s", cfg->driftfile, err);
        break;
    default:
        log_info("%s", err);
        break;
    }
    log_event(NULL, parent_sys_status(p, LOG_EV_FREQ_NOT_SET), LOG_EV_FREQ_NOT_SET, NULL);
}

/* The sources the configuration brings: servers, each pool's members, reference clocks (the
 * start-up majority is counted against them). */
static int expected_sources(const struct cfg *cfg)
{
    int n = (int)cfg->n_refclocks;

    for (size_t i = 0; i < cfg->n_sources; i++)
        n += cfg->sources[i].type == CFG_SOURCE_POOL ? (int)cfg_pool_members(cfg) : 1;
    return n;
}

int parent_init(struct parent *p, const struct cfg *cfg, const struct parent_options *opt,
                struct clk *clk, double now, char *err, size_t errlen)
{
    struct disc_params dp;

    memset(p, 0, sizeof(*p));
    p->cfg = cfg;
    p->opt = *opt;
    p->clk = clk;
    p->child = NULL;
    p->drift_dirfd = -1;
    p->map_generation = 1;
    p->start = now;
    p->unsync_since = now;
    p->last_drift_write = now;
    p->last_refusal_log = -1e9;
    p->sys_peer_slot = -1;
    parent_stats_open(p, now);
    parent_stats_events(p);
    set_params(&dp, cfg, opt);
    read_drift(p, &dp);
    if (clk_start(clk) < 0 || clk_set_freq(clk, dp.initial_freq_ppm) < 0) {
        snprintf(err, errlen, "clock driver: %s", clk_error(clk));
        return -1;
    }
    p->disc = disc_create(&dp);
    if (p->disc == NULL) {
        snprintf(err, errlen, "discipline parameters out of range");
        return -1;
    }
    disc_set_expected_sources(p->disc, expected_sources(cfg));
    p->applied_freq_ppm = dp.initial_freq_ppm;
    parent_guard_init(p, opt, dp.initial_freq_ppm, now);
    if (parent_refclocks_open(p, now, err, errlen) < 0)
        return -1;
    parent_leap_open(p);
    parent_leap_load(p, now);
    parent_reset_warning(p, now);
    return 0;
}

void parent_fini(struct parent *p, double now)
{
    parent_write_drift(p, now);
    parent_close_files(p);
    parent_refclocks_close(p);
    parent_observe_close(p);
    disc_destroy(p->disc);
    p->disc = NULL;
}

/* After chroot the drift file is reached through the directory opened before. */
static int write_drift_file(const struct parent *p, double ppm, char *err, size_t errlen)
{
    const char *path = p->cfg->driftfile, *base = strrchr(path, '/');

    if (p->drift_dirfd < 0)
        return drift_write(path, ppm, err, errlen);
    return drift_write_at(p->drift_dirfd, base != NULL ? base + 1 : path, ppm, err, errlen);
}

void parent_write_drift(struct parent *p, double now)
{
    struct disc_status *st = &p->status_buf;
    char err[256];

    if (p->cfg->driftfile == NULL || p->disc == NULL)
        return;
    disc_get_status(p->disc, now, st);
    /* Only a measured frequency replaces the file: a few seconds of samples are not one. */
    if (!(st->freq_sd_ppm > 0 && st->freq_sd_ppm <= PARENT_DRIFT_MAX_SD_PPM))
        return;
    if (write_drift_file(p, st->freq_ppm, err, sizeof(err)) < 0)
        log_warning("cannot write drift file: %s", err);
    else
        p->last_drift_write = now;
}

static void forget_sources(struct parent *p)
{
    int i;

    for (i = 0; i < MSG_NTP_SLOTS; i++) {
        if (p->slots[i].in_use)
            disc_remove_source(p->disc, p->slots[i].disc_id);
        memset(&p->slots[i], 0, sizeof(p->slots[i]));
    }
    if (p->sys_peer_slot < MSG_NTP_SLOTS)
        p->sys_peer_slot = -1;
}

void parent_attach_child(struct parent *p, struct chan *child, double now)
{
    forget_sources(p);
    p->child = child;
    p->rx_seq = 1;
    p->tx_seq = 1;
    p->hello_seen = false;
    p->last_heard = now;
    parent_push_map(p);
    parent_publish(p, now);
}

double parent_child_silence(const struct parent *p, double now)
{
    return p->child != NULL ? now - p->last_heard : 0;
}

void parent_detach_child(struct parent *p, double now)
{
    p->child = NULL;
    forget_sources(p);
    (void)now;
}

/* Host-order refid of a source address (RFC 5905): the IPv4 address, or the first four octets
 * of the MD5 digest of the IPv6 address (as ntpd and chrony, so loop detection works). */
static uint32_t address_refid(uint32_t family, const uint8_t addr[16])
{
    uint8_t d[16];
    const uint8_t *b = addr;

    if (family != AF_INET) {
        md5_digest(addr, 16, d);
        b = d;
    }
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void format_addr(const struct msg_source_add *m, char *buf, size_t len)
{
    char ip[INET6_ADDRSTRLEN] = "";

    inet_ntop((int)m->family, m->addr, ip, sizeof(ip));
    if (m->port == 123) /* shown as ntpd shows it */
        snprintf(buf, len, "%s", ip);
    else
        snprintf(buf, len, m->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, m->port);
}

static int pool_members(const struct parent *p, uint32_t cfg_index)
{
    int i, n = 0;

    for (i = 0; i < MSG_NTP_SLOTS; i++)
        n += p->slots[i].in_use && p->slots[i].cfg_index == cfg_index;
    return n;
}

/* The source configuration comes from the parent's own configuration: the child only says
 * which line an address belongs to, so it cannot make a source `prefer` or `true`. */
static int source_config(const struct parent *p, const struct msg_source_add *m,
                         struct disc_source_config *sc)
{
    memset(sc, 0, sizeof(*sc));
    if (m->cfg_index >= p->cfg->n_sources)
        return -1;
    const struct cfg_source *src = &p->cfg->sources[m->cfg_index];
    bool pool = src->type == CFG_SOURCE_POOL;
    if ((m->kind == MSG_KIND_POOL) != pool ||
        pool_members(p, m->cfg_index) >= (pool ? (int)cfg_pool_members(p->cfg) : 1))
        return -1;
    sc->min_poll = src->minpoll;
    sc->max_poll = src->maxpoll;
    sc->prefer = src->flags & CFG_SRC_PREFER;
    sc->noselect = src->flags & CFG_SRC_NOSELECT;
    sc->refid = address_refid(m->family, m->addr);
    return 0;
}

static int handle_source_add(struct parent *p, const struct msg_source_add *m, double now)
{
    struct parent_slot *slot = &p->slots[m->slot];
    struct disc_source_config sc;
    int id;

    if (slot->in_use || source_config(p, m, &sc) < 0)
        return parent_reject(p, "SOURCE_ADD for a slot in use or a bad configuration entry");
    id = disc_add_source(p->disc, &sc);
    if (id < 0)
        return parent_reject(p, "SOURCE_ADD: discipline source table full");
    memset(slot, 0, sizeof(*slot));
    slot->in_use = true;
    slot->disc_id = id;
    slot->kind = (uint8_t)m->kind;
    slot->cfg_index = m->cfg_index;
    slot->first_poll = slot->last_poll = slot->last_reply = -1;
    slot->assoc_id = parent_new_assoc_id(p);
    /* The network child uses only replies signed with a keyed source's key. */
    slot->authenable = p->cfg->sources[m->cfg_index].key_id != 0;
    /* The name shown is the configured one, not what the child says. */
    msg_copy_str(slot->name, sizeof(slot->name), p->cfg->sources[m->cfg_index].name);
    format_addr(m, slot->addr, sizeof(slot->addr));
    parent_peer_event(p, m->slot, LOG_EV_MOBILIZE, NULL);
    parent_publish(p, now);
    return 0;
}

static int handle_sample(struct parent *p, const struct msg_sample *m, double now)
{
    struct parent_slot *slot = &p->slots[m->slot];
    struct disc_sample s;

    if (!slot->in_use)
        return parent_reject(p, "SAMPLE for a slot not in use");
    if (m->map_generation > p->map_generation)
        return parent_reject(p, "SAMPLE with a clock map never sent");
    slot->last_reply = now; /* the source answered, whatever becomes of the sample */
    slot->authentic = slot->authenable;
    slot->replies++;
    if (m->map_generation != p->map_generation) {
        log_debug("sample from %s taken before the last clock change: dropped", slot->addr);
        slot->rejected[MSG_REJECT_STALE]++;
        return 0;
    }
    memset(&s, 0, sizeof(s));
    s.t1 = msg_time_to_timespec(m->t1);
    s.t2 = msg_time_to_timespec(m->t2);
    s.t3 = msg_time_to_timespec(m->t3);
    s.t4 = msg_time_to_timespec(m->t4);
    s.ts_source = (enum disc_ts_source)m->ts_source;
    s.root_delay_s = m->root_delay_s;
    s.root_dispersion_s = m->root_dispersion_s;
    s.stratum = m->stratum;
    s.leap = (enum disc_leap)m->leap;
    s.refid = m->refid;
    s.precision_log2 = m->precision_log2;
    slot->tx_source = m->tx_source;
    slot->rx_source = m->rx_source;
    slot->precision_log2 = m->precision_log2;
    slot->server_root_delay_s = m->root_delay_s;
    slot->server_root_dispersion_s = m->root_dispersion_s;
    slot->interleaved = (m->flags & MSG_SAMPLE_INTERLEAVED) != 0;
    /* An interleaved sample measured the exchange before the reply that completed it. */
    parent_sample_result(p, m->slot, disc_source_sample(p->disc, slot->disc_id, &s, now - m->age_s),
                         now);
    return 0;
}

static int handle_source_ref(struct parent *p, uint16_t type, const struct msg_source_ref *m,
                             double now)
{
    struct parent_slot *slot = &p->slots[m->slot];

    if (!slot->in_use)
        return parent_reject(p, "message for a slot not in use");
    if (type == MSG_SOURCE_ANSWERED) {
        slot->last_reply = now; /* the server answered: reachable, whatever the reply said */
        slot->replies++;
        slot->rejected[m->flags]++;
        return 0;
    }
    if (type == MSG_SOURCE_POLLED) {
        disc_source_polled(p->disc, slot->disc_id, now);
        if (slot->first_poll < 0)
            slot->first_poll = now;
        else if (!(m->flags & MSG_POLL_RETRY))
            slot->poll_gap = now - slot->last_poll;
        if (!(m->flags & MSG_POLL_RETRY))
            slot->last_poll = now;
        return 0;
    }
    parent_peer_event(p, m->slot, LOG_EV_DEMOBILIZE, NULL);
    disc_remove_source(p->disc, slot->disc_id);
    memset(slot, 0, sizeof(*slot));
    if (p->sys_peer_slot == (int)m->slot)
        p->sys_peer_slot = -1;
    parent_publish(p, now);
    return 0;
}

/* The whole privileged surface: every message is validated by msg_validate() (sizes, ranges,
 * NaN/inf, sequence) and then checked against the parent's own state. */
int parent_handle_message(struct parent *p, const void *buf, size_t len, double now)
{
    struct msg_header hdr;
    const void *payload;
    char err[160];

    if (msg_validate(buf, len, &p->rx_seq, &hdr, &payload, err, sizeof(err)) < 0)
        return parent_reject(p, err);
    p->last_heard = now;
    if (hdr.type == MSG_LOG) { /* also before HELLO: the child's set-up logs */
        const struct msg_log *l = payload;
        log_child_line(LOG_ORIGIN_NET, l->level, (enum log_class)l->cls, l->text);
        return 0;
    }
    if (hdr.type == MSG_HEARTBEAT)
        return 0;
    if (hdr.type == MSG_HELLO && !p->hello_seen) {
        p->hello_seen = true;
        log_info("network child %u ready", ((const struct msg_hello *)payload)->pid);
        return 0;
    }
    if (!p->hello_seen)
        return parent_reject(p, "message before HELLO");
    switch (hdr.type) {
    case MSG_SOURCE_ADD:
        return handle_source_add(p, payload, now);
    case MSG_SOURCE_REMOVE:
    case MSG_SOURCE_POLLED:
    case MSG_SOURCE_ANSWERED:
        return handle_source_ref(p, hdr.type, payload, now);
    case MSG_SAMPLE:
        return handle_sample(p, payload, now);
    case MSG_SERVER_STATS:
        return parent_stats_counters(p, payload, now);
    default:
        return parent_reject(p, "message type not accepted from the network child");
    }
}
