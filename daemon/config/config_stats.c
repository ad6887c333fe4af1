// SPDX-License-Identifier: ISC
/* ntpd's statistics directives (statsdir, statistics, filegen) and logident. */
#include <string.h>

#include "daemon/common/log.h"
#include "daemon/config/config_int.h"

#define STATSDIR_MAX         1024
#define FILEGEN_NAME_MAX     64
#define POOL_MEMBERS_DEFAULT 4
#define POOL_MEMBERS_MAX     16

static const char *const stats_names[CFG_N_STATS] = {
    [CFG_STATS_LOOP] = "loopstats",   [CFG_STATS_PEER] = "peerstats",
    [CFG_STATS_CLOCK] = "clockstats", [CFG_STATS_SYS] = "sysstats",
    [CFG_STATS_PROTO] = "protostats",
};

/* ntpd's other file sets: accepted, not written. */
static const char *const unwritten_stats[] = {
    "rawstats", "timingstats", "usestats", "cryptostats", "authstats", "ntsstats", "ntskestats"};

static const char *const filegen_types[] = {
    [CFG_FILEGEN_NONE] = "none", [CFG_FILEGEN_PID] = "pid",     [CFG_FILEGEN_DAY] = "day",
    [CFG_FILEGEN_WEEK] = "week", [CFG_FILEGEN_MONTH] = "month", [CFG_FILEGEN_YEAR] = "year",
    [CFG_FILEGEN_AGE] = "age",
};

const char *cfg_stats_name(enum cfg_stats k)
{
    return (unsigned)k < CFG_N_STATS ? stats_names[k] : "?";
}

/* The index of a file set name; -1 for one tsyncd does not write (warned), -2 unknown. */
static int stats_index(const char *name)
{
    for (int k = 0; k < CFG_N_STATS; k++) {
        if (strcmp(name, stats_names[k]) == 0)
            return k;
    }
    for (size_t k = 0; k < sizeof(unwritten_stats) / sizeof(unwritten_stats[0]); k++) {
        if (strcmp(name, unwritten_stats[k]) == 0)
            return -1;
    }
    return -2;
}

static int stats_lookup(struct cfg_parser *p, const char *directive, const char *name)
{
    char w[CFGP_WORD_BUF];
    int k = stats_index(name);

    if (k == -1)
        cfgp_warn(p, "%s: tsyncd does not write %s, ignored", directive, name);
    else if (k == -2)
        cfgp_unknown(p, "%s: unknown statistics \"%s\"", directive, cfgp_word(name, w));
    return k;
}

void cfgp_dir_statsdir(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF], dir[STATSDIR_MAX + 2];
    size_t n;

    if (l->argc != 2) {
        cfgp_error(p, "statsdir takes one directory");
        return;
    }
    n = strlen(l->argv[1]);
    if (l->argv[1][0] != '/' || n > STATSDIR_MAX) {
        cfgp_error(p, "statsdir: \"%s\" is not an absolute path", cfgp_word(l->argv[1], w));
        return;
    }
    memcpy(dir, l->argv[1], n + 1);
    if (dir[n - 1] != '/') /* ntpd appends the file name directly: keep the separator */
        memcpy(dir + n, "/", 2);
    cfgp_set_string(p, &p->cfg->statsdir, dir);
}

void cfgp_dir_statistics(struct cfg_parser *p, const struct cfg_line *l)
{
    if (l->argc < 2)
        cfgp_error(p, "missing argument for statistics");
    for (int i = 1; i < l->argc; i++) {
        int k = stats_lookup(p, "statistics", l->argv[i]);

        if (k >= 0)
            p->cfg->filegen[k].enabled = true;
    }
}

/* A file name inside statsdir: printable, no '/', not "." or "..". */
static bool filegen_file_ok(const char *f)
{
    size_t n = strlen(f);

    if (n == 0 || n > FILEGEN_NAME_MAX || strcmp(f, ".") == 0 || strcmp(f, "..") == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (f[i] == '/' || (unsigned char)f[i] <= ' ' || (unsigned char)f[i] > '~')
            return false;
    }
    return true;
}

static bool filegen_type(struct cfg_parser *p, const char *word, enum cfg_filegen_type *out)
{
    char w[CFGP_WORD_BUF];

    for (size_t t = 0; t < sizeof(filegen_types) / sizeof(filegen_types[0]); t++) {
        if (strcmp(word, filegen_types[t]) == 0) {
            *out = (enum cfg_filegen_type)t;
            return true;
        }
    }
    cfgp_error(p, "filegen: unknown type \"%s\" (none, pid, day, week, month, year or age)",
               cfgp_word(word, w));
    return false;
}

/* One option of a filegen line at argv[*i]; fg may be NULL (a set tsyncd does not write). */
static void filegen_option(struct cfg_parser *p, const struct cfg_line *l, int *i,
                           struct cfg_filegen *fg)
{
    char w[CFGP_WORD_BUF];
    const char *opt = l->argv[*i], *v;
    struct cfg_filegen scratch = {0};
    enum cfg_filegen_type type;

    if (fg == NULL)
        fg = &scratch;
    if (strcmp(opt, "file") == 0) {
        if ((v = cfgp_arg(p, l, i, "filegen file")) == NULL)
            return;
        if (!filegen_file_ok(v))
            cfgp_error(p, "filegen file: \"%s\" must be a plain name inside statsdir",
                       cfgp_word(v, w));
        else if (fg != &scratch)
            cfgp_set_string(p, &fg->file, v);
    } else if (strcmp(opt, "type") == 0) {
        if ((v = cfgp_arg(p, l, i, "filegen type")) != NULL && filegen_type(p, v, &type))
            fg->type = type;
    } else if (strcmp(opt, "link") == 0 || strcmp(opt, "nolink") == 0) {
        fg->link = opt[0] == 'l';
    } else if (strcmp(opt, "enable") == 0 || strcmp(opt, "disable") == 0) {
        fg->enabled = opt[0] == 'e';
    } else {
        cfgp_unknown(p, "filegen: unknown option \"%s\"", cfgp_word(opt, w));
    }
}

void cfgp_dir_filegen(struct cfg_parser *p, const struct cfg_line *l)
{
    int k;

    if (l->argc < 2) {
        cfgp_error(p, "missing statistics name for filegen");
        return;
    }
    k = stats_lookup(p, "filegen", l->argv[1]);
    if (k == -2)
        return;
    for (int i = 2; i < l->argc; i++)
        filegen_option(p, l, &i, k >= 0 ? &p->cfg->filegen[k] : NULL);
}

void cfgp_dir_logident(struct cfg_parser *p, const struct cfg_line *l)
{
    char w[CFGP_WORD_BUF];

    if (l->argc != 2) {
        cfgp_error(p, "logident takes one program name (for example ntpd)");
        return;
    }
    if (!log_ident_valid(l->argv[1])) {
        cfgp_error(p, "logident: \"%s\" is not a program name ([A-Za-z0-9._-], at most 32)",
                   cfgp_word(l->argv[1], w));
        return;
    }
    cfgp_set_string(p, &p->cfg->log_ident, l->argv[1]);
}

unsigned cfg_pool_members(const struct cfg *c)
{
    unsigned servers = 0, pools = 0, left;

    if (c->maxclock == 0)
        return POOL_MEMBERS_DEFAULT;
    for (size_t i = 0; i < c->n_sources; i++) {
        if (c->sources[i].type == CFG_SOURCE_POOL)
            pools++;
        else
            servers++;
    }
    left = c->maxclock > servers ? c->maxclock - servers : 0;
    left = pools > 0 ? left / pools : left;
    return left < 1 ? 1 : left > POOL_MEMBERS_MAX ? POOL_MEMBERS_MAX : left;
}

void cfgp_print_stats(const struct cfg *c, FILE *out)
{
    bool any = false;

    for (int k = 0; k < CFG_N_STATS; k++)
        any = any || c->filegen[k].enabled;
    if (!any) {
        fputs("# statistics (none)\n", out);
        return;
    }
    fprintf(out, "statsdir %s\n", c->statsdir != NULL ? c->statsdir : CFG_DEFAULT_STATSDIR);
    for (int k = 0; k < CFG_N_STATS; k++) {
        const struct cfg_filegen *fg = &c->filegen[k];

        fprintf(out, "filegen %s file %s type %s %s %s\n", stats_names[k],
                fg->file != NULL ? fg->file : stats_names[k], filegen_types[fg->type],
                fg->link ? "link" : "nolink", fg->enabled ? "enable" : "disable");
    }
}
