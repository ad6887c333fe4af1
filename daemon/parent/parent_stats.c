// SPDX-License-Identifier: ISC
/*
 * ntpd's statistics files, written by the parent from its own state (the lines and names are
 * daemon/parent/stats_format.h). The statistics directory is opened before the chroot and every
 * file is reached through it. A file set member is opened in append mode when the first line of
 * its period is written; with `link` (the default, as ntpd) the current member also gets the
 * set's plain name, replaced atomically (link to a temporary name, then rename over it; a plain
 * file of that name from a `type none` run is kept as NAME.PIDCn, as ntpd does). SIGHUP closes
 * the files: the next line reopens them, so logrotate can move them away.
 *
 * Sources of the lines: peerstats after every sample, loopstats after every sample of the
 * system peer while synchronised, clockstats for every reference clock reading, protostats for
 * every event line (ntpd records them whatever logconfig says), sysstats from the server
 * counters the network child sends (MSG_SERVER_STATS), as differences over each interval.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/parent/parent_int.h"
#include "daemon/parent/stats_format.h"

struct stats_set {
    int fd;                        /* -1: closed */
    int64_t start, end;            /* period of the open member (Unix s) */
    char member[DIRFILE_NAME_MAX]; /* its name */
};

struct parent_stats {
    const struct cfg *cfg; /* the filegen settings in force */
    struct dirfile dir;    /* the statistics directory */
    struct stats_set sets[CFG_N_STATS];
    double started;                      /* `now` at start (filegen type age) */
    unsigned conflicts;                  /* plain files saved aside so far */
    struct msg_server_counters counters; /* the last counters of the network child */
    bool have_counters;
    double counters_at; /* `now` they arrived */
};

static bool any_enabled(const struct cfg *c)
{
    for (int k = 0; k < CFG_N_STATS; k++) {
        if (c->filegen[k].enabled)
            return true;
    }
    return false;
}

static void close_sets(struct parent_stats *s)
{
    for (int k = 0; k < CFG_N_STATS; k++) {
        if (s->sets[k].fd >= 0)
            close(s->sets[k].fd);
        s->sets[k].fd = -1;
    }
}

void parent_stats_open(struct parent *p, double now)
{
    const char *dir = p->cfg->statsdir != NULL ? p->cfg->statsdir : CFG_DEFAULT_STATSDIR;
    char path[1100];
    struct parent_stats *s;
    int rc;

    if (!any_enabled(p->cfg))
        return;
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        log_err("statistics not written: out of memory");
        return;
    }
    snprintf(path, sizeof(path), "%s.", dir); /* the directory itself, as "DIR/." */
    rc = dirfile_open(&s->dir, path);
    if (rc < 0) {
        log_err("statistics not written: statsdir %s: %s", dir, strerror(-rc));
        free(s);
        return;
    }
    s->cfg = p->cfg;
    s->started = now;
    for (int k = 0; k < CFG_N_STATS; k++)
        s->sets[k].fd = -1;
    p->stats = s;
    log_info("statistics in %s:%s%s%s%s%s", dir,
             p->cfg->filegen[CFG_STATS_LOOP].enabled ? " loopstats" : "",
             p->cfg->filegen[CFG_STATS_PEER].enabled ? " peerstats" : "",
             p->cfg->filegen[CFG_STATS_CLOCK].enabled ? " clockstats" : "",
             p->cfg->filegen[CFG_STATS_SYS].enabled ? " sysstats" : "",
             p->cfg->filegen[CFG_STATS_PROTO].enabled ? " protostats" : "");
}

/* NAME exists as a plain file (not a link of a member): keep it aside as ntpd does. */
static void save_plain_file(struct parent_stats *s, const char *base)
{
    char saved[DIRFILE_NAME_MAX + 32];
    struct stat st;

    if (fstatat(s->dir.dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) ||
        st.st_nlink > 1)
        return;
    snprintf(saved, sizeof(saved), "%s.%ldC%u", base, (long)getpid(), s->conflicts++);
    if (renameat(s->dir.dirfd, base, s->dir.dirfd, saved) < 0)
        log_warning("statistics: cannot keep %s aside: %m", base);
}

/* The plain name of the set becomes a link of the member, atomically. */
static void link_member(struct parent_stats *s, const char *base, const char *member)
{
    char tmp[DIRFILE_NAME_MAX + 8];

    save_plain_file(s, base);
    snprintf(tmp, sizeof(tmp), "%s.link", base);
    unlinkat(s->dir.dirfd, tmp, 0);
    if (linkat(s->dir.dirfd, member, s->dir.dirfd, tmp, 0) < 0 ||
        renameat(s->dir.dirfd, tmp, s->dir.dirfd, base) < 0) {
        log_warning("statistics: cannot link %s to %s: %m", base, member);
        unlinkat(s->dir.dirfd, tmp, 0);
    }
}

/* The member of set k for time t, opened (and linked) when its period began. */
static int set_fd(struct parent_stats *s, enum cfg_stats k, struct timespec t, double now)
{
    const struct cfg_filegen *fg = &s->cfg->filegen[k];
    const char *base = fg->file != NULL ? fg->file : cfg_stats_name(k);
    struct stats_set *set = &s->sets[k];
    char suffix[STFMT_SUFFIX_MAX];
    int64_t start, end;
    int fd;

    if (set->fd >= 0 && (int64_t)t.tv_sec >= set->start && (int64_t)t.tv_sec < set->end)
        return set->fd;
    stfmt_period(fg->type, t, now - s->started, (long)getpid(), &start, &end, suffix,
                 sizeof(suffix));
    if (set->fd >= 0) {
        close(set->fd);
        set->fd = -1;
    }
    snprintf(set->member, sizeof(set->member), "%s%s", base, suffix);
    fd = dirfile_openat(&s->dir, set->member, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0644);
    if (fd < 0) {
        log_warning("statistics: cannot open %s: %s", set->member, strerror(-fd));
        return -1;
    }
    if (fg->link && suffix[0] != '\0')
        link_member(s, base, set->member);
    set->fd = fd;
    set->start = start;
    set->end = end;
    return fd;
}

static struct timespec clock_time(const struct parent *p)
{
    struct timespec ts = {0, 0};

    clk_now(p->clk, &ts);
    return ts;
}

/* Appends one line to set k if it is enabled (one write: lines never interleave). */
static void write_line(struct parent *p, enum cfg_stats k, const char *line, size_t len,
                       struct timespec t, double now)
{
    struct parent_stats *s = p->stats;
    int fd;

    if (s == NULL || !s->cfg->filegen[k].enabled || (fd = set_fd(s, k, t, now)) < 0)
        return;
    if (write(fd, line, len) != (ssize_t)len)
        log_debug("statistics: short write to %s", s->sets[k].member);
}

/* The address without brackets and port, as ntpd prints it. */
static void addr_host(const char *addr, char *buf, size_t len)
{
    const char *colon = strchr(addr, ':');

    if (addr[0] == '[')
        snprintf(buf, len, "%.*s", (int)strcspn(addr + 1, "]"), addr + 1);
    else if (colon != NULL && strchr(colon + 1, ':') == NULL)
        snprintf(buf, len, "%.*s", (int)(colon - addr), addr);
    else
        snprintf(buf, len, "%s", addr);
}

void parent_stats_sample(struct parent *p, uint32_t slot, double now)
{
    const struct disc_status *st = &p->status_buf;
    const struct disc_source_status *d = NULL;
    struct timespec t;
    char line[STFMT_LINE_MAX], host[MSG_ADDR_LEN];
    size_t n;

    if (p->stats == NULL)
        return;
    for (int k = 0; k < st->nsources && d == NULL; k++)
        d = st->sources[k].id == p->slots[slot].disc_id ? &st->sources[k] : NULL;
    if (d == NULL)
        return;
    t = clock_time(p);
    addr_host(p->slots[slot].addr, host, sizeof(host));
    n = stfmt_peer(line, sizeof(line), t, host, parent_peer_status_now(p, slot, d->reach, d->tally),
                   d->offset_s, d->delay_s, d->dispersion_s, d->jitter_s);
    write_line(p, CFG_STATS_PEER, line, n, t, now);
    if (st->synchronized && d->id == st->sys_peer) {
        n = stfmt_loop(line, sizeof(line), t, st->offset_s, st->freq_ppm, st->jitter_s,
                       st->freq_sd_ppm, st->poll_log2);
        write_line(p, CFG_STATS_LOOP, line, n, t, now);
    }
}

void parent_stats_clock(struct parent *p, uint32_t slot, double offset_s, double delay_s,
                        double now)
{
    struct timespec t;
    char line[STFMT_LINE_MAX], text[64];
    size_t n;

    if (p->stats == NULL)
        return;
    t = clock_time(p);
    snprintf(text, sizeof(text), "%.9f %.9f", offset_s, delay_s);
    n = stfmt_text(line, sizeof(line), t, text);
    write_line(p, CFG_STATS_CLOCK, line, n, t, now);
    (void)slot;
}

/* log.c's event sink: every event line, whatever logconfig lets through. */
static void event_line(const char *text, void *ctx)
{
    struct parent *p = ctx;
    struct timespec t = clock_time(p);
    char line[STFMT_LINE_MAX];
    size_t n = stfmt_text(line, sizeof(line), t, text);

    write_line(p, CFG_STATS_PROTO, line, n, t, p->last_update);
}

void parent_stats_events(struct parent *p)
{
    if (p->stats != NULL && p->stats->cfg->filegen[CFG_STATS_PROTO].enabled)
        log_set_event_sink(event_line, p);
    else
        log_set_event_sink(NULL, NULL);
}

static uint64_t since(uint64_t now, uint64_t before)
{
    return now >= before ? now - before : now; /* a restarted child counts from 0 */
}

int parent_stats_counters(struct parent *p, const struct msg_server_counters *c, double now)
{
    struct parent_stats *s = p->stats;
    const struct msg_server_counters *b;
    struct stfmt_sys sys;
    struct timespec t;
    char line[STFMT_LINE_MAX];
    size_t n;

    if (s == NULL || !s->cfg->filegen[CFG_STATS_SYS].enabled)
        return 0;
    b = &s->counters;
    if (s->have_counters) {
        uint64_t received = since(c->served + c->limited + c->denied + c->malformed +
                                      c->other_mode + c->mode6_answered + c->mode6_refused,
                                  b->served + b->limited + b->denied + b->malformed +
                                      b->other_mode + b->mode6_answered + b->mode6_refused);
        sys = (struct stfmt_sys){
            .seconds = (uint64_t)(now - s->counters_at),
            .received = received,
            .processed = since(c->served, b->served),
            .newversion = received, /* tsyncd does not count by version */
            .restricted = since(c->denied + c->mode6_refused, b->denied + b->mode6_refused),
            .badlength = since(c->malformed, b->malformed),
            .declined = since(c->other_mode, b->other_mode),
            .limitkod = since(c->limited, b->limited),
            .kodsent = since(c->kod_rate + c->kod_deny, b->kod_rate + b->kod_deny),
        };
        t = clock_time(p);
        n = stfmt_sys(line, sizeof(line), t, &sys);
        write_line(p, CFG_STATS_SYS, line, n, t, now);
    }
    s->counters = *c;
    s->have_counters = true;
    s->counters_at = now;
    return 0;
}

int parent_stats_dirfd(const struct parent *p)
{
    return p->stats != NULL ? p->stats->dir.dirfd : -1;
}

void parent_stats_reopen(struct parent *p, const struct cfg *cfg)
{
    if (p->stats == NULL)
        return;
    close_sets(p->stats);
    p->stats->cfg = cfg;
    parent_stats_events(p);
}

void parent_close_files(struct parent *p)
{
    if (p->stats != NULL) {
        close_sets(p->stats);
        dirfile_close(&p->stats->dir);
        free(p->stats);
        p->stats = NULL;
    }
    log_set_event_sink(NULL, NULL);
    dirfile_close(&p->leap_file);
}

void parent_reload(struct parent *p, const struct cfg *stats_cfg, double now)
{
    parent_leap_load(p, now);
    parent_stats_reopen(p, stats_cfg != NULL ? stats_cfg : p->cfg);
}
