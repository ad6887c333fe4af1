// SPDX-License-Identifier: ISC
// The clock guard's bound (discipline/guard.h): anchor, cuts of steps and frequencies, a
// correction outside that may only come back, the one refinement, release and following.
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "discipline/guard.h"

static void limit(const struct guard *g, double now, double step, double freq, double *s, double *f,
                  bool *cut)
{
    guard_limit(g, now, step, freq, s, f, cut);
}

/* No bound before the first synchronisation. */
static void test_unanchored_passes_everything(void **state)
{
    struct guard g;
    double s, f;
    bool cut;

    (void)state;
    guard_init(&g, 0, 100, 3);
    assert_true(g.drift_ppm == GUARD_DRIFT_PPM);
    assert_true(isinf(guard_bound(&g, 200)));
    limit(&g, 200, 1000, 500, &s, &f, &cut);
    assert_false(cut);
    assert_true(s == 1000 && f == 500);
}

/* Anchored at t0 = 100 with f0 = 3 ppm, sd 1 ppm, e0 1 ms: after 1000 s the bound is
 * 1 ms + 16 ppm * 1000 s = 17 ms around C(t0) + 3 ppm * 1000 s. */
static void test_step_cut_to_the_bound(void **state)
{
    struct guard g;
    double s, f;
    bool cut;

    (void)state;
    guard_init(&g, 0, 0, 3);
    guard_synchronised(&g, 100, 3, 1, 1e-3);
    assert_true(g.anchored);
    assert_true(fabs(guard_bound(&g, 1100) - 0.017) < 1e-12);
    limit(&g, 1100, 999, 3, &s, &f, &cut); /* a liar's +999 s */
    assert_true(cut);
    assert_true(fabs(s - 0.017) < 1e-9);
    limit(&g, 1100, -0.010, 3, &s, &f, &cut); /* an honest 10 ms step */
    assert_false(cut);
    assert_true(s == -0.010);
}

/* A frequency that would leave the bound is held at its edge (plus the slack). */
static void test_frequency_held_at_the_edge(void **state)
{
    struct guard g;
    double s, f;
    bool cut;

    (void)state;
    guard_init(&g, 0, 0, 0);
    guard_synchronised(&g, 0, 0, 0, 0);
    guard_stepped(&g, 100, 15e-6 * 100); /* C at the edge of the bound: 1.5 ms */
    limit(&g, 100, 0, 1000, &s, &f, &cut);
    assert_true(cut);
    /* over the horizon: the bound grows by 15 ppm * 2 s, plus the slack */
    assert_true(fabs(f - (15 + GUARD_SLACK_S / GUARD_HORIZON_S * 1e6)) < 1e-6);
    limit(&g, 100, 0, -500, &s, &f, &cut); /* back towards the trajectory: free */
    assert_false(cut);
    assert_true(f == -500);
}

/* A correction already outside (a refined, tighter anchor) may only come back. */
static void test_outside_may_only_come_back(void **state)
{
    struct guard g;
    double s, f;
    bool cut;

    (void)state;
    guard_init(&g, 0, 0, 0);
    guard_synchronised(&g, 0, 0, 0, 0);
    guard_stepped(&g, 10, 0.5); /* set there from outside the guard (the test) */
    limit(&g, 10, 0.1, 0, &s, &f, &cut);
    assert_true(cut && s == 0);
    limit(&g, 10, -0.2, 0, &s, &f, &cut); /* back: the step whole, the frequency pulls too */
    assert_true(s == -0.2);
    assert_true(f < 0);
}

/* The anchor moves once, when the frequency is known to 1 ppm and the anchor is 600 s old. */
static void test_refined_once(void **state)
{
    struct guard g;

    (void)state;
    guard_init(&g, 0, 0, 0);
    guard_synchronised(&g, 0, 0, 50, 0.1);
    assert_true(fabs(g.rate_ppm - 65) < 1e-12);
    guard_synchronised(&g, 300, 2, 0.5, 1e-4); /* too young */
    assert_true(g.t0 == 0);
    guard_synchronised(&g, 700, 2, 0.5, 1e-4);
    assert_true(g.t0 == 700 && g.refined);
    assert_true(fabs(g.rate_ppm - 15.5) < 1e-12 && g.e0 == 1e-4 && g.f0 == 2);
    guard_synchronised(&g, 5000, 4, 0.1, 1e-5); /* never again */
    assert_true(g.t0 == 700);
}

/* Evidence releases the bound until the next synchronisation; a leading reference clock makes
 * the anchor follow every synchronisation and the bound pass everything. */
static void test_release_and_follow(void **state)
{
    struct guard g;
    double s, f;
    bool cut;

    (void)state;
    guard_init(&g, 0, 0, 0);
    guard_synchronised(&g, 0, 0, 1, 1e-3);
    guard_release(&g);
    assert_false(g.anchored);
    limit(&g, 10, 100, 0, &s, &f, &cut);
    assert_false(cut);
    guard_synchronised(&g, 20, 0, 1, 1e-3);
    assert_true(g.anchored && g.t0 == 20);
    guard_follow(&g, true);
    limit(&g, 30, 5, 0, &s, &f, &cut);
    assert_false(cut);
    guard_synchronised(&g, 40, 1, 1, 1e-6);
    assert_true(g.t0 == 40);
    guard_follow(&g, false);
    limit(&g, 50, 5, 0, &s, &f, &cut);
    assert_true(cut);
}

/* The cumulative correction integrates the frequencies and adds the steps. */
static void test_correction_bookkeeping(void **state)
{
    struct guard g;

    (void)state;
    guard_init(&g, 20, 0, 10);
    guard_frequency(&g, 100, -10); /* 10 ppm for 100 s: 1 ms */
    guard_stepped(&g, 200, 0.5);   /* -10 ppm for 100 s, then +0.5 s */
    assert_true(fabs(guard_correction(&g, 200) - 0.5) < 1e-12);
    assert_true(fabs(guard_correction(&g, 300) - (0.5 - 1e-3)) < 1e-12);
    assert_true(g.drift_ppm == 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unanchored_passes_everything),
        cmocka_unit_test(test_step_cut_to_the_bound),
        cmocka_unit_test(test_frequency_held_at_the_edge),
        cmocka_unit_test(test_outside_may_only_come_back),
        cmocka_unit_test(test_refined_once),
        cmocka_unit_test(test_release_and_follow),
        cmocka_unit_test(test_correction_bookkeeping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
