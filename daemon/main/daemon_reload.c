// SPDX-License-Identifier: ISC
/*
 * SIGHUP: the log file and the statistics files are reopened (logrotate), the leapfile is read
 * again, and the configuration file is read again and compared with the one in force. What is
 * safe to change in a running daemon is applied: logconfig, logident and the statistics
 * settings (filegen, statistics) when statistics files were already being written. Everything
 * else that differs from the configuration the daemon started with is named in the log as
 * needing a restart, and left as it was (at every SIGHUP, until the daemon is restarted).
 *
 * The parent is chrooted by then: the configuration file is read through its directory, opened
 * at start-up (daemon_reload_prepare). A configuration with includefile lines is not compared
 * (the included files are out of reach): the log says a restart is needed to apply changes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/log.h"
#include "daemon/main/daemon_int.h"

#define REPORT_MAX 512

/* The configurations read on SIGHUP: the one whose live settings are in force (the statistics
 * writer refers to it) and the next. */
static struct cfg reloaded[2];
static int live = -1; /* index of the one in force, -1: none (the start-up configuration) */

int daemon_reload_prepare(struct daemon *d, char *err, size_t errlen)
{
    char path[PATH_MAX];
    int rc;

    if (log_keep_dir() < 0)
        log_warning("the log file's directory cannot be kept open: SIGHUP will not reopen it");
    if (realpath(d->opts->config_path, path) == NULL) {
        snprintf(err, errlen, "%s: %s", d->opts->config_path, strerror(errno));
        return -1;
    }
    rc = dirfile_open(&d->config_file, path);
    if (rc < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(-rc));
        return -1;
    }
    return 0;
}

/* The configuration file, read again into c (with the command line applied, as at start). */
static int read_config(struct daemon *d, struct cfg *c)
{
    static char text[CFG_MAX_FILE_SIZE];
    struct cfg_diag diag;
    char err[256];
    ssize_t n = dirfile_read(&d->config_file, text, sizeof(text));
    int rc;

    cfg_init(c);
    if (n < 0) {
        log_err("SIGHUP: cannot read %s: %s; the configuration in force stays",
                d->opts->config_path, strerror((int)-n));
        return -1;
    }
    cfg_diag_init(&diag);
    rc = cfg_load_string(d->opts->config_path, text, (size_t)n,
                         CFG_NO_INCLUDE | (d->opts->strict ? CFG_STRICT : 0), c, &diag);
    for (size_t i = 0; rc < 0 && i < diag.n_msgs; i++)
        if (diag.msgs[i].level == CFG_ERROR)
            log_err("SIGHUP: %s", diag.msgs[i].text);
    cfg_diag_free(&diag);
    if (rc == 0 && cmd_apply(d->opts, c, err, sizeof(err)) < 0) {
        log_err("SIGHUP: %s", err);
        rc = -1;
    }
    if (rc < 0)
        log_err("SIGHUP: the configuration has errors: nothing of it is applied");
    return rc;
}

/* The printed form of a configuration (cfg_print), NULL when out of memory. */
static char *printed(const struct cfg *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    if (f == NULL)
        return NULL;
    if (cfg_print(c, f) < 0) {
        fclose(f);
        free(buf);
        return NULL;
    }
    fclose(f);
    return buf;
}

/* The directive a printed line is about ("# user (built-in default)" is about user). */
static void line_key(const char *line, char *key, size_t len)
{
    if (line[0] == '#')
        line += strspn(line, "# ");
    snprintf(key, len, "%.*s", (int)strcspn(line, " \n"), line);
}

/* The lines of text about directive key, concatenated (into a fresh string). */
static char *lines_of(const char *text, const char *key)
{
    size_t cap = strlen(text) + 1, n = 0;
    char *out = malloc(cap), k[64];

    if (out == NULL)
        return NULL;
    for (const char *l = text; *l != '\0'; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
        size_t len = strcspn(l, "\n");
        line_key(l, k, sizeof(k));
        if (strcmp(k, key) == 0) {
            memcpy(out + n, l, len);
            n += len;
            out[n++] = '\n';
        }
    }
    out[n] = '\0';
    return out;
}

static void append(char *list, const char *key)
{
    size_t n = strlen(list);

    if (strstr(list, key) == NULL)
        snprintf(list + n, REPORT_MAX - n, "%s%s", n > 0 ? ", " : "", key);
}

/* The directives whose printed lines differ between old and now (each once, in order). */
static void differences(const char *old, const char *now, char *changed)
{
    const char *texts[2] = {old, now};

    changed[0] = '\0';
    for (int t = 0; t < 2; t++) {
        for (const char *l = texts[t]; *l != '\0';
             l += strcspn(l, "\n") + (l[strcspn(l, "\n")] != 0)) {
            char key[64];
            line_key(l, key, sizeof(key));
            char *a = lines_of(old, key), *b = lines_of(now, key);
            if (a != NULL && b != NULL && strcmp(a, b) != 0)
                append(changed, key);
            free(a);
            free(b);
        }
    }
}

static bool is_live(const char *key, bool stats_open)
{
    return strcmp(key, "logconfig") == 0 || strcmp(key, "logident") == 0 ||
           (stats_open && strcmp(key, "filegen") == 0);
}

/* Splits the changed directives into those applied live and those needing a restart. */
static void classify(const char *changed, bool stats_open, char *applied, char *restart)
{
    char copy[REPORT_MAX];

    applied[0] = restart[0] = '\0';
    snprintf(copy, sizeof(copy), "%s", changed);
    for (char *save = NULL, *k = strtok_r(copy, ", ", &save); k != NULL;
         k = strtok_r(NULL, ", ", &save))
        append(is_live(k, stats_open) ? applied : restart, k);
}

/* The configuration whose statistics settings are in force. */
static const struct cfg *config_in_force(const struct daemon *d)
{
    return live < 0 ? d->cfg : &reloaded[live];
}

/* Compares the new configuration with the one the daemon started with; applies the live
 * settings. */
static void apply_config(struct daemon *d, struct cfg *next, double now)
{
    const struct cfg *cur = config_in_force(d);
    char *a = printed(d->cfg), *b = printed(next);
    char changed[REPORT_MAX], applied[REPORT_MAX], restart[REPORT_MAX];
    bool stats_open = d->parent.stats != NULL;

    if (a == NULL || b == NULL) {
        log_err("SIGHUP: out of memory: the configuration in force stays");
        free(a);
        free(b);
        parent_reload(&d->parent, cur, now);
        return;
    }
    differences(a, b, changed);
    free(a);
    free(b);
    classify(changed, stats_open, applied, restart);
    log_set_event_mask(next->log_mask);
    log_set_ident(next->log_ident);
    parent_reload(&d->parent, stats_open ? next : cur, now);
    if (changed[0] == '\0')
        log_notice("SIGHUP: configuration as at start");
    if (applied[0] != '\0')
        log_notice("SIGHUP: applied: %s", applied);
    if (restart[0] != '\0')
        log_warning("SIGHUP: changed since the start, applied only after a restart of tsyncd: %s",
                    restart);
}

void daemon_reload(struct daemon *d, double now)
{
    int slot = live == 0 ? 1 : 0;
    int rc = log_reopen();

    if (rc < 0)
        log_warning("SIGHUP: cannot reopen the log file: %s", strerror(-rc));
    else
        log_notice("SIGHUP: log and statistics files reopened, leapfile and configuration read");
    if (d->config_file.dirfd < 0 || read_config(d, &reloaded[slot]) < 0) {
        parent_reload(&d->parent, config_in_force(d), now);
        cfg_free(&reloaded[slot]);
        return;
    }
    if (reloaded[slot].n_includefiles > 0) {
        log_warning("SIGHUP: %s uses includefile, which cannot be read again from the sandbox: "
                    "restart tsyncd to apply configuration changes",
                    d->opts->config_path);
        parent_reload(&d->parent, config_in_force(d), now);
        cfg_free(&reloaded[slot]);
        return;
    }
    apply_config(d, &reloaded[slot], now);
    if (live >= 0)
        cfg_free(&reloaded[live]); /* nothing refers to it any more */
    live = slot;
}
