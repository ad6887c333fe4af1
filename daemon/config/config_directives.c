// SPDX-License-Identifier: ISC
/*
 * The directive table and the simple directives: paths, logconfig, tinker, includefile, the
 * ntpd directives tsyncd accepts but ignores, and tsyncd's scalar settings. The keys
 * directives are in config_keys.c.
 */
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "daemon/config/config_int.h"
#include "daemon/common/log.h"

#define USER_NAME_MAX      32
#define MAX_STEP_S         1e6   /* tinker step/stepout upper bound */
#define MAX_DISPERSION_PPM 500.0 /* tinker dispersion: the kernel's frequency range */
#define MAX_PANIC_S        1e9
#define MAX_VIRT_OFFSET_S  4e9 /* about 126 years */
#define MAX_VIRT_FREQ_PPM  1000.0

/* The single argument of a directive, or NULL after an error (missing or extra words). */
static const char *one_arg(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    if (l->argc < 2) {
        cfgp_error(p, "missing argument for %s", l->argv[0]);
        return NULL;
    }
    if (l->argc > 2) {
        cfgp_error(p, "unexpected \"%s\" after %s argument", cfgp_word(l->argv[2], w), l->argv[0]);
        return NULL;
    }
    return l->argv[1];
}

static const char *absolute_path_arg(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    const char *path = one_arg(p, l);
    if (path != NULL && path[0] != '/') {
        cfgp_error(p, "%s: \"%s\" is not an absolute path", l->argv[0], cfgp_word(path, w));
        return NULL;
    }
    return path;
}

static char **path_slot(struct cfg *c, const char *directive)
{
    if (strcmp(directive, "driftfile") == 0)
        return &c->driftfile;
    if (strcmp(directive, "logfile") == 0)
        return &c->logfile;
    if (strcmp(directive, "leapfile") == 0)
        return &c->leapfile;
    if (strcmp(directive, "pidfile") == 0)
        return &c->pidfile;
    if (strcmp(directive, "chroot") == 0)
        return &c->chroot_dir;
    return &c->controlsocket;
}

static void dir_path(struct cfg_parser *p, const struct cfg_line *l)
{
    if (strcmp(l->argv[0], "controlsocket") == 0 && l->argc == 2 &&
        strcmp(l->argv[1], CFG_CONTROLSOCKET_NONE) == 0) {
        cfgp_set_string(p, &p->cfg->controlsocket, CFG_CONTROLSOCKET_NONE);
        return;
    }
    const char *path = absolute_path_arg(p, l);
    if (path == NULL)
        return;
    if (strcmp(l->argv[0], "controlsocket") == 0 &&
        strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
        cfgp_error(p, "controlsocket: path too long for a Unix socket");
        return;
    }
    cfgp_set_string(p, path_slot(p->cfg, l->argv[0]), path);
}

static void dir_includefile(struct cfg_parser *p, const struct cfg_line *l)
{
    const char *path = one_arg(p, l);
    if (path != NULL)
        cfgp_include(p, path);
}

static void dir_logconfig(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    if (l->argc < 2) {
        cfgp_error(p, "missing argument for logconfig");
        return;
    }
    for (int i = 1; i < l->argc; i++) {
        char err[160];
        if (log_config_apply(&p->cfg->log_mask, l->argv[i], err, sizeof(err)) < 0)
            cfgp_error(p, "logconfig: \"%s\": %s", cfgp_word(l->argv[i], w), err);
    }
}

static void dir_tinker(struct cfg_parser *p, const struct cfg_line *l)
{
    static const char *const ignored[] = {"allan", "freq", "huffpuff", "stepback", "stepfwd"};
    char w[CFGP_WORD_BUF];
    struct cfg *c = p->cfg;
    if (l->argc < 2)
        cfgp_error(p, "missing argument for tinker");
    for (int i = 1; i < l->argc; i++) {
        const char *opt = l->argv[i];
        const char *v = cfgp_arg(p, l, &i, opt);
        if (v == NULL)
            return;
        if (strcmp(opt, "step") == 0) {
            cfgp_double(p, "tinker step", v, 0, MAX_STEP_S, &c->step_s);
        } else if (strcmp(opt, "panic") == 0) {
            cfgp_double(p, "tinker panic", v, 0, MAX_PANIC_S, &c->panic_s);
        } else if (strcmp(opt, "stepout") == 0) {
            cfgp_double(p, "tinker stepout", v, 0, MAX_STEP_S, &c->stepout_s);
        } else if (strcmp(opt, "dispersion") == 0) {
            cfgp_double(p, "tinker dispersion", v, 1, MAX_DISPERSION_PPM, &c->dispersion_ppm);
        } else {
            bool known = false;
            for (size_t k = 0; k < sizeof(ignored) / sizeof(ignored[0]); k++)
                known = known || strcmp(opt, ignored[k]) == 0;
            if (known)
                cfgp_warn(p, "tinker %s is unsupported, ignored", opt);
            else
                cfgp_unknown(p, "unknown option \"%s\" for tinker", cfgp_word(opt, w));
        }
    }
}

/* The field of a tos option tsyncd honours, NULL for the others. */
static unsigned *tos_slot(struct cfg *c, const char *opt)
{
    if (strcmp(opt, "minsane") == 0)
        return &c->minsources;
    if (strcmp(opt, "minclock") == 0)
        return &c->minclock;
    if (strcmp(opt, "maxclock") == 0)
        return &c->maxclock;
    return NULL;
}

/* tos: minsane maps to minsources, minclock and maxclock to the selection limits; ntpd's
 * other selection knobs are ignored. */
static void dir_tos(struct cfg_parser *p, const struct cfg_line *l)
{
    static const char *const ignored[] = {"mindist",     "maxdist", "ceiling",    "floor",
                                          "cohort",      "orphan",  "orphanwait", "beacon",
                                          "bcpollbstep", "maxhop"};
    char w[CFGP_WORD_BUF];
    if (l->argc < 2)
        cfgp_error(p, "missing argument for tos");
    for (int i = 1; i < l->argc; i++) {
        const char *opt = l->argv[i];
        const char *v = cfgp_arg(p, l, &i, opt);
        long n;
        if (v == NULL)
            return;
        unsigned *slot = tos_slot(p->cfg, opt);
        if (slot != NULL) {
            char what[16];
            snprintf(what, sizeof(what), "tos %s", opt);
            if (cfgp_long(p, what, v, 1, CFG_MAX_SOURCES, &n))
                *slot = (unsigned)n;
            continue;
        }
        bool known = false;
        for (size_t k = 0; k < sizeof(ignored) / sizeof(ignored[0]); k++)
            known = known || strcmp(opt, ignored[k]) == 0;
        if (known)
            cfgp_warn(p, "tos %s is unsupported, ignored", opt);
        else
            cfgp_unknown(p, "unknown option \"%s\" for tos", cfgp_word(opt, w));
    }
}

/* Symmetric active mode is not implemented: a `peer` line silently served as `server` would
 * also not answer the other side's symmetric requests. */
static void dir_peer(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    cfgp_error(p,
               "peer %s: symmetric active mode is not implemented; write \"server %s iburst\" "
               "(and let the other side serve this host)",
               l->argc > 1 ? cfgp_word(l->argv[1], w) : "", l->argc > 1 ? w : "ADDRESS");
}

static void dir_enable(struct cfg_parser *p, const struct cfg_line *l)
{
    static const char *const flags[] = {"auth",    "bclient", "calibrate", "kernel", "mode7",
                                        "monitor", "ntp",     "stats",     "pps"};
    char w[CFGP_WORD_BUF];
    if (l->argc < 2)
        cfgp_error(p, "missing argument for %s", l->argv[0]);
    for (int i = 1; i < l->argc; i++) {
        bool known = false;
        if (cfgp_enable_flag(p, l->argv[0], l->argv[i]))
            continue;
        for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
            known = known || strcmp(l->argv[i], flags[k]) == 0;
        if (known)
            cfgp_warn(p, "%s %s is unsupported, ignored", l->argv[0], l->argv[i]);
        else
            cfgp_unknown(p, "unknown flag \"%s\" for %s", cfgp_word(l->argv[i], w), l->argv[0]);
    }
}

/* ntpd directives tsyncd accepts without acting on them. */
static void dir_unsupported(struct cfg_parser *p, const struct cfg_line *l)
{
    cfgp_warn(p, "%s is unsupported, ignored", l->argv[0]);
}

static bool valid_user_part(const char *s, size_t n)
{
    if (n == 0 || n > USER_NAME_MAX || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
        if (!ok)
            return false;
    }
    return true;
}

static void dir_user(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    const char *arg = one_arg(p, l);
    if (arg == NULL)
        return;
    const char *colon = strchr(arg, ':');
    size_t user_len = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
    if (!valid_user_part(arg, user_len) ||
        (colon != NULL && !valid_user_part(colon + 1, strlen(colon + 1)))) {
        cfgp_error(p, "user: invalid user[:group] \"%s\"", cfgp_word(arg, w));
        return;
    }
    char user[USER_NAME_MAX + 1];
    memcpy(user, arg, user_len);
    user[user_len] = '\0';
    cfgp_set_string(p, &p->cfg->user, user);
    if (colon != NULL)
        cfgp_set_string(p, &p->cfg->group, colon + 1);
}

static void dir_clock(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    struct cfg *c = p->cfg;
    if (l->argc < 2) {
        cfgp_error(p, "missing driver for clock (system, none or virtual)");
        return;
    }
    const char *drv = l->argv[1];
    if (strcmp(drv, "system") == 0)
        c->clock = CFG_CLOCK_SYSTEM;
    else if (strcmp(drv, "none") == 0)
        c->clock = CFG_CLOCK_NONE;
    else if (strcmp(drv, "virtual") == 0)
        c->clock = CFG_CLOCK_VIRTUAL;
    else {
        cfgp_error(p, "unknown clock driver \"%s\" (system, none or virtual)", cfgp_word(drv, w));
        return;
    }
    c->clock_offset_s = 0;
    c->clock_freq_ppm = 0;
    for (int i = 2; i < l->argc; i++) {
        const char *opt = l->argv[i], *v;
        bool offset = strcmp(opt, "offset") == 0, freq = strcmp(opt, "freq") == 0;
        if (!offset && !freq) {
            cfgp_error(p, "unknown option \"%s\" for clock", cfgp_word(opt, w));
        } else if (c->clock != CFG_CLOCK_VIRTUAL) {
            cfgp_error(p, "clock: \"%s\" is only valid with the virtual clock", opt);
            cfgp_arg(p, l, &i, opt);
        } else if ((v = cfgp_arg(p, l, &i, opt)) != NULL) {
            if (offset)
                cfgp_double(p, "clock offset", v, -MAX_VIRT_OFFSET_S, MAX_VIRT_OFFSET_S,
                            &c->clock_offset_s);
            else
                cfgp_double(p, "clock freq", v, -MAX_VIRT_FREQ_PPM, MAX_VIRT_FREQ_PPM,
                            &c->clock_freq_ppm);
        }
    }
}

static void dir_number(struct cfg_parser *p, const struct cfg_line *l)
{
    struct cfg *c = p->cfg;
    const char *dir = l->argv[0], *v = one_arg(p, l);
    long n;
    if (v == NULL)
        return;
    if (strcmp(dir, "port") == 0) {
        if (cfgp_long(p, dir, v, 1, 65535, &n))
            c->port = (unsigned)n;
    } else if (strcmp(dir, "minsources") == 0) {
        if (cfgp_long(p, dir, v, 1, CFG_MAX_SOURCES, &n))
            c->minsources = (unsigned)n;
    } else {
        cfgp_double(p, dir, v, 1, 100000, &c->maxslewrate_ppm);
    }
}

typedef void (*directive_fn)(struct cfg_parser *p, const struct cfg_line *l);

static const struct {
    const char *name;
    directive_fn fn;
} directives[] = {
    {"server", cfgp_dir_server},
    {"pool", cfgp_dir_server},
    {"peer", dir_peer},
    {"fudge", cfgp_dir_fudge},
    {"refclock", cfgp_dir_refclock},
    {"hwtimestamp", cfgp_dir_hwtimestamp},
    {"local", cfgp_dir_local},
    {"restrict", cfgp_dir_restrict},
    {"unrestrict", cfgp_dir_unrestrict},
    {"allow", cfgp_dir_allow_deny},
    {"deny", cfgp_dir_allow_deny},
    {"ratelimit", cfgp_dir_ratelimit},
    {"driftfile", dir_path},
    {"logfile", dir_path},
    {"leapfile", dir_path},
    {"pidfile", dir_path},
    {"chroot", dir_path},
    {"controlsocket", dir_path},
    {"logconfig", dir_logconfig},
    {"tinker", dir_tinker},
    {"tos", dir_tos},
    {"includefile", dir_includefile},
    {"keys", cfgp_dir_keys},
    {"trustedkey", cfgp_dir_trustedkey},
    {"controlkey", cfgp_dir_keyid},
    {"requestkey", cfgp_dir_keyid},
    {"enable", dir_enable},
    {"disable", dir_enable},
    {"statsdir", cfgp_dir_statsdir},
    {"statistics", cfgp_dir_statistics},
    {"filegen", cfgp_dir_filegen},
    {"logident", cfgp_dir_logident},
    {"user", dir_user},
    {"clock", dir_clock},
    {"port", dir_number},
    {"minsources", dir_number},
    {"maxslewrate", dir_number},
    {"metrics", cfgp_dir_observe},
    {"clockbound", cfgp_dir_observe},
    {"vmclock", cfgp_dir_observe},
    /* ntpd directives without an equivalent in tsyncd (yet). */
    {"interface", cfgp_dir_interface},
    {"nic", cfgp_dir_interface},
    {"broadcast", dir_unsupported},
    {"broadcastclient", dir_unsupported},
    {"multicastclient", dir_unsupported},
    {"manycastclient", dir_unsupported},
    {"manycastserver", dir_unsupported},
    {"discard", dir_unsupported},
    {"mru", dir_unsupported},
    {"setvar", dir_unsupported},
    {"trap", dir_unsupported},
    {"ttl", dir_unsupported},
    {"revoke", dir_unsupported},
    {"automax", dir_unsupported},
    {"mdnstries", dir_unsupported},
    {"rlimit", dir_unsupported},
    {"nts", cfgp_dir_nts},
    {"ntsserverkey", cfgp_dir_nts_chrony},
    {"ntsservercert", cfgp_dir_nts_chrony},
    {"ntstrustedcerts", cfgp_dir_nts_chrony},
    {"ntsdumpdir", cfgp_dir_nts_chrony},
    {"ntsport", cfgp_dir_nts_chrony},
    {"ntsrotate", cfgp_dir_nts_chrony},
    {"ntsntpserver", cfgp_dir_nts_chrony},
    {"nocerttimecheck", cfgp_dir_nts_chrony},
    {"ntsprocesses", cfgp_dir_nts_chrony},
    {"ntsserverhelpers", cfgp_dir_nts_chrony},
    {"ntsrefresh", cfgp_dir_nts_chrony},
};

void cfgp_dispatch(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    for (size_t k = 0; k < sizeof(directives) / sizeof(directives[0]); k++) {
        if (strcmp(l->argv[0], directives[k].name) == 0) {
            directives[k].fn(p, l);
            return;
        }
    }
    if (!cfgp_refused_directive(p, l))
        cfgp_unknown(p, "unknown directive \"%s\"", cfgp_word(l->argv[0], w));
}
