// SPDX-License-Identifier: ISC
/* ntpd's statistics lines and file names; see stats_format.h. */
#include "daemon/parent/stats_format.h"

#include <stdio.h>
#include <string.h>

#define DAY_S 86400

static size_t clip(int n, size_t len)
{
    return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil(int64_t unix_s, int *y, unsigned *m, unsigned *d, unsigned *yday)
{
    time_t t = (time_t)unix_s;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL)
        memset(&tm, 0, sizeof(tm));
    *y = tm.tm_year + 1900;
    *m = (unsigned)tm.tm_mon + 1;
    *d = (unsigned)tm.tm_mday;
    *yday = (unsigned)tm.tm_yday;
}

size_t stfmt_stamp(char *buf, size_t len, struct timespec t)
{
    int64_t day = floor_div((int64_t)t.tv_sec, DAY_S);
    double sod = (double)((int64_t)t.tv_sec - day * DAY_S) + t.tv_nsec * 1e-9;

    return clip(snprintf(buf, len, "%lld %.3f ", (long long)(day + STFMT_MJD_UNIX), sod), len);
}

size_t stfmt_loop(char *buf, size_t len, struct timespec t, double offset_s, double freq_ppm,
                  double jitter_s, double wander_ppm, int poll_log2)
{
    size_t n = stfmt_stamp(buf, len, t);

    return n + clip(snprintf(buf + n, len - n, "%.9f %.3f %.9f %.6f %d\n", offset_s, freq_ppm,
                             jitter_s, wander_ppm, poll_log2),
                    len - n);
}

size_t stfmt_peer(char *buf, size_t len, struct timespec t, const char *addr, unsigned status,
                  double offset_s, double delay_s, double dispersion_s, double jitter_s)
{
    size_t n = stfmt_stamp(buf, len, t);

    return n + clip(snprintf(buf + n, len - n, "%s %x %.9f %.9f %.9f %.9f\n", addr, status,
                             offset_s, delay_s, dispersion_s, jitter_s),
                    len - n);
}

size_t stfmt_text(char *buf, size_t len, struct timespec t, const char *text)
{
    size_t n = stfmt_stamp(buf, len, t);

    return n + clip(snprintf(buf + n, len - n, "%s\n", text), len - n);
}

size_t stfmt_sys(char *buf, size_t len, struct timespec t, const struct stfmt_sys *s)
{
    size_t n = stfmt_stamp(buf, len, t);

    return n + clip(snprintf(buf + n, len - n,
                             "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu\n",
                             (unsigned long long)s->seconds, (unsigned long long)s->received,
                             (unsigned long long)s->processed, (unsigned long long)s->newversion,
                             (unsigned long long)s->oldversion, (unsigned long long)s->restricted,
                             (unsigned long long)s->badlength, (unsigned long long)s->badauth,
                             (unsigned long long)s->declined, (unsigned long long)s->limitkod,
                             (unsigned long long)s->kodsent),
                    len - n);
}

/* ISO 8601 week: its Monday (Unix s) and year/number, from the Thursday of that week. */
static void iso_week(int64_t day_start, int64_t *monday, int *year, unsigned *week)
{
    int64_t days = floor_div(day_start, DAY_S);
    int64_t wday = (days + 3) % 7; /* 1970-01-01 was a Thursday: Monday 0 .. Sunday 6 */
    unsigned m, d, yday;

    if (wday < 0)
        wday += 7;
    *monday = day_start - wday * DAY_S;
    civil(*monday + 3 * DAY_S, year, &m, &d, &yday);
    *week = yday / 7 + 1;
}

void stfmt_period(enum cfg_filegen_type type, struct timespec t, double uptime_s, long pid,
                  int64_t *start, int64_t *end, char *suffix, size_t len)
{
    int64_t now = (int64_t)t.tv_sec, day = floor_div(now, DAY_S) * DAY_S;
    int y;
    unsigned m, d, yday, w;

    civil(now, &y, &m, &d, &yday);
    *start = INT64_MIN;
    *end = INT64_MAX;
    switch (type) {
    case CFG_FILEGEN_NONE:
        suffix[0] = '\0';
        break;
    case CFG_FILEGEN_PID:
        snprintf(suffix, len, ".#%ld", pid);
        break;
    case CFG_FILEGEN_DAY:
        *start = day;
        *end = day + DAY_S;
        snprintf(suffix, len, ".%04d%02u%02u", y, m, d);
        break;
    case CFG_FILEGEN_WEEK:
        iso_week(day, start, &y, &w);
        *end = *start + 7 * DAY_S;
        snprintf(suffix, len, ".%04dw%02u", y, w);
        break;
    case CFG_FILEGEN_MONTH:
        *start = days_from_civil(y, m, 1) * DAY_S;
        *end = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) * DAY_S;
        snprintf(suffix, len, ".%04d%02u", y, m);
        break;
    case CFG_FILEGEN_YEAR:
        *start = days_from_civil(y, 1, 1) * DAY_S;
        *end = days_from_civil(y + 1, 1, 1) * DAY_S;
        snprintf(suffix, len, ".%04d", y);
        break;
    case CFG_FILEGEN_AGE: {
        int64_t up = uptime_s > 0 ? (int64_t)uptime_s : 0, up_start = up - up % DAY_S;
        *start = now - (up - up_start);
        *end = *start + DAY_S;
        snprintf(suffix, len, ".a%08lld", (long long)up_start);
        break;
    }
    }
}
