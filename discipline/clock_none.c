// SPDX-License-Identifier: ISC
/*
 * The none clock driver: reads CLOCK_REALTIME, accepts every adjustment and applies none of
 * them. The would-be frequency and status are recorded (status emulated, maxerror ageing on
 * CLOCK_MONOTONIC) so the daemon still reports what it would do. For containers without
 * CAP_SYS_TIME.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "discipline/clock_int.h"

static struct timespec monotonic_now(struct clk *clk)
{
    struct timespec ts = {0, 0};
    clk->sys.clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts;
}

static int none_start(struct clk *clk)
{
    clk_soft_reset(&clk->soft, monotonic_now(clk));
    return 0;
}

static int none_now(struct clk *clk, struct timespec *ts)
{
    if (clk->sys.clock_gettime(CLOCK_REALTIME, ts) == 0)
        return 0;
    return clk_fail(clk, "clock_gettime(CLOCK_REALTIME): %s", strerror(errno));
}

static int none_set_freq(struct clk *clk, double ppm)
{
    clk->none_freq_ppm = ppm;
    return 0;
}

static int none_get_freq(struct clk *clk, double *ppm)
{
    *ppm = clk->none_freq_ppm;
    return 0;
}

static int none_step(struct clk *clk, int64_t step_ns)
{
    return 0;
}

static int none_slew_once(struct clk *clk, double offset_s)
{
    return 0;
}

static int none_set_status(struct clk *clk, const struct clk_status *st)
{
    clk_soft_set(&clk->soft, st, monotonic_now(clk));
    return 0;
}

static int none_get_info(struct clk *clk, struct clk_info *info)
{
    clk_soft_info(&clk->soft, monotonic_now(clk), info);
    info->freq_ppm = clk->none_freq_ppm;
    info->slew_remaining_s = 0.0;
    return 0;
}

static void none_get_map(struct clk *clk, struct clk_map *map)
{
    clk_map_identity(map);
}

const struct clk_ops clk_none_ops = {
    .name = "none",
    .open = none_start,
    .start = none_start,
    .now = none_now,
    .set_freq = none_set_freq,
    .get_freq = none_get_freq,
    .step = none_step,
    .slew_once = none_slew_once,
    .set_status = none_set_status,
    .get_info = none_get_info,
    .get_map = none_get_map,
};
