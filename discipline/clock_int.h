// SPDX-License-Identifier: ISC
/* Internals shared by the clock drivers (not for use outside discipline/clock*.c). */
#ifndef TSYNC_DISCIPLINE_CLOCK_INT_H
#define TSYNC_DISCIPLINE_CLOCK_INT_H

#include <stdint.h>

#include "discipline/clock.h"

#define CLK_NS_PER_S 1000000000LL

/* Driver operations. The generic layer (clock.c) has already validated and clamped arguments:
 * ppm is finite and within +-max_freq_ppm, step_ns is the rounded offset, slews are within
 * CLK_SLEW_MAX_S, status errors are finite and clamped to [0, CLK_MAXERROR_LIMIT_S]. */
struct clk_ops {
    const char *name;
    int (*open)(struct clk *clk); /* initial state; reads only */
    int (*start)(struct clk *clk);
    int (*now)(struct clk *clk, struct timespec *ts);
    int (*set_freq)(struct clk *clk, double ppm);
    int (*get_freq)(struct clk *clk, double *ppm);
    int (*step)(struct clk *clk, int64_t step_ns);
    int (*slew_once)(struct clk *clk, double offset_s); /* 0 cancels a running slew */
    int (*set_status)(struct clk *clk, const struct clk_status *st);
    int (*get_info)(struct clk *clk, struct clk_info *info);
    void (*get_map)(struct clk *clk, struct clk_map *map);
};

/* Emulated kernel status (none and virtual drivers): maxerror ages from the time it was set. */
struct clk_soft_status {
    struct clk_status st;
    struct timespec set_at; /* time base of the driver (host realtime or monotonic) */
};

/* Virtual clock state: map (see struct clk_map) plus its ingredients. */
struct clk_virtual {
    struct clk_map map;
    double freq_error_ppm; /* simulated oscillator error */
    double freq_corr_ppm;  /* correction set by clk_set_freq */
    double slew_ppm;       /* 0 or +-CLK_SLEW_RATE_PPM while a one-shot slew runs */
    struct timespec slew_end_host;
    clk_host_gettime_fn host_clock;
    void *host_ctx;
};

struct clk {
    const struct clk_ops *ops;
    double max_freq_ppm;
    struct clk_syscalls sys;
    struct clk_soft_status soft; /* none, virtual */
    double none_freq_ppm;        /* none: the would-be frequency */
    struct clk_virtual virt;
    char err[256];
};

extern const struct clk_ops clk_system_ops;
extern const struct clk_ops clk_none_ops;
extern const struct clk_ops clk_virtual_ops;

/* Record a failure message (printf-style) in clk->err; returns -1. */
int clk_fail(struct clk *clk, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* timespec arithmetic in integer nanoseconds */
int64_t clk_ts_diff_ns(struct timespec a, struct timespec b); /* a - b */
struct timespec clk_ts_add_ns(struct timespec ts, int64_t ns);

/* Status emulation shared by the none and virtual drivers. */
void clk_soft_reset(struct clk_soft_status *s, struct timespec now);
void clk_soft_set(struct clk_soft_status *s, const struct clk_status *st, struct timespec now);
void clk_soft_info(const struct clk_soft_status *s, struct timespec now, struct clk_info *info);

#endif
