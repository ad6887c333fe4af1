// SPDX-License-Identifier: ISC
/*
 * Time source directives: server/pool, ntpd's local clock (127.127.1.0 with fudge),
 * refclock phc, hwtimestamp, local stratum.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/config/config_int.h"

#define LOCAL_STRATUM_DEFAULT 10 /* chrony's "local" without a stratum */
#define PHC_MAX_READINGS      25 /* PTP_MAX_SAMPLES of PTP_SYS_OFFSET */
#define IFACE_NAME_MAX        15 /* IFNAMSIZ - 1 */

/* ntpd/chrony source options tsyncd does not implement; nargs values follow the option. */
struct ignored_opt {
    const char *name;
    int nargs;
};

static const struct ignored_opt ignored_server_opts[] = {
    {"dynamic", 0}, {"preempt", 0}, {"mode", 1},
    {"ttl", 1},     {"bias", 1},    {"maxsources", 1},
};

/* Handles an option tsyncd knows but ignores; false if name is not one of them. */
static bool skip_ignored(struct cfg_parser *p, const struct ignored_opt *tab, size_t n,
                         const struct cfg_line *l, int *i, const char *directive)
{
    for (size_t k = 0; k < n; k++) {
        if (strcmp(l->argv[*i], tab[k].name) != 0)
            continue;
        cfgp_warn(p, "option \"%s\" for %s is unsupported, ignored", tab[k].name, directive);
        for (int a = 0; a < tab[k].nargs; a++)
            if (cfgp_arg(p, l, i, tab[k].name) == NULL)
                break;
        return true;
    }
    return false;
}

/* Which of minpoll/maxpoll were given on the line. */
struct poll_given {
    bool minpoll, maxpoll;
};

static bool server_flag(const char *opt, unsigned *flags)
{
    static const struct {
        const char *name;
        unsigned flag;
    } tab[] = {{"iburst", CFG_SRC_IBURST},
               {"burst", CFG_SRC_BURST},
               {"prefer", CFG_SRC_PREFER},
               {"noselect", CFG_SRC_NOSELECT},
               {"true", CFG_SRC_TRUE},
               {"xleave", CFG_SRC_XLEAVE}};
    for (size_t k = 0; k < sizeof(tab) / sizeof(tab[0]); k++) {
        if (strcmp(opt, tab[k].name) == 0) {
            *flags |= tab[k].flag;
            return true;
        }
    }
    return false;
}

/* Parses one option at argv[*i] of a server line into s. */
static void server_option(struct cfg_parser *p, const struct cfg_line *l, int *i,
                          struct cfg_source *s, struct poll_given *given)
{
    const char *opt = l->argv[*i];
    const char *v;
    long n;
    char w[CFGP_WORD_BUF];
    if (server_flag(opt, &s->flags) || cfgp_nts_server_option(p, l, i, s))
        return;
    if (strcmp(opt, "minpoll") == 0 || strcmp(opt, "maxpoll") == 0) {
        bool is_min = opt[1] == 'i';
        if ((v = cfgp_arg(p, l, i, opt)) && cfgp_long(p, opt, v, CFG_MIN_POLL, CFG_MAX_POLL, &n)) {
            *(is_min ? &s->minpoll : &s->maxpoll) = (int)n;
            *(is_min ? &given->minpoll : &given->maxpoll) = true;
        }
    } else if (strcmp(opt, "version") == 0) {
        if ((v = cfgp_arg(p, l, i, opt)) && cfgp_long(p, opt, v, 1, 4, &n))
            s->version = (int)n;
    } else if (strcmp(opt, "port") == 0) {
        if ((v = cfgp_arg(p, l, i, opt)) && cfgp_long(p, opt, v, 1, 65535, &n))
            s->port = (unsigned)n;
    } else if (strcmp(opt, "key") == 0) {
        if ((v = cfgp_arg(p, l, i, opt)) && cfgp_long(p, opt, v, 1, AUTH_MAX_KEY_ID, &n))
            s->key_id = (uint32_t)n;
    } else if (!cfgp_refused_server_option(p, l, i) &&
               !skip_ignored(p, ignored_server_opts,
                             sizeof(ignored_server_opts) / sizeof(ignored_server_opts[0]), l, i,
                             l->argv[0])) {
        cfgp_unknown(p, "unknown option \"%s\" for %s", cfgp_word(opt, w), l->argv[0]);
        cfgp_skip_value(l, i);
    }
}

/* Without both bounds given, the default one follows the given one (as ntpd does). */
static void check_polls(struct cfg_parser *p, struct cfg_source *s, struct poll_given given)
{
    if (s->minpoll <= s->maxpoll)
        return;
    if (given.minpoll && !given.maxpoll)
        s->maxpoll = s->minpoll;
    else if (given.maxpoll && !given.minpoll)
        s->minpoll = s->maxpoll;
    else
        cfgp_error(p, "minpoll %d is greater than maxpoll %d", s->minpoll, s->maxpoll);
}

/* True for ntpd's 127.127.T.U reference clock pseudo-addresses; sets *type to T. */
static bool ntpd_refclock_addr(const char *name, int *type)
{
    struct cfg_net net;
    if (!cfgp_parse_net(name, &net) || net.family != CFG_FAMILY_IPV4 || strchr(name, '/'))
        return false;
    *type = net.addr[2];
    return net.addr[0] == 127 && net.addr[1] == 127;
}

static void add_source(struct cfg_parser *p, const struct cfg_source *s)
{
    struct cfg *c = p->cfg;
    if (c->n_sources >= CFG_MAX_SOURCES) {
        cfgp_error(p, "too many sources (limit %d)", CFG_MAX_SOURCES);
        return;
    }
    struct cfg_source *dst = &c->sources[c->n_sources];
    *dst = *s;
    dst->name = cfgp_strdup(p, s->name);
    if (dst->name == NULL)
        return;
    if (s->key_id != 0)
        cfgp_keyed_source(p, c->n_sources);
    c->n_sources++;
}

void cfgp_dir_server(struct cfg_parser *p, const struct cfg_line *l)
{
    const char *dir = l->argv[0];
    char w[CFGP_WORD_BUF];
    struct cfg_source s = {.type = strcmp(dir, "pool") == 0 ? CFG_SOURCE_POOL : CFG_SOURCE_SERVER,
                           .minpoll = CFG_DEFAULT_MINPOLL,
                           .maxpoll = CFG_DEFAULT_MAXPOLL,
                           .version = CFG_DEFAULT_VERSION,
                           .port = CFG_DEFAULT_PORT,
                           .nts_port = CFG_DEFAULT_NTSKE_PORT};
    int i = 1;
    if (i < l->argc && (strcmp(l->argv[i], "-4") == 0 || strcmp(l->argv[i], "-6") == 0))
        s.family = l->argv[i++][1] == '4' ? CFG_FAMILY_IPV4 : CFG_FAMILY_IPV6;
    if (i >= l->argc) {
        cfgp_error(p, "missing host name for %s", dir);
        return;
    }
    s.name = l->argv[i];
    if (!cfgp_valid_host(s.name)) {
        cfgp_error(p, "invalid host name \"%s\" for %s", cfgp_word(s.name, w), dir);
        return;
    }
    struct cfg_net literal;
    if (s.family != CFG_FAMILY_ANY && cfgp_parse_net(s.name, &literal) &&
        literal.family != s.family) {
        cfgp_error(p, "%s -%d does not match address \"%s\"", dir, (int)s.family,
                   cfgp_word(s.name, w));
        return;
    }
    size_t errors = p->diag->n_errors;
    struct poll_given given = {false, false};
    for (i++; i < l->argc; i++)
        server_option(p, l, &i, &s, &given);
    check_polls(p, &s, given);
    cfgp_nts_check_source(p, &s);
    int type;
    if (ntpd_refclock_addr(s.name, &type)) {
        if (type == 1)
            p->local_clock_server = true;
        else
            cfgp_warn(p, "ntpd reference clock %s is unsupported, ignored", cfgp_word(s.name, w));
        return;
    }
    if (p->diag->n_errors == errors)
        add_source(p, &s);
}

void cfgp_dir_fudge(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    int type;
    if (l->argc < 2) {
        cfgp_error(p, "missing reference clock address for fudge");
        return;
    }
    if (!ntpd_refclock_addr(l->argv[1], &type)) {
        cfgp_error(p, "fudge: \"%s\" is not a reference clock address (127.127.T.U)",
                   cfgp_word(l->argv[1], w));
        return;
    }
    if (type != 1) {
        cfgp_warn(p, "fudge for unsupported reference clock %s, ignored", cfgp_word(l->argv[1], w));
        return;
    }
    for (int i = 2; i < l->argc; i++) {
        const char *opt = l->argv[i], *v;
        long n;
        if (strcmp(opt, "stratum") == 0) {
            if ((v = cfgp_arg(p, l, &i, opt)) && cfgp_long(p, "fudge stratum", v, 1, 15, &n))
                p->local_clock_fudge_stratum = (int)n;
        } else if (strcmp(opt, "time1") == 0 || strcmp(opt, "time2") == 0 ||
                   strcmp(opt, "refid") == 0 ||
                   (strncmp(opt, "flag", 4) == 0 && opt[4] >= '1' && opt[4] <= '4' &&
                    opt[5] == '\0')) {
            cfgp_warn(p, "fudge option \"%s\" is unsupported, ignored", cfgp_word(opt, w));
            cfgp_arg(p, l, &i, opt);
        } else {
            cfgp_unknown(p, "unknown option \"%s\" for fudge", cfgp_word(opt, w));
            cfgp_skip_value(l, &i);
        }
    }
}

void cfgp_finish_sources(struct cfg_parser *p)
{
    if (p->local_clock_server && p->cfg->local_stratum == 0)
        p->cfg->local_stratum = p->local_clock_fudge_stratum > 0 ? p->local_clock_fudge_stratum
                                                                 : CFG_LOCAL_CLOCK_STRATUM;
    else if (!p->local_clock_server && p->local_clock_fudge_stratum > 0)
        cfgp_file_msg(p, CFG_WARNING, p->file,
                      "fudge 127.127.1.0 without \"server 127.127.1.0\", ignored");
}

/* A /dev path or a network interface name. */
static bool valid_device(const char *s)
{
    size_t n = strlen(s);
    if (s[0] == '/')
        return n < PATH_MAX;
    return n > 0 && n <= IFACE_NAME_MAX && cfgp_valid_host(s) && strchr(s, '/') == NULL;
}

static void refclock_option(struct cfg_parser *p, const struct cfg_line *l, int *i,
                            struct cfg_refclock *r)
{
    const char *opt = l->argv[*i], *v;
    long n;
    char w[CFGP_WORD_BUF];
    if (strcmp(opt, "prefer") == 0) {
        r->flags |= CFG_SRC_PREFER;
    } else if (strcmp(opt, "noselect") == 0) {
        r->flags |= CFG_SRC_NOSELECT;
    } else if (strcmp(opt, "poll") == 0) {
        if ((v = cfgp_arg(p, l, i, opt)) && cfgp_long(p, opt, v, -6, 12, &n))
            r->poll = (int)n;
    } else if (strcmp(opt, "readings") == 0) {
        if ((v = cfgp_arg(p, l, i, opt)) && cfgp_long(p, opt, v, 1, PHC_MAX_READINGS, &n))
            r->readings = (unsigned)n;
    } else if (strcmp(opt, "delay") == 0) {
        if ((v = cfgp_arg(p, l, i, opt)))
            cfgp_double(p, opt, v, 0.0, 1.0, &r->delay_s);
    } else if (strcmp(opt, "offset") == 0) {
        if ((v = cfgp_arg(p, l, i, opt)))
            cfgp_double(p, opt, v, -1.0, 1.0, &r->offset_s);
    } else {
        cfgp_unknown(p, "unknown option \"%s\" for refclock", cfgp_word(opt, w));
        cfgp_skip_value(l, i);
    }
}

void cfgp_dir_refclock(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    struct cfg *c = p->cfg;
    if (l->argc < 2) {
        cfgp_error(p, "missing driver for refclock");
        return;
    }
    if (strcasecmp(l->argv[1], "phc") != 0) {
        cfgp_unknown(p, "unknown refclock driver \"%s\", ignored", cfgp_word(l->argv[1], w));
        return;
    }
    if (l->argc < 3) {
        cfgp_error(p, "missing device for refclock phc");
        return;
    }
    if (!valid_device(l->argv[2])) {
        cfgp_error(p, "invalid device \"%s\" for refclock phc", cfgp_word(l->argv[2], w));
        return;
    }
    struct cfg_refclock r = {.poll = 0, .readings = 25}; /* as chrony: 25 per sample */
    size_t errors = p->diag->n_errors;
    for (int i = 3; i < l->argc; i++)
        refclock_option(p, l, &i, &r);
    if (p->diag->n_errors != errors)
        return;
    if (c->n_refclocks >= CFG_MAX_REFCLOCKS) {
        cfgp_error(p, "too many refclocks (limit %d)", CFG_MAX_REFCLOCKS);
        return;
    }
    r.device = cfgp_strdup(p, l->argv[2]);
    if (r.device != NULL)
        c->refclocks[c->n_refclocks++] = r;
}

void cfgp_dir_hwtimestamp(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];
    struct cfg *c = p->cfg;
    if (l->argc < 2) {
        cfgp_error(p, "missing interface for hwtimestamp");
        return;
    }
    const char *iface = l->argv[1];
    if (strcmp(iface, "*") != 0 && (iface[0] == '/' || !valid_device(iface))) {
        cfgp_error(p, "invalid interface \"%s\" for hwtimestamp", cfgp_word(iface, w));
        return;
    }
    for (int i = 2; i < l->argc; i++) {
        cfgp_unknown(p, "unknown option \"%s\" for hwtimestamp", cfgp_word(l->argv[i], w));
        cfgp_skip_value(l, &i);
    }
    if (c->n_hwts >= CFG_MAX_HWTS) {
        cfgp_error(p, "too many hwtimestamp lines (limit %d)", CFG_MAX_HWTS);
        return;
    }
    char *copy = cfgp_strdup(p, iface);
    if (copy != NULL)
        c->hwts[c->n_hwts++].iface = copy;
}

void cfgp_dir_local(struct cfg_parser *p, const struct cfg_line *l)
{
    static const struct ignored_opt ignored[] = {
        {"orphan", 0}, {"distance", 1}, {"activate", 1}, {"waitsynced", 1}, {"waitunsynced", 1}};
    char w[CFGP_WORD_BUF];
    long stratum = LOCAL_STRATUM_DEFAULT;
    for (int i = 1; i < l->argc; i++) {
        const char *v;
        if (strcmp(l->argv[i], "stratum") == 0) {
            if ((v = cfgp_arg(p, l, &i, "stratum")) == NULL ||
                !cfgp_long(p, "local stratum", v, 1, 15, &stratum))
                return;
        } else if (!skip_ignored(p, ignored, sizeof(ignored) / sizeof(ignored[0]), l, &i,
                                 "local")) {
            cfgp_unknown(p, "unknown option \"%s\" for local", cfgp_word(l->argv[i], w));
            cfgp_skip_value(l, &i);
        }
    }
    p->cfg->local_stratum = (int)stratum;
}
