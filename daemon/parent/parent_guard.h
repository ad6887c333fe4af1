// SPDX-License-Identifier: ISC
/*
 * The clock guard in the parent (prefix parent_guard_): every step and frequency the discipline
 * asks for passes discipline/guard.h's bound before it reaches the clock driver, and only
 * evidence the parent gathers itself lifts that bound:
 *   - the clock was set by someone else (`date -s`, another daemon): CLOCK_REALTIME moved
 *     against CLOCK_MONOTONIC by more than PARENT_GUARD_JUMP_S beyond the parent's own steps
 *     and an armed leap second;
 *   - the host was suspended: CLOCK_BOOTTIME moved against CLOCK_MONOTONIC by more than
 *     PARENT_GUARD_SUSPEND_S (skipped where CLOCK_BOOTTIME is unavailable);
 *   - a VMClock disruption (parent_clock_disrupted());
 *   - a PHC reference clock the parent reads itself is the system peer (the guard follows it).
 * Each lifts the bound and makes the sources be measured again (parent_disrupt.c).
 * Before the first synchronisation (and after such evidence) there is no bound; the step policy
 * and the panic threshold apply, and a step larger than the panic threshold (what -g allows
 * once) never sets the clock before the floor (the build time, the drift file's last write)
 * nor more than PARENT_GUARD_FORWARD_MAX_S beyond max(clock, floor): the one unbounded -g
 * correction cannot throw the clock decades ahead or back before the software existed.
 * Samples that put the clock beyond the bound are an error, logged (rate-limited) while it
 * lasts: they disagree with what the clock can physically have done.
 */
#ifndef TSYNC_DAEMON_PARENT_GUARD_H
#define TSYNC_DAEMON_PARENT_GUARD_H

#include <stdbool.h>
#include <time.h>

#include "discipline/guard.h"

#define PARENT_GUARD_JUMP_S         0.010 /* an unexplained REALTIME jump beyond this: set, s */
#define PARENT_GUARD_SUSPEND_S      1.0   /* BOOTTIME gained this on MONOTONIC: suspended, s */
#define PARENT_GUARD_FORWARD_MAX_S  (5 * 365.25 * 86400) /* a step's reach beyond the floor, s */
#define PARENT_GUARD_LOG_INTERVAL_S 600.0 /* cut corrections are reported this often, s */
#define PARENT_GUARD_REPORT_S       1e-3  /* samples beyond the bound by more: an alarm, s */

/* Reads a clock (tests replace clock_gettime); returns 0 or -1. */
typedef int (*parent_gettime_fn)(clockid_t id, struct timespec *ts);

struct parent_guard {
    struct guard g;
    parent_gettime_fn gettime;
    bool own_steps_move_realtime;   /* the `system` driver: its steps move CLOCK_REALTIME */
    bool have_real;                 /* real_minus_mono_s is set */
    bool have_boot;                 /* CLOCK_BOOTTIME is readable */
    double real_minus_mono_s;       /* CLOCK_REALTIME - CLOCK_MONOTONIC at the last check, s */
    double boot_minus_mono_s;       /* CLOCK_BOOTTIME - CLOCK_MONOTONIC at the last check, s */
    double own_steps_s;             /* the parent's steps of CLOCK_REALTIME since then, s */
    int leap_armed;                 /* +1 insert, -1 delete: the kernel may apply it */
    double floor_s;                 /* UNIX time no step may set the clock before, s */
    double last_cut_log;            /* `now` of the last disagreement report */
    double last_window_log;         /* `now` of the last report of a step cut to the window */
    unsigned long alarms;           /* updates whose samples disagreed with the bound */
    unsigned long alarms_since_log; /* ... since the last report */
};

#endif
