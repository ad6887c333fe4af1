// SPDX-License-Identifier: ISC
/* tsyncctl's check of a snapshot received from the control socket: every field in range. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "daemon/control/tsyncctl_format.h"
#include "discipline/discipline.h"

#define MAX_SECONDS 253402300799LL /* 9999-12-31: the latest time shown */
#define MAX_TIME_S  1e10           /* offsets, delays ...: far beyond any real value, s */
#define MAX_PPM     1e6

static int bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool time_ok(struct msg_time t)
{
    return t.sec >= 0 && t.sec <= MAX_SECONDS && t.nsec >= 0 && t.nsec < 1000000000;
}

static bool within(double v, double limit)
{
    return isfinite(v) && fabs(v) <= limit;
}

static bool str_ok(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len && s[i] != '\0'; i++) {
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return false;
    }
    return i < len;
}

static bool tally_ok(uint8_t t)
{
    return t == 0 || t == ' ' || t == 'x' || t == '.' || t == '-' || t == '+' || t == '*' ||
           t == '#';
}

static int check_source(const struct msg_source_state *s, int i, char *err, size_t errlen)
{
    if (!s->in_use)
        return 0;
    if (s->slot >= MSG_MAX_SOURCES || s->kind > MSG_KIND_REFCLOCK || !tally_ok(s->tally) ||
        s->stratum > 16 || s->leap > 3 || s->ts_source > DISC_TS_REFCLOCK ||
        s->tx_source > DISC_TS_REFCLOCK || s->rx_source > DISC_TS_REFCLOCK ||
        s->reason > DISC_REASON_STEP_PENDING || s->poll_log2 < -8 || s->poll_log2 > 30 ||
        s->prefer > 1 || s->noselect > 1)
        return bad(err, errlen, "source %d: a state field is out of range", i);
    if (!within(s->offset_s, MAX_TIME_S) || !within(s->delay_s, MAX_TIME_S) ||
        !within(s->jitter_s, MAX_TIME_S) || !within(s->dispersion_s, MAX_TIME_S) ||
        !within(s->root_distance_s, MAX_TIME_S) || !within(s->age_s, MAX_TIME_S) ||
        !within(s->offset_sd_s, MAX_TIME_S) || !within(s->freq_ppm, MAX_PPM) ||
        !within(s->freq_sd_ppm, MAX_PPM))
        return bad(err, errlen, "source %d: a measurement is not finite or out of range", i);
    if (!str_ok(s->name, sizeof(s->name)) || !str_ok(s->addr, sizeof(s->addr)))
        return bad(err, errlen, "source %d: name or address malformed", i);
    return 0;
}

static int check_system(const struct msg_snapshot *m, char *err, size_t errlen)
{
    if (m->sync_state > MSG_SYNC_LOCAL || m->sync_reason > DISC_SYNC_RATE_LIMIT || m->leap > 3 ||
        m->stratum > 16 || m->nsources < 0 || m->nsources > MSG_MAX_SOURCES ||
        m->sys_peer_slot < -1 || m->sys_peer_slot >= MSG_MAX_SOURCES || m->poll_log2 < -8 ||
        m->poll_log2 > 30 || m->steps < 0 || m->unsync_for_s < 0)
        return bad(err, errlen, "a system field is out of range");
    if (!time_ok(m->ref_time) || !time_ok(m->last_step_time) || !time_ok(m->now))
        return bad(err, errlen, "a time is out of range");
    if (!within(m->root_delay_s, MAX_TIME_S) || !within(m->root_dispersion_s, MAX_TIME_S) ||
        !within(m->offset_s, MAX_TIME_S) || !within(m->jitter_s, MAX_TIME_S) ||
        !within(m->freq_ppm, MAX_PPM) || !within(m->freq_sd_ppm, MAX_PPM) ||
        !within(m->applied_freq_ppm, MAX_PPM) || !within(m->last_step_s, MAX_TIME_S) ||
        !within(m->refused_offset_s, MAX_TIME_S) || !within(m->max_error_s, MAX_TIME_S))
        return bad(err, errlen, "a system value is not finite or out of range");
    if (!str_ok(m->driver, sizeof(m->driver)) || !str_ok(m->reason, sizeof(m->reason)))
        return bad(err, errlen, "driver or reason text malformed");
    return 0;
}

int ctlfmt_check_snapshot(const struct msg_snapshot *snap, char *err, size_t errlen)
{
    int i;

    if (check_system(snap, err, errlen) < 0)
        return -1;
    for (i = 0; i < MSG_MAX_SOURCES; i++) {
        if (check_source(&snap->sources[i], i, err, errlen) < 0)
            return -1;
    }
    return 0;
}
