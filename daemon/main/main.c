// SPDX-License-Identifier: ISC
/* tsyncd entry point: command line, --check-config, the daemon. */
#include <stdio.h>
#include <stdlib.h>

#include <config.h> /* autoconf (daemon/config/config.h is the configuration module) */
#include "daemon/config/cmdline.h"
#include "daemon/config/config.h"
#include "daemon/main/daemon.h"
#ifdef TSYNC_NTSKE_PROGRAM
#include <string.h>

#include "daemon/ntske/ntske_main.h"
#endif

/* --check-config: load the configuration, print it (or every error) and return the status;
 * --saveconfigquit FILE prints it into FILE. */
static int check_config(const struct cmd_opts *o)
{
    static struct cfg c; /* large: keep it off the stack */
    struct cfg_diag diag;
    char err[256];
    FILE *out = stdout;
    cfg_diag_init(&diag);
    int rc = cfg_load_file(o->config_path, o->strict ? CFG_STRICT : 0, &c, &diag);
    cfg_diag_print(&diag, stderr);
    if (rc == 0 && cmd_apply(o, &c, err, sizeof(err)) < 0) {
        fprintf(stderr, "tsyncd: %s\n", err);
        rc = -1;
    }
    if (rc == 0 && o->save_config != NULL && (out = fopen(o->save_config, "w")) == NULL) {
        fprintf(stderr, "tsyncd: cannot write %s: %m\n", o->save_config);
        rc = -1;
    }
    if (rc == 0 && (cfg_print(&c, out) < 0 || fflush(out) != 0))
        rc = -1;
    if (out != stdout && out != NULL && fclose(out) != 0)
        rc = -1;
    cfg_free(&c);
    cfg_diag_free(&diag);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Load the configuration (warnings and errors on stderr) and run the daemon. */
static int run(const struct cmd_opts *o)
{
    static struct cfg c;
    struct cfg_diag diag;
    char err[256];
    int rc;

    cfg_diag_init(&diag);
    rc = cfg_load_file(o->config_path, o->strict ? CFG_STRICT : 0, &c, &diag);
    cfg_diag_print(&diag, stderr);
    cfg_diag_free(&diag);
    if (rc == 0 && cmd_apply(o, &c, err, sizeof(err)) < 0) {
        fprintf(stderr, "tsyncd: %s\n", err);
        rc = -1;
    }
    rc = rc == 0 ? daemon_run(&c, o) : EXIT_FAILURE;
    cfg_free(&c);
    return rc;
}

int main(int argc, char **argv)
{
    struct cmd_opts o;
    char err[256];
#ifdef TSYNC_NTSKE_PROGRAM
    if (argc >= 2 && strcmp(argv[1], NTSKE_ROLE_FLAG) == 0)
        return ntske_main(argc, argv);
#endif
    if (cmd_parse(argc, argv, &o, err, sizeof(err)) < 0) {
        fprintf(stderr, "tsyncd: %s\n", err);
        cmd_usage(stderr);
        return CMD_EXIT_USAGE;
    }
    cmd_warnings(&o, stderr);
    switch (o.action) {
    case CMD_HELP:
        cmd_usage(stdout);
        return EXIT_SUCCESS;
    case CMD_VERSION:
        printf("tsyncd %s\n", PACKAGE_VERSION);
        return EXIT_SUCCESS;
    case CMD_CHECK_CONFIG:
        return check_config(&o);
    case CMD_RUN:
        break;
    }
#ifdef TSYNC_NTSKE_PROGRAM
    if (!o.single_process) {
        fprintf(stderr, "tsyncd-ntske: runs the daemon with --single-process only (the NTS-KE "
                        "role inline); run tsyncd for privilege separation\n");
        return CMD_EXIT_USAGE;
    }
#endif
    return run(&o);
}
