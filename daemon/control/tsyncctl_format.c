// SPDX-License-Identifier: ISC
/* tsyncctl's text layouts: ntpq -p table, tracking, status. */
#include "daemon/control/tsyncctl_format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/control/metrics.h"
#include "daemon/common/ntp_packet.h"
#include "discipline/discipline.h"

#define NTPQ_NAME_WIDTH 15 /* remote and refid columns */

static const char *const sync_reasons[] = {
    [DISC_SYNC_OK] = "synchronised",
    [DISC_SYNC_NO_SOURCES] = "no source configured",
    [DISC_SYNC_UNREACHABLE] = "no source reachable",
    [DISC_SYNC_NONE_SELECTABLE] = "no reachable source is selectable",
    [DISC_SYNC_NO_MAJORITY] = "no majority of sources agrees (falsetickers)",
    [DISC_SYNC_MINSOURCES] = "fewer selectable sources than minsane",
    [DISC_SYNC_STARTING] = "starting, waiting for samples",
    [DISC_SYNC_PANIC] = "offset beyond the panic threshold, clock left alone",
    [DISC_SYNC_RATE_LIMIT] = "a step is needed but the step budget is exhausted",
};

static const char *const source_reasons[] = {
    [DISC_REASON_OK] = "selectable",
    [DISC_REASON_UNREACHABLE] = "unreachable",
    [DISC_REASON_NOSELECT] = "noselect",
    [DISC_REASON_UNSYNC] = "server unsynchronised",
    [DISC_REASON_STRATUM] = "stratum too high",
    [DISC_REASON_DISTANCE] = "root distance too large",
    [DISC_REASON_FALSETICKER] = "falseticker",
    [DISC_REASON_STEP_PENDING] = "step pending confirmation",
};

const char *ctlfmt_sync_reason(unsigned reason)
{
    if (reason < sizeof(sync_reasons) / sizeof(sync_reasons[0]))
        return sync_reasons[reason];
    return "unknown reason";
}

const char *ctlfmt_source_reason(unsigned reason)
{
    if (reason < sizeof(source_reasons) / sizeof(source_reasons[0]))
        return source_reasons[reason];
    return "unknown reason";
}

static const char *ts_source_name(unsigned ts)
{
    switch (ts) {
    case DISC_TS_USER:
        return "user";
    case DISC_TS_KERNEL:
        return "kernel";
    case DISC_TS_HARDWARE:
        return "hardware";
    case DISC_TS_REFCLOCK:
        return "refclock";
    default:
        return "unknown";
    }
}

/* What the tally code says about a selectable source. */
static const char *tally_meaning(char tally)
{
    switch (tally) {
    case DISC_TALLY_SYSPEER:
        return "system peer";
    case DISC_TALLY_CANDIDATE:
        return "combined";
    case DISC_TALLY_OUTLIER:
        return "outlier, not combined";
    case DISC_TALLY_EXCESS:
        return "excess, not combined";
    case DISC_TALLY_FALSETICKER:
        return "falseticker";
    default:
        return NULL;
    }
}

static const char *leap_name(unsigned leap)
{
    static const char *const names[] = {"normal", "insert second", "delete second",
                                        "not synchronised"};
    return leap < 4 ? names[leap] : "unknown";
}

/* --- Columns -------------------------------------------------------------------------------- */

void ctlfmt_interval(double seconds, char *buf, size_t len)
{
    long v;

    if (!(seconds >= 0)) {
        snprintf(buf, len, "-");
        return;
    }
    v = seconds > 1e12 ? (long)1e12 : (long)seconds;
    if (v <= 2048) {
        snprintf(buf, len, "%ld", v);
        return;
    }
    v = (v + 30) / 60;
    if (v <= 300) {
        snprintf(buf, len, "%ldm", v);
        return;
    }
    v = (v + 30) / 60;
    if (v <= 96) {
        snprintf(buf, len, "%ldh", v);
        return;
    }
    v = (v + 12) / 24;
    if (v <= 999) {
        snprintf(buf, len, "%ldd", v);
        return;
    }
    snprintf(buf, len, "%ldy", (long)((double)v / 365.2425 + 0.5));
}

/* seconds in the first unit in which they are below 10000: "-1000s", "12.5d" (one decimal, or
 * none). false when it does not fit. */
static bool with_unit(double seconds, int width, char *buf, size_t len)
{
    static const struct {
        const char *unit;
        double seconds;
    } units[] = {{"s", 1}, {"h", 3600}, {"d", 86400}, {"y", 365.2425 * 86400}};
    size_t u;
    int decimals;

    for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        if (fabs(seconds / units[u].seconds) >= 10000 && u + 1 < sizeof(units) / sizeof(units[0]))
            continue;
        for (decimals = 1; decimals >= 0; decimals--) {
            if (snprintf(buf, len, "%.*f%s", decimals, seconds / units[u].seconds, units[u].unit) <=
                width)
                return true;
        }
    }
    return false;
}

void ctlfmt_ms(double seconds, int width, char *buf, size_t len)
{
    double ms = seconds * 1e3;
    int decimals;

    for (decimals = 3; decimals >= 0; decimals--) {
        if (snprintf(buf, len, "%.*f", decimals, ms) <= width)
            return;
    }
    if (isfinite(seconds) && with_unit(seconds, width, buf, len))
        return;
    if (snprintf(buf, len, "%.1e", ms) <= width)
        return;
    snprintf(buf, len, "%.0e", ms);
}

/* The address without brackets and port: "[2001:db8::1]:123" -> "2001:db8::1",
 * "192.0.2.1:123" -> "192.0.2.1"; a bare IPv6 address is kept. */
static void address_host(const char *addr, char *buf, size_t len)
{
    const char *colon = strchr(addr, ':');
    size_t n;

    if (addr[0] == '[') {
        n = strcspn(addr + 1, "]");
        snprintf(buf, len, "%.*s", (int)n, addr + 1);
    } else if (colon != NULL && strchr(colon + 1, ':') == NULL) {
        snprintf(buf, len, "%.*s", (int)(colon - addr), addr);
    } else {
        snprintf(buf, len, "%s", addr);
    }
}

void ctlfmt_remote(const struct msg_source_state *src, bool numeric, char *buf, size_t len)
{
    bool use_addr = numeric || src->kind == MSG_KIND_POOL || src->name[0] == '\0';

    if (use_addr && src->addr[0] != '\0')
        address_host(src->addr, buf, len);
    else
        snprintf(buf, len, "%s", src->name);
}

/* The port of an "addr", "addr:port" or "[v6]:port" text (123 when none is written). */
static const char *address_port(const char *addr)
{
    const char *colon = strrchr(addr, ':');

    if (addr[0] == '[') {
        const char *close = strchr(addr, ']');
        return close != NULL && close[1] == ':' ? close + 2 : "123";
    }
    return colon != NULL && strchr(addr, ':') == colon ? colon + 1 : "123";
}

void ctlfmt_remote_in(const struct msg_snapshot *snap, const struct msg_source_state *src,
                      bool numeric, char *buf, size_t len)
{
    char mine[MSG_NAME_LEN + MSG_ADDR_LEN], other[MSG_NAME_LEN + MSG_ADDR_LEN];
    bool shared = false;
    int i;

    ctlfmt_remote(src, numeric, mine, sizeof(mine));
    for (i = 0; i < MSG_MAX_SOURCES && !shared; i++) {
        const struct msg_source_state *o = &snap->sources[i];
        if (!o->in_use || o == src)
            continue;
        ctlfmt_remote(o, numeric, other, sizeof(other));
        shared = strcmp(mine, other) == 0;
    }
    if (!shared || src->kind == MSG_KIND_REFCLOCK)
        snprintf(buf, len, "%s", mine);
    else if (strchr(mine, ':') != NULL)
        snprintf(buf, len, "[%s]:%s", mine, address_port(src->addr));
    else
        snprintf(buf, len, "%s:%s", mine, address_port(src->addr));
}

/* Stratum as ntpq shows it: 16 for a server that never answered. */
static unsigned shown_stratum(const struct msg_source_state *src)
{
    if (src->stratum == 0 && src->kind != MSG_KIND_REFCLOCK)
        return 16;
    return src->stratum;
}

void ctlfmt_refid(const struct msg_source_state *src, char *buf, size_t len)
{
    uint8_t wire[4] = {(uint8_t)(src->server_refid >> 24), (uint8_t)(src->server_refid >> 16),
                       (uint8_t)(src->server_refid >> 8), (uint8_t)src->server_refid};
    char text[NTP_REFID_STR_LEN];
    unsigned stratum = shown_stratum(src);

    if (src->server_refid == 0 && src->samples == 0 && src->kind != MSG_KIND_REFCLOCK) {
        snprintf(buf, len, ".INIT.");
        return;
    }
    ntp_refid_format(wire, (uint8_t)stratum, text, sizeof(text));
    if (stratum > 1 && stratum < 16)
        snprintf(buf, len, "%s", text);
    else
        snprintf(buf, len, ".%s.", text);
}

/* --- sources -------------------------------------------------------------------------------- */

static void print_source_row(FILE *out, const struct msg_snapshot *snap,
                             const struct msg_source_state *src, bool numeric)
{
    char remote[MSG_NAME_LEN + MSG_ADDR_LEN], refid[32], when[16], poll[16];
    char delay[32], offset[32], jitter[32];
    char tally = src->tally != 0 ? (char)src->tally : ' ';

    ctlfmt_remote_in(snap, src, numeric, remote, sizeof(remote));
    ctlfmt_refid(src, refid, sizeof(refid));
    ctlfmt_interval(src->age_s, when, sizeof(when));
    ctlfmt_interval(src->poll_log2 >= 0 && src->poll_log2 <= 30 ? (double)(1L << src->poll_log2)
                                                                : -1,
                    poll, sizeof(poll));
    ctlfmt_ms(src->delay_s, 7, delay, sizeof(delay));
    ctlfmt_ms(src->offset_s, 7, offset, sizeof(offset));
    ctlfmt_ms(src->jitter_s, 7, jitter, sizeof(jitter));
    fprintf(out, "%c%-15.15s %-15.15s %2u %c %4.4s %4.4s  %3o  %7.7s %8.7s %7.7s\n", tally, remote,
            refid, shown_stratum(src), src->kind == MSG_KIND_REFCLOCK ? 'l' : 'u', when, poll,
            (unsigned)src->reach, delay, offset, jitter);
}

/* The remote, completed with what the table leaves out: "name (address)", "address (pool
 * name)". */
static void full_label(const struct msg_snapshot *snap, const struct msg_source_state *src,
                       bool numeric, char *buf, size_t len)
{
    char host[MSG_ADDR_LEN];

    address_host(src->addr, host, sizeof(host));
    if (numeric || src->name[0] == '\0' || host[0] == '\0')
        ctlfmt_remote_in(snap, src, numeric, buf, len);
    else if (src->kind == MSG_KIND_POOL)
        snprintf(buf, len, "%s (pool %s)", host, src->name);
    else if (strcmp(src->name, host) != 0)
        snprintf(buf, len, "%s (%s)", src->name, host);
    else
        snprintf(buf, len, "%s", host);
}

static void print_source_detail(FILE *out, const struct msg_snapshot *snap,
                                const struct msg_source_state *src, bool numeric)
{
    char label[2 * (MSG_NAME_LEN + MSG_ADDR_LEN) + 16];
    const char *meaning = tally_meaning((char)src->tally);

    full_label(snap, src, numeric, label, sizeof(label));
    fprintf(out, "%s: ", label);
    if (src->age_s < 0)
        fprintf(out, "no sample yet");
    else if (src->tx_source == src->rx_source)
        fprintf(out, "timestamps %s", ts_source_name(src->ts_source));
    else
        fprintf(out, "timestamps tx %s, rx %s", ts_source_name(src->tx_source),
                ts_source_name(src->rx_source));
    if (src->reason == DISC_REASON_OK)
        fprintf(out, ", selectable%s%s", meaning ? ", " : "", meaning ? meaning : "");
    else
        fprintf(out, ", not selectable: %s", ctlfmt_source_reason(src->reason));
    fprintf(out, "%s%s", src->prefer ? ", prefer" : "", src->noselect ? ", noselect" : "");
    if (src->age_s >= 0)
        fprintf(out, ", offset %+.6f s +/- %.6f s", src->offset_s, src->root_distance_s);
    ctlfmt_source_nts(out, src);
    fputc('\n', out);
}

void ctlfmt_sources(FILE *out, const struct msg_snapshot *snap, bool numeric, bool verbose)
{
    int i, shown = 0;

    fprintf(out, "     remote           refid      st t when poll reach   delay   offset  "
                 "jitter\n");
    for (i = 0; i < CTLFMT_LINE_WIDTH; i++)
        fputc('=', out);
    fputc('\n', out);
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        if (snap->sources[i].in_use) {
            print_source_row(out, snap, &snap->sources[i], numeric);
            shown++;
        }
    }
    if (shown == 0) {
        fprintf(out, "no sources\n");
        return;
    }
    fputc('\n', out);
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        if (!snap->sources[i].in_use)
            continue;
        print_source_detail(out, snap, &snap->sources[i], numeric);
        if (verbose)
            ctlfmt_source_replies(out, &snap->sources[i]);
    }
}

/* --- tracking and status -------------------------------------------------------------------- */

const struct msg_source_state *ctlfmt_sys_peer(const struct msg_snapshot *snap)
{
    if (snap->sys_peer_slot < 0 || snap->sys_peer_slot >= MSG_MAX_SOURCES ||
        !snap->sources[snap->sys_peer_slot].in_use)
        return NULL;
    return &snap->sources[snap->sys_peer_slot];
}

/* Seconds a msg_time may hold and still be shown: year 9999 (gmtime and the arithmetic below
 * stay far from any overflow). */
#define MAX_SHOWN_SEC 253402300799LL

bool ctlfmt_utc(struct msg_time t, bool iso, char *buf, size_t len)
{
    time_t sec;
    struct tm tm;

    if (t.sec <= 0 || t.sec > MAX_SHOWN_SEC) {
        snprintf(buf, len, "never");
        return false;
    }
    sec = (time_t)t.sec;
    if (gmtime_r(&sec, &tm) == NULL) {
        snprintf(buf, len, "never");
        return false;
    }
    strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S UTC", &tm);
    return true;
}

/* "2026-11-26 05:32:33 UTC (12 s ago)", or "never" for a zero or unshowable time. */
static void format_time(struct msg_time t, struct msg_time now, char *buf, size_t len)
{
    char date[40];

    if (!ctlfmt_utc(t, false, date, sizeof(date))) {
        snprintf(buf, len, "never");
        return;
    }
    if (now.sec >= t.sec && now.sec <= MAX_SHOWN_SEC) /* both in 1..MAX_SHOWN_SEC */
        snprintf(buf, len, "%s (%lld s ago)", date, (long long)(now.sec - t.sec));
    else
        snprintf(buf, len, "%s", date);
}

/* The reason text of an unsynchronised snapshot, without an "unsynchronised: " prefix. */
static const char *unsync_reason(const struct msg_snapshot *snap)
{
    static const char prefix[] = "unsynchronised: ";

    if (snap->reason[0] == '\0')
        return ctlfmt_sync_reason(snap->sync_reason);
    if (strncmp(snap->reason, prefix, sizeof(prefix) - 1) == 0)
        return snap->reason + sizeof(prefix) - 1;
    return snap->reason;
}

static void print_sync_state(FILE *out, const struct msg_snapshot *snap)
{
    fprintf(out, "Sync state      : ");
    if (snap->sync_state == MSG_SYNC_SYNCHRONISED)
        fprintf(out, "synchronised\n");
    else if (snap->sync_state == MSG_SYNC_LOCAL)
        fprintf(out, "serving the local clock at local stratum %u%s%s\n", snap->stratum,
                snap->reason[0] ? "; " : "", snap->reason);
    else
        fprintf(out, "unsynchronised: %s\n", unsync_reason(snap));
}

static void print_reference(FILE *out, const struct msg_snapshot *snap, bool numeric)
{
    uint8_t wire[4] = {(uint8_t)(snap->refid >> 24), (uint8_t)(snap->refid >> 16),
                       (uint8_t)(snap->refid >> 8), (uint8_t)snap->refid};
    const struct msg_source_state *peer = ctlfmt_sys_peer(snap);
    char text[NTP_REFID_STR_LEN], remote[MSG_NAME_LEN + MSG_ADDR_LEN];

    ntp_refid_format(wire, snap->stratum, text, sizeof(text));
    fprintf(out, "Reference ID    : %08X", (unsigned)snap->refid);
    if (text[0] != '\0')
        fprintf(out, " (%s)", text);
    fputc('\n', out);
    if (peer != NULL) {
        ctlfmt_remote_in(snap, peer, numeric, remote, sizeof(remote));
        fprintf(out, "System peer     : %s\n", remote);
    } else {
        fprintf(out, "System peer     : none\n");
    }
    fprintf(out, "Stratum         : %u\n", snap->stratum);
}

static void print_steps(FILE *out, const struct msg_snapshot *snap)
{
    char when[80];

    if (snap->last_step_time.sec == 0) {
        fprintf(out, "Last step       : none\n");
    } else {
        format_time(snap->last_step_time, snap->now, when, sizeof(when));
        fprintf(out, "Last step       : %+.6f seconds at %s, %d step%s in all\n", snap->last_step_s,
                when, snap->steps, snap->steps == 1 ? "" : "s");
    }
    if (snap->refused_offset_s != 0)
        fprintf(out, "Refused offset  : %+.6f seconds (step refused, clock left alone)\n",
                snap->refused_offset_s);
}

void ctlfmt_tracking(FILE *out, const struct msg_snapshot *snap, bool numeric)
{
    char ref_time[80], poll[16];

    format_time(snap->ref_time, snap->now, ref_time, sizeof(ref_time));
    ctlfmt_interval(snap->poll_log2 >= 0 && snap->poll_log2 <= 30 ? (double)(1L << snap->poll_log2)
                                                                  : -1,
                    poll, sizeof(poll));
    print_reference(out, snap, numeric);
    fprintf(out, "Ref time        : %s\n", ref_time);
    fprintf(out, "System offset   : %+.9f seconds%s\n", snap->offset_s,
            snap->offset_s > 0   ? " (local clock behind)"
            : snap->offset_s < 0 ? " (local clock ahead)"
                                 : "");
    fprintf(out, "System jitter   : %.9f seconds\n", snap->jitter_s);
    fprintf(out, "Frequency       : %+.3f ppm (sd %.3f ppm)\n", snap->freq_ppm, snap->freq_sd_ppm);
    fprintf(out, "Applied freq    : %+.3f ppm\n", snap->applied_freq_ppm);
    fprintf(out, "Root delay      : %.9f seconds\n", snap->root_delay_s);
    fprintf(out, "Root dispersion : %.9f seconds\n", snap->root_dispersion_s);
    fprintf(out, "Max error       : %.6f seconds\n", snap->max_error_s);
    fprintf(out, "Error bound     : +/- %.6f seconds (root delay / 2 + root dispersion)\n",
            snap->max_error_s);
    fprintf(out, "Leap status     : %s\n", leap_name(snap->leap));
    fprintf(out, "Poll interval   : %s s (2^%d)\n", poll, snap->poll_log2);
    print_steps(out, snap);
    fprintf(out, "Clock driver    : %s\n", snap->driver[0] ? snap->driver : "unknown");
    print_sync_state(out, snap);
}

int ctlfmt_status(FILE *out, const struct msg_snapshot *snap, bool numeric)
{
    const struct msg_source_state *peer = ctlfmt_sys_peer(snap);
    char remote[MSG_NAME_LEN + MSG_ADDR_LEN];

    switch (snap->sync_state) {
    case MSG_SYNC_SYNCHRONISED:
        if (peer != NULL) {
            ctlfmt_remote_in(snap, peer, numeric, remote, sizeof(remote));
            fprintf(out, "synchronised to %s at stratum %u, offset %+.9f s\n", remote,
                    snap->stratum, snap->offset_s);
        } else {
            fprintf(out, "synchronised at stratum %u, offset %+.9f s\n", snap->stratum,
                    snap->offset_s);
        }
        return 0;
    case MSG_SYNC_LOCAL:
        fprintf(out, "synchronised to the local clock at local stratum %u", snap->stratum);
        if (snap->reason[0] != '\0')
            fprintf(out, " (%s)", snap->reason);
        fputc('\n', out);
        return 0;
    default:
        fprintf(out, "unsynchronised: %s\n", unsync_reason(snap));
        return 1;
    }
}

void ctlfmt_serverstats(FILE *out, const struct msg_snapshot *snap)
{
    const struct msg_server_counters *c = &snap->server;

    fprintf(out, "NTP packets served       : %llu\n", (unsigned long long)c->served);
    fprintf(out, "NTP packets rate-limited : %llu\n", (unsigned long long)c->limited);
    fprintf(out, "KoD RATE sent            : %llu\n", (unsigned long long)c->kod_rate);
    fprintf(out, "KoD DENY sent            : %llu\n", (unsigned long long)c->kod_deny);
    fprintf(out, "NTP packets denied       : %llu\n", (unsigned long long)c->denied);
    fprintf(out, "NTP packets malformed    : %llu\n", (unsigned long long)c->malformed);
    fprintf(out, "Other modes (7...)       : %llu\n", (unsigned long long)c->other_mode);
    fprintf(out, "Mode 6 (ntpq) answered   : %llu\n", (unsigned long long)c->mode6_answered);
    fprintf(out, "Mode 6 (ntpq) refused    : %llu\n", (unsigned long long)c->mode6_refused);
    fprintf(out, "Send errors              : %llu\n", (unsigned long long)c->send_errors);
    fprintf(out, "Clients tracked          : %llu\n", (unsigned long long)c->clients);
    fprintf(out, "Client entries evicted   : %llu\n", (unsigned long long)c->evictions);
    fprintf(out, "Authenticated requests   : %llu\n", (unsigned long long)c->auth_ok);
    fprintf(out, "Bad authentication       : %llu\n", (unsigned long long)c->auth_bad);
    fprintf(out, "Interleaved replies      : %llu\n", (unsigned long long)c->interleaved);
    fprintf(out, "NTS-authenticated served : %llu\n", (unsigned long long)c->nts_served);
    fprintf(out, "NTS NAKs sent            : %llu\n", (unsigned long long)c->nts_naks);
    fprintf(out, "NTS requests dropped     : %llu\n", (unsigned long long)c->nts_dropped);
    fprintf(out, "NTS-KE sessions served   : %llu\n", (unsigned long long)c->ntske_sessions);
}

/* --- sourcestats and metrics ----------------------------------------------------------------- */

void ctlfmt_sourcestats(FILE *out, const struct msg_snapshot *snap, bool numeric)
{
    char remote[MSG_NAME_LEN + MSG_ADDR_LEN], offset[32], sd[32];
    int i, shown = 0;

    fprintf(out, "Name/IP Address            NP  Frequency  Freq Skew     Offset    Std Dev\n");
    for (i = 0; i < CTLFMT_LINE_WIDTH - 5; i++)
        fputc('=', out);
    fputc('\n', out);
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        const struct msg_source_state *s = &snap->sources[i];
        if (!s->in_use)
            continue;
        ctlfmt_remote_in(snap, s, numeric, remote, sizeof(remote));
        ctlfmt_ms(s->offset_s, 8, offset, sizeof(offset));
        ctlfmt_ms(s->offset_sd_s, 8, sd, sizeof(sd));
        fprintf(out, "%-25.25s %4u %10.3f %10.3f %8sms %8sms\n", remote, (unsigned)s->samples,
                metrics_residual_ppm(snap, s), s->freq_sd_ppm, offset, sd);
        shown++;
    }
    if (shown == 0)
        fprintf(out, "no sources\n");
    else
        fprintf(out, "(NP: samples used; Frequency: residual frequency of the source and Freq "
                     "Skew its\n standard error, ppm; Offset and its Std Dev.)\n");
}

void ctlfmt_metrics(FILE *out, const struct msg_snapshot *snap)
{
    size_t need = metrics_encode(snap, NULL, 0);
    char *text = malloc(need + 1);

    if (text == NULL) {
        fprintf(stderr, "tsyncctl: out of memory\n");
        return;
    }
    metrics_encode(snap, text, need + 1);
    fputs(text, out);
    free(text);
}
