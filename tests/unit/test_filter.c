// SPDX-License-Identifier: ISC
// Sample arithmetic (RFC 5905 section 8) and the per-source filter: popcorn spikes, offset,
// jitter and frequency estimates, pending jumps.
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "discipline/filter.h"
#include "discipline/sample.h"

static struct timespec ts(long long sec, long nsec)
{
    return (struct timespec){.tv_sec = (time_t)sec, .tv_nsec = nsec};
}

static void test_measure_offset_delay_dispersion(void **state)
{
    // Server 0.25 s ahead; 1 ms out, 3 ms back, 0.5 ms in the server.
    struct disc_sample s = {
        .t1 = ts(1800000000, 0),
        .t2 = ts(1800000000, 251000000),
        .t3 = ts(1800000000, 251500000),
        .t4 = ts(1800000000, 4500000),
        .precision_log2 = -20,
    };
    struct flt_measurement m;
    assert_true(flt_measure(&s, -20, &m));
    assert_true(fabs(m.offset_s - 0.249) < 1e-12); // error = (1 ms - 3 ms) / 2
    assert_true(fabs(m.delay_s - 0.004) < 1e-12);
    double precision = 2 * ldexp(1.0, -20);
    assert_true(fabs(m.dispersion_s - (precision + FLT_PHI * 0.0045)) < 1e-12);
}

static void test_measure_rejects_bad_timestamps(void **state)
{
    struct disc_sample s = {.t1 = ts(100, 0),
                            .t2 = ts(100, 1000),
                            .t3 = ts(100, 2000),
                            .t4 = ts(100, 5000),
                            .precision_log2 = -20};
    struct flt_measurement m;
    assert_true(flt_measure(&s, -20, &m));
    struct disc_sample back = s;
    back.t4 = ts(99, 0); // reply before the request
    assert_false(flt_measure(&back, -20, &m));
    struct disc_sample hold = s;
    hold.t3 = ts(99, 0); // server transmit before receive
    assert_false(flt_measure(&hold, -20, &m));
    struct disc_sample nsec = s;
    nsec.t2.tv_nsec = 1000000000L;
    assert_false(flt_measure(&nsec, -20, &m));
    struct disc_sample neg = s;
    neg.t3 = ts(100, 9000); // server held it longer than the round trip: delay -4 us
    assert_false(flt_measure(&neg, -20, &m));
}

// chronyd fills the bits below its precision with noise: a fast server's t3 may come a few
// tens of ns before its t2. Within the server's precision (plus the noise of two hardware
// stamps) that is a hold time of zero.
static void test_measure_clamps_a_hold_time_below_the_server_precision(void **state)
{
    struct disc_sample s = {.t1 = ts(100, 0),
                            .t2 = ts(100, 50070),
                            .t3 = ts(100, 50000), // 70 ns before t2
                            .t4 = ts(100, 100000),
                            .ts_source = DISC_TS_HARDWARE, // 50 ns each
                            .precision_log2 = -23};        // 119 ns
    struct flt_measurement m;
    (void)state;
    assert_true(flt_measure(&s, -20, &m));
    assert_true(fabs(m.delay_s - 100e-6) < 1e-12);       // the whole round trip
    assert_true(fabs(m.offset_s - (35e-9 + 0)) < 1e-12); // midpoint of t2, t3 kept
    s.t3 = ts(100, 49800);                               // 270 ns: beyond precision and noise
    assert_false(flt_measure(&s, -20, &m));
    // a hardware-stamping server of 1 ns precision answering within its stamps' noise
    s.precision_log2 = -30;
    s.t3 = ts(100, 50044); // 26 ns before t2
    assert_true(flt_measure(&s, -30, &m));
    s.t3 = ts(100, 49900); // 170 ns: not noise
    assert_false(flt_measure(&s, -30, &m));
}

// Deterministic pseudo-random numbers in [0, 1).
static double rnd(uint64_t *x)
{
    *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*x >> 11) / 9007199254740992.0;
}

// Feed n samples of a source with true offset phase + freq * t (u scale), a round trip of
// base_s plus symmetric exponential queueing noise (50 us each way); returns the last result.
static enum flt_result feed_path(struct flt *f, int n, double t0, double phase, double freq,
                                 double base_s, uint64_t *seed)
{
    enum flt_result r = FLT_ACCEPTED;
    for (int i = 0; i < n; i++) {
        double t = t0 + 16.0 * i;
        double out = -50e-6 * log(1 - rnd(seed)), back = -50e-6 * log(1 - rnd(seed));
        struct flt_input in = {
            .t = t,
            .u = phase + freq * t + (out - back) / 2,
            .delay_s = base_s + out + back,
            .dispersion_s = 2e-6,
            .noise_s = 1e-6,
        };
        r = flt_add(f, &in);
    }
    return r;
}

// The same over a 200 us path.
static enum flt_result feed(struct flt *f, int n, double t0, double phase, double freq,
                            uint64_t *seed)
{
    return feed_path(f, n, t0, phase, freq, 200e-6, seed);
}

static void test_offset_and_jitter_estimate(void **state)
{
    struct flt f;
    uint64_t seed = 1;
    flt_init(&f, 0, 200e-6, 0.128);
    feed(&f, 200, 0, 0.010, 0, &seed);
    double u, var;
    flt_predict(&f, 16.0 * 199, &u, &var);
    assert_true(fabs(u - 0.010) < 10e-6);
    assert_true(sqrt(var) < 20e-6);
    // Jitter is the size of the raw noise (offset error std ~ 35 us), not zero, not huge.
    assert_true(flt_jitter(&f) > 5e-6 && flt_jitter(&f) < 200e-6);
    assert_true(fabs(flt_min_delay(&f) - 200e-6) < 20e-6);
    assert_int_equal(f.n, 200);
}

static void test_frequency_estimate(void **state)
{
    struct flt f;
    uint64_t seed = 2;
    flt_init(&f, 0, 200e-6, 0.128);
    feed(&f, 300, 0, -0.002, 50e-6, &seed);
    assert_true(fabs(f.y - 50e-6) < 0.05e-6);
    assert_true(sqrt(f.p[1][1]) < 0.1e-6);
}

static void test_popcorn_spike_rejected(void **state)
{
    struct flt f;
    uint64_t seed = 3;
    flt_init(&f, 0, 200e-6, 0.128);
    feed(&f, 50, 0, 0, 0, &seed);
    unsigned before = f.popcorn_count;
    double u_before = f.u;
    struct flt_input spike = {
        .t = 16.0 * 50, .u = 0.004, .delay_s = 0.010, .dispersion_s = 2e-6, .noise_s = 1e-6};
    assert_int_equal(flt_add(&f, &spike), FLT_POPCORN);
    assert_int_equal(f.popcorn_count, before + 1);
    assert_true(f.u == u_before);
    // A path that really changed is believed after a few spikes in a row.
    enum flt_result r = FLT_POPCORN;
    int i;
    for (i = 1; i < 10 && r == FLT_POPCORN; i++) {
        spike.t += 16;
        r = flt_add(&f, &spike);
    }
    assert_int_equal(r, FLT_ACCEPTED);
    assert_true(i <= 6);
}

// A route change by 4 ms each way whose first delays come with one late reply of the old path
// (1 ms): the minimum delay follows the new path even so (it once kept the late reply as the
// minimum for 256 delays, with bounds of +-1.8 ms on every sample and the clock coasting).
static void test_path_change_with_a_late_old_reply(void **state)
{
    struct flt f;
    uint64_t seed = 9;
    (void)state;
    flt_init(&f, 0, 200e-6, 0.128);
    feed(&f, 40, 0, 0, 0, &seed);
    struct flt_input late = {
        .t = 16.0 * 40, .u = 0, .delay_s = 1e-3, .dispersion_s = 2e-6, .noise_s = 1e-6};
    flt_add(&f, &late);
    feed_path(&f, 40, 16.0 * 41, 0, 0, 8.2e-3, &seed);
    assert_true(flt_min_delay(&f) > 8e-3);
}

static void test_far_samples_pending_then_rebased(void **state)
{
    struct flt f;
    uint64_t seed = 4;
    flt_init(&f, 0, 200e-6, 0.128);
    feed(&f, 50, 0, 0, 0, &seed);
    struct flt_input far = {
        .t = 16.0 * 50, .u = 1.0, .delay_s = 210e-6, .dispersion_s = 2e-6, .noise_s = 1e-6};
    assert_int_equal(flt_add(&f, &far), FLT_PENDING_JUMP);
    struct flt_pending_run run;
    assert_true(flt_pending(&f, far.t, &run));
    assert_int_equal(run.count, 1);
    assert_true(fabs(run.u - 1.0) < 1e-9);
    // A far sample that disagrees with the run starts a new run.
    far.t += 16;
    far.u = -3.0;
    assert_int_equal(flt_add(&f, &far), FLT_PENDING_JUMP);
    assert_true(flt_pending(&f, far.t, &run));
    assert_int_equal(run.count, 1);
    // A normal sample ends the run.
    feed(&f, 1, far.t + 16, 0, 0, &seed);
    assert_false(flt_pending(&f, far.t + 16, &run));
    // Six agreeing far samples: the source moved; the filter follows.
    enum flt_result r = FLT_PENDING_JUMP;
    for (int i = 0; i < 6; i++) {
        far.t += 32 + 16;
        far.u = 2.0;
        r = flt_add(&f, &far);
    }
    assert_int_equal(r, FLT_ACCEPTED);
    double u;
    flt_predict(&f, far.t, &u, NULL);
    assert_true(fabs(u - 2.0) < 1e-3);
}

static void test_shift_absorbs_pending(void **state)
{
    struct flt f;
    uint64_t seed = 5;
    flt_init(&f, 0, 200e-6, 0.128);
    feed(&f, 50, 0, 0, 20e-6, &seed);
    double t = 16.0 * 50;
    struct flt_input far = {
        .t = t, .u = 300 + 20e-6 * t, .delay_s = 210e-6, .dispersion_s = 2e-6, .noise_s = 1e-6};
    assert_int_equal(flt_add(&f, &far), FLT_PENDING_JUMP);
    double y_before = f.y;
    flt_shift(&f, 300, 1e-10);
    assert_false(flt_pending(&f, t, &(struct flt_pending_run){0}));
    double u;
    flt_predict(&f, t, &u, NULL);
    assert_true(fabs(u - (300 + 20e-6 * t)) < 50e-6);
    assert_true(fabs(f.y - y_before) < 0.1e-6); // the frequency survives the jump
    assert_int_equal(f.n, 51);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measure_offset_delay_dispersion),
        cmocka_unit_test(test_measure_rejects_bad_timestamps),
        cmocka_unit_test(test_measure_clamps_a_hold_time_below_the_server_precision),
        cmocka_unit_test(test_offset_and_jitter_estimate),
        cmocka_unit_test(test_frequency_estimate),
        cmocka_unit_test(test_popcorn_spike_rejected),
        cmocka_unit_test(test_path_change_with_a_late_old_reply),
        cmocka_unit_test(test_far_samples_pending_then_rebased),
        cmocka_unit_test(test_shift_absorbs_pending),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
