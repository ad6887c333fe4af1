// SPDX-License-Identifier: ISC
// hwts/phc_regress: conversion of PHC times into system time for a simulated PHC with a
// frequency error, with and without measurement noise, the ring buffer and resets.

#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>

#include "hwts/phc_regress.h"

#define NS_PER_S 1000000000LL

static struct timespec ts_from_ns(int64_t ns)
{
    struct timespec t = {.tv_sec = ns / NS_PER_S, .tv_nsec = ns % NS_PER_S};
    return t;
}

static int64_t ns_from_ts(struct timespec t)
{
    return (int64_t)t.tv_sec * NS_PER_S + t.tv_nsec;
}

// A PHC on the TAI scale (37 s ahead) that runs `ppm` fast: phc(sys) = sys + 37 s + offset0 +
// (sys - sys0) * ppm.
struct sim_phc {
    int64_t sys0_ns;
    int64_t offset0_ns;
    double ppm;
};

static int64_t sim_phc_at(const struct sim_phc *p, int64_t sys_ns)
{
    double drift_ns = (double)(sys_ns - p->sys0_ns) * p->ppm * 1e-6;
    return sys_ns + 37 * NS_PER_S + p->offset0_ns + (int64_t)drift_ns;
}

// Deterministic noise in [-amp, amp] ns (a small LCG).
static int64_t noise_ns(uint32_t *seed, int64_t amp)
{
    *seed = *seed * 1664525u + 1013904223u;
    return (int64_t)(*seed >> 8) % (2 * amp + 1) - amp;
}

static void feed(struct phc_reg *reg, const struct sim_phc *p, int n, int64_t amp, uint32_t *seed)
{
    for (int i = 0; i < n; i++) {
        int64_t sys_ns = p->sys0_ns + i * NS_PER_S;
        int64_t phc_ns = sim_phc_at(p, sys_ns) + (amp ? noise_ns(seed, amp) : 0);
        struct timespec phc = ts_from_ns(phc_ns), sys = ts_from_ns(sys_ns);
        phc_reg_add(reg, &phc, &sys, amp ? (double)amp * 1e-9 : 1e-9);
    }
}

// Converts the PHC time of system instant `sys_ns` and returns the error in ns.
static int64_t conversion_error_ns(const struct phc_reg *reg, const struct sim_phc *p,
                                   int64_t sys_ns)
{
    struct timespec phc = ts_from_ns(sim_phc_at(p, sys_ns)), sys;
    assert_int_equal(phc_reg_to_sys(reg, &phc, &sys), 0);
    return ns_from_ts(sys) - sys_ns;
}

static void test_exact_without_noise(void **state)
{
    struct phc_reg reg;
    struct sim_phc p = {.sys0_ns = 1764100000LL * NS_PER_S, .offset0_ns = 1234, .ppm = 12.5};
    phc_reg_init(&reg, 16);
    feed(&reg, &p, 16, 0, NULL);
    assert_true(phc_reg_freq_ppm(&reg) > 12.499 && phc_reg_freq_ppm(&reg) < 12.501);
    // Between samples and extrapolated half a poll beyond the last one.
    int64_t e1 = conversion_error_ns(&reg, &p, p.sys0_ns + 7 * NS_PER_S + 300000000);
    int64_t e2 = conversion_error_ns(&reg, &p, p.sys0_ns + 15 * NS_PER_S + 500000000);
    assert_true(e1 >= -2 && e1 <= 2);
    assert_true(e2 >= -2 && e2 <= 2);
}

static void test_noise_is_averaged(void **state)
{
    struct phc_reg reg;
    struct sim_phc p = {.sys0_ns = 1764100000LL * NS_PER_S, .offset0_ns = -800, .ppm = -35.0};
    uint32_t seed = 42;
    phc_reg_init(&reg, 32);
    feed(&reg, &p, 32, 40, &seed); // +-40 ns noise per sample
    int64_t worst = 0;
    for (int i = 0; i < 10; i++) {
        int64_t e = conversion_error_ns(&reg, &p, p.sys0_ns + 31 * NS_PER_S + i * 100000000);
        worst = e < 0 ? (-e > worst ? -e : worst) : (e > worst ? e : worst);
    }
    print_message("worst conversion error with +-40 ns noise: %lld ns, freq %.4f ppm\n",
                  (long long)worst, phc_reg_freq_ppm(&reg));
    assert_true(worst <= 25); // better than a single noisy sample
    assert_true(phc_reg_freq_ppm(&reg) > -35.05 && phc_reg_freq_ppm(&reg) < -34.95);
}

// The ring keeps the newest points: after a frequency change the old slope is forgotten.
static void test_ring_forgets_old_points(void **state)
{
    struct phc_reg reg;
    struct sim_phc p1 = {.sys0_ns = 1764100000LL * NS_PER_S, .ppm = 5.0};
    phc_reg_init(&reg, 4);
    feed(&reg, &p1, 10, 0, NULL);
    struct sim_phc p2 = {.sys0_ns = p1.sys0_ns + 10 * NS_PER_S, .ppm = 50.0};
    p2.offset0_ns = sim_phc_at(&p1, p2.sys0_ns) - p2.sys0_ns - 37 * NS_PER_S;
    feed(&reg, &p2, 4, 0, NULL);
    assert_int_equal(reg.n_points, 4);
    assert_true(phc_reg_freq_ppm(&reg) > 49.99 && phc_reg_freq_ppm(&reg) < 50.01);
    int64_t e = conversion_error_ns(&reg, &p2, p2.sys0_ns + 3 * NS_PER_S + 400000000);
    assert_true(e >= -2 && e <= 2);
}

static void test_single_point_and_reset(void **state)
{
    struct phc_reg reg;
    struct timespec phc = {1764100037, 500}, sys = {1764100000, 0}, out;
    phc_reg_init(&reg, 1); // clamped to 2
    assert_int_equal(reg.max_points, 2);
    assert_int_equal(phc_reg_to_sys(&reg, &phc, &out), -EAGAIN);
    phc_reg_add(&reg, &phc, &sys, 0.0);
    assert_true(phc_reg_freq_ppm(&reg) == 0.0);
    struct timespec later = {1764100047, 500};
    assert_int_equal(phc_reg_to_sys(&reg, &later, &out), 0);
    assert_int_equal(out.tv_sec, 1764100010);
    assert_int_equal(out.tv_nsec, 0);
    phc_reg_reset(&reg);
    assert_int_equal(reg.max_points, 2);
    assert_int_equal(phc_reg_to_sys(&reg, &later, &out), -EAGAIN);
}

// A PHC counting from its power-on (small values) is converted as well as a TAI one.
static void test_phc_with_small_epoch(void **state)
{
    struct phc_reg reg;
    phc_reg_init(&reg, 8);
    for (int i = 0; i < 8; i++) {
        struct timespec phc = {100 + i, 0}, sys = {1764100000 + i, 0};
        phc_reg_add(&reg, &phc, &sys, 1e-8);
    }
    struct timespec phc = {107, 250000000}, out;
    assert_int_equal(phc_reg_to_sys(&reg, &phc, &out), 0);
    assert_int_equal(out.tv_sec, 1764100007);
    assert_true(out.tv_nsec >= 249999999 && out.tv_nsec <= 250000001);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_without_noise),
        cmocka_unit_test(test_noise_is_averaged),
        cmocka_unit_test(test_ring_forgets_old_points),
        cmocka_unit_test(test_single_point_and_reset),
        cmocka_unit_test(test_phc_with_small_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
