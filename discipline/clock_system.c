// SPDX-License-Identifier: ISC
/*
 * The system clock driver: clock_adjtime(CLOCK_REALTIME) through the syscall table.
 *
 * Frequency: ADJ_FREQUENCY in ppm * 65536 within +-500 ppm (the kernel's MAXFREQ); beyond, as
 * chrony does, whole USER_HZ ticks (ADJ_TICK, 1 tick unit = USER_HZ ppm, +-10 % of a tick) plus
 * the remainder in ADJ_FREQUENCY. Both are always written so a previous tick change is undone.
 * Steps: ADJ_SETOFFSET | ADJ_NANO. Every call carries ADJ_NANO so the kernel keeps STA_NANO.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/timex.h>

#include "discipline/clock_int.h"

#define FREQ_SCALE 65536.0 /* struct timex freq units per ppm */

static long nominal_tick_us(const struct clk *clk)
{
    return (1000000L + clk->sys.user_hz / 2) / clk->sys.user_hz;
}

static int adjtime_call(struct clk *clk, struct timex *tx, const char *what)
{
    int state = clk->sys.clock_adjtime(CLOCK_REALTIME, tx);
    if (state >= 0)
        return state;
    int e = errno;
    if (e == EPERM)
        return clk_fail(clk,
                        "cannot %s the system clock: clock_adjtime: operation not permitted "
                        "(tsyncd lacks CAP_SYS_TIME: run it as root or keep cap_sys_time, or "
                        "use the `none` clock driver)",
                        what);
    return clk_fail(clk, "cannot %s the system clock: clock_adjtime: %s", what, strerror(e));
}

static int read_timex(struct clk *clk, struct timex *tx)
{
    memset(tx, 0, sizeof *tx);
    return adjtime_call(clk, tx, "read");
}

static int sys_open(struct clk *clk)
{
    struct timex tx;
    return read_timex(clk, &tx) < 0 ? -1 : 0;
}

static int sys_start(struct clk *clk)
{
    struct timex tx = {.modes = ADJ_OFFSET_SINGLESHOT, .offset = 0}; /* cancel adjtime() */
    if (adjtime_call(clk, &tx, "reset the one-shot slew of") < 0)
        return -1;
    /* The PLL offset is only written while STA_PLL is set: set it with offset 0, then clear it
     * (the kernel then resets its state to STA_UNSYNC, TIME_OK). */
    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_STATUS | ADJ_OFFSET | ADJ_NANO;
    tx.status = STA_PLL | STA_UNSYNC;
    if (adjtime_call(clk, &tx, "reset the PLL of") < 0)
        return -1;
    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_STATUS | ADJ_NANO;
    tx.status = STA_UNSYNC;
    return adjtime_call(clk, &tx, "reset the status of") < 0 ? -1 : 0;
}

static int sys_now(struct clk *clk, struct timespec *ts)
{
    if (clk->sys.clock_gettime(CLOCK_REALTIME, ts) == 0)
        return 0;
    return clk_fail(clk, "clock_gettime(CLOCK_REALTIME): %s", strerror(errno));
}

static int sys_set_freq(struct clk *clk, double ppm)
{
    long hz = clk->sys.user_hz;
    long ticks = 0;
    if (fabs(ppm) > CLK_FREQ_KERNEL_MAX_PPM)
        ticks = lround(ppm / (double)hz);
    long max_ticks = nominal_tick_us(clk) / 10;
    if (ticks > max_ticks)
        ticks = max_ticks;
    else if (ticks < -max_ticks)
        ticks = -max_ticks;
    double rest_ppm = ppm - (double)ticks * (double)hz;
    if (rest_ppm > CLK_FREQ_KERNEL_MAX_PPM)
        rest_ppm = CLK_FREQ_KERNEL_MAX_PPM;
    else if (rest_ppm < -CLK_FREQ_KERNEL_MAX_PPM)
        rest_ppm = -CLK_FREQ_KERNEL_MAX_PPM;
    struct timex tx = {
        .modes = ADJ_FREQUENCY | ADJ_TICK | ADJ_NANO,
        .freq = lround(rest_ppm * FREQ_SCALE),
        .tick = nominal_tick_us(clk) + ticks,
    };
    return adjtime_call(clk, &tx, "set the frequency of") < 0 ? -1 : 0;
}

static double timex_freq_ppm(const struct clk *clk, const struct timex *tx)
{
    return (double)(tx->tick - nominal_tick_us(clk)) * (double)clk->sys.user_hz +
           (double)tx->freq / FREQ_SCALE;
}

static int sys_get_freq(struct clk *clk, double *ppm)
{
    struct timex tx;
    if (read_timex(clk, &tx) < 0)
        return -1;
    *ppm = timex_freq_ppm(clk, &tx);
    return 0;
}

static int sys_step(struct clk *clk, int64_t step_ns)
{
    /* The kernel wants a normalised timespec: tv_nsec in [0, 1e9) also for negative steps. */
    struct timespec d = clk_ts_add_ns((struct timespec){0, 0}, step_ns);
    struct timex tx = {.modes = ADJ_SETOFFSET | ADJ_NANO};
    tx.time.tv_sec = d.tv_sec;
    tx.time.tv_usec = d.tv_nsec; /* ns with ADJ_NANO */
    return adjtime_call(clk, &tx, "step") < 0 ? -1 : 0;
}

static int sys_slew_once(struct clk *clk, double offset_s)
{
    /* adjtime() semantics: always microseconds, replaces any pending one-shot slew. */
    struct timex tx = {.modes = ADJ_OFFSET_SINGLESHOT, .offset = lround(offset_s * 1e6)};
    return adjtime_call(clk, &tx, "slew") < 0 ? -1 : 0;
}

static long error_us(double s, bool round_up)
{
    double us = s * 1e6;
    return (long)(round_up ? ceil(us) : round(us));
}

static int sys_set_status(struct clk *clk, const struct clk_status *st)
{
    struct timex tx = {.modes = ADJ_STATUS | ADJ_MAXERROR | ADJ_ESTERROR | ADJ_NANO};
    tx.status = st->unsync ? STA_UNSYNC : 0;
    if (st->leap == CLK_LEAP_INSERT)
        tx.status |= STA_INS;
    else if (st->leap == CLK_LEAP_DELETE)
        tx.status |= STA_DEL;
    tx.maxerror = error_us(st->maxerror_s, true); /* a bound: never round it down */
    tx.esterror = error_us(st->esterror_s, false);
    return adjtime_call(clk, &tx, "set the status of") < 0 ? -1 : 0;
}

static int sys_get_info(struct clk *clk, struct clk_info *info)
{
    struct timex tx;
    int state = read_timex(clk, &tx);
    if (state < 0)
        return -1;
    info->freq_ppm = timex_freq_ppm(clk, &tx);
    info->status = tx.status;
    info->state = state;
    info->maxerror_s = (double)tx.maxerror * 1e-6;
    info->esterror_s = (double)tx.esterror * 1e-6;
    memset(&tx, 0, sizeof tx);
    tx.modes = ADJ_OFFSET_SS_READ; /* pending adjtime() slew, us; needs no privilege */
    if (adjtime_call(clk, &tx, "read the slew of") < 0)
        return -1;
    info->slew_remaining_s = (double)tx.offset * 1e-6;
    return 0;
}

static void sys_get_map(struct clk *clk, struct clk_map *map)
{
    clk_map_identity(map);
}

const struct clk_ops clk_system_ops = {
    .name = "system",
    .open = sys_open,
    .start = sys_start,
    .now = sys_now,
    .set_freq = sys_set_freq,
    .get_freq = sys_get_freq,
    .step = sys_step,
    .slew_once = sys_slew_once,
    .set_status = sys_set_status,
    .get_info = sys_get_info,
    .get_map = sys_get_map,
};
