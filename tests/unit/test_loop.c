// SPDX-License-Identifier: ISC
// Loop: step/slew/panic decisions, -g once, step rate bound, frequency bounds, poll adaptation.
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "discipline/loop.h"

struct fixture {
    struct disc_params p;
    struct loop_state l;
};

static void init(struct fixture *f)
{
    disc_params_default(&f->p);
    loop_init(&f->l, &f->p);
}

static void test_startup_steps_small_confirmed_offset(void **state)
{
    struct fixture f;
    init(&f);
    // Before the first correction, 0.1 s (below 0.128 s) is stepped once confirmed.
    assert_int_equal(loop_decide(&f.l, &f.p, 0.1, false, 0), LOOP_WAIT);
    assert_int_equal(loop_decide(&f.l, &f.p, 0.1, true, 2), LOOP_STEP);
    loop_step_taken(&f.l);
    // Afterwards the normal threshold applies: 0.1 s is slewed.
    assert_int_equal(loop_decide(&f.l, &f.p, 0.1, true, 4), LOOP_SLEW);
    assert_int_equal(loop_decide(&f.l, &f.p, -0.12, true, 6), LOOP_SLEW);
}

static void test_startup_below_threshold_slews(void **state)
{
    struct fixture f;
    init(&f);
    assert_int_equal(loop_decide(&f.l, &f.p, 0.0005, false, 0), LOOP_SLEW);
    assert_true(f.l.corrected);
    // The start-up threshold is gone: 10 ms is slewed now.
    assert_int_equal(loop_decide(&f.l, &f.p, 0.01, true, 1), LOOP_SLEW);
}

static void test_large_offset_needs_confirmation(void **state)
{
    struct fixture f;
    init(&f);
    assert_int_equal(loop_decide(&f.l, &f.p, 0, true, 0), LOOP_SLEW);
    assert_int_equal(loop_decide(&f.l, &f.p, 0.5, false, 10), LOOP_WAIT);
    assert_int_equal(loop_decide(&f.l, &f.p, 0.5, true, 20), LOOP_STEP);
}

static void test_panic_refused_every_time(void **state)
{
    struct fixture f;
    init(&f);
    for (int i = 0; i < 5; i++)
        assert_int_equal(loop_decide(&f.l, &f.p, 2000, true, i), LOOP_PANIC);
    assert_int_equal(loop_decide(&f.l, &f.p, -2000, true, 10), LOOP_PANIC);
    assert_int_equal(f.l.steps, 0);
    // Unconfirmed: wait, do not even report a panic yet.
    assert_int_equal(loop_decide(&f.l, &f.p, 2000, false, 11), LOOP_WAIT);
    // panic 0 disables the limit.
    f.p.panic_threshold_s = 0;
    assert_int_equal(loop_decide(&f.l, &f.p, 2000, true, 12), LOOP_STEP);
}

static void test_big_first_step_allowed_once(void **state)
{
    struct fixture f;
    init(&f);
    f.p.allow_big_first_step = true;
    assert_int_equal(loop_decide(&f.l, &f.p, 2000, true, 0), LOOP_STEP);
    loop_step_taken(&f.l);
    assert_int_equal(loop_decide(&f.l, &f.p, 2000, true, 10), LOOP_PANIC);
}

static void test_step_rate_bound(void **state)
{
    struct fixture f;
    init(&f);
    assert_int_equal(loop_decide(&f.l, &f.p, 0, true, 0), LOOP_SLEW); // synchronised
    for (int i = 0; i < f.p.step_budget; i++) {
        assert_int_equal(loop_decide(&f.l, &f.p, 1.0, true, 10 + i), LOOP_STEP);
        loop_step_taken(&f.l);
    }
    assert_int_equal(loop_decide(&f.l, &f.p, 1.0, true, 20), LOOP_RATE_LIMIT);
    assert_int_equal(loop_decide(&f.l, &f.p, 1.0, true, 20 + f.p.step_budget_period_s / 2),
                     LOOP_RATE_LIMIT);
    // One token back after a period.
    assert_int_equal(loop_decide(&f.l, &f.p, 1.0, true, 20 + f.p.step_budget_period_s), LOOP_STEP);
    loop_step_taken(&f.l);
    assert_int_equal(loop_decide(&f.l, &f.p, 1.0, true, 30 + f.p.step_budget_period_s),
                     LOOP_RATE_LIMIT);
}

static void test_step_threshold_zero_never_steps(void **state)
{
    struct fixture f;
    init(&f);
    f.p.step_threshold_s = 0;
    assert_int_equal(loop_decide(&f.l, &f.p, 5.0, true, 0), LOOP_SLEW);
    assert_int_equal(loop_decide(&f.l, &f.p, 5.0, true, 1), LOOP_SLEW);
    assert_int_equal(loop_decide(&f.l, &f.p, 2000, true, 2), LOOP_PANIC);
}

static void test_frequency_bounds(void **state)
{
    struct fixture f;
    init(&f);
    // Phase term offset/tau: 1 ms over 16 s = 62.5 ppm.
    assert_true(fabs(loop_frequency(&f.p, 10, 0.001, 16) - 72.5) < 1e-9);
    // The phase term is bounded by max_slew_ppm (500), the total by max_freq_ppm (500).
    assert_true(fabs(loop_frequency(&f.p, 10, 1.0, 16) - 500) < 1e-9);
    assert_true(fabs(loop_frequency(&f.p, -10, -1.0, 16) - (-500)) < 1e-9);
    f.p.max_freq_ppm = 1000;
    assert_true(fabs(loop_frequency(&f.p, 10, 1.0, 16) - 510) < 1e-9);
    f.p.max_slew_ppm = 100;
    assert_true(fabs(loop_frequency(&f.p, 10, 1.0, 16) - 110) < 1e-9);
    assert_true(fabs(loop_frequency(&f.p, 950, 1.0, 16) - 1000) < 1e-9);
}

static void test_poll_adaptation(void **state)
{
    struct fixture f;
    init(&f);
    int poll = 0;
    // A quiet oscillator on a noisy path: poll as rarely as allowed.
    for (int i = 0; i < 50; i++)
        poll = loop_adapt_poll(&f.l, 1e-22, 1e-3, 4, 8);
    assert_int_equal(poll, 8);
    // A wandering oscillator on a clean path: poll as often as allowed.
    for (int i = 0; i < 50; i++)
        poll = loop_adapt_poll(&f.l, 1e-14, 1e-5, 4, 8);
    assert_int_equal(poll, 4);
    // In between it settles where the wander over two intervals stays below half the jitter:
    // q 1e-18, jitter 50 us: 2 * 512 s gives 19 us (go to 1024 s), 2 * 1024 s gives 53 us
    // (stay: over one interval 19 us is well below the jitter).
    for (int i = 0; i < 50; i++)
        poll = loop_adapt_poll(&f.l, 1e-18, 50e-6, 4, 12);
    assert_int_equal(poll, 10);
    // One odd update does not move it.
    assert_int_equal(loop_adapt_poll(&f.l, 1e-14, 50e-6, 4, 12), 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_startup_steps_small_confirmed_offset),
        cmocka_unit_test(test_startup_below_threshold_slews),
        cmocka_unit_test(test_large_offset_needs_confirmation),
        cmocka_unit_test(test_panic_refused_every_time),
        cmocka_unit_test(test_big_first_step_allowed_once),
        cmocka_unit_test(test_step_rate_bound),
        cmocka_unit_test(test_step_threshold_zero_never_steps),
        cmocka_unit_test(test_frequency_bounds),
        cmocka_unit_test(test_poll_adaptation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
