// SPDX-License-Identifier: ISC
/*
 * The NTS-KE process: `tsyncd-ntske --ntske-role FD LOGFD TSYNCD-ARGUMENTS...`, executed by
 * tsyncd (daemon/main/daemon_ntske.c) in a child forked before anything privileged is open. Its
 * log lines go to the parent as MSG_LOG on LOGFD (it holds no log). It reads the configuration
 * as tsyncd did, loads the TLS credentials (certificate, key, trust store) while still root,
 * then drops to the daemon's unprivileged user (the parent's) in the chroot with no capability
 * and the SBX_NTSKE seccomp list, says MSG_HELLO to the parent on FD and serves.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/common/loop.h"
#include "daemon/config/cmdline.h"
#include "daemon/main/daemon_int.h"
#include "daemon/ntske/ntske.h"
#include "daemon/ntske/ntske_main.h"
#include "seccomp/sandbox.h"

#define ROLE_ARGS 4 /* tsyncd-ntske --ntske-role FD LOGFD */

/* tsyncd's arguments behind "--ntske-role FD LOGFD", as its own command line; the log level
 * and event mask tsyncd has (the destination is the parent's). */
static int load_config(int argc, char **argv, struct cmd_opts *o, struct cfg *cfg)
{
    struct cfg_diag diag;
    char err[256];
    int rc;

    argv[ROLE_ARGS - 1] = argv[0];
    if (cmd_parse(argc - (ROLE_ARGS - 1), argv + ROLE_ARGS - 1, o, err, sizeof(err)) < 0) {
        log_err("NTS-KE process: %s", err);
        return -1;
    }
    cfg_diag_init(&diag); /* tsyncd printed the messages already */
    rc = cfg_load_file(o->config_path, o->strict ? CFG_STRICT : 0, cfg, &diag);
    cfg_diag_free(&diag);
    if (rc < 0 || cmd_apply(o, cfg, err, sizeof(err)) < 0) {
        log_err("NTS-KE process: the configuration does not load");
        return -1;
    }
    log_set_event_mask(cfg->log_mask);
    log_set_level(o->debug > 0 ? LOG_DEBUG : LOG_INFO);
    return 0;
}

/* A descriptor number of the command line, or -1. */
static int fd_arg(const char *text)
{
    char *end;
    long fd = strtol(text, &end, 10);

    return fd >= 3 && fd < 65536 && *end == '\0' ? (int)fd : -1;
}

static void die_with_parent(pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
}

/* The parent's user and chroot (sanitizer builds skip the chroot, as the parent does:
 * LeakSanitizer reads /proc at exit). */
static int sandbox(const struct cfg *cfg, pid_t parent)
{
    const char *dir = cfg->chroot_dir != NULL ? cfg->chroot_dir : DAEMON_DEFAULT_CHROOT;
    const char *user = daemon_pick_user(cfg);
    char err[256] = "no unprivileged user (set `user`)";

#ifdef TSYNC_SANITIZERS
    dir = NULL;
#endif
    if (user == NULL || sbx_drop_privileges(user, cfg->group, dir, NULL, 0, err, sizeof(err)) < 0) {
        log_err("NTS-KE process: sandbox: %s", err);
        return -1;
    }
    die_with_parent(parent); /* the change of user cleared the setting */
    if (sbx_install_seccomp(SBX_NTSKE, 0, err, sizeof(err)) < 0) {
        log_err("NTS-KE process: sandbox: %s", err);
        return -1;
    }
    return 0;
}

int ntske_main(int argc, char **argv)
{
    static struct cfg cfg;
    struct msg_hello hello = {.max_sources = MSG_MAX_SOURCES};
    struct ntske_role *r;
    struct cmd_opts o;
    struct loop_role role;
    uint32_t seq = 1;
    bool stop = false;
    char err[256];
    int fd = argc >= ROLE_ARGS ? fd_arg(argv[2]) : -1;
    int log_fd = argc >= ROLE_ARGS ? fd_arg(argv[3]) : -1;
    pid_t parent = getppid();

    if (fd < 0 || log_fd < 0) {
        fprintf(stderr, "tsyncd-ntske: %s FD LOGFD is for tsyncd to use\n", NTSKE_ROLE_FLAG);
        return 1;
    }
    msg_forward_log_to(log_fd, "");
    if (load_config(argc, argv, &o, &cfg) < 0)
        return 1;
    prctl(PR_SET_NAME, "tsyncd-ntske");
    die_with_parent(parent);
    r = ntske_role_create(&cfg, err, sizeof(err));
    if (r == NULL) {
        log_err("NTS-KE: %s", err);
        return 1;
    }
    if (sandbox(&cfg, parent) < 0)
        return 1;
    hello.pid = (uint32_t)getpid();
    if (msg_send(fd, MSG_HELLO, &seq, &hello, sizeof(hello)) < 0)
        return 1;
    ntske_role_set_control(r, fd, &stop);
    role = ntske_role_loop(r);
    loop_run(&role, 1, &stop);
    ntske_role_destroy(r);
    return 0;
}
