// SPDX-License-Identifier: ISC
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "discipline/sample.h"
#include "tests/bench/rfc5905.h"
#include "tests/bench/sim.h"

#define EPOCH_S             1800000000LL // realtime scale origin of the simulation (2027)
#define TICK_S              0.25         // metric and wander step, s
#define SERVER_PROCESSING_S 10e-6
#define IBURST_POLLS        6
#define IBURST_INTERVAL_S   2.0
#define TIMER_S             8.0 // disc_update() timer besides the one after each sample
#define SETTLE_LIMIT_S      1e-3

struct server {
    int id;                 // discipline source id
    double next_poll;       // true time of the next request, s
    int polls;              // requests sent
    bool pending;           // a reply is on its way
    double reply_at;        // its arrival time, s
    struct disc_sample smp; // t1..t3 filled at send time
};

struct world {
    const struct sim_config *cfg;
    struct disc *d;
    struct server srv[SIM_MAX_SERVERS];
    uint64_t rng;
    double t;     // true time, s
    double x;     // local clock error (local - true), s
    double y;     // oscillator frequency error, s/s
    double f_ppm; // frequency the discipline set, ppm
    double next_tick, next_timer;
    // metrics
    double window_start; // RMS/max window start, s
    double settle_from;  // settle time is measured from here, s
    double last_bad;     // last time |x| >= 1 ms, s
    double sum2, max, fsum2;
    long n2, nf;
    struct sim_result *res;
    struct rfc5905 rfc; // the baseline loop (cfg->baseline)
    // what the events changed
    double srv_offset[SIM_MAX_SERVERS]; // servers' clock errors now, s
    double base_delay_s;                // one-way base delay now, s
    double lossy_until;                 // every exchange is lost until then, s
    int leap_announced;                 // the servers announce a leap second (+1, -1, 0)
    double leap_done_at;                // when the last leap second happened (-1: none), s
    bool event_done[SIM_MAX_EVENTS];
    double events_from; // max_after_events_s is taken from then on, s
    int leap_request;   // the last update's leap second (+1, -1, 0): what a kernel would do
};

static double uniform(struct world *w)
{
    // splitmix64: deterministic and good enough for a simulation.
    uint64_t z = (w->rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(struct world *w)
{
    return sqrt(-2 * log(uniform(w))) * cos(2 * M_PI * uniform(w));
}

static double exponential(struct world *w, double mean)
{
    return -mean * log(uniform(w));
}

// A timestamp EPOCH_S + v seconds.
static struct timespec stamp(double v)
{
    double whole = floor(v);
    long nsec = lround((v - whole) * 1e9);
    struct timespec ts = {.tv_sec = (time_t)(EPOCH_S + (long long)whole), .tv_nsec = nsec};
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void advance(struct world *w, double t)
{
    w->x += (w->y + w->f_ppm * 1e-6) * (t - w->t);
    w->t = t;
}

static void check_settle(struct world *w)
{
    if (fabs(w->x) >= SETTLE_LIMIT_S)
        w->last_bad = w->t;
}

static void apply(struct world *w, const struct disc_action *a)
{
    bool asked = a->leap == DISC_LEAP_INSERT || a->leap == DISC_LEAP_DELETE;
    if (asked && w->leap_announced != 0)
        w->res->leap_armed = true;
    if (asked && w->leap_done_at >= 0 && w->t > w->leap_done_at + 600)
        w->res->leap_after = true;
    w->leap_request = asked ? (a->leap == DISC_LEAP_INSERT ? 1 : -1) : 0;
    if (a->step) {
        w->x += a->step_s;
        disc_clock_stepped(w->d, a->step_s);
        w->res->steps++;
    }
    if (a->refusal != DISC_REFUSAL_NONE)
        w->res->refusals++;
    w->f_ppm = a->freq_ppm;
}

static void check_falsetickers(struct world *w)
{
    static struct disc_status st;
    disc_get_status(w->d, w->t, &st);
    for (int i = 0; i < w->cfg->nservers; i++) {
        if (fabs(w->srv_offset[i]) < 1e-3)
            continue;
        for (int k = 0; k < st.nsources; k++)
            if (st.sources[k].id == w->srv[i].id && (st.sources[k].tally == DISC_TALLY_CANDIDATE ||
                                                     st.sources[k].tally == DISC_TALLY_SYSPEER))
                w->res->falseticker_used = true;
    }
}

// One line per update on stderr: true error, estimated error, frequencies (ppm), jitter.
static void trace(struct world *w, const struct disc_action *a)
{
    static struct disc_status st;
    disc_get_status(w->d, w->t, &st);
    fprintf(stderr,
            "t %.2f err %.3e est %.3e freq %.4f base %.4f true %.4f jitter %.2e poll %d "
            "peer %d step %d\n",
            w->t, w->x, -st.offset_s, a->freq_ppm, st.freq_ppm, -w->y * 1e6, st.jitter_s,
            st.poll_log2, st.sys_peer, a->step);
}

static void update(struct world *w)
{
    struct disc_action a;
    if (w->cfg->baseline)
        return;
    check_settle(w);
    disc_update(w->d, w->t, &a);
    if (w->cfg->trace)
        trace(w, &a);
    apply(w, &a);
    check_settle(w);
    check_falsetickers(w);
}

static double server_time(struct world *w, int i, double t)
{
    return t + w->srv_offset[i] + w->cfg->ts_noise_s * gaussian(w);
}

static void send_poll(struct world *w, int i)
{
    const struct sim_config *c = w->cfg;
    struct server *s = &w->srv[i];
    if (!c->baseline)
        disc_source_polled(w->d, s->id, w->t);
    s->polls++;
    int poll = c->baseline ? c->poll_log2 : disc_poll_interval(w->d, s->id);
    double interval = c->iburst && s->polls < IBURST_POLLS ? IBURST_INTERVAL_S : ldexp(1.0, poll);
    s->next_poll = w->t + interval;
    if (uniform(w) < c->loss || w->t < w->lossy_until)
        return;
    double out = w->base_delay_s + exponential(w, c->jitter_mean_s);
    double back_jitter = c->jitter_back_mean_s > 0 ? c->jitter_back_mean_s : c->jitter_mean_s;
    double back = w->base_delay_s + exponential(w, back_jitter) + c->asym_s;
    s->smp = (struct disc_sample){
        .t1 = stamp(w->t + w->x + c->ts_noise_s * gaussian(w)),
        .t2 = stamp(server_time(w, i, w->t + out)),
        .t3 = stamp(server_time(w, i, w->t + out + SERVER_PROCESSING_S)),
        .ts_source = DISC_TS_KERNEL,
        .root_delay_s = 0,
        .root_dispersion_s = 10e-6,
        .stratum = 1,
        .leap = w->leap_announced > 0   ? DISC_LEAP_INSERT
                : w->leap_announced < 0 ? DISC_LEAP_DELETE
                                        : DISC_LEAP_NONE,
        .refid = 0x47505300, // "GPS"
        .precision_log2 = -20,
    };
    s->pending = true;
    s->reply_at = w->t + out + SERVER_PROCESSING_S + back;
}

static void baseline_sample(struct world *w, const struct disc_sample *smp)
{
    struct flt_measurement m;
    double step;
    if (!flt_measure(smp, smp->precision_log2, &m))
        return;
    rfc_sample(&w->rfc, w->t, m.offset_s, m.delay_s, m.dispersion_s, &step);
    check_settle(w);
    if (step != 0) {
        w->x += step;
        w->res->steps++;
    }
    check_settle(w);
}

static void receive(struct world *w, int i)
{
    struct server *s = &w->srv[i];
    s->pending = false;
    s->smp.t4 = stamp(w->t + w->x + w->cfg->ts_noise_s * gaussian(w));
    if (w->cfg->baseline) {
        baseline_sample(w, &s->smp);
        return;
    }
    disc_source_sample(w->d, s->id, &s->smp, w->t);
    update(w);
}

// Frequency estimate error of the controller, ppm.
static double freq_error_ppm(struct world *w)
{
    static struct disc_status st;
    if (w->cfg->baseline)
        return (w->rfc.freq + w->y) * 1e6;
    disc_get_status(w->d, w->t, &st);
    return st.freq_ppm + w->y * 1e6;
}

// UTC repeats (insert) or skips (delete) a second: the servers follow at once; the local clock
// too if the last update asked for it (as the kernel applies an armed leap second), else it
// is now a second off UTC. Errors are measured against UTC from then on.
static void leap_happens(struct world *w, int sign)
{
    if (w->leap_request != sign)
        w->x += sign;
    w->leap_announced = 0;
    w->leap_done_at = w->t;
}

static void start_event(struct world *w, const struct sim_event *e)
{
    switch (e->kind) {
    case SIM_EV_SERVER_STEP:
        w->srv_offset[e->server] += e->value;
        break;
    case SIM_EV_DELAY_STEP:
        w->base_delay_s += e->value;
        break;
    case SIM_EV_FREQ_STEP:
        w->y += e->value * 1e-6;
        break;
    case SIM_EV_LOSS_BURST:
        w->lossy_until = e->at_s + e->duration_s;
        break;
    case SIM_EV_LEAP:
        w->leap_announced = e->value > 0 ? 1 : -1;
        break;
    case SIM_EV_NONE:
        break;
    }
}

static void run_events(struct world *w)
{
    for (int k = 0; k < SIM_MAX_EVENTS && w->cfg->events[k].kind != SIM_EV_NONE; k++) {
        const struct sim_event *e = &w->cfg->events[k];
        if (!w->event_done[k] && w->t + TICK_S >= e->at_s) {
            w->event_done[k] = true;
            start_event(w, e);
            if (w->events_from < 0 || e->at_s + 600 < w->events_from)
                w->events_from = e->at_s + 600;
        }
        if (e->kind == SIM_EV_LEAP && w->leap_announced != 0 && w->event_done[k] &&
            w->t + TICK_S >= e->at_s + e->duration_s)
            leap_happens(w, w->leap_announced);
    }
}

static void tick(struct world *w)
{
    const struct sim_config *c = w->cfg;
    w->y += c->wander * sqrt(TICK_S) * gaussian(w);
    check_settle(w);
    bool whole_second = fmod(w->t, 1.0) < TICK_S / 2;
    if (c->baseline && whole_second)
        w->f_ppm = rfc_adjust(&w->rfc) * 1e6;
    w->res->max_total_s = fmax(w->res->max_total_s, fabs(w->x));
    if (w->events_from >= 0 && w->t >= w->events_from)
        w->res->max_after_events_s = fmax(w->res->max_after_events_s, fabs(w->x));
    if (w->t >= w->window_start) {
        w->sum2 += w->x * w->x;
        w->n2++;
        w->max = fmax(w->max, fabs(w->x));
        if (whole_second) {
            double ferr = freq_error_ppm(w);
            w->fsum2 += ferr * ferr;
            w->nf++;
        }
    }
    if (c->jump_at_s > 0 && w->t < c->jump_at_s && w->t + TICK_S >= c->jump_at_s)
        w->x += c->jump_s;
    run_events(w);
    w->next_tick += TICK_S;
}

// Time and kind of the next event: -1 tick, -2 timer, 2*i poll of server i, 2*i+1 its reply.
static double next_event(const struct world *w, int *kind)
{
    double t = w->next_tick;
    *kind = -1;
    if (w->next_timer < t) {
        t = w->next_timer;
        *kind = -2;
    }
    for (int i = 0; i < w->cfg->nservers; i++) {
        if (w->srv[i].next_poll < t) {
            t = w->srv[i].next_poll;
            *kind = 2 * i;
        }
        if (w->srv[i].pending && w->srv[i].reply_at < t) {
            t = w->srv[i].reply_at;
            *kind = 2 * i + 1;
        }
    }
    return t;
}

static bool setup(struct world *w, const struct sim_config *c, struct sim_result *res)
{
    memset(w, 0, sizeof(*w));
    memset(res, 0, sizeof(*res));
    w->cfg = c;
    w->res = res;
    w->rng = c->seed;
    w->x = c->initial_offset_s;
    w->y = c->freq_ppm * 1e-6;
    w->last_bad = -1;
    w->window_start =
        c->jump_at_s > 0 ? c->jump_at_s + (c->duration_s - c->jump_at_s) / 2 : c->duration_s / 2;
    w->settle_from = c->jump_at_s;
    w->next_timer = TIMER_S;
    w->base_delay_s = c->base_delay_s;
    w->leap_done_at = -1;
    w->events_from = -1;
    for (int i = 0; i < c->nservers; i++)
        w->srv_offset[i] = c->server_offset_s[i];
    rfc_init(&w->rfc, c->poll_log2);
    struct disc_params p;
    disc_params_default(&p);
    p.allow_big_first_step = c->allow_big_first_step;
    p.have_initial_freq = c->have_initial_freq;
    p.initial_freq_ppm = c->initial_freq_ppm;
    w->f_ppm = c->have_initial_freq ? c->initial_freq_ppm : 0; // the daemon sets it at start
    w->d = disc_create(&p);
    if (!w->d)
        return false;
    for (int i = 0; i < c->nservers; i++) {
        struct disc_source_config sc = {
            .min_poll = c->poll_log2,
            .max_poll = c->max_poll_log2 > c->poll_log2 ? c->max_poll_log2 : c->poll_log2};
        sc.refid = 0xc0000200u + (uint32_t)i; // 192.0.2.x
        w->srv[i].id = disc_add_source(w->d, &sc);
        w->srv[i].next_poll = 0.05 + 0.3 * i + c->server_start_s[i];
    }
    disc_set_expected_sources(w->d, c->nservers); // as the parent does from its configuration
    return true;
}

void sim_run(const struct sim_config *c, struct sim_result *res)
{
    struct world w;
    if (!setup(&w, c, res))
        return;
    while (w.t < c->duration_s) {
        int kind;
        double t = next_event(&w, &kind);
        advance(&w, t);
        if (kind == -1)
            tick(&w);
        else if (kind == -2) {
            update(&w);
            w.next_timer += TIMER_S;
        } else if (kind % 2 == 0)
            send_poll(&w, kind / 2);
        else
            receive(&w, kind / 2);
    }
    res->ok = true;
    res->rms_s = w.n2 ? sqrt(w.sum2 / (double)w.n2) : NAN;
    res->max_s = w.max;
    res->settle_s = w.last_bad < w.settle_from ? 0 : w.last_bad - w.settle_from;
    res->freq_rms_ppm = w.nf ? sqrt(w.fsum2 / (double)w.nf) : NAN;
    res->final_error_s = w.x;
    res->final_freq_ppm = c->baseline ? NAN : freq_error_ppm(&w) - w.y * 1e6;
    disc_destroy(w.d);
}
