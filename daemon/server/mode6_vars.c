// SPDX-License-Identifier: ISC
/* Mode 6 READSTAT and READVAR: ntpd's system and peer variables from the snapshot. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "daemon/common/ntpd_status.h"
#include "daemon/server/mode6_int.h"

#if defined(__x86_64__)
#define M6_PROCESSOR "x86_64"
#elif defined(__aarch64__)
#define M6_PROCESSOR "aarch64"
#elif defined(__i386__)
#define M6_PROCESSOR "i686"
#elif defined(__arm__)
#define M6_PROCESSOR "armv7l"
#elif defined(__riscv)
#define M6_PROCESSOR "riscv64"
#else
#define M6_PROCESSOR "unknown"
#endif

#define REFCLOCK_ADDR_PREFIX "127.127.0." /* srcadr of PHC refclocks (ntpd's 127.127.t.u) */

/* Before the first snapshot: unsynchronised, no sources. */
static const struct msg_snapshot no_snapshot = {.leap = 3, .stratum = 16, .sys_peer_slot = -1};

static const struct msg_snapshot *snap_of(const struct m6_context *c)
{
    return c->snap != NULL ? c->snap : &no_snapshot;
}

uint16_t m6_system_status(const struct m6_context *c)
{
    return c->snap != NULL ? c->snap->ntpd_status : ntpd_sys_status(3, NTPD_SOURCE_UNSPEC, NULL);
}

/* ---- value formats ------------------------------------------------------------------------ */

static void fmt_lfp(char *buf, size_t len, struct msg_time t)
{
    struct timespec ts = msg_time_to_timespec(t);
    uint64_t v = t.sec > 0 ? ntp_ts64_from_timespec(&ts) : 0;

    snprintf(buf, len, "0x%08x.%08x", (unsigned)(v >> 32), (unsigned)v);
}

/* ntpd's ctl_putfs: YYYYMMDDHHMM (UTC). */
static void fmt_date(char *buf, size_t len, int64_t unix_s)
{
    time_t t = (time_t)unix_s;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL)
        memset(&tm, 0, sizeof(tm));
    snprintf(buf, len, "%04d%02d%02d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min);
}

/* A refid as ntpd shows it: a dotted quad for strata 2..15, else the 4 characters; a source
 * that never answered shows INIT. */
static void fmt_refid(char *buf, size_t len, uint32_t refid, unsigned stratum)
{
    uint8_t w[4] = {(uint8_t)(refid >> 24), (uint8_t)(refid >> 16), (uint8_t)(refid >> 8),
                    (uint8_t)refid};

    if (refid == 0 && (stratum <= 1 || stratum >= 16)) {
        snprintf(buf, len, "INIT");
        return;
    }
    ntp_refid_format(w, (uint8_t)stratum, buf, len);
}

/* A string value in double quotes; '"' and ',' (which would break the list) become '?'. */
static void fmt_quoted(char *buf, size_t len, const char *s)
{
    size_t k = 0;

    if (len < 3) {
        buf[0] = '\0';
        return;
    }
    buf[k++] = '"';
    for (; *s != '\0' && k + 2 < len; s++)
        buf[k++] = (*s == '"' || *s == ',') ? '?' : *s;
    buf[k++] = '"';
    buf[k] = '\0';
}

/* ---- system variables --------------------------------------------------------------------- */

typedef bool (*sys_fn)(const struct m6_context *c, const struct msg_snapshot *s, char *buf,
                       size_t len);

static bool sv_version(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c, (void)s;
    fmt_quoted(b, n, "tsyncd " PACKAGE_VERSION);
    return true;
}

static bool sv_processor(const struct m6_context *c, const struct msg_snapshot *s, char *b,
                         size_t n)
{
    (void)c, (void)s;
    fmt_quoted(b, n, M6_PROCESSOR);
    return true;
}

static bool sv_system(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c, (void)s;
    fmt_quoted(b, n, "Linux");
    return true;
}

static bool sv_leap(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%u", s->leap);
    return true;
}

static bool sv_stratum(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%u", s->stratum);
    return true;
}

static bool sv_precision(const struct m6_context *c, const struct msg_snapshot *s, char *b,
                         size_t n)
{
    (void)s;
    snprintf(b, n, "%d", c->precision_log2);
    return true;
}

static bool sv_rootdelay(const struct m6_context *c, const struct msg_snapshot *s, char *b,
                         size_t n)
{
    (void)c;
    snprintf(b, n, "%.3f", s->root_delay_s * 1e3);
    return true;
}

static bool sv_rootdisp(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%.3f", s->root_dispersion_s * 1e3);
    return true;
}

static bool sv_rootdist(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%.3f", (s->root_delay_s / 2 + s->root_dispersion_s) * 1e3);
    return true;
}

static bool sv_refid(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    fmt_refid(b, n, s->refid, s->stratum);
    return true;
}

static bool sv_reftime(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    fmt_lfp(b, n, s->ref_time);
    return true;
}

static bool sv_clock(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)s;
    fmt_lfp(b, n, msg_time_from_timespec(c->now));
    return true;
}

static bool sv_peer(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%u", s->sys_peer_assoc);
    return true;
}

static bool sv_tc(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%d", s->poll_log2);
    return true;
}

static bool sv_mintc(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%d", s->min_poll_log2);
    return true;
}

static bool sv_offset(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%.6f", s->offset_s * 1e3);
    return true;
}

static bool sv_frequency(const struct m6_context *c, const struct msg_snapshot *s, char *b,
                         size_t n)
{
    (void)c;
    snprintf(b, n, "%.3f", s->freq_ppm);
    return true;
}

static bool sv_sys_jitter(const struct m6_context *c, const struct msg_snapshot *s, char *b,
                          size_t n)
{
    (void)c;
    snprintf(b, n, "%.6f", s->jitter_s * 1e3);
    return true;
}

static bool sv_clk_jitter(const struct m6_context *c, const struct msg_snapshot *s, char *b,
                          size_t n)
{
    (void)c;
    snprintf(b, n, "%.3f", s->jitter_s * 1e3);
    return true;
}

static bool sv_clk_wander(const struct m6_context *c, const struct msg_snapshot *s, char *b,
                          size_t n)
{
    (void)c;
    snprintf(b, n, "%.3f", s->freq_sd_ppm);
    return true;
}

static bool sv_tai(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%d", s->tai_offset_s);
    return s->leap_known;
}

static bool sv_leapsec(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    fmt_date(b, n, s->leap_last_s);
    return s->leap_known;
}

static bool sv_expire(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    fmt_date(b, n, s->leap_expire_s);
    return s->leap_known;
}

static const struct msg_source_state *sys_peer(const struct msg_snapshot *s)
{
    for (int i = 0; i < MSG_MAX_SOURCES && s->sys_peer_assoc != 0; i++) {
        if (s->sources[i].in_use && s->sources[i].assoc_id == s->sys_peer_assoc)
            return &s->sources[i];
    }
    return NULL;
}

static bool sv_peeradr(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    const struct msg_source_state *p = sys_peer(s);

    (void)c;
    snprintf(b, n, "%s", p != NULL ? p->addr : "0.0.0.0");
    return true;
}

static bool sv_peermode(const struct m6_context *c, const struct msg_snapshot *s, char *b, size_t n)
{
    (void)c;
    snprintf(b, n, "%d", sys_peer(s) != NULL ? NTP_MODE_CLIENT : 0);
    return true;
}

static bool sv_authdelay(const struct m6_context *c, const struct msg_snapshot *s, char *b,
                         size_t n)
{
    (void)c, (void)s;
    snprintf(b, n, "0.000");
    return true;
}

/* In ntpd 4.2's order (ntpstat reads stratum, rootdelay, rootdisp, refid and tc from the first
 * packet: they come early); in_default: part of the answer to a READVAR without names. */
static const struct {
    const char *name;
    sys_fn fn;
    bool in_default;
} sys_vars[] = {
    {"version", sv_version, true},
    {"processor", sv_processor, true},
    {"system", sv_system, true},
    {"leap", sv_leap, true},
    {"stratum", sv_stratum, true},
    {"precision", sv_precision, true},
    {"rootdelay", sv_rootdelay, true},
    {"rootdisp", sv_rootdisp, true},
    {"rootdist", sv_rootdist, true},
    {"refid", sv_refid, true},
    {"reftime", sv_reftime, true},
    {"clock", sv_clock, true},
    {"peer", sv_peer, true},
    {"tc", sv_tc, true},
    {"mintc", sv_mintc, true},
    {"offset", sv_offset, true},
    {"frequency", sv_frequency, true},
    {"sys_jitter", sv_sys_jitter, true},
    {"clk_jitter", sv_clk_jitter, true},
    {"clk_wander", sv_clk_wander, true},
    {"tai", sv_tai, true},
    {"leapsec", sv_leapsec, true},
    {"expire", sv_expire, true},
    {"peeradr", sv_peeradr, false},
    {"peermode", sv_peermode, false},
    {"authdelay", sv_authdelay, false},
};

#define N_SYS_VARS (sizeof(sys_vars) / sizeof(sys_vars[0]))

/* ---- peer variables ----------------------------------------------------------------------- */

/* The host and port of a source address text ("[v6]:port", "v4:port", "v4", "v6"). */
static void split_addr(const char *addr, char *host, size_t len, unsigned *port)
{
    const char *colon = strrchr(addr, ':');

    *port = 123;
    if (addr[0] == '[') {
        snprintf(host, len, "%.*s", (int)strcspn(addr + 1, "]"), addr + 1);
        if (colon != NULL && colon > strchr(addr, ']'))
            sscanf(colon + 1, "%u", port);
    } else if (colon != NULL && strchr(addr, ':') == colon) {
        snprintf(host, len, "%.*s", (int)(colon - addr), addr);
        sscanf(colon + 1, "%u", port);
    } else {
        snprintf(host, len, "%s", addr);
    }
}

static unsigned shown_stratum(const struct msg_source_state *p)
{
    return p->stratum == 0 && p->kind != MSG_KIND_REFCLOCK ? 16 : p->stratum;
}

/* Formats peer variable name of p into buf; false when unknown (*known false) or absent. */
static bool peer_var(const char *name, const struct m6_context *c, const struct msg_source_state *p,
                     char *buf, size_t len, bool *known)
{
    bool refclock = p->kind == MSG_KIND_REFCLOCK, answered = p->age_s >= 0;
    char host[MSG_ADDR_LEN];
    unsigned port;

    *known = true;
    split_addr(p->addr, host, sizeof(host), &port);
    if (strcmp(name, "srcadr") == 0) {
        if (refclock)
            snprintf(buf, len, REFCLOCK_ADDR_PREFIX "%u", p->slot - MSG_NTP_SLOTS);
        else
            snprintf(buf, len, "%s", host);
    } else if (strcmp(name, "srcport") == 0) {
        snprintf(buf, len, "%u", port);
        return !refclock;
    } else if (strcmp(name, "srchost") == 0) {
        fmt_quoted(buf, len, refclock ? p->addr : p->name);
        return refclock || (p->kind == MSG_KIND_SERVER && strcmp(p->name, host) != 0);
    } else if (strcmp(name, "leap") == 0) {
        snprintf(buf, len, "%u", answered ? p->leap : 3u);
    } else if (strcmp(name, "stratum") == 0) {
        snprintf(buf, len, "%u", shown_stratum(p));
    } else if (strcmp(name, "precision") == 0) {
        snprintf(buf, len, "%d", p->precision_log2);
        return answered;
    } else if (strcmp(name, "rootdelay") == 0) {
        snprintf(buf, len, "%.3f", p->server_root_delay_s * 1e3);
    } else if (strcmp(name, "rootdisp") == 0) {
        snprintf(buf, len, "%.3f", p->server_root_dispersion_s * 1e3);
    } else if (strcmp(name, "refid") == 0) {
        fmt_refid(buf, len, p->samples > 0 || refclock ? p->server_refid : 0, shown_stratum(p));
    } else if (strcmp(name, "rec") == 0) {
        struct timespec now = msg_time_to_timespec(snap_of(c)->now), rec = now;
        long long ns = (long long)(p->age_s * 1e9);
        rec.tv_sec -= (time_t)(ns / 1000000000);
        rec.tv_nsec -= (long)(ns % 1000000000);
        if (rec.tv_nsec < 0) {
            rec.tv_nsec += 1000000000;
            rec.tv_sec--;
        }
        fmt_lfp(buf, len, msg_time_from_timespec(rec));
        return answered && rec.tv_sec > 0;
    } else if (strcmp(name, "reach") == 0) {
        snprintf(buf, len, "0x%x", p->reach);
    } else if (strcmp(name, "hmode") == 0) {
        snprintf(buf, len, "%d", NTP_MODE_CLIENT);
    } else if (strcmp(name, "pmode") == 0) {
        snprintf(buf, len, "%d", NTP_MODE_SERVER);
        return answered && !refclock;
    } else if (strcmp(name, "hpoll") == 0 || strcmp(name, "ppoll") == 0) {
        snprintf(buf, len, "%d", p->poll_log2);
    } else if (strcmp(name, "offset") == 0) {
        snprintf(buf, len, "%.3f", p->offset_s * 1e3);
    } else if (strcmp(name, "delay") == 0) {
        snprintf(buf, len, "%.3f", p->delay_s * 1e3);
    } else if (strcmp(name, "dispersion") == 0) {
        snprintf(buf, len, "%.3f", p->dispersion_s * 1e3);
    } else if (strcmp(name, "jitter") == 0) {
        snprintf(buf, len, "%.3f", p->jitter_s * 1e3);
    } else {
        *known = false;
        return false;
    }
    return true;
}

/* ntpd 4.2's order of the peer variables. */
static const char *const peer_vars[] = {
    "srcadr",   "srcport", "srchost", "leap",       "stratum", "precision", "rootdelay",
    "rootdisp", "refid",   "rec",     "reach",      "hmode",   "pmode",     "hpoll",
    "ppoll",    "offset",  "delay",   "dispersion", "jitter",
};

#define N_PEER_VARS (sizeof(peer_vars) / sizeof(peer_vars[0]))

/* ---- READSTAT / READVAR ------------------------------------------------------------------- */

static const struct msg_source_state *find_assoc(const struct msg_snapshot *s, uint16_t id)
{
    for (int i = 0; i < MSG_MAX_SOURCES && id != 0; i++) {
        if (s->sources[i].in_use && s->sources[i].assoc_id == id)
            return &s->sources[i];
    }
    return NULL;
}

void m6_read_status(struct m6_builder *b)
{
    const struct msg_snapshot *s = snap_of(b->ctx);
    unsigned last = 0;

    if (b->req.assoc_id != 0) {
        const struct msg_source_state *p = find_assoc(s, b->req.assoc_id);
        if (p == NULL)
            m6_set_error(b, M6_ERR_BADASSOC);
        else
            b->status = p->ntpd_status;
        return;
    }
    b->binary = true;
    for (;;) { /* in association ID order, as ntpd's list */
        const struct msg_source_state *next = NULL;
        for (int i = 0; i < MSG_MAX_SOURCES; i++) {
            const struct msg_source_state *p = &s->sources[i];
            if (p->in_use && p->assoc_id > last && (next == NULL || p->assoc_id < next->assoc_id))
                next = p;
        }
        if (next == NULL)
            return;
        uint8_t pair[4] = {(uint8_t)(next->assoc_id >> 8), (uint8_t)next->assoc_id,
                           (uint8_t)(next->ntpd_status >> 8), (uint8_t)next->ntpd_status};
        if (!m6_put_binary(b, pair, sizeof(pair)))
            return;
        last = next->assoc_id;
    }
}

static bool put_named(struct m6_builder *b, const char *name, const char *value)
{
    char item[M6_ITEM_MAX + 1];

    snprintf(item, sizeof(item), "%s=%s", name, value);
    return m6_put_item(b, item);
}

/* One variable of the system (p NULL) or of source p; false after an error or when full. */
static bool put_var(struct m6_builder *b, const struct msg_source_state *p, const char *name,
                    bool explicit)
{
    char value[M6_ITEM_MAX];
    bool known = false, present = false;

    if (p != NULL) {
        present = peer_var(name, b->ctx, p, value, sizeof(value), &known);
    } else {
        for (size_t k = 0; k < N_SYS_VARS && !known; k++) {
            if (strcmp(name, sys_vars[k].name) == 0 && (explicit || sys_vars[k].in_default)) {
                known = true;
                present = sys_vars[k].fn(b->ctx, snap_of(b->ctx), value, sizeof(value));
            }
        }
    }
    if (!known) {
        m6_set_error(b, M6_ERR_UNKNOWNVAR);
        return false;
    }
    return !present || put_named(b, name, value);
}

/* The names a READVAR request lists: "a,b=value, c". Calls put_var for each. */
static void put_listed(struct m6_builder *b, const struct msg_source_state *p)
{
    size_t i = 0, n = b->req.count;

    while (i < n) {
        char name[M6_NAME_MAX + 1];
        size_t k = 0;

        while (i < n && strchr(" \t\r\n", b->data[i]) != NULL)
            i++;
        while (i < n && b->data[i] != ',' && b->data[i] != '=' &&
               strchr(" \t\r\n", b->data[i]) == NULL && k < M6_NAME_MAX)
            name[k++] = (char)b->data[i++];
        name[k] = '\0';
        while (i < n && b->data[i] != ',') /* a value or trailing blanks: skipped */
            i++;
        i++;
        if (k == 0)
            continue;
        if (k == M6_NAME_MAX || memchr(name, '\0', k) != NULL) { /* no variable is named so */
            m6_set_error(b, M6_ERR_UNKNOWNVAR);
            return;
        }
        if (!put_var(b, p, name, true))
            return;
    }
}

void m6_read_variables(struct m6_builder *b)
{
    const struct msg_snapshot *s = snap_of(b->ctx);
    const struct msg_source_state *p = NULL;

    if (b->req.assoc_id != 0) {
        p = find_assoc(s, b->req.assoc_id);
        if (p == NULL) {
            m6_set_error(b, M6_ERR_BADASSOC);
            return;
        }
        b->status = p->ntpd_status;
    }
    if (b->req.count > 0) {
        put_listed(b, p);
        return;
    }
    if (p != NULL) {
        for (size_t k = 0; k < N_PEER_VARS && put_var(b, p, peer_vars[k], false); k++)
            ;
        return;
    }
    for (size_t k = 0; k < N_SYS_VARS; k++) {
        if (sys_vars[k].in_default && !put_var(b, NULL, sys_vars[k].name, false))
            return;
    }
}
