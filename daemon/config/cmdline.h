// SPDX-License-Identifier: ISC
/*
 * tsyncd's command line: every flag of ntpd 4.2 and NTPsec 1.2 (so that NTPD_OPTS, OPTIONS and
 * unit files keep working), plus tsyncd's own long options. man/tsyncd.8 lists them all with
 * which apply and which are accepted with a warning.
 *
 * Applied (with ntpd's meaning):
 *   -c FILE configuration      -n foreground                 -d / -D N debug (implies -n)
 *   -g panic gate              -q set once and exit          -x step threshold 600 s
 *   -u USER[:GROUP]            -p PIDFILE  -l LOGFILE        -f DRIFTFILE  -s STATSDIR
 *   -i JAILDIR (chroot)        -4 / -6 one address family    -I IFACE|ADDR listen only there
 *   -N / -P N SCHED_FIFO priority of the privileged parent (its children run normally)
 *   -G step the initial offset (tsyncd steps start-up offsets above 1 ms anyway)
 *   -a require authentication (already: no association type accepts unauthenticated peers)
 *   -k KEYFILE, -t KEY (stored in keyfile/trusted_keys for the symmetric-key code)
 *   NAME... servers to use with iburst (NTPsec), before those of the configuration
 *   -h/-?/-!/--help, -V/--version, --saveconfigquit FILE (the configuration as read, then exit)
 * Accepted with a warning (nothing in tsyncd they would change): -A, -b, -L, -m [GROUP], -M,
 *   -r DELAY, -U SECONDS, -w SECONDS, -v/-V/-z/-Z NAME=VALUE (setvar), -k/-t without key support.
 * tsyncd's own: --check-config, --strict, --single-process, --log-ident NAME.
 *
 * Short flags may be grouped (-ng) and take their value attached (-cFILE) or as the next word;
 * long options take "--opt=VALUE" or "--opt VALUE". -V is the version (NTPsec) unless a
 * NAME=VALUE follows (ntpd 4.2.6's dvar); -m takes a following multicast address (ntpd 4.2.6).
 */
#ifndef TSYNC_CMDLINE_H
#define TSYNC_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "daemon/config/config.h"

#define CMD_EXIT_USAGE    2     /* exit status for a command-line error */
#define CMD_SLEW_STEP_S   600.0 /* step threshold set by -x */
#define CMD_MAX_REPEAT    16    /* -t, -I and server names kept at most */
#define CMD_MAX_DEBUG     99    /* -D */
#define CMD_PRIORITY_HIGH (-1)  /* -N: the highest SCHED_FIFO priority */
#define CMD_MAX_ARGS      64    /* arguments handed on to tsyncd-ntske */

enum cmd_action {
    CMD_RUN,          /* run the daemon */
    CMD_CHECK_CONFIG, /* --check-config / --saveconfigquit: load, print, exit 0 or 1 */
    CMD_HELP,         /* --help: usage on stdout, exit 0 */
    CMD_VERSION,      /* --version: version on stdout, exit 0 */
};

struct cmd_opts {
    enum cmd_action action;
    const char *config_path; /* -c; CFG_DEFAULT_PATH when not given */
    bool foreground;         /* -n, or implied by -d/-D */
    bool panic_gate;         /* -g: the first correction may be a step of any size */
    bool once;               /* -q: set the clock once and exit */
    bool slew_only;          /* -x: step threshold raised to CMD_SLEW_STEP_S */
    bool strict;             /* --strict: unknown configuration words are errors */
    bool single_process;     /* --single-process: no fork, no sandbox */
    unsigned debug;          /* number of -d, or -D N */
    const char *user;        /* -u USER[:GROUP] or NULL; checked by cmd_apply */
    const char *pidfile;     /* -p or NULL */
    const char *logfile;     /* -l or NULL */
    int argc;                /* the command line parsed (handed on to tsyncd-ntske) */
    char *const *argv;
    const char *driftfile;   /* -f or NULL */
    const char *statsdir;    /* -s or NULL */
    const char *jaildir;     /* -i or NULL */
    const char *save_config; /* --saveconfigquit FILE (CMD_CHECK_CONFIG writes there) */
    const char *log_ident;   /* --log-ident NAME or NULL */
    const char *keyfile;     /* -k: the symmetric key file, for the key code */
    const char *trusted_keys[CMD_MAX_REPEAT]; /* -t: trusted key numbers, as given */
    size_t n_trusted_keys;
    const char *listen[CMD_MAX_REPEAT]; /* -I */
    size_t n_listen;
    const char *servers[CMD_MAX_REPEAT]; /* names after the options (NTPsec: iburst servers) */
    size_t n_servers;
    enum cfg_family family; /* -4 / -6 */
    int priority;           /* 0: unchanged; CMD_PRIORITY_HIGH (-N); 1..99 (-P N) */
    uint64_t warned;        /* bit per accepted-but-inapplicable flag (see cmd_warnings) */
};

/*
 * Parses argv[1..argc) into o (pointers point into argv). Returns 0, or -1 with a message in
 * err for an unknown flag, a missing or bad value, -4 with -6 (the caller prints it with the
 * usage and exits with CMD_EXIT_USAGE).
 */
int cmd_parse(int argc, char *const argv[], struct cmd_opts *o, char *err, size_t errlen);

/* Writes the usage text. */
void cmd_usage(FILE *out);

/* Writes one "tsyncd: warning: ..." line per flag that was accepted but does nothing here.
 * Returns how many. */
int cmd_warnings(const struct cmd_opts *o, FILE *out);

/*
 * Applies the options that override or extend the configuration to c: -u, -p, -l, -x, -f, -s,
 * -i, -4/-6 (sources of the other family are dropped with a warning on stderr), -I, server
 * names, --log-ident. Returns 0, or -1 with a message in err (an invalid -u value, a relative
 * path, a bad name, out of memory).
 */
int cmd_apply(const struct cmd_opts *o, struct cfg *c, char *err, size_t errlen);

#endif
