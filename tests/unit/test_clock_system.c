// SPDX-License-Identifier: ISC
/*
 * Unit tests: the system clock driver against a FAKE kernel (an in-memory struct timex). The
 * real clock_adjtime is never called here; real-kernel tests run in the QEMU guest.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/timex.h>

#include <cmocka.h>

#include "discipline/clock.h"

#define MAX_CALLS 16

/* Kernel-only mode bits (linux/timex.h), not in glibc's sys/timex.h. */
#define ADJ_ADJTIME         0x8000
#define ADJ_OFFSET_READONLY 0x2000

/* The fake kernel: state, every call as written by the driver, an injectable error. */
static struct {
    struct timex state;
    long adjtime_us; /* pending ADJ_OFFSET_SINGLESHOT slew */
    int64_t clock_ns;
    int write_errno; /* nonzero: calls with modes fail with it (as EPERM without CAP_SYS_TIME) */
    struct timex calls[MAX_CALLS];
    int ncalls;
} K;

#define STA_RO_BITS                                                                                \
    (STA_PPSSIGNAL | STA_PPSJITTER | STA_PPSWANDER | STA_PPSERROR | STA_CLOCKERR | STA_NANO |      \
     STA_MODE | STA_CLK)

static void fake_apply(const struct timex *tx)
{
    if (tx->modes & ADJ_STATUS)
        K.state.status = (K.state.status & STA_RO_BITS) | (tx->status & ~STA_RO_BITS);
    if (tx->modes & ADJ_NANO)
        K.state.status |= STA_NANO;
    if (tx->modes & ADJ_FREQUENCY)
        K.state.freq = tx->freq;
    if (tx->modes & ADJ_TICK)
        K.state.tick = tx->tick;
    if (tx->modes & ADJ_MAXERROR)
        K.state.maxerror = tx->maxerror;
    if (tx->modes & ADJ_ESTERROR)
        K.state.esterror = tx->esterror;
    if ((tx->modes & ADJ_OFFSET) && (K.state.status & STA_PLL))
        K.state.offset = tx->offset;
    if (tx->modes & ADJ_SETOFFSET)
        K.clock_ns += (int64_t)tx->time.tv_sec * 1000000000 + tx->time.tv_usec;
}

/* Rejects what the kernel rejects (timekeeping_validate_timex, ntp_validate_timex). */
static bool fake_valid(const struct timex *tx)
{
    if ((tx->modes & ADJ_ADJTIME) && !(tx->modes & ADJ_OFFSET)) /* kernel: SINGLESHOT = 1 */
        return false;
    if ((tx->modes & ADJ_SETOFFSET) &&
        (tx->time.tv_usec < 0 || tx->time.tv_usec >= 1000000000 || !(tx->modes & ADJ_NANO)))
        return false;
    if ((tx->modes & ADJ_TICK) && (tx->tick < 9000 || tx->tick > 11000))
        return false;
    return true;
}

static int fake_adjtime(clockid_t id, struct timex *tx)
{
    assert_int_equal(id, CLOCK_REALTIME);
    assert_true(K.ncalls < MAX_CALLS);
    K.calls[K.ncalls++] = *tx;
    bool read_only = tx->modes == 0 || tx->modes == ADJ_OFFSET_SS_READ;
    if (K.write_errno && !read_only) {
        errno = K.write_errno;
        return -1;
    }
    if (!fake_valid(tx)) {
        errno = EINVAL;
        return -1;
    }
    if (tx->modes & ADJ_ADJTIME) { /* adjtime(): alone, microseconds */
        long previous = K.adjtime_us;
        if (!(tx->modes & ADJ_OFFSET_READONLY))
            K.adjtime_us = tx->offset;
        tx->offset = previous;
        return K.state.status & STA_UNSYNC ? TIME_ERROR : TIME_OK;
    }
    fake_apply(tx);
    long modes = tx->modes;
    *tx = K.state;
    tx->modes = modes;
    return K.state.status & STA_UNSYNC ? TIME_ERROR : TIME_OK;
}

static int fake_gettime(clockid_t id, struct timespec *ts)
{
    ts->tv_sec = K.clock_ns / 1000000000;
    ts->tv_nsec = K.clock_ns % 1000000000;
    return 0;
}

static const struct clk_syscalls fake_sys = {
    .clock_adjtime = fake_adjtime,
    .clock_gettime = fake_gettime,
    .user_hz = 100,
};

static int setup(void **state)
{
    memset(&K, 0, sizeof K);
    K.state.tick = 10000;
    K.state.status = STA_PLL | STA_UNSYNC; /* as left by ntpd */
    K.state.offset = 12345;
    K.state.freq = 7 * 65536;
    K.state.maxerror = 16000000;
    K.state.esterror = 16000000;
    K.adjtime_us = 4000;
    K.clock_ns = 1700000000LL * 1000000000;
    return 0;
}

static struct clk *open_system(double max_ppm)
{
    struct clk_options opt = {.kind = CLK_SYSTEM, .max_freq_ppm = max_ppm, .sys = &fake_sys};
    char err[256];
    struct clk *clk = clk_open(&opt, err, sizeof err);
    assert_non_null(clk);
    for (int i = 0; i < K.ncalls; i++)
        assert_int_equal(K.calls[i].modes, 0); /* open only reads */
    K.ncalls = 0;
    return clk;
}

static const struct timex *last_call(void)
{
    assert_true(K.ncalls > 0);
    return &K.calls[K.ncalls - 1];
}

static void test_start_resets_pll(void **state)
{
    struct clk *clk = open_system(0);
    assert_int_equal(clk_start(clk), 0);
    assert_int_equal(K.ncalls, 3);
    assert_int_equal(K.calls[0].modes, ADJ_OFFSET_SINGLESHOT);
    assert_int_equal(K.calls[0].offset, 0);
    assert_int_equal(K.calls[1].modes, ADJ_STATUS | ADJ_OFFSET | ADJ_NANO);
    assert_int_equal(K.calls[1].status, STA_PLL | STA_UNSYNC);
    assert_int_equal(K.calls[1].offset, 0);
    assert_int_equal(K.calls[2].modes, ADJ_STATUS | ADJ_NANO);
    assert_int_equal(K.calls[2].status, STA_UNSYNC);
    assert_int_equal(K.state.status, STA_UNSYNC | STA_NANO);
    assert_int_equal(K.state.offset, 0);
    assert_int_equal(K.adjtime_us, 0);
    assert_int_equal(K.state.freq, 7 * 65536); /* the frequency survives */
    clk_close(clk);
}

static void test_frequency_scaling(void **state)
{
    struct clk *clk = open_system(0);
    assert_int_equal(clk_set_freq(clk, 1.0), 0);
    assert_int_equal(last_call()->modes, ADJ_FREQUENCY | ADJ_TICK | ADJ_NANO);
    assert_int_equal(last_call()->freq, 65536);
    assert_int_equal(last_call()->tick, 10000);
    assert_int_equal(clk_set_freq(clk, -12.345), 0);
    assert_int_equal(last_call()->freq, -809042); /* -12.345 * 65536 = -809041.92 */
    double ppm;
    assert_int_equal(clk_get_freq(clk, &ppm), 0);
    assert_true(fabs(ppm + 12.345) <= 0.5 / 65536);
    assert_int_equal(clk_set_freq(clk, 499.0), 0);
    assert_int_equal(last_call()->freq, 499 * 65536);
    assert_int_equal(last_call()->tick, 10000);
    clk_close(clk);
}

static void test_frequency_clamped_to_maxslew(void **state)
{
    struct clk *clk = open_system(0); /* default 500 ppm */
    assert_int_equal(clk_set_freq(clk, 800.0), 0);
    assert_int_equal(last_call()->freq, 500 * 65536);
    assert_int_equal(last_call()->tick, 10000);
    assert_int_equal(clk_set_freq(clk, -501.0), 0);
    assert_int_equal(last_call()->freq, -500 * 65536);
    int before = K.ncalls;
    assert_int_equal(clk_set_freq(clk, NAN), -1);
    assert_int_equal(K.ncalls, before); /* nothing written */
    clk_close(clk);
}

static void test_frequency_tick_split(void **state)
{
    struct clk *clk = open_system(100000);
    assert_int_equal(clk_set_freq(clk, 1234.5), 0);
    assert_int_equal(last_call()->tick, 10012);   /* 12 ticks of 100 ppm */
    assert_int_equal(last_call()->freq, 2260992); /* 34.5 ppm */
    double ppm;
    assert_int_equal(clk_get_freq(clk, &ppm), 0);
    assert_true(fabs(ppm - 1234.5) < 1e-9);
    assert_int_equal(clk_set_freq(clk, -2567.0), 0);
    assert_int_equal(last_call()->tick, 10000 - 26);
    assert_int_equal(last_call()->freq, 33 * 65536);
    assert_int_equal(clk_set_freq(clk, -250000.0), 0); /* clamped to -100000 */
    assert_int_equal(last_call()->tick, 9000);
    assert_int_equal(last_call()->freq, 0);
    assert_int_equal(clk_set_freq(clk, 300.0), 0); /* back within 500: tick restored */
    assert_int_equal(last_call()->tick, 10000);
    assert_int_equal(last_call()->freq, 300 * 65536);
    clk_close(clk);
}

static void expect_step(struct clk *clk, double offset_s, long sec, long nsec)
{
    int64_t before = K.clock_ns;
    assert_int_equal(clk_step(clk, offset_s), 0);
    assert_int_equal(last_call()->modes, ADJ_SETOFFSET | ADJ_NANO);
    assert_int_equal(last_call()->time.tv_sec, sec);
    assert_int_equal(last_call()->time.tv_usec, nsec);
    assert_int_equal(K.clock_ns - before, (int64_t)sec * 1000000000 + nsec);
}

static void test_step_timespec(void **state)
{
    struct clk *clk = open_system(0);
    expect_step(clk, 1.5, 1, 500000000);
    expect_step(clk, -0.25, -1, 750000000);
    expect_step(clk, -2.000000001, -3, 999999999);
    expect_step(clk, 300.0, 300, 0);
    expect_step(clk, -300.0, -300, 0);
    expect_step(clk, 0.000000001, 0, 1);
    expect_step(clk, -0.000000001, -1, 999999999);
    clk_close(clk);
}

static void test_status_bits_and_units(void **state)
{
    struct clk *clk = open_system(0);
    struct clk_status st = {
        .unsync = false, .leap = CLK_LEAP_INSERT, .maxerror_s = 0.0123456, .esterror_s = 0.0000015};
    assert_int_equal(clk_set_status(clk, &st), 0);
    const struct timex *tx = last_call();
    assert_int_equal(tx->modes, ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR | ADJ_NANO);
    assert_int_equal(tx->status, STA_INS);
    assert_int_equal(tx->maxerror, 12346); /* us, rounded up: it is a bound */
    assert_int_equal(tx->esterror, 2);
    assert_true(K.state.status & STA_NANO);

    st = (struct clk_status){
        .unsync = true, .leap = CLK_LEAP_DELETE, .maxerror_s = 100.0, .esterror_s = -1.0};
    assert_int_equal(clk_set_status(clk, &st), 0);
    tx = last_call();
    assert_int_equal(tx->status, STA_UNSYNC | STA_DEL);
    assert_int_equal(tx->maxerror, 16000000); /* clamped to 16 s */
    assert_int_equal(tx->esterror, 0);

    st = (struct clk_status){.unsync = false, .maxerror_s = NAN, .esterror_s = NAN};
    assert_int_equal(clk_set_status(clk, &st), 0);
    assert_int_equal(last_call()->maxerror, 16000000); /* unknown = the limit */
    assert_int_equal(last_call()->status, 0);

    struct clk_info info;
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_string_equal(info.driver, "system");
    assert_true(info.maxerror_s == 16.0);
    assert_true(info.status & STA_NANO);
    clk_close(clk);
}

static void test_eperm_message(void **state)
{
    struct clk *clk = open_system(0); /* reads work without CAP_SYS_TIME */
    K.write_errno = EPERM;
    assert_int_equal(clk_set_freq(clk, 1.0), -1);
    assert_non_null(strstr(clk_error(clk), "CAP_SYS_TIME"));
    assert_non_null(strstr(clk_error(clk), "frequency"));
    assert_non_null(strstr(clk_error(clk), "none"));
    assert_int_equal(clk_step(clk, 1.0), -1);
    assert_non_null(strstr(clk_error(clk), "step"));
    struct clk_info info;
    assert_int_equal(clk_get_info(clk, &info), 0); /* reading still works */
    assert_string_equal(clk_error(clk), "");
    K.write_errno = EINVAL;
    assert_int_equal(clk_start(clk), -1);
    assert_non_null(strstr(clk_error(clk), "Invalid argument"));
    clk_close(clk);
}

static void test_slew_once(void **state)
{
    struct clk *clk = open_system(0);
    double duration_s;
    assert_int_equal(clk_slew_once(clk, -0.1, &duration_s), 0);
    assert_int_equal(last_call()->modes, ADJ_OFFSET_SINGLESHOT);
    assert_int_equal(last_call()->offset, -100000);
    assert_true(fabs(duration_s - 200.0) < 1e-9);
    struct clk_info info;
    assert_int_equal(clk_get_info(clk, &info), 0);
    assert_int_equal(last_call()->modes, ADJ_OFFSET_SS_READ);
    assert_true(fabs(info.slew_remaining_s + 0.1) < 1e-12);
    int before = K.ncalls;
    assert_int_equal(clk_slew_once(clk, 2200.0, NULL), -1);
    assert_int_equal(K.ncalls, before);
    clk_close(clk);
}

static void test_now_and_map(void **state)
{
    struct clk *clk = open_system(0);
    struct timespec ts;
    assert_int_equal(clk_now(clk, &ts), 0);
    assert_int_equal(ts.tv_sec, 1700000000);
    struct clk_map map;
    clk_get_map(clk, &map);
    struct timespec h = {1700000001, 5};
    struct timespec r = clk_map_apply(&map, h);
    assert_int_equal(r.tv_sec, h.tv_sec);
    assert_int_equal(r.tv_nsec, h.tv_nsec);
    clk_close(clk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_start_resets_pll, setup),
        cmocka_unit_test_setup(test_frequency_scaling, setup),
        cmocka_unit_test_setup(test_frequency_clamped_to_maxslew, setup),
        cmocka_unit_test_setup(test_frequency_tick_split, setup),
        cmocka_unit_test_setup(test_step_timespec, setup),
        cmocka_unit_test_setup(test_status_bits_and_units, setup),
        cmocka_unit_test_setup(test_eperm_message, setup),
        cmocka_unit_test_setup(test_slew_once, setup),
        cmocka_unit_test_setup(test_now_and_map, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
