// SPDX-License-Identifier: ISC
/*
 * The hostile-child harness: a compromised network child (tests/lib/child_sim.h) plays each
 * attack of issue 10 against the real parent, with the real discipline and guard behind it,
 * for up to 24 simulated hours, and the clock must stay within the documented bound
 * (docs/architecture.md, "The clock guard"): after synchronisation at most e0 + (15 ppm + the
 * frequency's uncertainty) * t, under 2 s in 24 h. The legitimate big corrections still work:
 * a 5-minute error at start, `date -s` while running, a suspend, a VMClock disruption.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/timex.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/common/log.h"
#include "daemon/parent/parent_observe.h"
#include "tests/lib/child_sim.h"

#define DAY_S 86400.0

static const char three_servers[] = "server 192.0.2.1 iburst minpoll 4 maxpoll 6\n"
                                    "server 192.0.2.2 iburst minpoll 4 maxpoll 6\n"
                                    "server 192.0.2.3 iburst minpoll 4 maxpoll 6\n";

/* The lie of slot at time t (s since the start of the run), s. */
typedef double (*lie_fn)(int slot, double t);

static double honest(int slot, double t)
{
    (void)slot, (void)t;
    return 0;
}

static uint32_t jitter_state = 12345;

/* +-20 us of network jitter, deterministic. */
static double jitter(void)
{
    jitter_state = jitter_state * 1103515245u + 12345u;
    return ((double)(jitter_state >> 8 & 0xffff) / 65535.0 - 0.5) * 40e-6;
}

/* Every source is polled and answers every poll_s for duration_s (bursts of 2 s at the start,
 * as iburst); the child lies as `lie` says. */
static void run(struct child_sim *s, int n, double poll_s, double duration_s, lie_fn lie)
{
    double start = s->now_s;

    while (s->now_s - start < duration_s) {
        double t = s->now_s - start;
        for (int slot = 0; slot < n; slot++) {
            csim_polled(s, (uint32_t)slot);
            csim_sample(s, (uint32_t)slot, lie(slot, t) + jitter(), 0.001, 0);
        }
        csim_advance(s, t < 16 ? 2 : poll_s);
    }
}

static void start(struct child_sim *s, const char *config, const struct csim_options *o, int n)
{
    char err[256];

    if (csim_start(s, config, o, err, sizeof(err)) < 0)
        fail_msg("csim_start: %s", err);
    for (int slot = 0; slot < n; slot++)
        assert_int_equal(csim_add_source(s, (uint32_t)slot, (uint32_t)slot), 0);
}

/* Synchronised on three honest servers within a minute, from a 50 ms error. */
static void start_synchronised(struct child_sim *s)
{
    struct csim_options o = {.clock_error_s = 0.05, .freq_error_ppm = 12};

    start(s, three_servers, &o, 3);
    run(s, 3, 16, 1800, honest);
    assert_true(s->p.guard.g.anchored);
    assert_true(fabs(csim_clock_error(s)) < 1e-3);
    assert_int_equal(s->p.guard.alarms, 0); /* honest sources: never an alarm */
}

/* The clock error's growth since `before` stays within the guard's bound at the end. */
static void assert_within_bound(struct child_sim *s, double before, double limit_s)
{
    double moved = fabs(csim_clock_error(s) - before);

    print_message("    clock moved %.6f s (bound %.6f s, limit %.3f s)\n", moved,
                  guard_bound(&s->p.guard.g, s->now_s), limit_s);
    assert_true(moved <= limit_s);
    assert_false(s->invalid_reply);
}

static double plus_999(int slot, double t)
{
    (void)slot, (void)t;
    return 999;
}

/* Every sample claims +999 s for 24 h (the table's first row: +26 973 s before). */
static void test_liar_999_for_a_day(void **state)
{
    struct child_sim s;

    (void)state;
    start_synchronised(&s);
    double before = csim_clock_error(&s);
    run(&s, 3, 64, DAY_S, plus_999);
    assert_within_bound(&s, before, 2.0);
    print_message("    %lu updates reported as beyond the bound\n", s.p.guard.alarms);
    assert_true(s.p.guard.alarms > 100); /* and loud about it */
    csim_stop(&s);
}

static double liar_after_a_minute(int slot, double t)
{
    (void)slot;
    return t < 60 ? 0 : 999;
}

/* The lies start a minute after the start, as soon as the clock is synchronised: the first
 * anchor counts 100 ppm of frequency uncertainty (a few samples or a drift file say less than
 * they claim); the cone narrows as the filter learns the frequency, lies or not (a narrower
 * cone inside the old one gives a liar nothing); with or without a drift file. */
static void test_liar_right_after_synchronisation(void **state)
{
    struct csim_options o = {.clock_error_s = 0.05, .freq_error_ppm = 12};
    char config[sizeof(three_servers) + 64], drift[] = "/tmp/tsync-hostile-XXXXXX";
    struct child_sim s;
    int fd;

    (void)state;
    start(&s, three_servers, &o, 3);
    run(&s, 3, 16, DAY_S, liar_after_a_minute);
    print_message("    without a drift file:\n");
    assert_within_bound(&s, 0, 2.0);
    csim_stop(&s);

    fd = mkstemp(drift);
    assert_true(fd >= 0 && write(fd, "-12.000\n", 8) == 8 && close(fd) == 0);
    snprintf(config, sizeof(config), "%sdriftfile %s\n", three_servers, drift);
    start(&s, config, &o, 3);
    run(&s, 3, 16, DAY_S, liar_after_a_minute);
    print_message("    with a drift file:\n");
    assert_within_bound(&s, 0, 2.0);
    csim_stop(&s);
    unlink(drift);
}

static double walk_slow(int slot, double t)
{
    (void)slot;
    return 14e-6 * t; /* just inside 15 ppm */
}

static double walk_fast(int slot, double t)
{
    (void)slot;
    return 200e-6 * t;
}

/* A walk the bound cannot tell from drift moves the clock at most at the bound's rate; a fast
 * one no further. */
static void test_walks(void **state)
{
    lie_fn walks[] = {walk_slow, walk_fast};

    (void)state;
    for (int w = 0; w < 2; w++) {
        struct child_sim s;
        start_synchronised(&s);
        double before = csim_clock_error(&s);
        run(&s, 3, 64, DAY_S, walks[w]);
        assert_within_bound(&s, before, 2.0);
        csim_stop(&s);
    }
}

static double liar_then_honest(int slot, double t)
{
    (void)slot;
    return t < 6 * 3600 ? 500 : 0;
}

/* After a day of lies the honest samples bring the clock back (the guard never drifts away
 * from where the clock really is). */
static void test_recovers_when_the_lies_stop(void **state)
{
    struct child_sim s;

    (void)state;
    start_synchronised(&s);
    run(&s, 3, 64, 12 * 3600, liar_then_honest);
    assert_true(fabs(csim_clock_error(&s)) < 1e-3);
    csim_stop(&s);
}

/* The largest step so far: the start-up step of the honest 10 ms is fine, 500 s is not. */
static double last_step(struct child_sim *s)
{
    static struct disc_status st;
    disc_get_status(s->p.disc, s->now_s, &st);
    return st.last_step_s;
}

static double fast_liar(int slot, double t)
{
    (void)t;
    return slot == 0 ? 500 : 0;
}

/* One fast liar (+500 s) answers at once, the three honest servers 2.5-6 s later: no step. */
static void test_fast_liar_never_steps(void **state)
{
    const char config[] = "server 192.0.2.1 iburst\nserver 192.0.2.2 iburst\n"
                          "server 192.0.2.3 iburst\nserver 192.0.2.4 iburst\n";
    struct csim_options o = {.clock_error_s = 0.01};
    struct child_sim s;

    (void)state;
    start(&s, config, &o, 4);
    for (int i = 0; i < 3; i++) { /* the liar's burst */
        csim_polled(&s, 0);
        csim_sample(&s, 0, 500, 0.001, 0);
        csim_advance(&s, 1);
    }
    csim_advance(&s, 1);
    run(&s, 4, 16, 600, fast_liar);
    print_message("    fast liar: clock error %.6f s, last step %.6f s\n", csim_clock_error(&s),
                  last_step(&s));
    assert_true(fabs(csim_clock_error(&s)) < 0.02);
    assert_true(fabs(last_step(&s)) < 0.02);
    csim_stop(&s);
}

static double plus_9e8(int slot, double t)
{
    (void)slot, (void)t;
    return 9e8;
}

/* The first samples put the clock 0.26 s off, then on time, two seconds later: the filter's
 * first frequency estimate is -1227 ppm, more than the clock has (500 ppm). The anchor's
 * trajectory must be one the clock can run, or the clock, held at -500 ppm, falls out of its
 * own cone (found by the fuzzer). Then ten minutes of honest samples. */
static void test_frequency_beyond_the_clock(void **state)
{
    static const double first_lies[][3] = {{0, 0.011, 0},     {1, 65.536, 1.792}, {1, 131.072, 0},
                                           {1, 50843.648, 0}, {0, 0.256, 0.256},  {0, 0.256, 0.512},
                                           {0, 0.259, 2.0}}; /* slot, lie, delay (s) */
    struct csim_options o = {0};
    struct child_sim s;
    struct csim_cone cone;
    double start_s, max_f0 = 0;
    int anchored = 0;

    (void)state;
    start(&s, three_servers, &o, 3);
    csim_cone_reset(&cone);
    for (size_t i = 0; i < sizeof(first_lies) / sizeof(first_lies[0]); i++)
        csim_sample(&s, (uint32_t)first_lies[i][0], first_lies[i][1], first_lies[i][2], 0);
    start_s = s.now_s;
    while (s.now_s - start_s < 600) {
        double t = s.now_s - start_s;
        for (uint32_t slot = 0; slot < 3; slot++)
            csim_sample(&s, slot, jitter(), 0.001, 0);
        csim_advance(&s, t < 16 ? 2 : 16);
        assert_true(csim_on_the_cone(&s, &cone));
        if (s.p.guard.g.anchored) {
            anchored++;
            max_f0 = fmax(max_f0, fabs(s.p.guard.g.f0));
        }
    }
    print_message("    %d updates under a bound, anchor frequency at most %.3f ppm\n", anchored,
                  max_f0);
    assert_true(anchored > 0);
    assert_true(max_f0 <= 500);
    csim_stop(&s);
}

/* -g before the first synchronisation, every sample +9e8 s (28.5 years): the one unbounded
 * correction is cut to the floor's window, and nothing more follows. */
static void test_g_flag_window(void **state)
{
    struct csim_options o = {.big_first_step = true};
    struct child_sim s;

    (void)state;
    start(&s, three_servers, &o, 3);
    run(&s, 3, 16, 3600, plus_9e8);
    double moved = csim_clock_error(&s);
    print_message("    -g: clock moved %.0f s (window %.0f s)\n", moved,
                  PARENT_GUARD_FORWARD_MAX_S);
    assert_true(moved <= PARENT_GUARD_FORWARD_MAX_S + 1);
    assert_true(moved < 9e8 / 2);
    csim_stop(&s);
}

/* A leap second on an ordinary day (not the end of June or December) is never armed. */
static void test_leap_on_an_ordinary_day(void **state)
{
    struct child_sim s;

    (void)state;
    start_synchronised(&s);
    for (int i = 0; i < 200; i++) {
        for (uint32_t slot = 0; slot < 3; slot++) {
            csim_polled(&s, slot);
            csim_sample(&s, slot, jitter(), 0.001, 1);
        }
        csim_advance(&s, 16);
    }
    assert_false(csim_clock_status(&s) & (STA_INS | STA_DEL));
    csim_stop(&s);
}

/* SOURCE_REMOVE/ADD churn and garbage between lies: the parent restarts the child on each bad
 * message and the clock stays where it was. */
static void test_churn(void **state)
{
    struct child_sim s;
    uint8_t junk[64];

    (void)state;
    start_synchronised(&s);
    double before = csim_clock_error(&s);
    for (int i = 0; i < 20000; i++) {
        struct msg_source_ref rm = {.slot = (uint32_t)(i % 3)};
        csim_send(&s, MSG_SOURCE_REMOVE, &rm, sizeof(rm));
        csim_add_source(&s, (uint32_t)(i % 3), (uint32_t)(i % 3));
        csim_sample(&s, (uint32_t)(i % 3), 999, 0.001, 0);
        if (i % 100 == 0) {
            for (size_t k = 0; k < sizeof(junk); k++)
                junk[k] = (uint8_t)(i * 31 + k * 7);
            csim_deliver(&s, junk, sizeof(junk));
            csim_advance(&s, 1);
        }
    }
    assert_true(s.rejected >= 200);
    assert_within_bound(&s, before, 0.01);
    csim_stop(&s);
}

static double five_seconds(int slot, double t)
{
    (void)slot, (void)t;
    return 5;
}

/* The kernel refuses the step (EPERM): it is not counted, the last step stays "none", and the
 * discipline asks again (the table's "a failed step still counted as a step"). */
static void test_failed_step_not_counted(void **state)
{
    struct csim_options o = {.refusing_kernel = true};
    static struct disc_status st;
    struct child_sim s;

    (void)state;
    start(&s, three_servers, &o, 3);
    run(&s, 3, 16, 120, five_seconds);
    disc_get_status(s.p.disc, s.now_s, &st);
    assert_int_equal(st.steps, 0);
    assert_true(st.last_step_s == 0);
    assert_true(fabs(st.offset_s - 5) < 0.01); /* still seen, still to be corrected */
    csim_stop(&s);
}

/* ---- the legitimate big corrections ---- */

/* The field report's 5-minute error is fixed within seconds at start-up. */
static void test_five_minutes_at_start(void **state)
{
    struct csim_options o = {.clock_error_s = -300};
    struct child_sim s;

    (void)state;
    start(&s, three_servers, &o, 3);
    run(&s, 3, 16, 20, honest);
    assert_true(fabs(csim_clock_error(&s)) < 1e-3);
    run(&s, 3, 16, 3600, honest); /* the 5 minutes corrected, the frequency learnt: no alarm */
    assert_int_equal(s.p.guard.alarms, 0);
    csim_stop(&s);
}

/* `date -s` by root while synchronised, a suspend, a VMClock disruption: the parent saw it
 * itself, lifts the bound and the sources correct the clock within a minute. */
static void test_evidence_lifts_the_bound(void **state)
{
    for (int kind = 0; kind < 3; kind++) {
        struct child_sim s;
        start_synchronised(&s);
        if (kind == 0) {
            csim_set_host_clock(&s, 100);
        } else if (kind == 1) {
            csim_suspend(&s, 3600);      /* the clock went on at its own 12 ppm error for an hour */
            csim_set_host_clock(&s, -5); /* and the RTC it was set from on resume was off */
        } else {
            csim_shift_counter(&s, 30); /* a live migration left the clock 30 s off */
            csim_advance(&s, 1);
            assert_true(s.p.guard.g.anchored); /* the parent cannot know without VMClock */
            parent_clock_disrupted(&s.p, "test", s.now_s);
        }
        (void)state;
        csim_advance(&s, 1);
        assert_false(s.p.guard.g.anchored);
        run(&s, 3, 16, 60, honest);
        print_message("    evidence %d: clock error %.6f s after a minute\n", kind,
                      csim_clock_error(&s));
        assert_true(fabs(csim_clock_error(&s)) < 1e-3);
        assert_true(s.p.guard.g.anchored);     /* and bound again */
        assert_int_equal(s.p.guard.alarms, 0); /* the correction was never cut */
        csim_stop(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_liar_999_for_a_day),
        cmocka_unit_test(test_liar_right_after_synchronisation),
        cmocka_unit_test(test_walks),
        cmocka_unit_test(test_recovers_when_the_lies_stop),
        cmocka_unit_test(test_fast_liar_never_steps),
        cmocka_unit_test(test_frequency_beyond_the_clock),
        cmocka_unit_test(test_g_flag_window),
        cmocka_unit_test(test_leap_on_an_ordinary_day),
        cmocka_unit_test(test_churn),
        cmocka_unit_test(test_failed_step_not_counted),
        cmocka_unit_test(test_five_minutes_at_start),
        cmocka_unit_test(test_evidence_lifts_the_bound),
    };
    log_detach(); /* the lines are formatted and rate-limited, not written */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
