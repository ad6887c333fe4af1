// SPDX-License-Identifier: ISC
/* ntpd- and NTPsec-compatible command line (see cmdline.h). Reentrant: no getopt state. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/config/cmdline.h"

enum opt_id {
    OPT_IPV4,
    OPT_IPV6,
    OPT_AUTHREQ,
    OPT_AUTHNOREQ,
    OPT_BCASTSYNC,
    OPT_CONFIG,
    OPT_DEBUG,
    OPT_SET_DEBUG,
    OPT_DRIFTFILE,
    OPT_PANICGATE,
    OPT_STEP_ONCE,
    OPT_JAILDIR,
    OPT_INTERFACE,
    OPT_KEYFILE,
    OPT_LOGFILE,
    OPT_NOVIRTUALIPS,
    OPT_MDNS,
    OPT_MMTIMER,
    OPT_FOREGROUND,
    OPT_NICE,
    OPT_PIDFILE,
    OPT_PRIORITY,
    OPT_QUIT,
    OPT_PROPDELAY,
    OPT_SAVECONFIG,
    OPT_STATSDIR,
    OPT_TRUSTEDKEY,
    OPT_USER,
    OPT_UPDATEINTERVAL,
    OPT_VAR,
    OPT_WAITSYNC,
    OPT_SLEW,
    OPT_HELP,
    OPT_VERSION,
    OPT_CHECK_CONFIG,
    OPT_STRICT,
    OPT_SINGLE_PROCESS,
    OPT_LOG_IDENT,
};

enum opt_value {
    VAL_NONE,
    VAL_TEXT,         /* a value follows */
    VAL_NUMBER,       /* an integer in min..max follows */
    VAL_MCAST,        /* -m: ntpd 4.2.6 took a multicast group, later ones none */
    VAL_VERSION_DVAR, /* -V: NTPsec's version, ntpd 4.2.6's dvar NAME=VALUE */
};

static const struct option {
    enum opt_id id;
    char letter;
    const char *name;
    enum opt_value value;
    long min, max;       /* VAL_NUMBER */
    const char *warning; /* accepted, does nothing in tsyncd: why (NULL: applied) */
} options[] = {
    {OPT_IPV4, '4', "ipv4", VAL_NONE, 0, 0, NULL},
    {OPT_IPV6, '6', "ipv6", VAL_NONE, 0, 0, NULL},
    {OPT_AUTHREQ, 'a', "authreq", VAL_NONE, 0, 0, NULL},
    {OPT_AUTHREQ, 0, "assert", VAL_NONE, 0, 0, NULL},
    {OPT_AUTHNOREQ, 'A', "authnoreq", VAL_NONE, 0, 0,
     "tsyncd has no broadcast, multicast or symmetric passive association to relax"},
    {OPT_BCASTSYNC, 'b', "bcastsync", VAL_NONE, 0, 0, "tsyncd is not a broadcast client"},
    {OPT_CONFIG, 'c', "configfile", VAL_TEXT, 0, 0, NULL},
    {OPT_DEBUG, 'd', "debug-level", VAL_NONE, 0, 0, NULL},
    {OPT_SET_DEBUG, 'D', "set-debug-level", VAL_NUMBER, 0, CMD_MAX_DEBUG, NULL},
    {OPT_DRIFTFILE, 'f', "driftfile", VAL_TEXT, 0, 0, NULL},
    {OPT_PANICGATE, 'g', "panicgate", VAL_NONE, 0, 0, NULL},
    {OPT_STEP_ONCE, 'G', "force-step-once", VAL_NONE, 0, 0, NULL},
    {OPT_JAILDIR, 'i', "jaildir", VAL_TEXT, 0, 0, NULL},
    {OPT_INTERFACE, 'I', "interface", VAL_TEXT, 0, 0, NULL},
    {OPT_KEYFILE, 'k', "keyfile", VAL_TEXT, 0, 0, NULL},
    {OPT_LOGFILE, 'l', "logfile", VAL_TEXT, 0, 0, NULL},
    {OPT_NOVIRTUALIPS, 'L', "novirtualips", VAL_NONE, 0, 0,
     "tsyncd listens on wildcard (or -I) addresses, never one socket per alias"},
    {OPT_MDNS, 'm', "mdns", VAL_MCAST, 0, 0,
     "neither mDNS registration nor a multicast client is implemented"},
    {OPT_MDNS, 0, "mcastgroup", VAL_TEXT, 0, 0, "no multicast client is implemented"},
    {OPT_MMTIMER, 'M', "modifymmtimer", VAL_NONE, 0, 0, "Windows only"},
    {OPT_FOREGROUND, 'n', "nofork", VAL_NONE, 0, 0, NULL},
    {OPT_NICE, 'N', "nice", VAL_NONE, 0, 0, NULL},
    {OPT_PIDFILE, 'p', "pidfile", VAL_TEXT, 0, 0, NULL},
    {OPT_PRIORITY, 'P', "priority", VAL_NUMBER, 1, 99, NULL},
    {OPT_QUIT, 'q', "quit", VAL_NONE, 0, 0, NULL},
    {OPT_PROPDELAY, 'r', "propagationdelay", VAL_TEXT, 0, 0,
     "tsyncd is not a broadcast client (no propagation delay to add)"},
    {OPT_SAVECONFIG, 0, "saveconfigquit", VAL_TEXT, 0, 0, NULL},
    {OPT_STATSDIR, 's', "statsdir", VAL_TEXT, 0, 0, NULL},
    {OPT_TRUSTEDKEY, 't', "trustedkey", VAL_NUMBER, 1, 65535, NULL},
    {OPT_USER, 'u', "user", VAL_TEXT, 0, 0, NULL},
    {OPT_UPDATEINTERVAL, 'U', "updateinterval", VAL_NUMBER, 0, 86400,
     "tsyncd's wildcard sockets need no interface rescans"},
    {OPT_VAR, 'v', "var", VAL_TEXT, 0, 0, "mode 6 is read-only: no setvar variables"},
    {OPT_VAR, 'z', "dvar", VAL_TEXT, 0, 0, "mode 6 is read-only: no setvar variables"},
    {OPT_VAR, 'Z', NULL, VAL_TEXT, 0, 0, "mode 6 is read-only: no setvar variables"},
    {OPT_WAITSYNC, 'w', "wait-sync", VAL_NUMBER, 0, 86400,
     "tsyncd returns at once; wait with `tsyncctl waitsync SECONDS`"},
    {OPT_SLEW, 'x', "slew", VAL_NONE, 0, 0, NULL},
    {OPT_HELP, 'h', "help", VAL_NONE, 0, 0, NULL},
    {OPT_HELP, '?', "more-help", VAL_NONE, 0, 0, NULL},
    {OPT_HELP, '!', NULL, VAL_NONE, 0, 0, NULL},
    {OPT_VERSION, 'V', "version", VAL_VERSION_DVAR, 0, 0, NULL},
    {OPT_CHECK_CONFIG, 0, "check-config", VAL_NONE, 0, 0, NULL},
    {OPT_STRICT, 0, "strict", VAL_NONE, 0, 0, NULL},
    {OPT_SINGLE_PROCESS, 0, "single-process", VAL_NONE, 0, 0, NULL},
    {OPT_LOG_IDENT, 0, "log-ident", VAL_TEXT, 0, 0, NULL},
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

/* The key code is not in this build yet: -k and -t are kept and warned about. */
static const char *const no_keys_warning = "symmetric-key authentication is not implemented yet";

void cmd_usage(FILE *out)
{
    fputs(
        "usage: tsyncd [options] [server ...]\n"
        "  -c, --configfile FILE   configuration file (default " CFG_DEFAULT_PATH ")\n"
        "  -n, --nofork            stay in the foreground\n"
        "  -g, --panicgate         allow a first step of any size\n"
        "  -q, --quit              set the clock once and exit\n"
        "  -x, --slew              step only offsets above 600 s (ntpd -x)\n"
        "  -u, --user USER[:GROUP] unprivileged user\n"
        "  -i, --jaildir DIR       chroot directory\n"
        "  -p, --pidfile FILE      write the process id to FILE\n"
        "  -l, --logfile FILE      log to FILE\n"
        "  -f, --driftfile FILE    drift file\n"
        "  -s, --statsdir DIR      statistics directory\n"
        "  -4, --ipv4 / -6, --ipv6 use only IPv4 / only IPv6\n"
        "  -I, --interface IF|ADDR serve only there (and on loopback); repeatable\n"
        "  -N, --nice              the privileged process runs at the highest SCHED_FIFO priority\n"
        "  -P, --priority N        ... at SCHED_FIFO priority N\n"
        "  -d, --debug-level       more logging, stay in the foreground (repeatable)\n"
        "  -D, --set-debug-level N debug level N\n"
        "  -k, --keyfile FILE      symmetric keys;  -t, --trustedkey N  trusted key\n"
        "  -a -A -b -G -L -m -M -r -U -v -w -z -Z: ntpd's, see tsyncd(8)\n"
        "      --saveconfigquit FILE  write the configuration as read to FILE, exit\n"
        "      --check-config      load and print the configuration, then exit\n"
        "      --strict            unknown configuration words are errors\n"
        "      --single-process    no fork and no sandbox (debuggers, simulators)\n"
        "      --log-ident NAME    program name in log lines (e.g. ntpd)\n"
        "  -h, --help              this help\n"
        "  -V, --version           print the version\n"
        "  server ...              servers to use (with iburst), as NTPsec's ntpd\n",
        out);
}

int cmd_warnings(const struct cmd_opts *o, FILE *out)
{
    int n = 0;

    for (size_t k = 0; k < N_OPTIONS; k++) {
        if (options[k].warning == NULL || !(o->warned & (UINT64_C(1) << options[k].id)))
            continue;
        if (k > 0 && options[k - 1].id == options[k].id && options[k - 1].warning != NULL)
            continue; /* one line per flag, under its first name */
        if (options[k].letter != 0)
            fprintf(out, "tsyncd: warning: -%c: %s; ignored\n", options[k].letter,
                    options[k].warning);
        else
            fprintf(out, "tsyncd: warning: --%s: %s; ignored\n", options[k].name,
                    options[k].warning);
        n++;
    }
    if (o->keyfile != NULL || o->n_trusted_keys > 0) {
        fprintf(out, "tsyncd: warning: -k/-t: %s; ignored\n", no_keys_warning);
        n++;
    }
    return n;
}

static int set_flag(struct cmd_opts *o, enum opt_id id, char *err, size_t errlen)
{
    switch (id) {
    case OPT_IPV4:
    case OPT_IPV6: {
        enum cfg_family f = id == OPT_IPV4 ? CFG_FAMILY_IPV4 : CFG_FAMILY_IPV6;
        if (o->family != CFG_FAMILY_ANY && o->family != f) {
            snprintf(err, errlen, "options -4 and -6 exclude each other");
            return -1;
        }
        o->family = f;
        break;
    }
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
        o->debug += o->debug < CMD_MAX_DEBUG;
        o->foreground = true;
        break;
    case OPT_SLEW:
        o->slew_only = true;
        break;
    case OPT_NICE:
        o->priority = CMD_PRIORITY_HIGH;
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
    default: /* -a, -G: already tsyncd's behaviour; the others carry a warning */
        break;
    }
    return 0;
}

static int push(const char **list, size_t *n, const char *value, const char *what, char *err,
                size_t errlen)
{
    if (*n >= CMD_MAX_REPEAT) {
        snprintf(err, errlen, "too many %s (at most %d)", what, CMD_MAX_REPEAT);
        return -1;
    }
    list[(*n)++] = value;
    return 0;
}

static int set_value(struct cmd_opts *o, const struct option *opt, const char *value, char *err,
                     size_t errlen)
{
    if (opt->value == VAL_NUMBER) {
        char *end;
        long v = strtol(value, &end, 10);
        if (*end != '\0' || v < opt->min || v > opt->max) {
            snprintf(err, errlen, "option %s%c%s: \"%.40s\" is not a number in %ld..%ld",
                     opt->letter ? "-" : "--", opt->letter ? opt->letter : opt->name[0],
                     opt->letter ? "" : opt->name + 1, value, opt->min, opt->max);
            return -1;
        }
        if (opt->id == OPT_SET_DEBUG) {
            o->debug = (unsigned)v;
            o->foreground = o->foreground || v > 0;
        } else if (opt->id == OPT_PRIORITY) {
            o->priority = (int)v;
        }
    }
    switch (opt->id) {
    case OPT_CONFIG:
        o->config_path = value;
        break;
    case OPT_USER:
        o->user = value;
        break;
    case OPT_PIDFILE:
        o->pidfile = value;
        break;
    case OPT_LOGFILE:
        o->logfile = value;
        break;
    case OPT_DRIFTFILE:
        o->driftfile = value;
        break;
    case OPT_STATSDIR:
        o->statsdir = value;
        break;
    case OPT_JAILDIR:
        o->jaildir = value;
        break;
    case OPT_KEYFILE:
        o->keyfile = value;
        break;
    case OPT_SAVECONFIG:
        o->save_config = value;
        o->action = CMD_CHECK_CONFIG;
        break;
    case OPT_LOG_IDENT:
        o->log_ident = value;
        break;
    case OPT_TRUSTEDKEY:
        return push(o->trusted_keys, &o->n_trusted_keys, value, "-t keys", err, errlen);
    case OPT_INTERFACE:
        return push(o->listen, &o->n_listen, value, "-I interfaces", err, errlen);
    default:
        break;
    }
    return 0;
}

/* An IPv4 or IPv6 multicast address (ntpd 4.2.6's -m GROUP). */
static bool is_multicast(const char *s)
{
    uint8_t a[16];

    if (inet_pton(AF_INET, s, a) == 1)
        return a[0] >= 224 && a[0] <= 239;
    return inet_pton(AF_INET6, s, a) == 1 && a[0] == 0xff;
}

/* Whether an option whose value is optional takes the candidate that follows it. */
static bool takes_optional(const struct option *opt, const char *candidate)
{
    if (candidate == NULL || candidate[0] == '-')
        return false;
    if (opt->value == VAL_MCAST)
        return is_multicast(candidate);
    return strchr(candidate, '=') != NULL; /* -V NAME=VALUE: ntpd 4.2.6's dvar */
}

/* One option and its value (NULL for none). */
static int apply_option(struct cmd_opts *o, const struct option *opt, const char *value, char *err,
                        size_t errlen)
{
    if (opt->warning != NULL || (opt->id == OPT_VERSION && value != NULL))
        o->warned |= UINT64_C(1) << (opt->id == OPT_VERSION ? OPT_VAR : opt->id);
    if (opt->id == OPT_VERSION && value != NULL)
        return 0; /* a dvar: warned about as -v */
    if (value != NULL && (opt->value == VAL_TEXT || opt->value == VAL_NUMBER))
        return set_value(o, opt, value, err, errlen);
    return set_flag(o, opt->id, err, errlen);
}

static bool needs_value(const struct option *opt)
{
    return opt->value == VAL_TEXT || opt->value == VAL_NUMBER;
}

/* "--name[=value]": returns the index of the next argument or -1 on error. */
static int parse_long(int argc, char *const argv[], int i, struct cmd_opts *o, char *err,
                      size_t errlen)
{
    const char *arg = argv[i] + 2;
    const char *eq = strchr(arg, '=');
    size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

    for (size_t k = 0; k < N_OPTIONS; k++) {
        const struct option *opt = &options[k];
        if (opt->name == NULL || strlen(opt->name) != n || strncmp(opt->name, arg, n) != 0)
            continue;
        if (!needs_value(opt)) {
            if (eq != NULL) {
                snprintf(err, errlen, "option --%s takes no value", opt->name);
                return -1;
            }
            return apply_option(o, opt, NULL, err, errlen) < 0 ? -1 : i + 1;
        }
        const char *value = eq != NULL ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (value == NULL || value[0] == '\0') {
            snprintf(err, errlen, "option --%s needs a value", opt->name);
            return -1;
        }
        return apply_option(o, opt, value, err, errlen) < 0 ? -1 : i + 1;
    }
    snprintf(err, errlen, "unknown option \"%.*s\"", (int)(n + 2 > 64 ? 64 : n + 2), argv[i]);
    return -1;
}

static const struct option *find_letter(char letter)
{
    for (size_t k = 0; k < N_OPTIONS; k++) {
        if (options[k].letter != 0 && options[k].letter == letter)
            return &options[k];
    }
    return NULL;
}

/* "-abc" or "-cFILE" or "-c FILE": returns the index of the next argument or -1 on error. */
static int parse_short(int argc, char *const argv[], int i, struct cmd_opts *o, char *err,
                       size_t errlen)
{
    for (const char *s = argv[i] + 1; *s != '\0'; s++) {
        const struct option *opt = find_letter(*s);
        const char *value = NULL;

        if (opt == NULL) {
            snprintf(err, errlen, "unknown option \"-%c\"", *s);
            return -1;
        }
        if (needs_value(opt)) {
            value = s[1] != '\0' ? s + 1 : (i + 1 < argc ? argv[++i] : NULL);
            if (value == NULL || value[0] == '\0') {
                snprintf(err, errlen, "option -%c needs a value", *s);
                return -1;
            }
        } else if (opt->value != VAL_NONE) {
            if (s[1] != '\0' && takes_optional(opt, s + 1))
                value = s + 1;
            else if (s[1] == '\0' && takes_optional(opt, i + 1 < argc ? argv[i + 1] : NULL))
                value = argv[++i];
        }
        if (apply_option(o, opt, value, err, errlen) < 0)
            return -1;
        if (value != NULL)
            break;
    }
    return i + 1;
}

int cmd_parse(int argc, char *const argv[], struct cmd_opts *o, char *err, size_t errlen)
{
    int i = 1;

    memset(o, 0, sizeof(*o));
    o->action = CMD_RUN;
    o->config_path = CFG_DEFAULT_PATH;
    o->argc = argc;
    o->argv = argv;
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
    for (; i < argc; i++) { /* NTPsec: the remaining words are servers */
        if (argv[i][0] == '-' || argv[i][0] == '\0') {
            snprintf(err, errlen, "unexpected argument \"%.64s\"", argv[i]);
            return -1;
        }
        if (push(o->servers, &o->n_servers, argv[i], "servers", err, errlen) < 0)
            return -1;
    }
    return 0;
}
