// SPDX-License-Identifier: ISC
/*
 * tsyncctl's output (prefix ctlfmt_): pure functions from a state snapshot (daemon/common/msg.h) to
 * text, so that the layouts are unit-tested without a daemon.
 *
 * numeric: show addresses instead of configured names (tsyncctl -n, like ntpq -n).
 */
#ifndef TSYNC_DAEMON_TSYNCCTL_FORMAT_H
#define TSYNC_DAEMON_TSYNCCTL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "daemon/common/msg.h"

/* Width of an ntpq -p line and of its "=====" rule. */
#define CTLFMT_LINE_WIDTH 78

/*
 * `tsyncctl sources`: the ntpq -p table (same columns and widths as ntpq's peers listing: tally
 * code, remote and refid truncated to 15 characters, st, t, when, poll, reach in octal, delay,
 * offset and jitter in ms), then one line per source with its timestamp source and why it is
 * or is not selectable.
 */
void ctlfmt_sources(FILE *out, const struct msg_snapshot *snap, bool numeric);

/* `tsyncctl tracking`: system variables, one "Name            : value" line each (chronyc
 * tracking-like). */
void ctlfmt_tracking(FILE *out, const struct msg_snapshot *snap, bool numeric);

/*
 * `tsyncctl status`: one line; returns the exit status: 0 when synchronised (to a source, or
 * serving the local clock at `local stratum N`), 1 when not, with the reason on the line.
 */
int ctlfmt_status(FILE *out, const struct msg_snapshot *snap, bool numeric);

/* The NTP server's counters (chronyc serverstats-like). */
void ctlfmt_serverstats(FILE *out, const struct msg_snapshot *snap);

/* An interval in seconds as ntpq prints `when` and `poll`: "-" when negative (never), whole
 * seconds up to 2048, then minutes "35m" up to 300, hours "12h" up to 96, days "5d" up to 999,
 * then years "3y". */
void ctlfmt_interval(double seconds, char *buf, size_t len);

/* A duration in seconds as milliseconds with 3 decimals, fewer decimals (then an exponent) when
 * that does not fit in width characters. */
void ctlfmt_ms(double seconds, int width, char *buf, size_t len);

/* The refid column of a source: dotted quad, ".XXXX." for stratum 0/1/16 ASCII ids, ".INIT."
 * before the first reply. */
void ctlfmt_refid(const struct msg_source_state *src, char *buf, size_t len);

/* The remote column (not truncated): the configured name, or the address for pool members, for
 * refclocks without an address and with numeric; the address is shown without brackets and
 * port. */
void ctlfmt_remote(const struct msg_source_state *src, bool numeric, char *buf, size_t len);

/* English text of enum disc_sync_reason and enum disc_reason values (never NULL). */
const char *ctlfmt_sync_reason(unsigned reason);
const char *ctlfmt_source_reason(unsigned reason);

#endif
