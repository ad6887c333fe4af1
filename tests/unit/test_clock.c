// SPDX-License-Identifier: ISC
/* Unit tests: the virtual and none clock drivers and the clock map, on a fake host clock. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/timex.h>

#include <cmocka.h>

#include "discipline/clock.h"

#define NS 1000000000LL

/* ---- fake host clock ---- */

static struct timespec host = {1700000000, 123456789};

static int fake_host(void *ctx, struct timespec *ts)
{
    *ts = host;
    return 0;
}

static void advance_ns(int64_t ns)
{
    int64_t t = (int64_t)host.tv_sec * NS + host.tv_nsec + ns;
    host.tv_sec = t / NS;
    host.tv_nsec = t % NS;
}

static int64_t ts_ns(struct timespec ts)
{
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* clock - host, ns */
static int64_t offset_ns(struct clk *clk)
{
    struct timespec now;
    assert_int_equal(clk_now(clk, &now), 0);
    return ts_ns(now) - ts_ns(host);
}

static struct clk *open_virtual(double offset_s, double freq_error_ppm, double max_ppm)
{
    struct clk_options opt = {
        .kind = CLK_VIRTUAL,
        .max_freq_ppm = max_ppm,
        .virt_initial_offset_s = offset_s,
        .virt_freq_error_ppm = freq_error_ppm,
        .host_clock = fake_host,
    };
    char err[128];
    struct clk *clk = clk_open(&opt, err, sizeof err);
    assert_non_null(clk);
    assert_int_equal(clk_start(clk), 0);
    return clk;
}

static void test_virtual_frequency_error_and_correction(void **state)
{
    struct clk *clk = open_virtual(0.0, 100.0, 0);
    assert_int_equal(offset_ns(clk), 0);
    advance_ns(1000 * NS);
    /* +100 ppm for 1000 s: +0.1 s */
    assert_int_equal(offset_ns(clk), 100000000);
    assert_int_equal(clk_set_freq(clk, -100.0), 0);
    double ppm;
    assert_int_equal(clk_get_freq(clk, &ppm), 0);
    assert_true(ppm == -100.0);
    advance_ns(1000 * NS);
    assert_int_equal(offset_ns(clk), 100000000); /* corrected: stable */
    advance_ns(86400 * NS);
    assert_int_equal(offset_ns(clk), 100000000);
    clk_close(clk);
}

static void test_virtual_initial_offset(void **state)
{
    struct clk *clk = open_virtual(-300.25, 0.0, 0);
    assert_int_equal(offset_ns(clk), -300250000000LL);
    advance_ns(5 * NS);
    assert_int_equal(offset_ns(clk), -300250000000LL);
    clk_close(clk);
}

static void test_virtual_continuity_at_frequency_changes(void **state)
{
    struct clk *clk = open_virtual(0.5, 37.5, 0);
    const double freqs[] = {12.25, -480.0, 0.001, 499.999, -3.0};
    for (size_t i = 0; i < sizeof freqs / sizeof freqs[0]; i++) {
        advance_ns(123456789LL * (int64_t)(i + 1) + 987);
        struct timespec before, after;
        assert_int_equal(clk_now(clk, &before), 0);
        assert_int_equal(clk_set_freq(clk, freqs[i]), 0);
        assert_int_equal(clk_now(clk, &after), 0);
        int64_t jump = ts_ns(after) - ts_ns(before);
        assert_true(jump >= -1 && jump <= 1);
    }
    /* The last rate holds afterwards: (37.5 - 3) ppm over 100 s = 3.45 ms. */
    int64_t o1 = offset_ns(clk);
    advance_ns(100 * NS);
    int64_t d = offset_ns(clk) - o1;
    assert_true(d >= 3450000 - 1 && d <= 3450000 + 1);
    clk_close(clk);
}

static void test_virtual_steps_exact_to_ns(void **state)
{
    struct clk *clk = open_virtual(0.1, 100.0, 0);
    advance_ns(777 * NS + 5);
    const double steps[] = {0.123456789, -1.000000001, -300.0, 0.000000001, 299.876543211};
    const int64_t steps_ns[] = {123456789, -1000000001, -300000000000LL, 1, 299876543211LL};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        int64_t before = offset_ns(clk);
        assert_int_equal(clk_step(clk, steps[i]), 0);
        assert_int_equal(offset_ns(clk) - before, steps_ns[i]);
    }
    double ppm;
    assert_int_equal(clk_get_freq(clk, &ppm), 0);
    assert_true(ppm == 0.0); /* a step keeps the frequency */
    assert_int_equal(clk_step(clk, NAN), -1);
    assert_true(strlen(clk_error(clk)) > 0);
    clk_close(clk);
}

static void assert_map_matches_clock(struct clk *clk)
{
    struct clk_map map;
    clk_get_map(clk, &map);
    assert_true(clk_map_valid(&map));
    struct timespec now;
    assert_int_equal(clk_now(clk, &now), 0);
    struct timespec mapped = clk_map_apply(&map, host);
    assert_int_equal(mapped.tv_sec, now.tv_sec);
    assert_int_equal(mapped.tv_nsec, now.tv_nsec);
}

static void test_virtual_map_equals_clock(void **state)
{
    struct clk *clk = open_virtual(-0.75, -42.0, 1000);
    assert_map_matches_clock(clk);
    advance_ns(3 * NS + 333);
    assert_map_matches_clock(clk);
    assert_int_equal(clk_set_freq(clk, 800.0), 0);
    advance_ns(1000 * NS + 1);
    assert_map_matches_clock(clk);
    assert_int_equal(clk_step(clk, 0.000123), 0);
    assert_map_matches_clock(clk);
    assert_int_equal(clk_slew_once(clk, 0.002, NULL), 0);
    advance_ns(2 * NS);
    assert_map_matches_clock(clk);
    advance_ns(10 * NS); /* past the end of the slew */
    assert_map_matches_clock(clk);
    /* the map captured earlier still converts past host times (kernel timestamps) */
    struct clk_map map;
    clk_get_map(clk, &map);
    advance_ns(NS / 2);
    assert_map_matches_clock(clk);
    clk_close(clk);
}

static void test_virtual_slew_emulation(void **state)
{
    struct clk *clk = open_virtual(0.0, 0.0, 0);
    double duration_s;
    assert_int_equal(clk_slew_once(clk, 0.01, &duration_s), 0);
    assert_true(fabs(duration_s - 20.0) < 1e-9); /* 10 ms at 500 us/s */
    struct clk_info info;
    advance_ns(10 * NS);
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_true(fabs(info.slew_remaining_s - 0.005) < 1e-9);
    assert_int_equal(offset_ns(clk), 5000000);
    advance_ns(30 * NS);
    assert_int_equal(offset_ns(clk), 10000000); /* complete, no overshoot */
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_true(info.slew_remaining_s == 0.0);
    struct clk_map map;
    clk_get_map(clk, &map);
    assert_true(map.rate_ppm == 0.0);
    /* a negative slew, replaced half way by a cancel (offset 0) */
    assert_int_equal(clk_slew_once(clk, -0.004, &duration_s), 0);
    advance_ns(4 * NS);
    assert_int_equal(offset_ns(clk), 10000000 - 2000000);
    assert_int_equal(clk_slew_once(clk, 0.0, NULL), 0);
    advance_ns(100 * NS);
    assert_int_equal(offset_ns(clk), 8000000);
    assert_int_equal(clk_slew_once(clk, 3000.0, NULL), -1);
    clk_close(clk);
}

static void test_virtual_frequency_clamp(void **state)
{
    struct clk *clk = open_virtual(0.0, 0.0, 0);
    double ppm;
    assert_int_equal(clk_set_freq(clk, 1000.0), 0);
    assert_int_equal(clk_get_freq(clk, &ppm), 0);
    assert_true(ppm == 500.0);
    assert_int_equal(clk_set_freq(clk, -1e9), 0);
    assert_int_equal(clk_get_freq(clk, &ppm), 0);
    assert_true(ppm == -500.0);
    assert_int_equal(clk_set_freq(clk, INFINITY), -1);
    assert_non_null(strstr(clk_error(clk), "finite"));
    assert_int_equal(clk_get_freq(clk, &ppm), 0);
    assert_true(ppm == -500.0); /* unchanged by the refused call */
    clk_close(clk);
}

static void test_virtual_status_emulation(void **state)
{
    struct clk *clk = open_virtual(0.0, 0.0, 0);
    struct clk_info info;
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_string_equal(info.driver, "virtual");
    assert_true(info.status & STA_UNSYNC);
    assert_int_equal(info.state, TIME_ERROR);
    assert_true(info.maxerror_s == 16.0);

    struct clk_status st = {
        .unsync = false, .leap = CLK_LEAP_NONE, .maxerror_s = 0.001, .esterror_s = 0.0002};
    assert_int_equal(clk_set_status(clk, &st), 0);
    advance_ns(100 * NS);
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_true(fabs(info.maxerror_s - 0.051) < 1e-12); /* + 500 us/s */
    assert_true(fabs(info.esterror_s - 0.0002) < 1e-12);
    assert_int_equal(info.status & (STA_UNSYNC | STA_INS | STA_DEL), 0);
    assert_true(info.status & STA_NANO);
    assert_int_equal(info.state, TIME_OK);

    st.leap = CLK_LEAP_INSERT;
    assert_int_equal(clk_set_status(clk, &st), 0);
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_true(info.status & STA_INS);
    assert_int_equal(info.state, TIME_INS);
    st.leap = CLK_LEAP_DELETE;
    assert_int_equal(clk_set_status(clk, &st), 0);
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_true(info.status & STA_DEL);
    assert_int_equal(info.state, TIME_DEL);

    advance_ns(40000 * NS); /* no update for 11 h: beyond the 16 s limit */
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_true(info.maxerror_s == 16.0);
    assert_true(info.status & STA_UNSYNC);
    assert_int_equal(info.state, TIME_ERROR);
    st.leap = (enum clk_leap)7;
    assert_int_equal(clk_set_status(clk, &st), -1);
    clk_close(clk);
}

static void test_open_validation(void **state)
{
    char err[128] = "";
    struct clk_options opt = {.kind = CLK_VIRTUAL, .virt_freq_error_ppm = 2e5};
    assert_null(clk_open(&opt, err, sizeof err));
    assert_non_null(strstr(err, "frequency error"));
    opt.virt_freq_error_ppm = 0;
    opt.virt_initial_offset_s = NAN;
    assert_null(clk_open(&opt, err, sizeof err));
    opt.virt_initial_offset_s = 0;
    opt.max_freq_ppm = -5;
    assert_null(clk_open(&opt, err, sizeof err));
    assert_non_null(strstr(err, "maxslew"));
    opt.max_freq_ppm = 200000;
    assert_null(clk_open(&opt, err, sizeof err));
}

static void test_map_apply_and_validity(void **state)
{
    struct clk_map map;
    clk_map_identity(&map);
    assert_true(clk_map_valid(&map));
    struct timespec h = {1700000000, 999999999};
    struct timespec r = clk_map_apply(&map, h);
    assert_int_equal(r.tv_sec, h.tv_sec);
    assert_int_equal(r.tv_nsec, h.tv_nsec);

    map.host_ref = (struct timespec){1000, 0};
    map.offset_ref = 0.5;
    map.rate_ppm = 10.0;
    r = clk_map_apply(&map, (struct timespec){1100, 0});
    assert_int_equal(r.tv_sec, 1100); /* 1100 + 0.5 + 100 s * 10e-6 */
    assert_int_equal(r.tv_nsec, 501000000);
    r = clk_map_apply(&map, (struct timespec){900, 0});
    assert_int_equal(r.tv_sec, 900); /* before host_ref: 900 + 0.5 - 0.001 */
    assert_int_equal(r.tv_nsec, 499000000);
    map.offset_ref = -2.0000000006; /* rounds to -2.000000001 s */
    map.rate_ppm = 0;
    r = clk_map_apply(&map, (struct timespec){1000, 0});
    assert_int_equal(r.tv_sec, 997);
    assert_int_equal(r.tv_nsec, 999999999);

    struct clk_map bad = map;
    bad.offset_ref = NAN;
    assert_false(clk_map_valid(&bad));
    bad = map;
    bad.host_ref.tv_nsec = 1000000000;
    assert_false(clk_map_valid(&bad));
    bad = map;
    bad.rate_ppm = 3e5;
    assert_false(clk_map_valid(&bad));
    bad = map;
    bad.offset_ref = -2e9;
    assert_false(clk_map_valid(&bad));
}

static void test_kind_names(void **state)
{
    enum clk_kind k;
    const char *names[] = {"system", "none", "virtual"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(clk_kind_from_name(names[i], &k), 0);
        assert_string_equal(clk_kind_name(k), names[i]);
    }
    assert_int_equal(clk_kind_from_name("sytem", &k), -1);
}

/* ---- none driver on fake clock_gettime ---- */

static struct timespec fake_mono = {500, 0};

static int none_gettime(clockid_t id, struct timespec *ts)
{
    *ts = id == CLOCK_MONOTONIC ? fake_mono : host;
    return 0;
}

static int none_adjtime_must_not_be_called(clockid_t id, struct timex *tx)
{
    fail_msg("the none driver called clock_adjtime");
    return -1;
}

static void test_none_driver(void **state)
{
    struct clk_syscalls sys = {.clock_adjtime = none_adjtime_must_not_be_called,
                               .clock_gettime = none_gettime};
    struct clk_options opt = {.kind = CLK_NONE, .sys = &sys};
    char err[128];
    struct clk *clk = clk_open(&opt, err, sizeof err);
    assert_non_null(clk);
    assert_int_equal(clk_start(clk), 0);
    assert_int_equal(offset_ns(clk), 0);
    assert_int_equal(clk_set_freq(clk, 12.5), 0);
    assert_int_equal(clk_step(clk, 300.0), 0);
    assert_int_equal(clk_slew_once(clk, 0.1, NULL), 0);
    assert_int_equal(offset_ns(clk), 0); /* nothing moved */
    double ppm;
    assert_int_equal(clk_get_freq(clk, &ppm), 0);
    assert_true(ppm == 12.5);
    struct clk_status st = {.unsync = false, .maxerror_s = 0.002, .esterror_s = 0.001};
    assert_int_equal(clk_set_status(clk, &st), 0);
    fake_mono.tv_sec += 10;
    struct clk_info info;
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_string_equal(info.driver, "none");
    assert_true(info.freq_ppm == 12.5);
    assert_int_equal(info.status & STA_UNSYNC, 0);
    assert_true(fabs(info.maxerror_s - 0.007) < 1e-12);
    struct clk_map map;
    clk_get_map(clk, &map);
    assert_true(map.offset_ref == 0.0 && map.rate_ppm == 0.0);
    clk_close(clk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual_frequency_error_and_correction),
        cmocka_unit_test(test_virtual_initial_offset),
        cmocka_unit_test(test_virtual_continuity_at_frequency_changes),
        cmocka_unit_test(test_virtual_steps_exact_to_ns),
        cmocka_unit_test(test_virtual_map_equals_clock),
        cmocka_unit_test(test_virtual_slew_emulation),
        cmocka_unit_test(test_virtual_frequency_clamp),
        cmocka_unit_test(test_virtual_status_emulation),
        cmocka_unit_test(test_open_validation),
        cmocka_unit_test(test_map_apply_and_validity),
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_none_driver),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
