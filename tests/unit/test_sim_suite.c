// SPDX-License-Identifier: ISC
/*
 * The pass/fail simulation suite (issue 9.6), in the spirit of chrony's test/simulation, on the
 * project's own I/O-free simulator (tests/bench/sim.h) with the real discipline: each scenario
 * runs with three seeds and asserts what an operator expects of it. Errors are the local clock
 * minus true (UTC) time. tests/bench/discipline prints the accuracy numbers; this asserts.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "tests/bench/sim.h"

#define SEEDS 3
#define HOUR  3600.0
#define DAY   86400.0

/* Three servers on a LAN, a +100 ppm oscillator with some wander, poll 16..64 s, 6 h. */
static struct sim_config lan3(void)
{
    return (struct sim_config){
        .name = "suite",
        .duration_s = 6 * HOUR,
        .nservers = 3,
        .base_delay_s = 100e-6,
        .jitter_mean_s = 50e-6,
        .freq_ppm = 100,
        .wander = 1e-9,
        .ts_noise_s = 1e-6,
        .initial_offset_s = 0.05,
        .poll_log2 = 4,
        .max_poll_log2 = 6,
        .iburst = true,
    };
}

/* Runs c with seeds 1..SEEDS; r[k] is seed k+1's result. */
static void run_seeds(struct sim_config c, struct sim_result r[SEEDS])
{
    for (int k = 0; k < SEEDS; k++) {
        c.seed = (uint64_t)k + 1;
        sim_run(&c, &r[k]);
        assert_true(r[k].ok);
        print_message("    seed %d: rms %.2f us, max %.2f us, after events max %.2f us, settle "
                      "%.1f s, steps %d\n",
                      k + 1, r[k].rms_s * 1e6, r[k].max_s * 1e6, r[k].max_after_events_s * 1e6,
                      r[k].settle_s, r[k].steps);
    }
}

static void assert_accurate(const struct sim_result *r, double rms_s, double max_s)
{
    assert_true(r->rms_s <= rms_s);
    assert_true(r->max_s <= max_s);
}

/* A falseticker among 3 servers, and two among 5: never selected, the clock unaffected. */
static void test_falsetickers(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.server_offset_s[2] = 0.1;
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_false(r[k].falseticker_used);
        assert_accurate(&r[k], 10e-6, 40e-6);
    }
    c.nservers = 5;
    c.server_offset_s[2] = 0;
    c.server_offset_s[3] = 0.05;
    c.server_offset_s[4] = -0.08;
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_false(r[k].falseticker_used);
        assert_accurate(&r[k], 10e-6, 40e-6);
    }
}

/* One fast liar (+500 s) answers at once, the three honest servers 2.5-6 s later: no step of
 * the liar's, the honest time within a minute. */
static void test_fast_liar_at_start(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.nservers = 4;
    c.server_offset_s[0] = 500;
    c.server_start_s[1] = 2.5;
    c.server_start_s[2] = 4;
    c.server_start_s[3] = 6;
    c.duration_s = 2 * HOUR;
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_true(r[k].max_total_s < 0.06); /* the initial 50 ms, never the liar's 500 s */
        assert_true(r[k].settle_s < 60);
    }
}

/* One of three servers steps by +1 s after 2 h: it becomes a falseticker (its old samples may
 * keep it a candidate for a moment), the clock stays. */
static void test_server_steps(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.events[0] =
        (struct sim_event){.kind = SIM_EV_SERVER_STEP, .at_s = 2 * HOUR, .value = 1, .server = 1};
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_int_equal(r[k].steps, 1); /* the start-up step only */
        assert_true(r[k].max_after_events_s < 50e-6);
        assert_accurate(&r[k], 10e-6, 50e-6);
    }
}

/* Bursts of total loss (10 and 20 minutes): the clock holds over them. */
static void test_loss_bursts(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.events[0] =
        (struct sim_event){.kind = SIM_EV_LOSS_BURST, .at_s = 2 * HOUR, .duration_s = 600};
    c.events[1] =
        (struct sim_event){.kind = SIM_EV_LOSS_BURST, .at_s = 4 * HOUR, .duration_s = 1200};
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_int_equal(r[k].steps, 1);
        assert_true(r[k].max_after_events_s < 200e-6);
    }
}

/* A route change: the one-way delay grows by 2 ms both ways after 2 h. The delay changes, the
 * offset does not: no step, and the clock stays within 50 us. */
static void test_route_change(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.events[0] = (struct sim_event){.kind = SIM_EV_DELAY_STEP, .at_s = 2 * HOUR, .value = 2e-3};
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_int_equal(r[k].steps, 1);
        assert_true(r[k].max_after_events_s < 50e-6);
    }
}

/* A temperature change: the oscillator's frequency steps by 2 ppm after 2 h; the loop follows
 * within 10 minutes and keeps the error under 300 us meanwhile. */
static void test_frequency_step(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.events[0] = (struct sim_event){.kind = SIM_EV_FREQ_STEP, .at_s = 2 * HOUR, .value = 2};
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_int_equal(r[k].steps, 1);
        assert_true(r[k].max_after_events_s < 300e-6);
        assert_accurate(&r[k], 10e-6, 300e-6);
    }
}

/* Asymmetric paths: 100 us more on the way back (an error of 50 us no client can see) and, on
 * top, heavier jitter back than out: the error stays near the unavoidable half-asymmetry. */
static void test_asymmetric_delays(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.asym_s = 100e-6;
    c.jitter_back_mean_s = 200e-6;
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++)
        assert_accurate(&r[k], 50e-6 + 60e-6, 300e-6);
}

/* A VM-like clock: large frequency wander (1e-8 s/s per sqrt(s)). */
static void test_vm_wander(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.wander = 1e-8;
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++)
        assert_accurate(&r[k], 60e-6, 300e-6);
}

/* A leap second announced for 6 h and inserted: asked for while announced, applied with UTC
 * (no step afterwards, no second one asked for), the clock within 100 us after it. */
static void test_leap_second(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.duration_s = 10 * HOUR;
    c.events[0] = (struct sim_event){
        .kind = SIM_EV_LEAP, .at_s = 2 * HOUR, .value = 1, .duration_s = 6 * HOUR};
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_true(r[k].leap_armed);
        assert_false(r[k].leap_after);
        assert_int_equal(r[k].steps, 1);
        assert_true(r[k].max_after_events_s < 100e-6);
    }
}

/* A restart with the drift file the first run left, the clock still right: it stays within
 * 200 us from the start, where the restart without it drifts away at 100 ppm until the first
 * correction. */
static void test_restart_with_drift_file(void **state)
{
    struct sim_result first[SEEDS], with[SEEDS], without[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    run_seeds(c, first);
    c.initial_offset_s = 0;
    c.duration_s = HOUR;
    run_seeds(c, without);
    for (int k = 0; k < SEEDS; k++) {
        struct sim_config d = c;
        d.seed = (uint64_t)k + 1;
        d.have_initial_freq = true;
        d.initial_freq_ppm = first[k].final_freq_ppm;
        sim_run(&d, &with[k]);
        print_message("    seed %d: drift %.3f ppm: max %.1f us (without %.1f us)\n", k + 1,
                      d.initial_freq_ppm, with[k].max_total_s * 1e6, without[k].max_total_s * 1e6);
        assert_true(fabs(first[k].final_freq_ppm + 100) < 0.5); /* the oscillator's -100 */
        assert_true(with[k].max_total_s < 200e-6);
        assert_true(with[k].max_total_s < without[k].max_total_s);
    }
}

/* Ten days with the default poll range (64..1024 s): never a step after the start, no
 * divergence, under 100 us RMS. */
static void test_ten_days(void **state)
{
    struct sim_result r[SEEDS];
    struct sim_config c = lan3();

    (void)state;
    c.duration_s = 10 * DAY;
    c.poll_log2 = 6;
    c.max_poll_log2 = 10;
    run_seeds(c, r);
    for (int k = 0; k < SEEDS; k++) {
        assert_true(r[k].steps <= 1);
        assert_accurate(&r[k], 100e-6, 500e-6);
        assert_true(fabs(r[k].final_error_s) < 500e-6);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_falsetickers),      cmocka_unit_test(test_fast_liar_at_start),
        cmocka_unit_test(test_server_steps),      cmocka_unit_test(test_loss_bursts),
        cmocka_unit_test(test_route_change),      cmocka_unit_test(test_frequency_step),
        cmocka_unit_test(test_asymmetric_delays), cmocka_unit_test(test_vm_wander),
        cmocka_unit_test(test_leap_second),       cmocka_unit_test(test_restart_with_drift_file),
        cmocka_unit_test(test_ten_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
