// SPDX-License-Identifier: ISC
/* A simulated host and network child around the real parent (child_sim.h). */
#include "tests/lib/child_sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

#include "daemon/common/log.h"

static struct child_sim *active; /* the evidence clocks belong to it */

static double true_time(const struct child_sim *s)
{
    return CSIM_EPOCH_S + s->now_s + s->suspended_s;
}

/* The host's CLOCK_REALTIME, s. */
static double host_time(const struct child_sim *s)
{
    return true_time(s) + s->host_set_s + s->counter_shift_s;
}

static struct timespec to_timespec(double t)
{
    struct timespec ts = {.tv_sec = (time_t)floor(t)};
    ts.tv_nsec = (long)((t - floor(t)) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    return ts;
}

static int host_realtime(void *ctx, struct timespec *ts)
{
    const struct child_sim *s = ctx;
    *ts = to_timespec(host_time(s));
    return 0;
}

/* The clocks the parent's guard reads its evidence from. */
static int evidence_clock(clockid_t id, struct timespec *ts)
{
    if (active == NULL)
        return -1;
    switch (id) {
    case CLOCK_REALTIME:
        return host_realtime(active, ts);
    case CLOCK_MONOTONIC:
        *ts = to_timespec(active->now_s + active->counter_shift_s);
        return 0;
    case CLOCK_BOOTTIME:
        *ts = to_timespec(active->now_s + active->counter_shift_s + active->suspended_s);
        return 0;
    default:
        return -1;
    }
}

/* What the parent sent must pass the child's own checks. */
static void drain(struct child_sim *s)
{
    static uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    char err[160];
    ssize_t n;

    parent_flush(&s->p, s->now_s);
    while ((n = chan_recv(&s->child_end, buf, sizeof(buf))) > 0) {
        if (msg_validate(buf, (size_t)n, &s->child_rx_seq, &hdr, &payload, err, sizeof(err)) < 0)
            s->invalid_reply = true;
        else if (hdr.type == MSG_SNAPSHOT)
            s->snapshots++;
    }
}

static void attach(struct child_sim *s)
{
    struct msg_hello hello = {.pid = 42, .max_sources = MSG_MAX_SOURCES};

    if (chan_pair_inprocess(&s->parent_end, &s->child_end) < 0)
        return;
    s->child_seq = s->child_rx_seq = 1;
    parent_attach_child(&s->p, &s->parent_end, s->now_s);
    csim_send(s, MSG_HELLO, &hello, sizeof(hello));
}

static void detach(struct child_sim *s)
{
    parent_detach_child(&s->p, s->now_s);
    chan_close(&s->parent_end);
    chan_close(&s->child_end);
}

int csim_deliver(struct child_sim *s, const void *buf, size_t len)
{
    int rc = parent_handle_message(&s->p, buf, len, s->now_s);

    if (rc < 0) {
        s->rejected++;
        detach(s);
        attach(s);
    } else {
        s->child_seq++;
    }
    drain(s);
    return rc;
}

int csim_send(struct child_sim *s, uint16_t type, const void *payload, size_t len)
{
    uint8_t buf[MSG_MAX_SIZE];
    struct msg_header h = {.version = MSG_VERSION,
                           .type = type,
                           .length = (uint32_t)(sizeof(h) + len),
                           .seq = s->child_seq};

    if (len > sizeof(buf) - sizeof(h))
        return -1;
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), payload, len);
    return csim_deliver(s, buf, sizeof(h) + len);
}

/* The simulated kernel of `refusing_kernel`: reads the simulated host time, takes frequency
 * and status, refuses steps. */
static struct timex kernel_timex;

static int refusing_adjtime(clockid_t id, struct timex *tx)
{
    (void)id;
    if (tx->modes & ADJ_SETOFFSET) {
        errno = EPERM;
        return -1;
    }
    if (tx->modes & ADJ_FREQUENCY)
        kernel_timex.freq = tx->freq;
    if (tx->modes & ADJ_STATUS)
        kernel_timex.status = tx->status;
    *tx = kernel_timex;
    return TIME_OK;
}

static int simulated_gettime(clockid_t id, struct timespec *ts)
{
    return evidence_clock(id, ts);
}

static const struct clk_syscalls refusing_syscalls = {
    .clock_adjtime = refusing_adjtime,
    .clock_gettime = simulated_gettime,
    .user_hz = 100,
};

int csim_start(struct child_sim *s, const char *config, const struct csim_options *o, char *err,
               size_t errlen)
{
    char text[4096];
    struct cfg_diag diag;
    int rc;

    memset(s, 0, sizeof(*s));
    s->now_s = 1000;
    active = s;
    snprintf(text, sizeof(text), "%s\nclock %s\n", config,
             o->refusing_kernel ? "system" : "virtual");
    cfg_diag_init(&diag);
    rc = cfg_load_string("csim", text, strlen(text), 0, &s->cfg, &diag);
    cfg_diag_free(&diag);
    if (rc < 0) {
        snprintf(err, errlen, "configuration rejected");
        return -1;
    }
    struct clk_options co = {.kind = CLK_VIRTUAL,
                             .virt_initial_offset_s = o->clock_error_s,
                             .virt_freq_error_ppm = o->freq_error_ppm,
                             .host_clock = host_realtime,
                             .host_clock_ctx = s};
    if (o->refusing_kernel) {
        memset(&kernel_timex, 0, sizeof(kernel_timex));
        kernel_timex.tick = 10000;
        co = (struct clk_options){.kind = CLK_SYSTEM, .sys = &refusing_syscalls};
    }
    struct parent_options po = {.big_first_step = o->big_first_step, .gettime = evidence_clock};
    s->clk = clk_open(&co, err, errlen);
    if (s->clk == NULL || parent_init(&s->p, &s->cfg, &po, s->clk, s->now_s, err, errlen) < 0)
        return -1;
    attach(s);
    return 0;
}

void csim_stop(struct child_sim *s)
{
    detach(s);
    parent_fini(&s->p, s->now_s);
    clk_close(s->clk);
    cfg_free(&s->cfg);
    active = NULL;
}

int csim_add_source(struct child_sim *s, uint32_t slot, uint32_t cfg_index)
{
    struct msg_source_add m = {.slot = slot,
                               .kind = MSG_KIND_SERVER,
                               .cfg_index = cfg_index,
                               .family = AF_INET,
                               .addr = {192, 0, 2, (uint8_t)(slot + 1)},
                               .port = 123};

    snprintf(m.name, sizeof(m.name), "192.0.2.%u", slot + 1);
    return csim_send(s, MSG_SOURCE_ADD, &m, sizeof(m));
}

int csim_polled(struct child_sim *s, uint32_t slot)
{
    struct msg_source_ref m = {.slot = slot};
    return csim_send(s, MSG_SOURCE_POLLED, &m, sizeof(m));
}

static struct msg_time clock_time_plus(struct timespec t, double plus_s)
{
    double ns = (double)t.tv_nsec + plus_s * 1e9;
    t.tv_sec += (time_t)floor(ns / 1e9);
    t.tv_nsec = (long)(ns - floor(ns / 1e9) * 1e9);
    return msg_time_from_timespec(t);
}

int csim_sample(struct child_sim *s, uint32_t slot, double lie_s, double delay_s, uint8_t leap)
{
    struct msg_sample m = {.slot = slot, .stratum = 2, .precision_log2 = -20, .leap = leap};
    struct clk_map map;
    struct timespec t1;
    double off = -csim_clock_error(s) + lie_s;

    clk_get_map(s->clk, &map);
    t1 = clk_map_apply(&map, to_timespec(host_time(s)));
    m.ts_source = m.tx_source = m.rx_source = DISC_TS_KERNEL;
    m.map_generation = s->p.map_generation;
    m.refid = 0x7f7f0101;
    m.t1 = msg_time_from_timespec(t1);
    m.t2 = clock_time_plus(t1, delay_s / 2 + off);
    m.t3 = clock_time_plus(t1, delay_s / 2 + off + 1e-5);
    m.t4 = clock_time_plus(t1, delay_s + 1e-5);
    m.root_delay_s = 0.001;
    m.root_dispersion_s = 0.001;
    return csim_send(s, MSG_SAMPLE, &m, sizeof(m));
}

void csim_advance(struct child_sim *s, double dt)
{
    static uint32_t beats;
    double end = s->now_s + dt;

    while (s->now_s < end) {
        struct msg_heartbeat hb = {.count = ++beats};
        s->now_s = fmin(end, s->now_s + MSG_HEARTBEAT_S);
        csim_send(s, MSG_HEARTBEAT, &hb, sizeof(hb));
        parent_tick(&s->p, s->now_s);
        drain(s);
    }
}

void csim_set_host_clock(struct child_sim *s, double step_s)
{
    s->host_set_s += step_s;
}

void csim_shift_counter(struct child_sim *s, double dt)
{
    s->counter_shift_s += dt;
}

void csim_suspend(struct child_sim *s, double dt)
{
    s->suspended_s += dt;
}

double csim_clock_error(struct child_sim *s)
{
    struct clk_map map;
    struct timespec host = to_timespec(host_time(s)), c;

    clk_get_map(s->clk, &map);
    c = clk_map_apply(&map, host);
    return (double)(c.tv_sec - host.tv_sec) + (c.tv_nsec - host.tv_nsec) * 1e-9 + s->host_set_s +
           s->counter_shift_s;
}

void csim_cone_reset(struct csim_cone *cone)
{
    cone->t0 = NAN;
    cone->base = 0;
}

bool csim_on_the_cone(struct child_sim *s, struct csim_cone *cone)
{
    const struct guard *g = &s->p.guard.g;

    if (!g->anchored || g->following) {
        csim_cone_reset(cone);
        return true;
    }
    if (g->t0 != cone->t0) {
        cone->t0 = g->t0;
        cone->base = csim_clock_error(s) - (guard_correction(g, s->now_s) - g->c0);
        return true;
    }
    double moved = csim_clock_error(s) - cone->base - g->f0 * 1e-6 * (s->now_s - g->t0);
    return fabs(moved) <= guard_bound(g, s->now_s) + GUARD_SLACK_S + 1e-7;
}

int csim_clock_status(struct child_sim *s)
{
    struct clk_info info;
    return clk_get_info(s->clk, &info) == 0 ? info.status : 0;
}
