// SPDX-License-Identifier: ISC
/*
 * The `leapfile` in the parent: read at start-up through its directory (opened before the
 * chroot) and again on SIGHUP; expiry warned at load and once a day while it is near or past.
 * The table answers parent_leap_lookup() (next leap second, TAI - UTC, expiry) for the leap
 * decision and fills the snapshot's leap fields (mode 6 tai, leapsec, expire).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/parent/parent_int.h"

#define LEAP_WARN_INTERVAL_S 86400.0

static void fmt_date(int64_t unix_s, char *buf, size_t len)
{
    time_t t = (time_t)unix_s;
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, len, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, len, "?");
}

static int64_t clock_unix_s(const struct parent *p)
{
    struct timespec ts = {0, 0};

    clk_now(p->clk, &ts);
    return (int64_t)ts.tv_sec;
}

static void warn_expiry(struct parent *p, double now)
{
    struct leap_info li;
    char exp[32];

    leap_lookup(&p->leap, clock_unix_s(p), &li);
    if (!li.expired && !li.expires_soon)
        return;
    fmt_date(li.expire_s, exp, sizeof(exp));
    log_warning("leapfile %s %s on %s: get a current leap-seconds.list (IERS, tzdata)",
                p->cfg->leapfile, li.expired ? "expired" : "expires", exp);
    p->leap_warned = now;
}

int parent_leap_dirfd(const struct parent *p)
{
    return p->leap_file.dirfd;
}

void parent_leap_open(struct parent *p)
{
    char path[PATH_MAX];
    int rc;

    dirfile_init(&p->leap_file);
    if (p->cfg->leapfile == NULL)
        return;
    /* the file itself: a link (e.g. into /usr/share/zoneinfo) is followed once, here */
    rc = realpath(p->cfg->leapfile, path) != NULL ? dirfile_open(&p->leap_file, path) : -errno;
    if (rc < 0) /* as ntpd: the daemon runs on without leap second information */
        log_err("leapfile %s: %s: not used", p->cfg->leapfile, strerror(-rc));
}

int parent_leap_load(struct parent *p, double now)
{
    static char text[LEAP_MAX_FILE_SIZE];
    struct leap_table t;
    struct leap_info li;
    char err[160], last[32], exp[32];
    ssize_t n;

    if (p->cfg->leapfile == NULL || p->leap_file.dirfd < 0)
        return 0;
    n = dirfile_read(&p->leap_file, text, sizeof(text));
    if (n < 0 || leap_parse(text, (size_t)n, &t, err, sizeof(err)) < 0) {
        log_err("leapfile %s %s: %s", p->cfg->leapfile,
                p->leap_loaded ? "not reloaded, the previous table stays" : "not used",
                n < 0 ? strerror((int)-n) : err);
        return -1;
    }
    p->leap = t;
    p->leap_loaded = true;
    leap_lookup(&t, clock_unix_s(p), &li);
    fmt_date(li.last_s, last, sizeof(last));
    fmt_date(li.expire_s, exp, sizeof(exp));
    log_info("leapfile %s: %d entries, TAI - UTC %d s, last leap %s, expires %s%s",
             p->cfg->leapfile, t.n, li.tai_offset_s, last, exp,
             t.has_hash ? "" : " (no #h hash line: integrity not checked)");
    warn_expiry(p, now);
    return 0;
}

void parent_leap_tick(struct parent *p, double now)
{
    if (p->leap_loaded && now - p->leap_warned >= LEAP_WARN_INTERVAL_S)
        warn_expiry(p, now);
}

#define LEAP_REFUSED_LOG_INTERVAL_S 3600.0

enum clk_leap parent_leap_decide(struct parent *p, enum disc_leap vote, double now)
{
    int64_t t = clock_unix_s(p);
    int v = vote == DISC_LEAP_INSERT ? 1 : vote == DISC_LEAP_DELETE ? -1 : 0;
    struct leap_info li;
    bool have_file = parent_leap_lookup(p, t, &li);
    enum leap_verdict verdict = leap_decide(t, v, have_file ? &li : NULL, &p->leap_sign);

    if ((verdict == LEAP_NOT_LEAP_DAY || verdict == LEAP_NOT_IN_FILE) &&
        (p->leap_refused_log == 0 || now - p->leap_refused_log >= LEAP_REFUSED_LOG_INTERVAL_S)) {
        p->leap_refused_log = now;
        log_warning(
            "the sources announce a leap second (%s) %s: ignored", v > 0 ? "insert" : "delete",
            verdict == LEAP_NOT_LEAP_DAY ? "on a day that is not the last of June or December"
                                         : "that the leapfile does not list");
    }
    return p->leap_sign > 0 ? CLK_LEAP_INSERT : p->leap_sign < 0 ? CLK_LEAP_DELETE : CLK_LEAP_NONE;
}

bool parent_leap_lookup(const struct parent *p, int64_t unix_s, struct leap_info *out)
{
    if (!p->leap_loaded)
        return false;
    leap_lookup(&p->leap, unix_s, out);
    return true;
}

void parent_leap_snapshot(const struct parent *p, struct msg_snapshot *m)
{
    struct leap_info li;

    if (!parent_leap_lookup(p, clock_unix_s(p), &li))
        return;
    m->leap_known = 1;
    m->tai_offset_s = (int16_t)li.tai_offset_s;
    m->leap_last_s = li.last_s > 0 ? li.last_s : 0;
    m->leap_expire_s = li.expire_s > 0 ? li.expire_s : 0;
}
