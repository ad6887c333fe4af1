// SPDX-License-Identifier: ISC
// The facade against a small noiseless simulated clock: PLL/FLL frequency and step response,
// step policy (start-up step, majority, spikes, panic, -g), frequency kept across a step,
// disc_clock_stepped() correcting stored samples, reach, validation, system variables.
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "discipline/discipline.h"

#define EPOCH   1800000000LL
#define ONE_WAY 100e-6 // symmetric path delay, s

struct world {
    struct disc *d;
    double t;             // true time, s
    double x;             // local clock error (local - true), s
    double y;             // oscillator frequency error, s/s
    double f_ppm;         // frequency set by the discipline
    int steps;            // steps applied
    int refusals;         // updates reporting a refusal
    double max_phase_ppm; // largest |applied - base| frequency seen, ppm
    enum disc_leap leap;  // leap indicator the servers send
    struct disc_action last;
};

static struct timespec stamp(double v)
{
    double whole = floor(v);
    struct timespec t = {.tv_sec = (time_t)(EPOCH + (long long)whole),
                         .tv_nsec = lround((v - whole) * 1e9)};
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

static void advance(struct world *w, double dt)
{
    w->x += (w->y + w->f_ppm * 1e-6) * dt;
    w->t += dt;
}

static void world_init(struct world *w, const struct disc_params *p, double x0, double y_ppm)
{
    *w = (struct world){.x = x0, .y = y_ppm * 1e-6, .f_ppm = p->initial_freq_ppm};
    w->d = disc_create(p);
    assert_non_null(w->d);
}

static int add_server(struct world *w, int poll)
{
    struct disc_source_config c = {.min_poll = poll, .max_poll = poll, .refid = 0xc0000201};
    int id = disc_add_source(w->d, &c);
    assert_true(id >= 0);
    return id;
}

static void update(struct world *w)
{
    static struct disc_status st;
    disc_update(w->d, w->t, &w->last);
    if (w->last.step) {
        w->x += w->last.step_s;
        disc_clock_stepped(w->d, w->last.step_s);
        w->steps++;
    }
    if (w->last.refusal != DISC_REFUSAL_NONE)
        w->refusals++;
    w->f_ppm = w->last.freq_ppm;
    disc_get_status(w->d, w->t, &st);
    if (st.synchronized)
        w->max_phase_ppm = fmax(w->max_phase_ppm, fabs(w->f_ppm - st.freq_ppm));
}

// One exchange with a server whose clock is off by server_offset; time advances by the round
// trip. Returns the sample result.
static enum disc_sample_result exchange(struct world *w, int id, double server_offset)
{
    disc_source_polled(w->d, id, w->t);
    struct disc_sample s = {
        .t1 = stamp(w->t + w->x),
        .t2 = stamp(w->t + ONE_WAY + server_offset),
        .t3 = stamp(w->t + ONE_WAY + server_offset),
        .ts_source = DISC_TS_KERNEL,
        .root_dispersion_s = 10e-6,
        .stratum = 1,
        .leap = w->leap,
        .refid = 0x47505300,
        .precision_log2 = -20,
    };
    advance(w, 2 * ONE_WAY);
    s.t4 = stamp(w->t + w->x);
    return disc_source_sample(w->d, id, &s, w->t);
}

// Poll every source each `interval` seconds for `duration` seconds, updating after each reply.
static void run(struct world *w, const int *ids, int n, double interval, double duration)
{
    double end = w->t + duration;
    while (w->t < end) {
        for (int i = 0; i < n; i++) {
            exchange(w, ids[i], 0);
            update(w);
            advance(w, 0.1);
        }
        advance(w, interval - n * (0.1 + 2 * ONE_WAY));
    }
}

static void test_frequency_error_converges(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0, 50);
    int id = add_server(&w, 4);
    run(&w, &id, 1, 16, 7200);
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_true(st.synchronized);
    assert_true(fabs(w.x) < 1e-6);
    assert_true(fabs(st.freq_ppm - (-50)) < 0.01);
    assert_int_equal(st.stratum, 2);
    assert_int_equal(st.refid, 0xc0000201);
    assert_int_equal(st.sys_peer, id);
    assert_int_equal(st.sources[0].tally, DISC_TALLY_SYSPEER);
    assert_false(w.last.unsync);
    assert_true(w.last.max_error_s < 0.001);
    assert_int_equal(w.steps, 0);
    disc_destroy(w.d);
}

static void test_offset_step_response_slewed(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0, 0);
    int id = add_server(&w, 4);
    run(&w, &id, 1, 16, 600);
    w.x += 0.050; // below the step threshold: slewed, never stepped
    run(&w, &id, 1, 16, 300);
    assert_int_equal(w.steps, 0);
    assert_true(fabs(w.x) < 1e-3);
    assert_true(w.max_phase_ppm <= p.max_slew_ppm + 1e-6);
    run(&w, &id, 1, 16, 3600);
    assert_true(fabs(w.x) < 10e-6);
    disc_destroy(w.d);
}

static void test_startup_steps_with_iburst(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0.1, 100);
    int id = add_server(&w, 4);
    run(&w, &id, 1, 2, 6);
    assert_int_equal(w.steps, 1);
    assert_true(fabs(w.x) < 1e-3);
    disc_destroy(w.d);
}

static void test_frequency_survives_step(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0, 100);
    int ids[3] = {add_server(&w, 4), add_server(&w, 4), add_server(&w, 4)};
    run(&w, ids, 3, 16, 3600);
    assert_int_equal(w.steps, 0);
    w.x += 300;
    double t_jump = w.t;
    while (w.steps == 0 && w.t < t_jump + 64)
        run(&w, ids, 3, 16, 16);
    assert_int_equal(w.steps, 1);
    assert_true(w.t - t_jump <= 2 * 16 + 1);
    assert_true(fabs(w.x) < 1e-3);
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_true(fabs(st.freq_ppm - (-100)) < 0.1);
    assert_true(fabs(w.f_ppm - (-100)) < 10);
    disc_destroy(w.d);
}

static void test_clock_stepped_corrects_samples(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 1.0, 0);
    int id = add_server(&w, 4);
    exchange(&w, id, 0);
    disc_update(w.d, w.t, &w.last);
    assert_false(w.last.step); // one sample is not a confirmation
    advance(&w, 2);
    exchange(&w, id, 0);
    disc_update(w.d, w.t, &w.last);
    assert_true(w.last.step);
    assert_true(fabs(w.last.step_s - (-1.0)) < 1e-6);
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_true(fabs(st.sources[0].offset_s - (-1.0)) < 1e-6);
    w.x += w.last.step_s;
    disc_clock_stepped(w.d, w.last.step_s);
    disc_get_status(w.d, w.t, &st);
    assert_true(fabs(st.sources[0].offset_s) < 1e-6);
    assert_true(fabs(st.sources[0].last_offset_s) < 1e-6);
    assert_int_equal(st.steps, 1);
    assert_true(fabs(st.last_step_s - (-1.0)) < 1e-6);
    disc_destroy(w.d);
}

static void test_panic_refused_every_update(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    p.step_confirm_samples = 8;  // samples the frequency estimate learns from while waiting
    world_init(&w, &p, 2000, 7); // a drifting clock: its frequency is not corrected either
    int id = add_server(&w, 4);
    run(&w, &id, 1, 2, 60);
    assert_int_equal(w.steps, 0);
    assert_true(w.f_ppm == 0.0);   // never touched, also while the offset awaited confirmation
    assert_true(w.refusals >= 20); // every update after the 8th sample (30 in 60 s)
    assert_int_equal(w.last.refusal, DISC_REFUSAL_PANIC);
    assert_true(fabs(w.last.refused_offset_s - (-2000)) < 1e-3);
    assert_true(w.last.unsync);
    assert_true(fabs(w.x - 2000 - 7e-6 * w.t) < 1e-9); // only its own drift: not even slewed
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_false(st.synchronized);
    assert_int_equal(st.reason, DISC_SYNC_PANIC);
    disc_destroy(w.d);

    p.allow_big_first_step = true;
    world_init(&w, &p, 2000, 0);
    id = add_server(&w, 4);
    run(&w, &id, 1, 2, 60);
    assert_int_equal(w.steps, 1);
    assert_int_equal(w.refusals, 0);
    assert_true(fabs(w.x) < 1e-3);
    disc_destroy(w.d);
}

static void test_single_spike_not_stepped(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0, 0);
    int id = add_server(&w, 4);
    run(&w, &id, 1, 16, 600);
    advance(&w, 16);
    assert_int_equal(exchange(&w, id, 1.0), DISC_SAMPLE_PENDING);
    update(&w);
    assert_false(w.last.step);
    advance(&w, 16);
    run(&w, &id, 1, 16, 600);
    assert_int_equal(w.steps, 0);
    assert_true(fabs(w.x) < 10e-6);
    disc_destroy(w.d);
}

static void test_minority_jump_not_stepped(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0, 0);
    int ids[3] = {add_server(&w, 4), add_server(&w, 4), add_server(&w, 4)};
    run(&w, ids, 3, 16, 600);
    struct disc_status st;
    for (int k = 0; k < 20; k++) { // source 2 is 1 s off from now on
        exchange(&w, ids[0], 0);
        update(&w);
        exchange(&w, ids[1], 0);
        update(&w);
        exchange(&w, ids[2], 1.0);
        update(&w);
        advance(&w, 16);
    }
    assert_int_equal(w.steps, 0);
    assert_true(fabs(w.x) < 10e-6);
    disc_get_status(w.d, w.t, &st);
    assert_int_equal(st.sources[2].tally, DISC_TALLY_FALSETICKER);
    assert_int_equal(st.sources[2].reason, DISC_REASON_FALSETICKER);
    assert_true(st.synchronized);
    disc_destroy(w.d);
}

static void test_noselect_and_minsources(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    p.min_sources = 2;
    struct world w;
    world_init(&w, &p, 0, 0);
    int a = add_server(&w, 4);
    struct disc_source_config c = {.min_poll = 4, .max_poll = 4, .noselect = true};
    int b = disc_add_source(w.d, &c);
    int ids[2] = {a, b};
    run(&w, ids, 2, 16, 120);
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_false(st.synchronized);
    assert_int_equal(st.reason, DISC_SYNC_MINSOURCES);
    assert_int_equal(st.sources[1].reason, DISC_REASON_NOSELECT);
    assert_int_equal(st.sources[1].tally, DISC_TALLY_REJECT);
    disc_destroy(w.d);

    p.min_sources = 1;
    world_init(&w, &p, 0, 0);
    a = add_server(&w, 4);
    b = disc_add_source(w.d, &c);
    int both[2] = {a, b};
    run(&w, both, 2, 16, 120);
    disc_get_status(w.d, w.t, &st);
    assert_true(st.synchronized);
    assert_int_equal(st.sys_peer, a);
    assert_int_equal(st.sources[1].tally, DISC_TALLY_REJECT);
    disc_destroy(w.d);
}

static void test_reach_register_and_unreachable(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0, 0);
    int id = add_server(&w, 4);
    run(&w, &id, 1, 16, 160);
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_int_equal(st.sources[0].reach, 0xff);
    disc_source_polled(w.d, id, w.t); // no reply
    disc_get_status(w.d, w.t, &st);
    assert_int_equal(st.sources[0].reach, 0xfe);
    for (int i = 0; i < 6; i++) {
        advance(&w, 16);
        disc_source_polled(w.d, id, w.t);
        update(&w);
    }
    disc_get_status(w.d, w.t, &st);
    assert_int_equal(st.sources[0].reach, 0x80);
    assert_true(st.synchronized); // still reachable: holdover on its last samples
    assert_false(w.last.unsync);
    advance(&w, 16);
    disc_source_polled(w.d, id, w.t);
    update(&w);
    disc_get_status(w.d, w.t, &st);
    assert_int_equal(st.sources[0].reach, 0);
    assert_int_equal(st.sources[0].reason, DISC_REASON_UNREACHABLE);
    assert_false(st.synchronized);
    assert_int_equal(st.reason, DISC_SYNC_UNREACHABLE);
    advance(&w, 17); // more than one poll interval since the last good update
    update(&w);
    assert_true(w.last.unsync);
    assert_true(w.last.max_error_s == 16.0);
    assert_int_equal(st.stratum, 16);
    disc_destroy(w.d);
}

static void test_sample_validation(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0, 0);
    int id = add_server(&w, 4);
    struct disc_sample s = {.t1 = stamp(0),
                            .t2 = stamp(0.0001),
                            .t3 = stamp(0.0001),
                            .t4 = stamp(0.0002),
                            .stratum = 1,
                            .precision_log2 = -20};
    assert_int_equal(disc_source_sample(w.d, id, &s, 1.0), DISC_SAMPLE_ACCEPTED);
    assert_int_equal(disc_source_sample(w.d, id, &s, 1.1), DISC_SAMPLE_TOO_SOON);
    assert_int_equal(disc_source_sample(w.d, id + 1, &s, 2.0), DISC_SAMPLE_BAD_ID);
    struct disc_sample bad = s;
    bad.root_delay_s = NAN;
    assert_int_equal(disc_source_sample(w.d, id, &bad, 3.0), DISC_SAMPLE_INVALID);
    bad = s;
    bad.leap = 7;
    assert_int_equal(disc_source_sample(w.d, id, &bad, 3.0), DISC_SAMPLE_INVALID);
    bad = s;
    bad.ts_source = DISC_TS_REFCLOCK; // not for an NTP exchange
    assert_int_equal(disc_source_sample(w.d, id, &bad, 3.0), DISC_SAMPLE_INVALID);
    bad = s;
    bad.t4 = stamp(-1); // reply before the request
    assert_int_equal(disc_source_sample(w.d, id, &bad, 3.0), DISC_SAMPLE_INVALID);
    struct disc_sample unsync = s;
    unsync.leap = DISC_LEAP_UNSYNC;
    assert_int_equal(disc_source_sample(w.d, id, &unsync, 4.0), DISC_SAMPLE_UNSYNC);
    unsync = s;
    unsync.stratum = 16;
    assert_int_equal(disc_source_sample(w.d, id, &unsync, 5.0), DISC_SAMPLE_UNSYNC);
    disc_update(w.d, 5.0, &w.last);
    struct disc_status st;
    disc_get_status(w.d, 5.0, &st);
    assert_int_equal(st.sources[0].reason, DISC_REASON_UNSYNC);
    struct disc_refclock_sample r = {.offset_s = 0, .delay_s = 1e-6};
    assert_int_equal(disc_refclock_sample(w.d, id, &r, 6.0), DISC_SAMPLE_INVALID);
    // A fresh source whose server answers but is unsynchronised says so (not "unreachable").
    int fresh = add_server(&w, 4);
    disc_source_polled(w.d, fresh, 6.0);
    assert_int_equal(disc_source_sample(w.d, fresh, &unsync, 6.0), DISC_SAMPLE_UNSYNC);
    disc_update(w.d, 6.0, &w.last);
    disc_get_status(w.d, 6.0, &st);
    assert_int_equal(st.sources[1].reason, DISC_REASON_UNSYNC);
    assert_int_equal(st.reason, DISC_SYNC_NONE_SELECTABLE);
    struct disc_source_config c = {.min_poll = 5, .max_poll = 4};
    assert_int_equal(disc_add_source(w.d, &c), -1);
    // minpoll 4, but in its first minutes, with the frequency still unknown (no drift file),
    // the discipline polls at 8 s
    assert_int_equal(disc_poll_interval(w.d, id), 3);
    disc_update(w.d, 700.0, &w.last);
    assert_int_equal(disc_poll_interval(w.d, id), 4);
    assert_int_equal(disc_poll_interval(w.d, 63), -1);
    disc_destroy(w.d);

    p.max_slew_ppm = -1;
    assert_null(disc_create(&p));
}

static void test_refclock_system_variables(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0.0002, 0);
    struct disc_source_config c = {
        .min_poll = 0, .max_poll = 0, .is_refclock = true, .prefer = true, .refid = 0x50484330};
    int id = disc_add_source(w.d, &c);
    for (int i = 0; i < 30; i++) {
        disc_source_polled(w.d, id, w.t);
        struct disc_refclock_sample r = {.offset_s = -w.x, .delay_s = 2e-6, .error_bound_s = 20e-6};
        disc_refclock_sample(w.d, id, &r, w.t);
        update(&w);
        advance(&w, 1);
    }
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_true(st.synchronized);
    assert_int_equal(st.stratum, 1);
    assert_int_equal(st.refid, 0x50484330);
    assert_true(st.root_dispersion_s >= 20e-6 && st.root_dispersion_s < 1e-3);
    assert_int_equal(st.sources[0].ts_source, DISC_TS_REFCLOCK);
    assert_true(fabs(w.x) < 1e-6);
    disc_destroy(w.d);
}

static void test_leap_majority_and_time_going_back(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    struct world w;
    world_init(&w, &p, 0, 0);
    int ids[3] = {add_server(&w, 4), add_server(&w, 4), add_server(&w, 4)};
    run(&w, ids, 3, 16, 120);
    assert_int_equal(w.last.leap, DISC_LEAP_NONE);
    // One of three announces a leap second: no majority, nothing armed.
    w.leap = DISC_LEAP_INSERT;
    exchange(&w, ids[0], 0);
    w.leap = DISC_LEAP_NONE;
    update(&w);
    assert_int_equal(w.last.leap, DISC_LEAP_NONE);
    // All three do: armed, and a server reports it.
    w.leap = DISC_LEAP_INSERT;
    advance(&w, 16);
    run(&w, ids, 3, 16, 16);
    assert_int_equal(w.last.leap, DISC_LEAP_INSERT);
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_int_equal(st.leap, DISC_LEAP_INSERT);
    // A caller whose `now` slips backwards gets the last time held, not a broken loop.
    disc_update(w.d, w.t - 100, &w.last);
    assert_false(w.last.step);
    assert_true(fabs(w.last.freq_ppm) < 1);
    assert_false(w.last.unsync);
    disc_destroy(w.d);
}

static void test_observe_only_never_adjusts(void **state)
{
    struct disc_params p;
    disc_params_default(&p);
    p.observe_only = true;
    p.initial_freq_ppm = 3;
    struct world w;
    world_init(&w, &p, 0.3, 50);
    int id = add_server(&w, 4);
    run(&w, &id, 1, 16, 3600);
    assert_int_equal(w.steps, 0);
    assert_true(w.last.freq_ppm == 3);
    struct disc_status st;
    disc_get_status(w.d, w.t, &st);
    assert_true(st.synchronized);
    assert_true(fabs(st.sources[0].offset_s - (-w.x)) < 10e-6); // true offset of the free clock
    assert_true(fabs(st.freq_ppm - (-50)) < 0.05); // the frequency that would correct it
    disc_destroy(w.d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frequency_error_converges),
        cmocka_unit_test(test_offset_step_response_slewed),
        cmocka_unit_test(test_startup_steps_with_iburst),
        cmocka_unit_test(test_frequency_survives_step),
        cmocka_unit_test(test_clock_stepped_corrects_samples),
        cmocka_unit_test(test_panic_refused_every_update),
        cmocka_unit_test(test_single_spike_not_stepped),
        cmocka_unit_test(test_minority_jump_not_stepped),
        cmocka_unit_test(test_noselect_and_minsources),
        cmocka_unit_test(test_reach_register_and_unreachable),
        cmocka_unit_test(test_sample_validation),
        cmocka_unit_test(test_refclock_system_variables),
        cmocka_unit_test(test_leap_majority_and_time_going_back),
        cmocka_unit_test(test_observe_only_never_adjusts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
