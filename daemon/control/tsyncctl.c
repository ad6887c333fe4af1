// SPDX-License-Identifier: ISC
/*
 * tsyncctl: query a running tsyncd over its control socket (read-only).
 *
 *   tsyncctl [-s SOCKET] [-n] [-j|--json] sources [-v] | sourcestats | tracking | status |
 *            serverstats | metrics | waitsync [SECONDS]
 *   tsyncctl --help | --version
 *
 * Exit status: 0 success (status/waitsync: synchronised), 1 not synchronised, 2 daemon
 * unreachable or usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "daemon/config/config.h"
#include "daemon/control/control.h"
#include "daemon/control/tsyncctl_format.h"
#include "daemon/control/tsyncctl_json.h"

#define QUERY_TIMEOUT_MS          2000
#define WAITSYNC_DEFAULT_S        60
#define WAITSYNC_INTERVAL_S       1
#define EXIT_NOT_SYNCHRONISED     1
#define EXIT_UNREACHABLE_OR_USAGE 2

struct options {
    const char *socket_path;
    bool numeric;
    bool json;
    bool verbose;
    const char *command;
    long wait_s; /* waitsync limit, s */
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tsyncctl [-s SOCKET] [-n] [-j|--json] [-v] COMMAND\n"
            "  -s, --socket SOCKET  control socket (default %s)\n"
            "  -n, --numeric        numeric: show addresses, not names\n"
            "  -j, --json           one JSON object instead of text (every command)\n"
            "  -v, --verbose        sources: what became of each source's replies\n"
            "  -h, --help           this help\n"
            "      --version        print the version\n"
            "commands:\n"
            "  sources             sources in an ntpq -p table, then details and +/- bounds\n"
            "  sourcestats         samples, residual frequency, skew, offset, its std dev\n"
            "  tracking            system offset, frequency, stratum, leap, error bound, steps\n"
            "  serverstats         NTP server counters (served, rate-limited, denied, ...)\n"
            "  metrics             the Prometheus metrics (as the `metrics` listener serves)\n"
            "  status              exit 0 synchronised, 1 not (reason on stdout), 2 no daemon\n"
            "  waitsync [SECONDS]  wait until synchronised (default %d s); exit as status\n",
            CFG_DEFAULT_CONTROLSOCKET, WAITSYNC_DEFAULT_S);
}

static int parse_seconds(const char *s, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT_MAX)
        return -1;
    *out = v;
    return 0;
}

static bool known_command(const char *c)
{
    static const char *const commands[] = {"sources",     "sourcestats", "tracking", "status",
                                           "serverstats", "metrics",     "waitsync"};
    size_t i;

    for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(c, commands[i]) == 0)
            return true;
    }
    return false;
}

/* 0 on success, -1 after printing a usage error, 1 after printing the help or the version. */
static int parse_args(int argc, char **argv, struct options *o)
{
    static const struct option long_options[] = {
        {"socket", required_argument, NULL, 's'},
        {"numeric", no_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    int c, nargs;

    *o = (struct options){.socket_path = CFG_DEFAULT_CONTROLSOCKET, .wait_s = WAITSYNC_DEFAULT_S};
    while ((c = getopt_long(argc, argv, "+s:njvh", long_options, NULL)) != -1) {
        switch (c) {
        case 'v':
            o->verbose = true;
            break;
        case 'j':
            o->json = true;
            break;
        case 's':
            o->socket_path = optarg;
            break;
        case 'n':
            o->numeric = true;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case 'V':
            printf("tsyncctl %s\n", PACKAGE_VERSION);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    nargs = argc - optind;
    if (nargs < 1)
        goto bad;
    o->command = argv[optind];
    if (nargs == 2 && strcmp(argv[optind + 1], "-v") == 0) { /* tsyncctl sources -v */
        o->verbose = true;
        nargs = 1;
    }
    if (strcmp(o->command, "waitsync") == 0 && nargs == 2 &&
        parse_seconds(argv[optind + 1], &o->wait_s) == 0)
        return 0;
    if (nargs == 1 && known_command(o->command))
        return 0;
bad:
    fprintf(stderr, "tsyncctl: unknown command or bad arguments\n");
    usage(stderr);
    return -1;
}

static double monotonic_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_s(double seconds)
{
    struct timespec ts = {.tv_sec = (time_t)seconds,
                          .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9)};

    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* A snapshot from the daemon, range-checked: 0, or -1 with the reason in err. */
static int query(const struct options *o, struct msg_snapshot *snap, char *err, size_t errlen)
{
    char why[160];

    if (control_query(o->socket_path, QUERY_TIMEOUT_MS, snap, err, errlen) < 0)
        return -1;
    if (ctlfmt_check_snapshot(snap, why, sizeof(why)) < 0) {
        snprintf(err, errlen, "malformed answer on %s: %s", o->socket_path, why);
        return -1;
    }
    return 0;
}

static int print_status(const struct options *o, const struct msg_snapshot *snap)
{
    return o->json ? ctljson_status(stdout, snap) : ctlfmt_status(stdout, snap, o->numeric);
}

/* Poll status every WAITSYNC_INTERVAL_S until synchronised or o->wait_s elapsed. */
static int waitsync(const struct options *o)
{
    static struct msg_snapshot snap;
    double deadline_s = monotonic_s() + (double)o->wait_s;
    bool reached = false;
    char err[256] = "";
    double left_s;

    for (;;) {
        if (query(o, &snap, err, sizeof(err)) == 0) {
            reached = true;
            if (snap.sync_state != MSG_SYNC_UNSYNCHRONISED)
                return print_status(o, &snap);
        }
        left_s = deadline_s - monotonic_s();
        if (left_s <= 0)
            break;
        sleep_s(left_s < WAITSYNC_INTERVAL_S ? left_s : WAITSYNC_INTERVAL_S);
    }
    if (!reached) {
        fprintf(stderr, "tsyncctl: %s\n", err);
        return EXIT_UNREACHABLE_OR_USAGE;
    }
    /* The last answer, or the last answer the daemon gave before it went away. */
    print_status(o, &snap);
    return EXIT_NOT_SYNCHRONISED;
}

static void print_json(const struct options *o, const struct msg_snapshot *snap)
{
    if (strcmp(o->command, "sources") == 0)
        ctljson_sources(stdout, snap);
    else if (strcmp(o->command, "sourcestats") == 0)
        ctljson_sourcestats(stdout, snap);
    else if (strcmp(o->command, "tracking") == 0)
        ctljson_tracking(stdout, snap);
    else if (strcmp(o->command, "serverstats") == 0)
        ctljson_serverstats(stdout, snap);
    else
        ctljson_metrics(stdout, snap);
}

static void print_text(const struct options *o, const struct msg_snapshot *snap)
{
    if (strcmp(o->command, "sources") == 0)
        ctlfmt_sources(stdout, snap, o->numeric, o->verbose);
    else if (strcmp(o->command, "sourcestats") == 0)
        ctlfmt_sourcestats(stdout, snap, o->numeric);
    else if (strcmp(o->command, "tracking") == 0)
        ctlfmt_tracking(stdout, snap, o->numeric);
    else if (strcmp(o->command, "serverstats") == 0)
        ctlfmt_serverstats(stdout, snap);
    else
        ctlfmt_metrics(stdout, snap);
}

static int run(const struct options *o)
{
    static struct msg_snapshot snap;
    char err[256];

    if (strcmp(o->command, "waitsync") == 0)
        return waitsync(o);
    if (query(o, &snap, err, sizeof(err)) < 0) {
        fprintf(stderr, "tsyncctl: %s\n", err);
        return EXIT_UNREACHABLE_OR_USAGE;
    }
    if (strcmp(o->command, "status") == 0)
        return print_status(o, &snap);
    if (o->json)
        print_json(o, &snap);
    else
        print_text(o, &snap);
    return 0;
}

int main(int argc, char **argv)
{
    struct options o;
    int rc;

    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? 0 : EXIT_UNREACHABLE_OR_USAGE;
    rc = run(&o);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "tsyncctl: write error on standard output\n");
        return EXIT_UNREACHABLE_OR_USAGE;
    }
    return rc;
}
