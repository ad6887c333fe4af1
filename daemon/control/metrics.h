// SPDX-License-Identifier: ISC
/*
 * Prometheus metrics of a state snapshot (prefix metrics_): pure functions, no I/O.
 *
 * The network child serves them over HTTP (daemon/control/metrics_server.h) and `tsyncctl
 * metrics` prints them: both encode the same snapshot with metrics_encode(), so they print the
 * same text. Names follow ntpd-rs's exporter (ntp_system_*, ntp_source_*, ntp_server_*) and
 * chrony_exporter (state as an _info series with a label); units are in the names (seconds, ppm),
 * counters end in _total. The format is the Prometheus text exposition format 0.0.4.
 *
 * Per source the labels are name (the configured name, or the device of a refclock) and address
 * (the numeric address, ":PORT" added when it is not 123).
 */
#ifndef TSYNC_DAEMON_METRICS_H
#define TSYNC_DAEMON_METRICS_H

#include <stddef.h>

#include "daemon/common/msg.h"

/* Content-Type of metrics_encode()'s output. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum metrics_type { METRICS_GAUGE, METRICS_COUNTER };

struct metrics_label {
    const char *name;
    const char *value; /* any printable text: the encoders escape it */
};

/* Receives the metrics in order: one family() call, then that family's samples. */
struct metrics_sink {
    void (*family)(void *ctx, const char *name, enum metrics_type type, const char *help);
    void (*sample)(void *ctx, const char *name, const struct metrics_label *labels, int nlabels,
                   double value);
    void *ctx;
};

/* Walk every metric of snap (whose strings must be NUL-terminated) in exposition order. */
void metrics_visit(const struct msg_snapshot *snap, const struct metrics_sink *sink);

/*
 * The text exposition of snap into buf (NUL-terminated when len > 0). Returns the length the
 * whole text needs (without the NUL), like snprintf: the text is complete when that is < len.
 */
size_t metrics_encode(const struct msg_snapshot *snap, char *buf, size_t len);

/* A value as the text format writes it: "NaN", "+Inf", "-Inf", integers exactly, else %.15g. */
void metrics_format_value(double v, char *buf, size_t len);

/* The residual frequency of a source (chronyc sourcestats' Frequency): how fast the source runs
 * against the local clock with its frequency correction snap->freq_ppm, ppm (positive: the
 * local clock falls behind). 0 before the first sample. */
double metrics_residual_ppm(const struct msg_snapshot *snap, const struct msg_source_state *s);

/* Short machine-readable name of an enum disc_sync_reason ("unreachable", ...), of a tally
 * state ("system_peer", ...), of an enum disc_reason ("falseticker", ...) and of an enum
 * disc_ts_source ("kernel", ...); never NULL ("unknown" when out of range). */
const char *metrics_sync_reason_id(unsigned reason);
const char *metrics_tally_id(unsigned tally);
const char *metrics_source_reason_id(unsigned reason);
const char *metrics_ts_id(unsigned ts_source);

#endif
