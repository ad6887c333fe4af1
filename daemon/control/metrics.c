// SPDX-License-Identifier: ISC
/* Prometheus metrics of a snapshot: the metric table and the text exposition encoder. */
#include "daemon/control/metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "discipline/discipline.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const sync_reason_ids[] = {
    [DISC_SYNC_OK] = "none",
    [DISC_SYNC_NO_SOURCES] = "no_sources",
    [DISC_SYNC_UNREACHABLE] = "unreachable",
    [DISC_SYNC_NONE_SELECTABLE] = "none_selectable",
    [DISC_SYNC_NO_MAJORITY] = "no_majority",
    [DISC_SYNC_MINSOURCES] = "minsources",
    [DISC_SYNC_STARTING] = "starting",
    [DISC_SYNC_PANIC] = "panic",
    [DISC_SYNC_RATE_LIMIT] = "step_rate_limit",
};

static const char *const source_reason_ids[] = {
    [DISC_REASON_OK] = "selectable",           [DISC_REASON_UNREACHABLE] = "unreachable",
    [DISC_REASON_NOSELECT] = "noselect",       [DISC_REASON_UNSYNC] = "server_unsynchronised",
    [DISC_REASON_STRATUM] = "stratum",         [DISC_REASON_DISTANCE] = "distance",
    [DISC_REASON_FALSETICKER] = "falseticker", [DISC_REASON_STEP_PENDING] = "step_pending",
};

static const char *const ts_ids[] = {
    [DISC_TS_USER] = "user",
    [DISC_TS_KERNEL] = "kernel",
    [DISC_TS_HARDWARE] = "hardware",
    [DISC_TS_REFCLOCK] = "refclock",
};

const char *metrics_sync_reason_id(unsigned reason)
{
    return reason < N(sync_reason_ids) ? sync_reason_ids[reason] : "unknown";
}

const char *metrics_source_reason_id(unsigned reason)
{
    return reason < N(source_reason_ids) ? source_reason_ids[reason] : "unknown";
}

const char *metrics_ts_id(unsigned ts_source)
{
    return ts_source < N(ts_ids) ? ts_ids[ts_source] : "unknown";
}

const char *metrics_tally_id(unsigned tally)
{
    switch (tally) {
    case DISC_TALLY_SYSPEER:
        return "system_peer";
    case DISC_TALLY_CANDIDATE:
        return "candidate";
    case DISC_TALLY_OUTLIER:
        return "outlier";
    case DISC_TALLY_EXCESS:
        return "excess";
    case DISC_TALLY_FALSETICKER:
        return "falseticker";
    case DISC_TALLY_REJECT:
        return "not_selectable";
    default:
        return "unknown";
    }
}

/* --- The metric table ---------------------------------------------------------------------- */

static void family(const struct metrics_sink *k, const char *name, enum metrics_type type,
                   const char *help)
{
    k->family(k->ctx, name, type, help);
}

/* A family with one unlabelled sample. */
static void single(const struct metrics_sink *k, const char *name, enum metrics_type type,
                   const char *help, double v)
{
    family(k, name, type, help);
    k->sample(k->ctx, name, NULL, 0, v);
}

static double time_s(struct msg_time t)
{
    return (double)t.sec + t.nsec * 1e-9;
}

static void unsync_reasons(const struct msg_snapshot *s, const struct metrics_sink *k)
{
    static const char name[] = "ntp_system_unsynchronised_reason";
    bool synced = s->sync_state == MSG_SYNC_SYNCHRONISED;
    unsigned r;

    family(k, name, METRICS_GAUGE,
           "1 for the reason the clock is not synchronised (all 0 when it is)");
    for (r = DISC_SYNC_NO_SOURCES; r < N(sync_reason_ids); r++) {
        struct metrics_label l = {"reason", sync_reason_ids[r]};
        k->sample(k->ctx, name, &l, 1, !synced && s->sync_reason == r);
    }
}

static void system_metrics(const struct msg_snapshot *s, const struct metrics_sink *k)
{
    struct metrics_label drv = {"driver", s->driver[0] ? s->driver : "unknown"};

    single(k, "ntp_system_synchronised", METRICS_GAUGE,
           "1 when the clock is synchronised to a source, else 0",
           s->sync_state == MSG_SYNC_SYNCHRONISED);
    single(k, "ntp_system_local_clock", METRICS_GAUGE,
           "1 when serving the local clock (local stratum) for lack of a usable source",
           s->sync_state == MSG_SYNC_LOCAL);
    unsync_reasons(s, k);
    single(k, "ntp_system_unsynchronised_seconds", METRICS_GAUGE,
           "Seconds since the clock was last synchronised (0 when synchronised)", s->unsync_for_s);
    single(k, "ntp_system_stratum", METRICS_GAUGE, "Stratum served (16: unsynchronised)",
           s->stratum);
    single(k, "ntp_system_leap_indicator", METRICS_GAUGE, "Leap indicator served (3: alarm)",
           s->leap);
    single(k, "ntp_system_offset_seconds", METRICS_GAUGE,
           "System offset: source time minus local time", s->offset_s);
    single(k, "ntp_system_jitter_seconds", METRICS_GAUGE, "System jitter", s->jitter_s);
    single(k, "ntp_system_frequency_ppm", METRICS_GAUGE,
           "Frequency correction of the oscillator (the drift file value)", s->freq_ppm);
    single(k, "ntp_system_frequency_sd_ppm", METRICS_GAUGE,
           "Standard error of the frequency correction", s->freq_sd_ppm);
    single(k, "ntp_system_applied_frequency_ppm", METRICS_GAUGE,
           "Frequency handed to the clock (with the phase correction)", s->applied_freq_ppm);
    single(k, "ntp_system_root_delay_seconds", METRICS_GAUGE, "Root delay served", s->root_delay_s);
    single(k, "ntp_system_root_dispersion_seconds", METRICS_GAUGE, "Root dispersion served",
           s->root_dispersion_s);
    single(k, "ntp_system_maximum_error_seconds", METRICS_GAUGE,
           "Error bound of the clock: root delay / 2 + root dispersion", s->max_error_s);
    single(k, "ntp_system_poll_interval_seconds", METRICS_GAUGE, "System poll interval",
           s->poll_log2 >= 0 && s->poll_log2 <= 30 ? ldexp(1.0, s->poll_log2) : NAN);
    single(k, "ntp_system_reference_timestamp_seconds", METRICS_GAUGE,
           "Time of the last clock update, seconds since 1970 (0: never)", time_s(s->ref_time));
    single(k, "ntp_system_steps_total", METRICS_COUNTER, "Steps of the clock", s->steps);
    single(k, "ntp_system_last_step_seconds", METRICS_GAUGE, "Size of the last step (0: none)",
           s->last_step_s);
    single(k, "ntp_system_refused_offset_seconds", METRICS_GAUGE,
           "Offset of the last refused step (panic or step budget), 0: none", s->refused_offset_s);
    family(k, "ntp_clock_driver_info", METRICS_GAUGE, "The clock driver in use (label driver)");
    k->sample(k->ctx, "ntp_clock_driver_info", &drv, 1, 1);
    single(k, "ntp_sources", METRICS_GAUGE, "Sources in use (NTP and reference clocks)",
           s->nsources);
}

double metrics_residual_ppm(const struct msg_snapshot *snap, const struct msg_source_state *s)
{
    return s->samples > 0 ? -(s->freq_ppm + snap->freq_ppm) : 0;
}

/* --- Per source ---------------------------------------------------------------------------- */

enum source_value {
    SV_REACH,
    SV_STRATUM,
    SV_POLL,
    SV_OFFSET,
    SV_DELAY,
    SV_JITTER,
    SV_DISPERSION,
    SV_ROOT_DISTANCE,
    SV_AGE,
    SV_SAMPLES,
    SV_FREQ,
    SV_FREQ_SD,
    SV_OFFSET_SD,
};

static const struct {
    enum source_value v;
    const char *name, *help;
} source_gauges[] = {
    {SV_REACH, "ntp_source_reach", "Reach register (8 polls, 1 bit per reply; 0: unreachable)"},
    {SV_STRATUM, "ntp_source_stratum", "Stratum of the last reply (16: never answered)"},
    {SV_POLL, "ntp_source_poll_interval_seconds", "Poll interval in use"},
    {SV_OFFSET, "ntp_source_offset_seconds", "Filtered offset: source time minus local time"},
    {SV_DELAY, "ntp_source_delay_seconds", "Round-trip delay of the last accepted sample"},
    {SV_JITTER, "ntp_source_jitter_seconds", "RMS of the recent residuals"},
    {SV_DISPERSION, "ntp_source_dispersion_seconds", "Sample dispersion, aged"},
    {SV_ROOT_DISTANCE, "ntp_source_error_bound_seconds",
     "Half-width of the correctness interval (root distance): the +/- of the offset"},
    {SV_AGE, "ntp_source_last_sample_age_seconds", "Seconds since the last sample (NaN: none)"},
    {SV_SAMPLES, "ntp_source_samples", "Samples used by the filter"},
    {SV_FREQ, "ntp_source_residual_frequency_ppm",
     "Frequency of the source against the corrected local clock (chronyc's residual frequency)"},
    {SV_FREQ_SD, "ntp_source_frequency_sd_ppm", "Standard error of the source's frequency (skew)"},
    {SV_OFFSET_SD, "ntp_source_offset_sd_seconds", "Standard error of the filtered offset"},
};

static double source_value(const struct msg_snapshot *snap, const struct msg_source_state *s,
                           enum source_value v)
{
    switch (v) {
    case SV_REACH:
        return s->reach;
    case SV_STRATUM:
        return s->stratum == 0 && s->kind != MSG_KIND_REFCLOCK ? 16 : s->stratum;
    case SV_POLL:
        return s->poll_log2 >= 0 && s->poll_log2 <= 30 ? ldexp(1.0, s->poll_log2) : NAN;
    case SV_OFFSET:
        return s->offset_s;
    case SV_DELAY:
        return s->delay_s;
    case SV_JITTER:
        return s->jitter_s;
    case SV_DISPERSION:
        return s->dispersion_s;
    case SV_ROOT_DISTANCE:
        return s->root_distance_s;
    case SV_AGE:
        return s->age_s >= 0 ? s->age_s : NAN;
    case SV_SAMPLES:
        return s->samples;
    case SV_FREQ:
        return metrics_residual_ppm(snap, s);
    case SV_FREQ_SD:
        return s->freq_sd_ppm;
    case SV_OFFSET_SD:
    default:
        return s->offset_sd_s;
    }
}

#define SOURCE_LABELS 5

/* name and address, then room for the extra labels of the _info series. */
static int source_labels(const struct msg_source_state *s, struct metrics_label *l)
{
    l[0] = (struct metrics_label){"name", s->name[0] ? s->name : s->addr};
    l[1] = (struct metrics_label){"address", s->addr};
    return 2;
}

static void source_info(const struct msg_snapshot *snap, const struct metrics_sink *k)
{
    struct metrics_label l[SOURCE_LABELS];
    int i, n;

    family(k, "ntp_source_state_info", METRICS_GAUGE,
           "Selection state of the source (label state) and why (label reason)");
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        const struct msg_source_state *s = &snap->sources[i];
        if (!s->in_use)
            continue;
        n = source_labels(s, l);
        l[n++] = (struct metrics_label){"state", metrics_tally_id(s->tally ? s->tally : ' ')};
        l[n++] = (struct metrics_label){"reason", metrics_source_reason_id(s->reason)};
        k->sample(k->ctx, "ntp_source_state_info", l, n, 1);
    }
    family(k, "ntp_source_timestamp_info", METRICS_GAUGE,
           "Timestamps of the last sample: overall kind, transmit and receive side");
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        const struct msg_source_state *s = &snap->sources[i];
        bool none = s->age_s < 0;
        if (!s->in_use)
            continue;
        n = source_labels(s, l);
        l[n++] = (struct metrics_label){"kind", none ? "none" : metrics_ts_id(s->ts_source)};
        l[n++] = (struct metrics_label){"tx", none ? "none" : metrics_ts_id(s->tx_source)};
        l[n++] = (struct metrics_label){"rx", none ? "none" : metrics_ts_id(s->rx_source)};
        k->sample(k->ctx, "ntp_source_timestamp_info", l, n, 1);
    }
}

static void source_metrics(const struct msg_snapshot *snap, const struct metrics_sink *k)
{
    struct metrics_label l[SOURCE_LABELS];
    size_t g;
    int i, n;

    for (g = 0; g < N(source_gauges); g++) {
        family(k, source_gauges[g].name, METRICS_GAUGE, source_gauges[g].help);
        for (i = 0; i < MSG_MAX_SOURCES; i++) {
            const struct msg_source_state *s = &snap->sources[i];
            if (!s->in_use)
                continue;
            n = source_labels(s, l);
            k->sample(k->ctx, source_gauges[g].name, l, n,
                      source_value(snap, s, source_gauges[g].v));
        }
    }
    source_info(snap, k);
}

/* --- Server -------------------------------------------------------------------------------- */

static void server_metrics(const struct msg_snapshot *s, const struct metrics_sink *k)
{
    const struct msg_server_counters *c = &s->server;
    struct metrics_label rate = {"code", "RATE"}, deny = {"code", "DENY"};

    single(k, "ntp_server_responses_total", METRICS_COUNTER, "Replies with the time",
           (double)c->served);
    single(k, "ntp_server_rate_limited_packets_total", METRICS_COUNTER,
           "Requests over the rate limit", (double)c->limited);
    family(k, "ntp_server_kod_responses_total", METRICS_COUNTER, "Kiss-o'-Death replies sent");
    k->sample(k->ctx, "ntp_server_kod_responses_total", &rate, 1, (double)c->kod_rate);
    k->sample(k->ctx, "ntp_server_kod_responses_total", &deny, 1, (double)c->kod_deny);
    single(k, "ntp_server_denied_packets_total", METRICS_COUNTER,
           "Requests refused by access control", (double)c->denied);
    single(k, "ntp_server_malformed_packets_total", METRICS_COUNTER,
           "Datagrams that are not valid NTP packets", (double)c->malformed);
    single(k, "ntp_server_ignored_packets_total", METRICS_COUNTER,
           "Packets of other modes (6, 7, ...), not answered", (double)c->other_mode);
    single(k, "ntp_server_send_errors_total", METRICS_COUNTER, "Replies the kernel refused",
           (double)c->send_errors);
    single(k, "ntp_server_clients", METRICS_GAUGE, "Client addresses in the rate-limiting table",
           (double)c->clients);
    single(k, "ntp_server_client_evictions_total", METRICS_COUNTER,
           "Rate-limiting table entries reused for a new address", (double)c->evictions);
    single(k, "ntp_server_interleaved_packets_total", METRICS_COUNTER,
           "Replies in interleaved mode (RFC 9769)", (double)c->interleaved);
}

void metrics_visit(const struct msg_snapshot *snap, const struct metrics_sink *sink)
{
    system_metrics(snap, sink);
    source_metrics(snap, sink);
    server_metrics(snap, sink);
}

/* --- Text exposition ----------------------------------------------------------------------- */

struct text {
    char *buf;
    size_t len, pos; /* pos: length needed so far (may exceed len) */
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    size_t room = t->pos < t->len ? t->len - t->pos : 0;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(room > 0 ? t->buf + t->pos : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->pos += (size_t)n;
}

/* A label value: backslash, double quote and newline escaped (the text format's rules). */
static void put_escaped(struct text *t, const char *s, bool help)
{
    for (; *s != '\0'; s++) {
        if (*s == '\\')
            put(t, "\\\\");
        else if (*s == '"' && !help)
            put(t, "\\\"");
        else if (*s == '\n')
            put(t, "\\n");
        else
            put(t, "%c", *s);
    }
}

void metrics_format_value(double v, char *buf, size_t len)
{
    if (isnan(v))
        snprintf(buf, len, "NaN");
    else if (isinf(v))
        snprintf(buf, len, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53: exact */
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.15g", v);
}

static void text_family(void *ctx, const char *name, enum metrics_type type, const char *help)
{
    struct text *t = ctx;

    put(t, "# HELP %s ", name);
    put_escaped(t, help, true);
    put(t, "\n# TYPE %s %s\n", name, type == METRICS_COUNTER ? "counter" : "gauge");
}

static void text_sample(void *ctx, const char *name, const struct metrics_label *labels,
                        int nlabels, double value)
{
    struct text *t = ctx;
    char v[40];
    int i;

    put(t, "%s", name);
    for (i = 0; i < nlabels; i++) {
        put(t, "%s%s=\"", i == 0 ? "{" : ",", labels[i].name);
        put_escaped(t, labels[i].value, false);
        put(t, "\"");
    }
    metrics_format_value(value, v, sizeof(v));
    put(t, "%s %s\n", nlabels > 0 ? "}" : "", v);
}

size_t metrics_encode(const struct msg_snapshot *snap, char *buf, size_t len)
{
    struct text t = {buf, len, 0};
    struct metrics_sink sink = {text_family, text_sample, &t};

    if (len > 0)
        buf[0] = '\0';
    metrics_visit(snap, &sink);
    if (len > 0 && t.pos >= len)
        buf[len - 1] = '\0';
    return t.pos;
}
