// SPDX-License-Identifier: ISC
/*
 * leap-seconds.list, the IERS/NIST leap second file that ntpd's `leapfile` reads (prefix
 * leap_). I/O-free: text in, a table out; the parent reads the file (before the sandbox and on
 * SIGHUP) and asks the table about a time.
 *
 * Format: data lines "NTPSECONDS TAI-UTC [# comment]" (NTP seconds since 1900 at which that
 * TAI - UTC offset starts), "#$ NTPSECONDS" the last update, "#@ NTPSECONDS" the expiry,
 * "#h HEX HEX HEX HEX HEX" the SHA-1 of the digits of the #$ and #@ values and of each data
 * line's two numbers, in file order, other "#" lines comments. Checked: every line's syntax, the
 * hash (a mismatch rejects the file; a file without #h is accepted, as ntpd does, and
 * has_hash says so), times growing, each offset 1 away from the previous, an expiry.
 */
#ifndef TSYNC_DAEMON_LEAPFILE_H
#define TSYNC_DAEMON_LEAPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEAP_MAX_ENTRIES   128
#define LEAP_MAX_FILE_SIZE (64 * 1024)
#define LEAP_WARN_DAYS     28 /* leap_check(): "expires soon" this long before the expiry */

struct leap_table {
    int n;                            /* entries */
    int64_t when_s[LEAP_MAX_ENTRIES]; /* Unix (UTC) time the offset starts */
    int16_t tai_s[LEAP_MAX_ENTRIES];  /* TAI - UTC from then on, s */
    int64_t updated_s;                /* #$: last update, Unix s (0: not given) */
    int64_t expire_s;                 /* #@: expiry, Unix s */
    bool has_hash;                    /* a #h line was present (and matched) */
};

/* What the table says about a time. */
struct leap_info {
    int tai_offset_s;  /* TAI - UTC at that time (0 before 1972) */
    int64_t next_s;    /* Unix time of the next leap second after that time, 0: none */
    int next_sign;     /* +1 inserted, -1 deleted second (0: none) */
    int64_t last_s;    /* Unix time of the newest entry (ntpd's leapsec) */
    int64_t expire_s;  /* expiry of the file */
    bool expired;      /* the time is past the expiry: the table may miss a leap */
    bool expires_soon; /* the expiry is less than LEAP_WARN_DAYS ahead */
};

/* Parses text[0..len) (need not be NUL-terminated). Returns 0, or -1 with "line N: why" in err
 * and t emptied. */
int leap_parse(const char *text, size_t len, struct leap_table *t, char *err, size_t errlen);

/* The table at Unix time now_s (UTC). */
void leap_lookup(const struct leap_table *t, int64_t now_s, struct leap_info *out);

/* Whether a leap second is armed for the end of the current UTC day. */
enum leap_verdict {
    LEAP_NONE,         /* nothing announced, nothing in the file for tonight */
    LEAP_ARM,          /* arm *sign (+1 insert, -1 delete) */
    LEAP_NOT_LEAP_DAY, /* announced on a day that is not the last of June or December */
    LEAP_NOT_IN_FILE,  /* announced, but the leapfile (not expired) has none tonight */
};

/* The leap second policy at Unix time now_s: the sources' majority announces vote (+1, -1, 0);
 * file is the leapfile's view of now_s (NULL: no leapfile). Only the last day of June or
 * December may end with a leap second (leap seconds have been scheduled only then since 1972,
 * and the kernel applies an armed one at the end of the day it is armed on). A current
 * leapfile decides: it arms its leap second tonight whatever the sources say, and refuses one
 * it does not list; an expired one is ignored. */
enum leap_verdict leap_decide(int64_t now_s, int vote, const struct leap_info *file, int *sign);

#endif
