// SPDX-License-Identifier: ISC
/*
 * Rate limits of log lines (prefix loglim_): one token bucket per origin (the process's own
 * lines, each child's lines the parent writes for it) and class (enum log_class), so that no
 * input, however hostile, makes the daemon write more than LOGLIM_BURST lines at once and
 * LOGLIM_RATE_PER_S lines per second per bucket. A line over the limit is counted; the count
 * is reported ("N log lines ... suppressed") as soon as the bucket has room again, and that
 * report costs a token like any line, so the bound holds for the reports too.
 *
 * Bound: with B buckets in use, at most B * (LOGLIM_BURST + LOGLIM_RATE_PER_S * t) lines in
 * t seconds, each at most LOG_LINE_MAX octets (a child's at most MSG_LOG_TEXT_LEN). The daemon
 * has 20 buckets (4 origins: itself, the network child, the resolver, the server workers; x 5
 * classes): 2000 lines at once, then 5 lines/s, 432 000 a day at most.
 *
 * Pure logic: times are seconds on a monotonic scale, passed in.
 */
#ifndef TSYNC_DAEMON_LOG_LIMIT_H
#define TSYNC_DAEMON_LOG_LIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define LOGLIM_BURST      100  /* lines a bucket holds: a start-up with =allall fits */
#define LOGLIM_RATE_PER_S 0.25 /* lines per second a bucket regains: one every 4 s */

struct loglim_bucket {
    bool used;           /* false: full at its first use */
    double tokens;       /* lines that may be written now, 0 .. LOGLIM_BURST */
    double last_s;       /* time of the last refill */
    uint64_t suppressed; /* lines dropped since the last report */
};

/*
 * A line at now_s: true when it may be written. *report is set to the number of lines
 * suppressed before it that must be reported first (0: none); the report took a token. A
 * line that may not be written is counted for a later report.
 */
bool loglim_admit(struct loglim_bucket *b, double now_s, uint64_t *report);

/* Periodic: the number of suppressed lines to report now (a token taken), or 0 when there are
 * none or the bucket is still empty. */
uint64_t loglim_flush(struct loglim_bucket *b, double now_s);

#endif
