// SPDX-License-Identifier: ISC
/*
 * Clock drivers behind one interface (prefix clk_).
 *
 * Drivers:
 *   system   clock_adjtime(CLOCK_REALTIME): the real kernel clock (needs CAP_SYS_TIME).
 *   none     reads CLOCK_REALTIME; every adjustment is accepted, recorded for display and does
 *            nothing (containers without CAP_SYS_TIME, `-x`-like operation).
 *   virtual  a software clock derived from the host CLOCK_REALTIME with its own offset and
 *            frequency (tests, demo); nothing touches the host clock.
 *
 * Conventions: frequencies in ppm, +x makes the clock run faster by x ppm; offsets and errors in
 * seconds (double); absolute times as struct timespec. Functions returning int return 0 on
 * success and -1 on failure; the reason is then in clk_error(). Not thread-safe.
 *
 * The daemon steers by frequency (as chrony does): clk_start() resets the kernel PLL, after
 * which only clk_set_freq(), clk_step() and clk_set_status() are used while running;
 * clk_slew_once() exists for `-q` (set the clock once and exit) with small offsets.
 */
#ifndef TSYNC_DISCIPLINE_CLOCK_H
#define TSYNC_DISCIPLINE_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct timex;

enum clk_kind {
    CLK_SYSTEM,
    CLK_NONE,
    CLK_VIRTUAL,
};

/* Leap-second warning written into the kernel status (STA_INS / STA_DEL). */
enum clk_leap {
    CLK_LEAP_NONE,
    CLK_LEAP_INSERT, /* 23:59:60 at the end of the current UTC day */
    CLK_LEAP_DELETE, /* 23:59:59 skipped at the end of the current UTC day */
};

/* Default and hard limits of |frequency| (ppm). Within +-500 ppm the system driver uses
 * ADJ_FREQUENCY alone; beyond, whole ticks (ADJ_TICK) plus a remainder, up to 10 % of a tick. */
#define CLK_FREQ_KERNEL_MAX_PPM 500.0
#define CLK_FREQ_HARD_MAX_PPM   100000.0

/* Kernel maxerror ceiling (NTP_PHASE_LIMIT): at or beyond it the clock counts as unsynchronised. */
#define CLK_MAXERROR_LIMIT_S 16.0
/* Growth of maxerror per second without an update (kernel: MAXFREQ, 500 us/s). */
#define CLK_MAXERROR_GROWTH_S_PER_S 500e-6
/* Rate of a one-shot slew (kernel ADJ_OFFSET_SINGLESHOT: 500 us per second = 500 ppm). */
#define CLK_SLEW_RATE_PPM 500.0
/* Bounds of a valid map: virtual frequency error (<= 100000 ppm) + correction (<= 100000 ppm) +
 * slew (500 ppm) fit in the rate bound; offsets beyond ~30 years are nonsense. */
#define CLK_MAP_RATE_MAX_PPM 250000.0
#define CLK_MAP_OFFSET_MAX_S 1e9
/* Largest one-shot slew accepted (|s|; adjtime()'s limit). Larger offsets must be stepped. */
#define CLK_SLEW_MAX_S 2145.0

/*
 * The map from host CLOCK_REALTIME to the driver's clock:
 *   clock(h) = h + offset_ref + (h - host_ref) * rate_ppm * 1e-6
 * Identity (all zero) for the system and none drivers. The parent sends it to the network child
 * (CLOCK_MAP message) after every change so the child converts kernel packet timestamps (host
 * time) and reads the time exactly as the parent does. Fixed size, no pointers.
 */
struct clk_map {
    struct timespec host_ref; /* host time at which offset_ref holds */
    double offset_ref;        /* clock - host at host_ref, s */
    double rate_ppm;          /* d(clock - host)/dt: frequency error + correction (+ slew), ppm */
};

/* Status written to the kernel (or emulated). Note: while STA_UNSYNC is clear the kernel copies
 * the system time to the RTC about every 11 minutes (chrony clears it only with `rtcsync`); and
 * systemd's NTPSynchronized follows maxerror < 16 s, not STA_UNSYNC: keep maxerror fresh. The
 * virtual driver records the leap bits (status, TIME_INS/TIME_DEL) but does not insert or
 * delete the second itself. */
struct clk_status {
    bool unsync;        /* STA_UNSYNC: the clock is not synchronised */
    enum clk_leap leap; /* leap warning for the end of the current UTC day */
    double maxerror_s;  /* maximum error, s (to the kernel in us, clamped to [0, 16 s]) */
    double esterror_s;  /* estimated error, s (to the kernel in us, clamped to [0, 16 s]) */
};

/* What the clock reports, for display (tsyncctl tracking, logs). */
struct clk_info {
    const char *driver;      /* "system", "none" or "virtual" */
    double freq_ppm;         /* frequency correction in effect (tick + freq), ppm */
    int status;              /* STA_* bits: the kernel's, or the emulated ones */
    int state;               /* TIME_OK .. TIME_ERROR as adjtimex returns (emulated for others) */
    double maxerror_s;       /* current maximum error (grows 500 us/s between updates), s */
    double esterror_s;       /* estimated error, s */
    double slew_remaining_s; /* one-shot slew still to be applied, s (signed) */
};

/*
 * Kernel calls of the system driver (and the time reads of the none driver). NULL in
 * clk_options means the real ones; unit tests pass a fake kernel. user_hz: USER_HZ ticks per
 * second for ADJ_TICK (0: sysconf(_SC_CLK_TCK)).
 */
struct clk_syscalls {
    int (*clock_adjtime)(clockid_t id, struct timex *tx);
    int (*clock_gettime)(clockid_t id, struct timespec *ts);
    long user_hz;
};

/* A host CLOCK_REALTIME source for the virtual driver (tests pass a fake host clock). */
typedef int (*clk_host_gettime_fn)(void *ctx, struct timespec *ts);

struct clk_options {
    enum clk_kind kind;
    double max_freq_ppm; /* |frequency| limit incl. slews (maxslew); 0: 500; capped at 100000 */
    /* virtual driver */
    double virt_initial_offset_s;   /* initial clock - host, s */
    double virt_freq_error_ppm;     /* the simulated oscillator's own error, |.| <= 100000 ppm */
    clk_host_gettime_fn host_clock; /* NULL: host CLOCK_REALTIME */
    void *host_clock_ctx;
    /* system and none drivers */
    const struct clk_syscalls *sys; /* NULL: the real kernel */
};

struct clk;

/* Driver name <-> kind ("system", "none", "virtual"). clk_kind_from_name returns -1 if unknown. */
const char *clk_kind_name(enum clk_kind kind);
int clk_kind_from_name(const char *name, enum clk_kind *kind);

/* Create a clock. Touches nothing (the system driver only reads). NULL on error, with the reason
 * in err (always NUL-terminated when errlen > 0). */
struct clk *clk_open(const struct clk_options *opt, char *err, size_t errlen);
void clk_close(struct clk *clk);

/* Reason of the last failure of a clk_* call on this clock ("" if none). */
const char *clk_error(const struct clk *clk);

/* Reset the kernel PLL (chrony-style, since tsyncd steers by frequency): cancel a pending
 * one-shot slew, zero the PLL offset, clear STA_PLL (the kernel then sets STA_UNSYNC) and select
 * nanosecond units (STA_NANO). Keeps the frequency. Call once at start. */
int clk_start(struct clk *clk);

/* Current time of the clock. */
int clk_now(struct clk *clk, struct timespec *ts);

/* Set the frequency correction (absolute, ppm; +x = faster). Clamped to +-max_freq_ppm; the
 * applied value is what clk_get_freq() returns afterwards. NaN/inf rejected. */
int clk_set_freq(struct clk *clk, double ppm);
int clk_get_freq(struct clk *clk, double *ppm);
/* The frequency (ppm) clk_set_freq() would apply for ppm: ppm within +-max_freq_ppm. */
double clk_limit_freq(const struct clk *clk, double ppm);

/* Step the clock by offset_s (rounded to the nanosecond; positive = forward). Keeps the
 * frequency. */
int clk_step(struct clk *clk, double offset_s);

/* Slew offset_s once at 500 ppm (ADJ_OFFSET_SINGLESHOT semantics: replaces a pending slew;
 * 0 cancels it). |offset_s| <= CLK_SLEW_MAX_S. *duration_s (may be NULL) receives the time the
 * slew takes. For the virtual driver the map changes when the slew ends: the parent must push
 * clk_get_map() again after duration_s. */
int clk_slew_once(struct clk *clk, double offset_s, double *duration_s);

/* Write status bits, leap warning and error estimates (see struct clk_status). */
int clk_set_status(struct clk *clk, const struct clk_status *st);

/* Frequency, status, errors for display. */
int clk_get_info(struct clk *clk, struct clk_info *info);

/* The current host -> clock map (identity for system/none). */
void clk_get_map(struct clk *clk, struct clk_map *map);

/* Map helpers, usable without a clock object (network child). */
void clk_map_identity(struct clk_map *map);
/* true if the map is usable: tv_sec >= 0, tv_nsec in [0, 1e9), finite |offset_ref| <=
 * CLK_MAP_OFFSET_MAX_S and |rate_ppm| <= CLK_MAP_RATE_MAX_PPM (for maps received from another
 * process). */
bool clk_map_valid(const struct clk_map *map);
/* Convert a host CLOCK_REALTIME time (e.g. a kernel packet timestamp) to the clock's time. The
 * host interval is taken in integer ns, scaled in double, rounded to the ns. */
struct timespec clk_map_apply(const struct clk_map *map, struct timespec host);
/* The clock's current time: clk_map_apply() of the host CLOCK_REALTIME (read, never set). */
struct timespec clk_map_now(const struct clk_map *map);

#endif
