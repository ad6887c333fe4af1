// SPDX-License-Identifier: ISC
/* The command line's overrides of the configuration (cmd_apply, see cmdline.h). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/log.h"
#include "daemon/config/cmdline.h"

static int set_copy(char **slot, const char *value, char *err, size_t errlen)
{
    char *copy = strdup(value);
    if (copy == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    free(*slot);
    *slot = copy;
    return 0;
}

/* Parses configuration lines with the configuration's own parser (so a flag is checked as the
 * directive it stands for). On success *tmp holds them (release with cfg_free). */
static int parse_lines(const char *flag, const char *lines, struct cfg *tmp, char *err,
                       size_t errlen)
{
    struct cfg_diag diag;
    int rc;

    cfg_diag_init(&diag);
    rc = cfg_load_string(flag, lines, strlen(lines), CFG_STRICT | CFG_NO_INCLUDE, tmp, &diag);
    if (rc < 0)
        snprintf(err, errlen, "%s", diag.n_msgs > 0 ? diag.msgs[0].text : "invalid value");
    cfg_diag_free(&diag);
    return rc;
}

/* Validates -u through the configuration parser's own "user" directive. */
static int apply_user(const char *user, struct cfg *c, char *err, size_t errlen)
{
    static struct cfg tmp; /* large: off the stack */
    char line[128];
    int rc;

    if (strlen(user) > 80 || strpbrk(user, " \t\"#\n") != NULL) {
        snprintf(err, errlen, "-u: invalid user[:group] \"%.80s\"", user);
        return -1;
    }
    snprintf(line, sizeof(line), "user %s\n", user);
    rc = parse_lines("-u", line, &tmp, err, errlen);
    if (rc == 0) {
        if (set_copy(&c->user, tmp.user, err, errlen) < 0)
            rc = -1;
        else if (tmp.group != NULL)
            rc = set_copy(&c->group, tmp.group, err, errlen);
    } else {
        snprintf(err, errlen, "-u: invalid user[:group] \"%.80s\"", user);
    }
    cfg_free(&tmp);
    return rc;
}

static int apply_paths(const struct cmd_opts *o, struct cfg *c, char *err, size_t errlen)
{
    const struct {
        const char *flag, *value;
        char **slot;
    } paths[] = {{"-p", o->pidfile, &c->pidfile},
                 {"-l", o->logfile, &c->logfile},
                 {"-f", o->driftfile, &c->driftfile},
                 {"-i", o->jaildir, &c->chroot_dir}};

    for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
        if (paths[k].value == NULL)
            continue;
        if (paths[k].value[0] != '/') {
            snprintf(err, errlen, "%s: \"%.80s\" is not an absolute path", paths[k].flag,
                     paths[k].value);
            return -1;
        }
        if (set_copy(paths[k].slot, paths[k].value, err, errlen) < 0)
            return -1;
    }
    if (o->statsdir != NULL) { /* as the statsdir directive: with a trailing '/' */
        static struct cfg tmp; /* large: off the stack */
        char line[1100];
        int rc;

        snprintf(line, sizeof(line), "statsdir \"%.1024s\"\n", o->statsdir);
        rc = parse_lines("-s", line, &tmp, err, errlen);
        if (rc == 0)
            rc = set_copy(&c->statsdir, tmp.statsdir, err, errlen);
        cfg_free(&tmp);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* -4/-6: names are resolved in that family only; address literals of the other are dropped. */
static void apply_family(enum cfg_family f, struct cfg *c)
{
    size_t kept = 0;

    c->ip_family = f;
    for (size_t i = 0; i < c->n_sources; i++) {
        struct cfg_source *s = &c->sources[i];
        uint8_t a[16];
        bool v4 = inet_pton(AF_INET, s->name, a) == 1, v6 = inet_pton(AF_INET6, s->name, a) == 1;

        if ((f == CFG_FAMILY_IPV4 && v6) || (f == CFG_FAMILY_IPV6 && v4) ||
            (s->family != CFG_FAMILY_ANY && s->family != f)) {
            fprintf(stderr, "tsyncd: warning: -%d: source %s dropped (other address family)\n", f,
                    s->name);
            free(s->name);
            continue;
        }
        s->family = f;
        c->sources[kept++] = *s;
    }
    c->n_sources = kept;
}

/* NTPsec's trailing names: `server NAME iburst`, before the configuration's sources. */
static int apply_servers(const struct cmd_opts *o, struct cfg *c, char *err, size_t errlen)
{
    struct cfg_source srcs[CMD_MAX_REPEAT];
    char line[CFG_MAX_NAME + 32];
    size_t n = o->n_servers;

    if (c->n_sources + n > CFG_MAX_SOURCES) {
        snprintf(err, errlen, "too many sources (at most %d)", CFG_MAX_SOURCES);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        static struct cfg one; /* large: off the stack */
        snprintf(line, sizeof(line), "server %.*s iburst\n", CFG_MAX_NAME, o->servers[i]);
        if (strpbrk(o->servers[i], " \t\"#\n") != NULL ||
            parse_lines("command line", line, &one, err, errlen) < 0 || one.n_sources != 1) {
            snprintf(err, errlen, "server \"%.80s\": not a host name or address", o->servers[i]);
            cfg_free(&one);
            while (i > 0)
                free(srcs[--i].name);
            return -1;
        }
        srcs[i] = one.sources[0];
        one.n_sources = 0; /* the name now belongs to srcs[i] */
        cfg_free(&one);
    }
    memmove(&c->sources[n], &c->sources[0], c->n_sources * sizeof(c->sources[0]));
    memcpy(&c->sources[0], srcs, n * sizeof(c->sources[0]));
    c->n_sources += n;
    return 0;
}

static int apply_listen(const struct cmd_opts *o, struct cfg *c, char *err, size_t errlen)
{
    if (o->n_listen > CFG_MAX_LISTEN) {
        snprintf(err, errlen, "-I: at most %d interfaces or addresses", CFG_MAX_LISTEN);
        return -1;
    }
    for (size_t i = 0; i < o->n_listen; i++) {
        const char *v = o->listen[i];
        if (strlen(v) > 63 || strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789.:-_@") != strlen(v)) {
            snprintf(err, errlen, "-I: \"%.64s\" is not an interface name or address", v);
            return -1;
        }
        c->listen[c->n_listen] = NULL;
        if (set_copy(&c->listen[c->n_listen], v, err, errlen) < 0)
            return -1;
        c->n_listen++;
    }
    return 0;
}

int cmd_apply(const struct cmd_opts *o, struct cfg *c, char *err, size_t errlen)
{
    if (o->user != NULL && apply_user(o->user, c, err, errlen) < 0)
        return -1;
    if (apply_paths(o, c, err, errlen) < 0 || apply_listen(o, c, err, errlen) < 0 ||
        apply_servers(o, c, err, errlen) < 0)
        return -1;
    if (o->log_ident != NULL) {
        if (!log_ident_valid(o->log_ident)) {
            snprintf(err, errlen, "--log-ident: \"%.40s\" is not a program name", o->log_ident);
            return -1;
        }
        if (set_copy(&c->log_ident, o->log_ident, err, errlen) < 0)
            return -1;
    }
    if (o->family != CFG_FAMILY_ANY)
        apply_family(o->family, c);
    if (o->slew_only)
        c->step_s = CMD_SLEW_STEP_S;
    return 0;
}
