// SPDX-License-Identifier: ISC
/* leap-seconds.list parsing and lookups; see leapfile.h. */
#include "daemon/common/leapfile.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/common/sha1.h"

#define NTP_UNIX_OFFSET_S 2208988800ll /* 1900-01-01 to 1970-01-01 */
#define MAX_DIGITS        12           /* NTP seconds beyond era 0 still fit */
#define MAX_TAI_S         1000

struct leap_parser {
    struct leap_table *t;
    struct sha1 sha;
    unsigned line;
    bool have_expire;
    bool have_hash;
    uint8_t hash[SHA1_DIGEST_LEN];
    char *err;
    size_t errlen;
};

static int fail(struct leap_parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct leap_parser *p, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(p->err, p->errlen, "line %u: ", p->line);

    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < p->errlen)
        vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* A decimal number at *s (blanks before it skipped), its digits also hashed. */
static bool number(struct leap_parser *p, const char **s, const char *end, int64_t *out)
{
    int64_t v = 0;
    int digits = 0;

    while (*s < end && is_blank(**s))
        (*s)++;
    while (*s < end && **s >= '0' && **s <= '9' && digits < MAX_DIGITS) {
        v = v * 10 + (**s - '0');
        sha1_update(&p->sha, *s, 1);
        (*s)++;
        digits++;
    }
    *out = v;
    return digits > 0 && (*s == end || !(**s >= '0' && **s <= '9'));
}

static bool only_blanks(const char *s, const char *end)
{
    while (s < end && is_blank(*s))
        s++;
    return s == end;
}

/* "#h" and five 32-bit hex words (leading zeros may be missing, as in some published files). */
static int hash_line(struct leap_parser *p, const char *s, const char *end)
{
    for (int w = 0; w < 5; w++) {
        uint32_t v = 0;
        int digits = 0;
        while (s < end && is_blank(*s))
            s++;
        for (; s < end && digits < 9; s++, digits++) {
            char c = *s;
            int x = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (x < 0)
                break;
            v = v << 4 | (uint32_t)x;
        }
        if (digits == 0 || digits > 8)
            return fail(p, "#h: five hexadecimal words expected");
        for (int b = 0; b < 4; b++)
            p->hash[4 * w + b] = (uint8_t)(v >> (24 - 8 * b));
    }
    if (!only_blanks(s, end))
        return fail(p, "#h: five hexadecimal words expected");
    if (p->have_hash)
        return fail(p, "a second #h line");
    p->have_hash = true;
    return 0;
}

/* "#$ N" (last update) and "#@ N" (expiry). */
static int time_line(struct leap_parser *p, char kind, const char *s, const char *end)
{
    int64_t v;

    if (!number(p, &s, end, &v) || !only_blanks(s, end))
        return fail(p, "#%c: NTP seconds expected", kind);
    if (kind == '$') {
        p->t->updated_s = v - NTP_UNIX_OFFSET_S;
        return 0;
    }
    if (p->have_expire)
        return fail(p, "a second #@ line");
    p->have_expire = true;
    p->t->expire_s = v - NTP_UNIX_OFFSET_S;
    return 0;
}

static int data_line(struct leap_parser *p, const char *s, const char *end)
{
    struct leap_table *t = p->t;
    int64_t when, tai;

    if (!number(p, &s, end, &when) || !number(p, &s, end, &tai))
        return fail(p, "\"NTP-seconds TAI-offset\" expected");
    while (s < end && is_blank(*s))
        s++;
    if (s < end && *s != '#')
        return fail(p, "unexpected text after the offset");
    if (tai > MAX_TAI_S || when < NTP_UNIX_OFFSET_S)
        return fail(p, "time or offset out of range");
    if (t->n == LEAP_MAX_ENTRIES)
        return fail(p, "more than %d entries", LEAP_MAX_ENTRIES);
    if (t->n > 0 && when - NTP_UNIX_OFFSET_S <= t->when_s[t->n - 1])
        return fail(p, "times must grow");
    if (t->n > 0 && (tai - t->tai_s[t->n - 1] != 1 && tai - t->tai_s[t->n - 1] != -1))
        return fail(p, "the offset must change by one second");
    t->when_s[t->n] = when - NTP_UNIX_OFFSET_S;
    t->tai_s[t->n] = (int16_t)tai;
    t->n++;
    return 0;
}

static int parse_line(struct leap_parser *p, const char *s, const char *end)
{
    if (end > s && end[-1] == '\r')
        end--;
    if (only_blanks(s, end))
        return 0;
    if (s[0] != '#')
        return data_line(p, s, end);
    if (end - s >= 2 && s[1] == 'h')
        return hash_line(p, s + 2, end);
    if (end - s >= 2 && (s[1] == '$' || s[1] == '@'))
        return time_line(p, s[1], s + 2, end);
    return 0; /* a comment */
}

/* Whole-file checks once every line is read. */
static int finish(struct leap_parser *p)
{
    struct leap_table *t = p->t;
    uint8_t digest[SHA1_DIGEST_LEN];

    p->line = 0;
    if (t->n == 0)
        return fail(p, "no leap second entries");
    if (!p->have_expire)
        return fail(p, "no expiry (#@ line)");
    if (t->expire_s <= t->when_s[t->n - 1])
        return fail(p, "expires before its last entry");
    sha1_final(&p->sha, digest);
    if (p->have_hash && memcmp(digest, p->hash, sizeof(digest)) != 0)
        return fail(p, "the #h hash does not match the data (corrupt or edited file)");
    t->has_hash = p->have_hash;
    return 0;
}

int leap_parse(const char *text, size_t len, struct leap_table *t, char *err, size_t errlen)
{
    struct leap_parser p = {.t = t, .err = err, .errlen = errlen};
    const char *s = text, *end = text + len;

    memset(t, 0, sizeof(*t));
    sha1_init(&p.sha);
    if (len > LEAP_MAX_FILE_SIZE || memchr(text, '\0', len) != NULL) {
        snprintf(err, errlen, "not a leap-seconds.list file (too large or binary)");
        return -1;
    }
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *eol = nl != NULL ? nl : end;

        p.line++;
        if (parse_line(&p, s, eol) < 0) {
            memset(t, 0, sizeof(*t));
            return -1;
        }
        s = nl != NULL ? nl + 1 : end;
    }
    if (finish(&p) < 0) {
        memset(t, 0, sizeof(*t));
        return -1;
    }
    return 0;
}

void leap_lookup(const struct leap_table *t, int64_t now_s, struct leap_info *out)
{
    int i;

    memset(out, 0, sizeof(*out));
    if (t->n == 0)
        return;
    for (i = 0; i < t->n && t->when_s[i] <= now_s; i++)
        out->tai_offset_s = t->tai_s[i];
    if (i < t->n) {
        out->next_s = t->when_s[i];
        out->next_sign = i > 0 && t->tai_s[i] < t->tai_s[i - 1] ? -1 : 1;
    }
    out->last_s = t->when_s[t->n - 1];
    out->expire_s = t->expire_s;
    out->expired = now_s >= t->expire_s;
    out->expires_soon = !out->expired && t->expire_s - now_s < LEAP_WARN_DAYS * 86400ll;
}

static bool last_day_of_june_or_december(int64_t unix_s)
{
    time_t t = (time_t)unix_s;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL)
        return false;
    return (tm.tm_mon == 5 && tm.tm_mday == 30) || (tm.tm_mon == 11 && tm.tm_mday == 31);
}

enum leap_verdict leap_decide(int64_t now_s, int vote, const struct leap_info *file, int *sign)
{
    int64_t midnight = (now_s / 86400 + 1) * 86400; /* the end of the current UTC day */
    bool file_current = file != NULL && file->expire_s > 0 && !file->expired;

    *sign = 0;
    if (!last_day_of_june_or_december(now_s))
        return vote != 0 ? LEAP_NOT_LEAP_DAY : LEAP_NONE;
    if (file_current && file->next_s == midnight) {
        *sign = file->next_sign;
        return LEAP_ARM;
    }
    if (vote == 0)
        return LEAP_NONE;
    if (file_current)
        return LEAP_NOT_IN_FILE;
    *sign = vote > 0 ? 1 : -1;
    return LEAP_ARM;
}
