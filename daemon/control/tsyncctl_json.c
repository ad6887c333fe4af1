// SPDX-License-Identifier: ISC
/* tsyncctl --json: every command's answer as a JSON object. */
#include "daemon/control/tsyncctl_json.h"

#include <math.h>
#include <stdint.h>

#include "daemon/control/metrics.h"
#include "daemon/control/tsyncctl_format.h"

void ctljson_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f) /* the snapshot's strings are ASCII: be safe anyway */
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void ctljson_number(FILE *out, double v)
{
    if (isfinite(v))
        fprintf(out, "%.15g", v);
    else
        fputs("null", out);
}

/* ,"key":value helpers; the first member of an object is written with first = true. */
static void key(FILE *out, const char *k, bool first)
{
    fprintf(out, "%s\"%s\":", first ? "" : ",", k);
}

static void num(FILE *out, const char *k, double v)
{
    key(out, k, false);
    ctljson_number(out, v);
}

static void str(FILE *out, const char *k, const char *v)
{
    key(out, k, false);
    ctljson_string(out, v);
}

static void boolean(FILE *out, const char *k, bool v)
{
    key(out, k, false);
    fputs(v ? "true" : "false", out);
}

/* "k": seconds since 1970 and "k_utc": the ISO 8601 text, both null for a zero time. */
static void time_member(FILE *out, const char *k, struct msg_time t)
{
    char utc[40], k_utc[64];

    snprintf(k_utc, sizeof(k_utc), "%s_utc", k);
    key(out, k, false);
    if (t.sec == 0 || !ctlfmt_utc(t, true, utc, sizeof(utc))) {
        fputs("null", out);
        key(out, k_utc, false);
        fputs("null", out);
        return;
    }
    ctljson_number(out, (double)t.sec + t.nsec * 1e-9);
    str(out, k_utc, utc);
}

static void source_common(FILE *out, const struct msg_snapshot *snap,
                          const struct msg_source_state *s)
{
    char remote[MSG_NAME_LEN + MSG_ADDR_LEN];

    ctlfmt_remote_in(snap, s, true, remote, sizeof(remote));
    key(out, "name", true);
    ctljson_string(out, s->name);
    str(out, "address", remote);
    str(out, "kind",
        s->kind == MSG_KIND_REFCLOCK ? "refclock"
        : s->kind == MSG_KIND_POOL   ? "pool"
                                     : "server");
}

/* Replies received and not used, by reason (tsyncctl sources -v). */
static void replies_members(FILE *out, const struct msg_source_state *s)
{
    num(out, "replies", s->replies);
    str(out, "last_sample_mode", s->interleaved ? "interleaved" : "basic");
    key(out, "not_used", false);
    fputc('{', out);
    for (int r = 0; r < MSG_REJECT_COUNT; r++) {
        key(out, ctlfmt_reject_name(r), r == 0);
        fprintf(out, "%u", (unsigned)s->rejected[r]);
    }
    fputc('}', out);
}

static void source_object(FILE *out, const struct msg_snapshot *snap,
                          const struct msg_source_state *s)
{
    char refid[32], tally[2] = {(char)(s->tally ? s->tally : ' '), '\0'};
    bool none = s->age_s < 0;

    fputc('{', out);
    source_common(out, snap, s);
    ctlfmt_refid(s, refid, sizeof(refid));
    str(out, "tally", tally);
    str(out, "state", metrics_tally_id(s->tally ? s->tally : ' '));
    str(out, "reason", ctlfmt_source_reason(s->reason));
    str(out, "refid", refid);
    num(out, "stratum", s->stratum == 0 && s->kind != MSG_KIND_REFCLOCK ? 16 : s->stratum);
    num(out, "reach", s->reach);
    num(out, "poll_s", s->poll_log2 >= 0 && s->poll_log2 <= 30 ? ldexp(1.0, s->poll_log2) : NAN);
    num(out, "last_sample_age_s", none ? NAN : s->age_s);
    num(out, "offset_s", s->offset_s);
    num(out, "delay_s", s->delay_s);
    num(out, "jitter_s", s->jitter_s);
    num(out, "dispersion_s", s->dispersion_s);
    num(out, "error_bound_s", s->root_distance_s);
    str(out, "timestamps", none ? "none" : metrics_ts_id(s->ts_source));
    str(out, "timestamps_tx", none ? "none" : metrics_ts_id(s->tx_source));
    str(out, "timestamps_rx", none ? "none" : metrics_ts_id(s->rx_source));
    boolean(out, "prefer", s->prefer);
    boolean(out, "noselect", s->noselect);
    replies_members(out, s);
    fputc('}', out);
}

static void source_list(FILE *out, const struct msg_snapshot *snap, const char *name,
                        void (*object)(FILE *, const struct msg_snapshot *,
                                       const struct msg_source_state *))
{
    int i, n = 0;

    fprintf(out, "{\"%s\":[", name);
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        if (snap->sources[i].in_use) {
            if (n++ > 0)
                fputc(',', out);
            object(out, snap, &snap->sources[i]);
        }
    }
    fputs("]}\n", out);
}

void ctljson_sources(FILE *out, const struct msg_snapshot *snap)
{
    source_list(out, snap, "sources", source_object);
}

static void stats_object(FILE *out, const struct msg_snapshot *snap,
                         const struct msg_source_state *s)
{
    fputc('{', out);
    source_common(out, snap, s);
    num(out, "samples", s->samples);
    num(out, "residual_frequency_ppm", metrics_residual_ppm(snap, s));
    num(out, "oscillator_error_ppm", s->freq_ppm);
    num(out, "skew_ppm", s->freq_sd_ppm);
    num(out, "offset_s", s->offset_s);
    num(out, "offset_sd_s", s->offset_sd_s);
    num(out, "jitter_s", s->jitter_s);
    fputc('}', out);
}

void ctljson_sourcestats(FILE *out, const struct msg_snapshot *snap)
{
    source_list(out, snap, "sourcestats", stats_object);
}

static const char *state_name(const struct msg_snapshot *snap)
{
    return snap->sync_state == MSG_SYNC_SYNCHRONISED ? "synchronised"
           : snap->sync_state == MSG_SYNC_LOCAL      ? "local"
                                                     : "unsynchronised";
}

static void status_members(FILE *out, const struct msg_snapshot *snap)
{
    key(out, "synchronised", true);
    fputs(snap->sync_state == MSG_SYNC_SYNCHRONISED ? "true" : "false", out);
    str(out, "state", state_name(snap));
    str(out, "reason_id",
        snap->sync_state == MSG_SYNC_SYNCHRONISED ? "none"
                                                  : metrics_sync_reason_id(snap->sync_reason));
    str(out, "reason", snap->reason);
}

void ctljson_tracking(FILE *out, const struct msg_snapshot *snap)
{
    const struct msg_source_state *peer = ctlfmt_sys_peer(snap);
    char remote[MSG_NAME_LEN + MSG_ADDR_LEN] = "";

    fputc('{', out);
    status_members(out, snap);
    num(out, "refid", snap->refid);
    if (peer != NULL)
        ctlfmt_remote_in(snap, peer, false, remote, sizeof(remote));
    key(out, "system_peer", false);
    if (peer != NULL)
        ctljson_string(out, remote);
    else
        fputs("null", out);
    num(out, "stratum", snap->stratum);
    num(out, "leap", snap->leap);
    time_member(out, "ref_time", snap->ref_time);
    time_member(out, "now", snap->now);
    num(out, "offset_s", snap->offset_s);
    num(out, "jitter_s", snap->jitter_s);
    num(out, "frequency_ppm", snap->freq_ppm);
    num(out, "frequency_sd_ppm", snap->freq_sd_ppm);
    num(out, "applied_frequency_ppm", snap->applied_freq_ppm);
    num(out, "root_delay_s", snap->root_delay_s);
    num(out, "root_dispersion_s", snap->root_dispersion_s);
    num(out, "error_bound_s", snap->max_error_s);
    num(out, "poll_s",
        snap->poll_log2 >= 0 && snap->poll_log2 <= 30 ? ldexp(1.0, snap->poll_log2) : NAN);
    num(out, "steps", snap->steps);
    num(out, "last_step_s", snap->last_step_s);
    time_member(out, "last_step_time", snap->last_step_time);
    num(out, "refused_offset_s", snap->refused_offset_s);
    num(out, "unsynchronised_for_s", snap->unsync_for_s);
    str(out, "clock_driver", snap->driver);
    fputs("}\n", out);
}

int ctljson_status(FILE *out, const struct msg_snapshot *snap)
{
    fputc('{', out);
    status_members(out, snap);
    num(out, "stratum", snap->stratum);
    num(out, "offset_s", snap->offset_s);
    fputs("}\n", out);
    return snap->sync_state == MSG_SYNC_UNSYNCHRONISED ? 1 : 0;
}

void ctljson_serverstats(FILE *out, const struct msg_snapshot *snap)
{
    const struct msg_server_counters *c = &snap->server;

    fprintf(out,
            "{\"served\":%llu,\"rate_limited\":%llu,\"kod_rate\":%llu,\"kod_deny\":%llu,"
            "\"denied\":%llu,\"malformed\":%llu,\"other_mode\":%llu,\"send_errors\":%llu,"
            "\"clients\":%llu,\"evictions\":%llu,\"interleaved\":%llu}\n",
            (unsigned long long)c->served, (unsigned long long)c->limited,
            (unsigned long long)c->kod_rate, (unsigned long long)c->kod_deny,
            (unsigned long long)c->denied, (unsigned long long)c->malformed,
            (unsigned long long)c->other_mode, (unsigned long long)c->send_errors,
            (unsigned long long)c->clients, (unsigned long long)c->evictions,
            (unsigned long long)c->interleaved);
}

/* --- metrics ------------------------------------------------------------------------------- */

struct json_metrics {
    FILE *out;
    int families, samples; /* written so far (in all, in the current family) */
};

static void json_family(void *ctx, const char *name, enum metrics_type type, const char *help)
{
    struct json_metrics *j = ctx;

    fputs(j->families++ > 0 ? "]}," : "", j->out);
    fputs("{\"name\":", j->out);
    ctljson_string(j->out, name);
    fprintf(j->out, ",\"type\":\"%s\",\"help\":", type == METRICS_COUNTER ? "counter" : "gauge");
    ctljson_string(j->out, help);
    fputs(",\"samples\":[", j->out);
    j->samples = 0;
}

static void json_sample(void *ctx, const char *name, const struct metrics_label *labels,
                        int nlabels, double value)
{
    struct json_metrics *j = ctx;
    int i;

    (void)name;
    fputs(j->samples++ > 0 ? ",{\"labels\":{" : "{\"labels\":{", j->out);
    for (i = 0; i < nlabels; i++) {
        fputs(i > 0 ? "," : "", j->out);
        ctljson_string(j->out, labels[i].name);
        fputc(':', j->out);
        ctljson_string(j->out, labels[i].value);
    }
    fputs("},\"value\":", j->out);
    ctljson_number(j->out, value);
    fputc('}', j->out);
}

void ctljson_metrics(FILE *out, const struct msg_snapshot *snap)
{
    struct json_metrics j = {out, 0, 0};
    struct metrics_sink sink = {json_family, json_sample, &j};

    fputs("{\"metrics\":[", out);
    metrics_visit(snap, &sink);
    fputs(j.families > 0 ? "]}]}\n" : "]}\n", out);
}
