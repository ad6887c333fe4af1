// SPDX-License-Identifier: ISC
/* ntpd-compatible command line (see cmdline.h). Reentrant: no getopt state. */
#include <stdlib.h>
#include <string.h>

#include "daemon/config/cmdline.h"

/* The options: a short letter (0 for long-only), a long name, whether a value follows. */
enum opt_id {
    OPT_CONFIG,
    OPT_FOREGROUND,
    OPT_PANICGATE,
    OPT_QUIT,
    OPT_USER,
    OPT_PIDFILE,
    OPT_LOGFILE,
    OPT_DEBUG,
    OPT_PRIORITY,
    OPT_SLEW,
    OPT_CHECK_CONFIG,
    OPT_STRICT,
    OPT_SINGLE_PROCESS,
    OPT_HELP,
    OPT_VERSION,
};

static const struct {
    enum opt_id id;
    char letter;
    const char *name;
    bool has_value;
} options[] = {
    {OPT_CONFIG, 'c', "configfile", true},
    {OPT_FOREGROUND, 'n', "nofork", false},
    {OPT_PANICGATE, 'g', "panicgate", false},
    {OPT_QUIT, 'q', "quit", false},
    {OPT_USER, 'u', "user", true},
    {OPT_PIDFILE, 'p', "pidfile", true},
    {OPT_LOGFILE, 'l', "logfile", true},
    {OPT_DEBUG, 'd', "debug-level", false},
    {OPT_PRIORITY, 'N', "priority", false},
    {OPT_SLEW, 'x', "slew", false},
    {OPT_CHECK_CONFIG, 0, "check-config", false},
    {OPT_STRICT, 0, "strict", false},
    {OPT_SINGLE_PROCESS, 0, "single-process", false},
    {OPT_HELP, 'h', "help", false},
    {OPT_VERSION, 0, "version", false},
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

void cmd_usage(FILE *out)
{
    fputs("usage: tsyncd [options]\n"
          "  -c, --configfile FILE   configuration file (default " CFG_DEFAULT_PATH ")\n"
          "  -n, --nofork            stay in the foreground\n"
          "  -g, --panicgate         allow a first step of any size\n"
          "  -q, --quit              set the clock once and exit\n"
          "  -u, --user USER[:GROUP] unprivileged user for the network process\n"
          "  -p, --pidfile FILE      write the process id to FILE\n"
          "  -l, --logfile FILE      log to FILE\n"
          "  -d, --debug-level       more logging, stay in the foreground (repeatable)\n"
          "  -N, --priority          accepted for ntpd compatibility, ignored\n"
          "  -x, --slew              step only offsets above 600 s (ntpd -x)\n"
          "      --check-config      load and print the configuration, then exit\n"
          "      --strict            unknown configuration words are errors\n"
          "      --single-process    no fork and no sandbox (debuggers, simulators)\n"
          "  -h, --help              this help\n"
          "      --version           print the version\n",
          out);
}

static void set_flag(struct cmd_opts *o, enum opt_id id)
{
    switch (id) {
    case OPT_FOREGROUND:
        o->foreground = true;
        break;
    case OPT_PANICGATE:
        o->panic_gate = true;
        break;
    case OPT_QUIT:
        o->once = true;
        break;
    case OPT_DEBUG:
        o->debug++;
        o->foreground = true;
        break;
    case OPT_SLEW:
        o->slew_only = true;
        break;
    case OPT_CHECK_CONFIG:
        o->action = CMD_CHECK_CONFIG;
        break;
    case OPT_STRICT:
        o->strict = true;
        break;
    case OPT_SINGLE_PROCESS:
        o->single_process = true;
        break;
    case OPT_HELP:
        o->action = CMD_HELP;
        break;
    case OPT_VERSION:
        o->action = CMD_VERSION;
        break;
    default: /* OPT_PRIORITY: ignored; value options are handled by set_value */
        break;
    }
}

static void set_value(struct cmd_opts *o, enum opt_id id, const char *value)
{
    if (id == OPT_CONFIG)
        o->config_path = value;
    else if (id == OPT_USER)
        o->user = value;
    else if (id == OPT_PIDFILE)
        o->pidfile = value;
    else
        o->logfile = value;
}

/* "--name[=value]": returns the index of the next argument or -1 on error. */
static int parse_long(int argc, char *const argv[], int i, struct cmd_opts *o, char *err,
                      size_t errlen)
{
    const char *arg = argv[i] + 2;
    const char *eq = strchr(arg, '=');
    size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
    for (size_t k = 0; k < N_OPTIONS; k++) {
        if (strlen(options[k].name) != n || strncmp(options[k].name, arg, n) != 0)
            continue;
        if (!options[k].has_value) {
            if (eq != NULL) {
                snprintf(err, errlen, "option --%s takes no value", options[k].name);
                return -1;
            }
            set_flag(o, options[k].id);
            return i + 1;
        }
        const char *value = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL || value[0] == '\0') {
            snprintf(err, errlen, "option --%s needs a value", options[k].name);
            return -1;
        }
        set_value(o, options[k].id, value);
        return i + 1;
    }
    snprintf(err, errlen, "unknown option \"%.*s\"", (int)(n + 2 > 64 ? 64 : n + 2), argv[i]);
    return -1;
}

/* "-abc" or "-cFILE" or "-c FILE": returns the index of the next argument or -1 on error. */
static int parse_short(int argc, char *const argv[], int i, struct cmd_opts *o, char *err,
                       size_t errlen)
{
    for (const char *s = argv[i] + 1; *s != '\0'; s++) {
        size_t k = 0;
        while (k < N_OPTIONS && (options[k].letter == 0 || options[k].letter != *s))
            k++;
        if (k == N_OPTIONS) {
            snprintf(err, errlen, "unknown option \"-%c\"", *s);
            return -1;
        }
        if (!options[k].has_value) {
            set_flag(o, options[k].id);
            continue;
        }
        const char *value = s[1] != '\0' ? s + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL || value[0] == '\0') {
            snprintf(err, errlen, "option -%c needs a value", *s);
            return -1;
        }
        set_value(o, options[k].id, value);
        break;
    }
    return i + 1;
}

int cmd_parse(int argc, char *const argv[], struct cmd_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->action = CMD_RUN;
    o->config_path = CFG_DEFAULT_PATH;
    o->argc = argc;
    o->argv = argv;
    int i = 1;
    while (i < argc) {
        const char *arg = argv[i];
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (arg[0] != '-' || arg[1] == '\0')
            break;
        i = arg[1] == '-' ? parse_long(argc, argv, i, o, err, errlen)
                          : parse_short(argc, argv, i, o, err, errlen);
        if (i < 0)
            return -1;
    }
    if (i < argc) {
        snprintf(err, errlen, "unexpected argument \"%.64s\"", argv[i]);
        return -1;
    }
    return 0;
}

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

/* Validates -u through the configuration parser's own "user" directive. */
static int apply_user(const char *user, struct cfg *c, char *err, size_t errlen)
{
    char line[128];
    if (strlen(user) > 80 || strpbrk(user, " \t\"#\n") != NULL) {
        snprintf(err, errlen, "-u: invalid user[:group] \"%.80s\"", user);
        return -1;
    }
    snprintf(line, sizeof(line), "user %s\n", user);
    struct cfg tmp;
    struct cfg_diag diag;
    cfg_diag_init(&diag);
    int rc = cfg_load_string("-u", line, strlen(line), CFG_STRICT | CFG_NO_INCLUDE, &tmp, &diag);
    if (rc == 0) {
        if (set_copy(&c->user, tmp.user, err, errlen) < 0)
            rc = -1;
        else if (tmp.group != NULL)
            rc = set_copy(&c->group, tmp.group, err, errlen);
    } else {
        snprintf(err, errlen, "-u: invalid user[:group] \"%.80s\"", user);
    }
    cfg_free(&tmp);
    cfg_diag_free(&diag);
    return rc;
}

int cmd_apply(const struct cmd_opts *o, struct cfg *c, char *err, size_t errlen)
{
    if (o->user != NULL && apply_user(o->user, c, err, errlen) < 0)
        return -1;
    const struct {
        const char *flag, *value;
        char **slot;
    } paths[] = {{"-p", o->pidfile, &c->pidfile}, {"-l", o->logfile, &c->logfile}};
    for (size_t k = 0; k < 2; k++) {
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
    if (o->slew_only)
        c->step_s = CMD_SLEW_STEP_S;
    return 0;
}
