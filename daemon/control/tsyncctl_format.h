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
void ctlfmt_sources(FILE *out, const struct msg_snapshot *snap, bool numeric, bool verbose);

/* tsyncctl_replies.c: with -v, a line per source: replies received, the mode of the last
 * sample (basic or interleaved), and the replies not used, by reason; the reasons' names. */
void ctlfmt_source_replies(FILE *out, const struct msg_source_state *src);

/* ", NTS: state, cookies, last NTS-KE, failures ..." of an NTS source; nothing for others. */
void ctlfmt_source_nts(FILE *out, const struct msg_source_state *src);
const char *ctlfmt_reject_name(int reason);

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

/* `tsyncctl sourcestats`: chronyc sourcestats-like table (samples, residual frequency, skew,
 * offset, its standard deviation). */
void ctlfmt_sourcestats(FILE *out, const struct msg_snapshot *snap, bool numeric);

/* `tsyncctl metrics`: the Prometheus text the metrics listener serves (metrics_encode()). */
void ctlfmt_metrics(FILE *out, const struct msg_snapshot *snap);

/* An interval in seconds as ntpq prints `when` and `poll`: "-" when negative (never), whole
 * seconds up to 2048, then minutes "35m" up to 300, hours "12h" up to 96, days "5d" up to 999,
 * then years "3y". */
void ctlfmt_interval(double seconds, char *buf, size_t len);

/* A duration in seconds as milliseconds with 3 decimals, fewer decimals when that does not fit
 * in width characters, then in seconds, hours, days or years with a unit ("-1000s", "12.5d"),
 * an exponent only beyond that. */
void ctlfmt_ms(double seconds, int width, char *buf, size_t len);

/* The refid column of a source: dotted quad, ".XXXX." for stratum 0/1/16 ASCII ids, ".INIT."
 * before the first reply. */
void ctlfmt_refid(const struct msg_source_state *src, char *buf, size_t len);

/* The remote column (not truncated): the configured name, or the address for pool members, for
 * refclocks without an address and with numeric; the address is shown without brackets and
 * port. */
void ctlfmt_remote(const struct msg_source_state *src, bool numeric, char *buf, size_t len);

/* ctlfmt_remote(), with the port added (":123" too) when another source of snap would show
 * the same text: sources that share an address are told apart. */
void ctlfmt_remote_in(const struct msg_snapshot *snap, const struct msg_source_state *src,
                      bool numeric, char *buf, size_t len);

/* The system peer's state, NULL when there is none (or sys_peer_slot is out of range). */
const struct msg_source_state *ctlfmt_sys_peer(const struct msg_snapshot *snap);

/* t as "2026-11-26 05:32:33 UTC", or with iso as "2026-11-26T05:32:33Z"; false (buf
 * "never") for a zero time or one out of range (before 1970, after year 9999). */
bool ctlfmt_utc(struct msg_time t, bool iso, char *buf, size_t len);

/*
 * Range-check every field of a snapshot received from the control socket (tsyncctl must not
 * trust the socket: it may not be tsyncd's): enums, counts, slots, times, finite values within
 * generous physical limits, terminated printable strings. 0, or -1 with the first bad field in
 * err.
 */
int ctlfmt_check_snapshot(const struct msg_snapshot *snap, char *err, size_t errlen);

/* English text of enum disc_sync_reason and enum disc_reason values (never NULL). */
const char *ctlfmt_sync_reason(unsigned reason);
const char *ctlfmt_source_reason(unsigned reason);

#endif
