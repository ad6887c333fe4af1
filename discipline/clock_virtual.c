// SPDX-License-Identifier: ISC
/*
 * The virtual clock driver: a software clock derived from the host CLOCK_REALTIME through a
 * linear map (struct clk_map). rate = oscillator frequency error + frequency correction
 * (+ +-500 ppm while a one-shot slew runs). Every rate change re-bases the map at that instant
 * (host_ref := now, offset_ref := clock - host at now) so the clock is continuous. A one-shot
 * slew ends at a known host time; the map is re-based there lazily, on the next access.
 * Status is emulated (maxerror ageing on the host clock); leap bits are recorded and reported,
 * the virtual clock does not insert or delete the second itself.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "discipline/clock_int.h"

static int real_host_clock(void *ctx, struct timespec *ts)
{
    return clock_gettime(CLOCK_REALTIME, ts);
}

static int host_now(struct clk *clk, struct timespec *h)
{
    if (clk->virt.host_clock(clk->virt.host_ctx, h) == 0)
        return 0;
    return clk_fail(clk, "reading the host clock: %s", strerror(errno));
}

/* Move the map's reference point to host time at (continuity: same clock value there). */
static void rebase(struct clk_virtual *v, struct timespec at)
{
    int64_t since_ref_ns = clk_ts_diff_ns(at, v->map.host_ref);
    v->map.offset_ref += (double)since_ref_ns * 1e-9 * v->map.rate_ppm * 1e-6;
    v->map.host_ref = at;
}

static void update_rate(struct clk_virtual *v)
{
    v->map.rate_ppm = v->freq_error_ppm + v->freq_corr_ppm + v->slew_ppm;
}

/* End a one-shot slew whose end lies before host time h. */
static void settle(struct clk_virtual *v, struct timespec h)
{
    if (v->slew_ppm == 0.0 || clk_ts_diff_ns(h, v->slew_end_host) < 0)
        return;
    rebase(v, v->slew_end_host);
    v->slew_ppm = 0.0;
    update_rate(v);
}

/* Read the host clock and bring the state up to date; rebase at now if asked. */
static int advance(struct clk *clk, struct timespec *h, bool rebase_now)
{
    if (host_now(clk, h) < 0)
        return -1;
    settle(&clk->virt, *h);
    if (rebase_now)
        rebase(&clk->virt, *h);
    return 0;
}

static int virt_open(struct clk *clk)
{
    struct clk_virtual *v = &clk->virt;
    if (!v->host_clock)
        v->host_clock = real_host_clock;
    struct timespec h;
    if (host_now(clk, &h) < 0)
        return -1;
    v->map.host_ref = h; /* offset_ref holds the initial offset (clk_open) */
    update_rate(v);
    clk_soft_reset(&clk->soft, h);
    return 0;
}

static int virt_start(struct clk *clk)
{
    struct timespec h;
    if (advance(clk, &h, true) < 0)
        return -1;
    clk->virt.slew_ppm = 0.0; /* as the kernel's cancelled adjtime() */
    update_rate(&clk->virt);
    clk_soft_reset(&clk->soft, h);
    return 0;
}

static int virt_now(struct clk *clk, struct timespec *ts)
{
    struct timespec h;
    if (advance(clk, &h, false) < 0)
        return -1;
    *ts = clk_map_apply(&clk->virt.map, h);
    return 0;
}

static int virt_set_freq(struct clk *clk, double ppm)
{
    struct timespec h;
    if (advance(clk, &h, true) < 0)
        return -1;
    clk->virt.freq_corr_ppm = ppm;
    update_rate(&clk->virt);
    return 0;
}

static int virt_get_freq(struct clk *clk, double *ppm)
{
    *ppm = clk->virt.freq_corr_ppm;
    return 0;
}

static int virt_step(struct clk *clk, int64_t step_ns)
{
    struct timespec h;
    if (advance(clk, &h, false) < 0)
        return -1;
    clk->virt.map.offset_ref += (double)step_ns * 1e-9;
    return 0;
}

static int virt_slew_once(struct clk *clk, double offset_s)
{
    struct clk_virtual *v = &clk->virt;
    struct timespec h;
    if (advance(clk, &h, true) < 0)
        return -1;
    v->slew_ppm = 0.0;
    if (offset_s != 0.0) {
        double duration_s = fabs(offset_s) / (CLK_SLEW_RATE_PPM * 1e-6);
        v->slew_ppm = copysign(CLK_SLEW_RATE_PPM, offset_s);
        v->slew_end_host = clk_ts_add_ns(h, (int64_t)llround(duration_s * 1e9));
    }
    update_rate(v);
    return 0;
}

static int virt_set_status(struct clk *clk, const struct clk_status *st)
{
    struct timespec h;
    if (advance(clk, &h, false) < 0)
        return -1;
    clk_soft_set(&clk->soft, st, h);
    return 0;
}

static int virt_get_info(struct clk *clk, struct clk_info *info)
{
    struct timespec h;
    if (advance(clk, &h, false) < 0)
        return -1;
    const struct clk_virtual *v = &clk->virt;
    clk_soft_info(&clk->soft, h, info);
    info->freq_ppm = v->freq_corr_ppm;
    info->slew_remaining_s = 0.0;
    if (v->slew_ppm != 0.0)
        info->slew_remaining_s =
            (double)clk_ts_diff_ns(v->slew_end_host, h) * 1e-9 * v->slew_ppm * 1e-6;
    return 0;
}

static void virt_get_map(struct clk *clk, struct clk_map *map)
{
    struct timespec h;
    if (host_now(clk, &h) == 0)
        settle(&clk->virt, h);
    *map = clk->virt.map;
}

const struct clk_ops clk_virtual_ops = {
    .name = "virtual",
    .open = virt_open,
    .start = virt_start,
    .now = virt_now,
    .set_freq = virt_set_freq,
    .get_freq = virt_get_freq,
    .step = virt_step,
    .slew_once = virt_slew_once,
    .set_status = virt_set_status,
    .get_info = virt_get_info,
    .get_map = virt_get_map,
};
