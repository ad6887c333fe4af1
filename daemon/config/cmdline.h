// SPDX-License-Identifier: ISC
/*
 * tsyncd's command line, compatible with ntpd where ntpd has the flag:
 *   -c FILE  configuration file (default /etc/ntp.conf)     -n  stay in the foreground
 *   -g       allow one first step of any size (panic gate)  -q  set the clock once and exit
 *   -u USER[:GROUP] unprivileged user                       -p PIDFILE
 *   -l LOGFILE                                              -d  debug (repeatable; foreground)
 *   -N       accepted and ignored (ntpd: high priority)     -x  step threshold 600 s (ntpd)
 * plus --check-config, --strict, --single-process, --help, --version and ntpd's long names
 * (--configfile, --nofork, --panicgate, --quit, --user, --pidfile, --logfile, --debug-level,
 * --slew, --priority). Short flags may be grouped (-ng) and take their value attached (-cFILE)
 * or as the next word; long options take "--opt=VALUE" or "--opt VALUE".
 */
#ifndef TSYNC_CMDLINE_H
#define TSYNC_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "daemon/config/config.h"

#define CMD_EXIT_USAGE  2     /* exit status for a command-line error */
#define CMD_SLEW_STEP_S 600.0 /* step threshold set by -x */
#define CMD_MAX_ARGS    64    /* arguments handed on to tsyncd-ntske */

enum cmd_action {
    CMD_RUN,          /* run the daemon */
    CMD_CHECK_CONFIG, /* --check-config: load, print, exit 0 or 1 */
    CMD_HELP,         /* --help: usage on stdout, exit 0 */
    CMD_VERSION,      /* --version: version on stdout, exit 0 */
};

struct cmd_opts {
    enum cmd_action action;
    const char *config_path; /* -c; CFG_DEFAULT_PATH when not given */
    bool foreground;         /* -n, or implied by -d */
    bool panic_gate;         /* -g: the first correction may be a step of any size */
    bool once;               /* -q: set the clock once and exit */
    bool slew_only;          /* -x: step threshold raised to CMD_SLEW_STEP_S */
    bool strict;             /* --strict: unknown configuration words are errors */
    bool single_process;     /* --single-process: no fork, no sandbox */
    unsigned debug;          /* number of -d */
    const char *user;        /* -u USER[:GROUP] or NULL; checked by cmd_apply */
    const char *pidfile;     /* -p or NULL */
    const char *logfile;     /* -l or NULL */
    int argc;                /* the command line parsed (handed on to tsyncd-ntske) */
    char *const *argv;
};

/*
 * Parses argv[1..argc) into o (pointers point into argv). Returns 0, or -1 with a message in
 * err for an unknown flag, a missing value or an extra argument (the caller prints it with
 * the usage and exits with CMD_EXIT_USAGE).
 */
int cmd_parse(int argc, char *const argv[], struct cmd_opts *o, char *err, size_t errlen);

/* Writes the usage text. */
void cmd_usage(FILE *out);

/*
 * Applies the options that override the configuration (-u, -p, -l, -x) to c. Returns 0, or
 * -1 with a message in err (an invalid -u value, a relative path, out of memory).
 */
int cmd_apply(const struct cmd_opts *o, struct cfg *c, char *err, size_t errlen);

#endif
