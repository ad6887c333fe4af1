// SPDX-License-Identifier: ISC
/* Internals of the process set-up (daemon.c, daemon_setup.c, daemon_children.c). */
#ifndef TSYNC_DAEMON_DAEMON_INT_H
#define TSYNC_DAEMON_DAEMON_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include "daemon/config/cmdline.h"
#include "daemon/config/config.h"
#include "daemon/net/hwclock.h"
#include "daemon/common/loop.h"
#include "daemon/net/net.h"
#include "daemon/parent/parent.h"
#include "daemon/parent/parent_nts.h"

#define DAEMON_DEFAULT_CHROOT "/run/tsyncd/empty"
#define DAEMON_RESTART_MIN_S  1.0
#define DAEMON_RESTART_MAX_S  60.0
#define DAEMON_STABLE_CHILD_S 60.0 /* a child that lived this long resets the backoff */

struct daemon {
    struct cfg *cfg;
    const struct cmd_opts *opts;
    struct clk *clk;
    struct parent parent;
    struct net_fds fds;     /* handed to every network child (fds.parent set per child) */
    struct chan child;      /* the parent's end of the channel to the network child */
    pid_t net_pid, dns_pid; /* 0: not running */
    int resolver_ctl;       /* to the resolver process: MSG_CHANNEL per network child, -1 */
    uint32_t resolver_seq, channel_generation;
    bool stop;
    int exit_code;
    bool sandbox;       /* privilege separation in effect (root, not --single-process) */
    bool test_hooks;    /* TSYNCD_TEST_HOOKS=1 */
    const char *user;   /* unprivileged user, NULL: none */
    double net_started; /* `now` the current network child started */
    double restart_at;  /* `now` to start the next network child, 0: none pending */
    double backoff_s;
    double next_tick;       /* `now` when the parent wants to run again */
    int drift_dirfd;        /* directory of the drift file, kept across chroot, -1: none */
    struct hwclock_set hw;  /* NICs with hardware timestamping, used by the network child */
    struct nl_watch *links; /* link changes of the `hwtimestamp` interfaces, NULL: none */
    pid_t ntske_pid;        /* the NTS-KE process (tsyncd-ntske), 0: none */
    int ntske_ctl;          /* to it: MSG_CHANNEL per network child, MSG_NTSKE_LISTEN; -1 */
    uint32_t ntske_seq;
    int ntske_listen; /* the NTS-KE server's listening socket until it is handed over, -1 */
    struct parent_nts nts_keys; /* the NTS server's cookie keys (the parent's) */
};

int daemon_setup_logging(const struct cfg *cfg, const struct cmd_opts *opts);
bool daemon_serving(const struct cfg *cfg);
int daemon_bind_servers(const struct cfg *cfg, struct net_fds *fds, char *err, size_t errlen);
struct clk *daemon_open_clock(const struct cfg *cfg, char *err, size_t errlen);
const char *daemon_pick_user(const struct cfg *cfg);
int daemon_write_pidfile(const char *path);

/* In a new child: close what only the parent may hold (resolver control, drift directory,
 * notify socket, PHCs, link watch). */
void daemon_close_parent_fds(struct daemon *d);

/* Fork the resolver (first: it inherits nothing privileged) and the network child. */
int daemon_start_resolver(struct daemon *d, char *err, size_t errlen);
/* Fork and execute the NTS-KE process (tsyncd-ntske, next to the resolver: nothing privileged
 * is open yet) when NTS is configured; wait for its HELLO (its credentials loaded). */
int daemon_start_ntske(struct daemon *d, char *err, size_t errlen);
/* Bind the NTS-KE server's TCP socket (dual-stack when IPv6 exists) into d->ntske_listen. */
int daemon_bind_ntske(struct daemon *d, char *err, size_t errlen);
/* Hand d->ntske_listen to the NTS-KE process and close it here. */
int daemon_handover_ntske_listener(struct daemon *d, char *err, size_t errlen);
/* A fresh NTS-KE channel for a new network child: its end, or -1 without an NTS-KE process. */
int daemon_ntske_channel(struct daemon *d);
/* The NTS-KE process died (reaped): it cannot be started again inside the sandbox. */
void daemon_ntske_died(struct daemon *d);
int daemon_start_net_child(struct daemon *d, double now);
/* The parent's loop role; --single-process runs it beside the others. */
struct loop_role daemon_parent_role(struct daemon *d);
int daemon_run_single(struct daemon *d);

/* Reap children after SIGCHLD; schedules restarts; sets d->stop when the daemon must end. */
void daemon_reap(struct daemon *d, double now);

#endif
