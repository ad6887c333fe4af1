// SPDX-License-Identifier: ISC
/*
 * clockprobe: tsyncd's system clock driver (discipline/clock.h, clk_*) against a real kernel.
 *
 *   clockprobe state    read-only, anywhere: CLOCK_REALTIME - CLOCK_MONOTONIC (changes only when
 *                       the clock is stepped) and the adjtimex state read with modes = 0
 *   clockprobe driver   steps, slews, frequencies, status bits, a leap second; every effect is
 *                       checked with clock_gettime and adjtimex(modes = 0), independently of the
 *                       driver. Runs only inside the vmrun test guest (probe_in_test_guest()).
 *
 * Prints "ok"/"FAIL" lines; exits 1 if a check failed, 2 if it could not run.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <unistd.h>

#include "discipline/clock.h"
#include "tests/vm/probe.h"

#define FREQ_UNITS_PER_PPM 65536L /* struct timex freq is ppm with a 16-bit fraction */

/* Tolerances. Under emulation a clock read takes microseconds, so a difference read from the
 * tightest of several sandwiches is good to a few microseconds. */
#define STEP_TOLERANCE_NS  1000000 /* 1 ms */
#define RATE_TOLERANCE_PPM 3.0     /* rate measured over 3 s */
#define RATE_WINDOW_S      3.0
/* The kernel applies one-shot slews and leap-second states at second boundaries: waiting this
 * long is sure to cross one. */
#define KERNEL_SECOND_S 1.2

/* a - b at one instant, from the tightest b/a/b sandwich of 20; b_ns: b at that instant. */
struct clock_pair {
    int64_t a_minus_b_ns;
    int64_t b_ns;
};

static struct clock_pair read_pair(clockid_t a, clockid_t b)
{
    struct clock_pair best = {0, 0};
    int64_t best_window_ns = INT64_MAX;
    for (int i = 0; i < 20; i++) {
        struct timespec b1, a1, b2;
        clock_gettime(b, &b1);
        clock_gettime(a, &a1);
        clock_gettime(b, &b2);
        int64_t window_ns = probe_ts_ns(b2) - probe_ts_ns(b1);
        if (window_ns < best_window_ns) {
            best_window_ns = window_ns;
            best.b_ns = probe_ts_ns(b1) + window_ns / 2;
            best.a_minus_b_ns = probe_ts_ns(a1) - best.b_ns;
        }
    }
    return best;
}

/* The kernel's view, read-only (modes = 0). Returns the clock state (TIME_OK ...). */
static int kernel_state(struct timex *tx)
{
    memset(tx, 0, sizeof *tx);
    return adjtimex(tx);
}

/* Rate of CLOCK_REALTIME against CLOCK_MONOTONIC_RAW (the undisciplined oscillator), ppm. */
static double measure_rate_ppm(double seconds)
{
    struct clock_pair p0 = read_pair(CLOCK_REALTIME, CLOCK_MONOTONIC_RAW);
    probe_sleep_s(seconds);
    struct clock_pair p1 = read_pair(CLOCK_REALTIME, CLOCK_MONOTONIC_RAW);
    return (double)(p1.a_minus_b_ns - p0.a_minus_b_ns) / (double)(p1.b_ns - p0.b_ns) * 1e6;
}

static int print_state(void)
{
    struct clock_pair p = read_pair(CLOCK_REALTIME, CLOCK_MONOTONIC);
    struct timex tx;
    int state = kernel_state(&tx);
    printf("realtime-monotonic=%lld ns state=%d status=0x%x freq=%ld tick=%ld maxerror=%ld "
           "esterror=%ld\n",
           (long long)p.a_minus_b_ns, state, (unsigned)tx.status, tx.freq, tx.tick, tx.maxerror,
           tx.esterror);
    return 0;
}

static void check_call(struct clk *clk, int rc, const char *what)
{
    if (rc != 0)
        probe_check(false, "%s: %s", what, clk_error(clk));
}

static void test_start(struct clk *clk)
{
    struct timex tx;
    check_call(clk, clk_start(clk), "clk_start");
    int state = kernel_state(&tx);
    probe_check(!(tx.status & STA_PLL) && (tx.status & STA_UNSYNC) && (tx.status & STA_NANO),
                "clk_start: STA_PLL off, STA_UNSYNC and STA_NANO on (status 0x%x)",
                (unsigned)tx.status);
    probe_check(state == TIME_ERROR,
                "clk_start: adjtimex reports TIME_ERROR while unsynchronised "
                "(state %d)",
                state);
}

static void test_step(struct clk *clk, double offset_s)
{
    struct clock_pair before = read_pair(CLOCK_REALTIME, CLOCK_MONOTONIC);
    check_call(clk, clk_step(clk, offset_s), "clk_step");
    struct clock_pair after = read_pair(CLOCK_REALTIME, CLOCK_MONOTONIC);
    int64_t moved_ns = after.a_minus_b_ns - before.a_minus_b_ns;
    int64_t error_ns = moved_ns - llround(offset_s * 1e9);
    probe_check(llabs(error_ns) < STEP_TOLERANCE_NS,
                "step %+.3f s: realtime - monotonic moved by %+.6f s (error %lld ns)", offset_s,
                (double)moved_ns * 1e-9, (long long)error_ns);
}

/* Set ppm; the kernel must hold tick = nominal + want_ticks and freq = want_freq_ppm * 65536, and
 * the clock must run at ppm relative to base_rate_ppm (the rate with no correction). */
static void test_frequency(struct clk *clk, double ppm, long want_ticks, double want_freq_ppm,
                           double base_rate_ppm)
{
    struct timex tx;
    long nominal_tick_us = 1000000 / sysconf(_SC_CLK_TCK);
    check_call(clk, clk_set_freq(clk, ppm), "clk_set_freq");
    kernel_state(&tx);
    long want_freq = lround(want_freq_ppm * FREQ_UNITS_PER_PPM);
    probe_check(tx.freq == want_freq && tx.tick == nominal_tick_us + want_ticks,
                "frequency %+.1f ppm: adjtimex freq %ld (want %ld), tick %ld us (want %ld)", ppm,
                tx.freq, want_freq, tx.tick, nominal_tick_us + want_ticks);
    double got_ppm = 0;
    check_call(clk, clk_get_freq(clk, &got_ppm), "clk_get_freq");
    probe_check(fabs(got_ppm - ppm) < 1e-4, "frequency %+.1f ppm: clk_get_freq reads %+.4f ppm",
                ppm, got_ppm);
    probe_sleep_s(0.3); /* let the timekeeper settle on the new tick length */
    double rate_ppm = measure_rate_ppm(RATE_WINDOW_S) - base_rate_ppm;
    probe_check(fabs(rate_ppm - ppm) < RATE_TOLERANCE_PPM,
                "frequency %+.1f ppm: realtime runs %+.2f ppm against CLOCK_MONOTONIC_RAW over "
                "%.0f s",
                ppm, rate_ppm, RATE_WINDOW_S);
}

static void test_slew(struct clk *clk)
{
    double duration_s = 0;
    struct clk_info info;
    check_call(clk, clk_slew_once(clk, 0.005, &duration_s), "clk_slew_once");
    check_call(clk, clk_get_info(clk, &info), "clk_get_info");
    probe_check(fabs(duration_s - 10.0) < 0.01 && fabs(info.slew_remaining_s - 0.005) < 0.0002,
                "slew +5 ms: takes %.2f s (want 10), %.6f s pending", duration_s,
                info.slew_remaining_s);
    probe_sleep_s(KERNEL_SECOND_S); /* the kernel takes up a slew at its next second boundary */
    double rate_ppm = measure_rate_ppm(2.0);
    probe_check(fabs(rate_ppm - CLK_SLEW_RATE_PPM) < 10.0,
                "slew +5 ms: realtime runs %+.1f ppm against CLOCK_MONOTONIC_RAW (want %+.0f)",
                rate_ppm, CLK_SLEW_RATE_PPM);
    check_call(clk, clk_slew_once(clk, 0, NULL), "clk_slew_once(0)");
    check_call(clk, clk_get_info(clk, &info), "clk_get_info");
    probe_check(info.slew_remaining_s == 0, "slew cancelled: %.6f s pending",
                info.slew_remaining_s);
    probe_sleep_s(KERNEL_SECOND_S); /* the current second still runs at the slew rate */
}

static void set_status(struct clk *clk, bool unsync, enum clk_leap leap, double maxerror_s,
                       double esterror_s)
{
    struct clk_status st = {
        .unsync = unsync, .leap = leap, .maxerror_s = maxerror_s, .esterror_s = esterror_s};
    check_call(clk, clk_set_status(clk, &st), "clk_set_status");
}

static void test_status(struct clk *clk)
{
    struct timex tx;
    set_status(clk, false, CLK_LEAP_NONE, 0.05, 0.001);
    int state = kernel_state(&tx);
    /* the kernel adds 500 us to maxerror every second */
    probe_check(!(tx.status & STA_UNSYNC) && state == TIME_OK && (tx.status & STA_NANO),
                "status synchronised: STA_UNSYNC off, STA_NANO on, TIME_OK (status 0x%x, state "
                "%d)",
                (unsigned)tx.status, state);
    probe_check(tx.maxerror >= 50000 && tx.maxerror <= 50500 && tx.esterror == 1000,
                "status: maxerror %ld us (want 50000..50500), esterror %ld us (want 1000)",
                tx.maxerror, tx.esterror);
    struct clk_info info;
    check_call(clk, clk_get_info(clk, &info), "clk_get_info");
    probe_check(info.status == tx.status && fabs(info.maxerror_s - 0.05) <= 0.0006,
                "clk_get_info: status 0x%x, maxerror %.6f s", (unsigned)info.status,
                info.maxerror_s);
    set_status(clk, true, CLK_LEAP_NONE, 16.0, 16.0);
    state = kernel_state(&tx);
    probe_check((tx.status & STA_UNSYNC) && state == TIME_ERROR && tx.maxerror == 16000000,
                "status unsynchronised: STA_UNSYNC on, TIME_ERROR, maxerror %ld us (state %d)",
                tx.maxerror, state);
}

/* Seconds from now (CLOCK_REALTIME) to the next UTC midnight. */
static double to_midnight_s(void)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    return 86400.0 - (double)(now.tv_sec % 86400) - (double)now.tv_nsec * 1e-9;
}

/* A leap second inserted by the kernel at midnight: step to 23:59:58.5, set STA_INS. The state
 * goes TIME_INS; at midnight the kernel repeats 23:59:59 (that is 23:59:60: realtime - monotonic
 * drops by 1 s) in TIME_OOP, then TIME_WAIT until STA_INS is cleared, then TIME_OK. */
static void test_leap_insert(struct clk *clk)
{
    struct timex tx;
    check_call(clk, clk_step(clk, to_midnight_s() - 1.5), "clk_step");
    set_status(clk, false, CLK_LEAP_INSERT, 0.01, 0.001);
    int state = kernel_state(&tx);
    probe_check(tx.status & STA_INS, "leap insert: STA_INS set (status 0x%x)", (unsigned)tx.status);
    struct clock_pair before = read_pair(CLOCK_REALTIME, CLOCK_MONOTONIC);
    probe_sleep_s(1.0); /* 23:59:59.5 */
    state = kernel_state(&tx);
    probe_check(state == TIME_INS, "leap insert: TIME_INS before midnight (state %d)", state);
    probe_sleep_s(1.0); /* 23:59:59.5 again */
    state = kernel_state(&tx);
    struct clock_pair after = read_pair(CLOCK_REALTIME, CLOCK_MONOTONIC);
    double moved_s = (double)(after.a_minus_b_ns - before.a_minus_b_ns) * 1e-9;
    probe_check(state == TIME_OOP && fabs(moved_s + 1.0) < 0.001,
                "leap insert: 23:59:60 inserted, realtime - monotonic moved %+.6f s, TIME_OOP "
                "(state %d)",
                moved_s, state);
    probe_sleep_s(1.0); /* 00:00:00.5 */
    state = kernel_state(&tx);
    probe_check(state == TIME_WAIT, "leap insert: TIME_WAIT after the leap second (state %d)",
                state);
    set_status(clk, false, CLK_LEAP_NONE, 0.01, 0.001);
    probe_sleep_s(KERNEL_SECOND_S);
    state = kernel_state(&tx);
    probe_check(state == TIME_OK && !(tx.status & (STA_INS | STA_DEL)),
                "leap cleared: TIME_OK (state %d, status 0x%x)", state, (unsigned)tx.status);
}

static int run_driver_tests(void)
{
    if (!probe_in_test_guest()) {
        fprintf(stderr, "clockprobe: refusing to change the clock outside the vmrun test guest\n");
        return 2;
    }
    char err[256];
    struct clk_options opt = {.kind = CLK_SYSTEM, .max_freq_ppm = 2000};
    struct clk *clk = clk_open(&opt, err, sizeof err);
    if (clk == NULL) {
        fprintf(stderr, "clockprobe: clk_open: %s\n", err);
        return 2;
    }
    test_start(clk);
    test_step(clk, 1.5);
    test_step(clk, -2.0);
    test_status(clk);
    check_call(clk, clk_set_freq(clk, 0), "clk_set_freq");
    double base_rate_ppm = measure_rate_ppm(RATE_WINDOW_S);
    printf("#    rate with no correction: %+.3f ppm against CLOCK_MONOTONIC_RAW\n", base_rate_ppm);
    test_slew(clk);
    test_frequency(clk, 100.0, 0, 100.0, base_rate_ppm);
    /* beyond 500 ppm: whole ticks (100 ppm each at USER_HZ 100) plus the rest in freq */
    test_frequency(clk, -1234.5, -12, -34.5, base_rate_ppm);
    check_call(clk, clk_set_freq(clk, 0), "clk_set_freq");
    test_leap_insert(clk);
    clk_close(clk);
    return probe_summary("clockprobe driver");
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "state") == 0)
        return print_state();
    if (argc == 2 && strcmp(argv[1], "driver") == 0)
        return run_driver_tests();
    fprintf(stderr, "usage: clockprobe state | driver\n");
    return 2;
}
