// SPDX-License-Identifier: ISC
/* Internals of the process set-up (daemon.c, daemon_setup.c, daemon_children.c). */
#ifndef TSYNC_DAEMON_DAEMON_INT_H
#define TSYNC_DAEMON_DAEMON_INT_H

#include <stdbool.h>
#include <sys/types.h>

#include "daemon/common/log.h"
#include "daemon/config/cmdline.h"
#include "daemon/common/dirfile.h"
#include "daemon/config/config.h"
#include "daemon/net/hwclock.h"
#include "daemon/common/loop.h"
#include "daemon/net/net.h"
#include "daemon/parent/parent.h"
#include "daemon/parent/parent_nts.h"
#include "daemon/server/server.h"

#define DAEMON_DEFAULT_CHROOT "/run/tsyncd/empty"
#define DAEMON_RESTART_MIN_S  1.0
#define DAEMON_RESTART_MAX_S  60.0
#define DAEMON_STABLE_CHILD_S 60.0 /* a child that lived this long resets the backoff */
/* A network child silent this long (no heartbeat, MSG_HEARTBEAT_S) is killed and restarted:
 * five heartbeats missed, so a busy 2-CPU host that delays a process by a second or two
 * raises no false alarm, and well within one poll interval (64 s by default). */
#define DAEMON_WATCHDOG_S 5.0
/* -g is granted once per boot: its use is recorded here ($RUNTIME_DIRECTORY if set) with the
 * boot id. */
#define DAEMON_RUNDIR       "/run/tsyncd"
#define DAEMON_BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

/* A child's log lines (MSG_LOG only) on a socket the parent reads: the resolver's control
 * socket, each server worker's log socket, the NTS-KE process's log socket. */
#define DAEMON_LOG_CHANNELS (2 + SERVER_MAX_WORKERS)
struct daemon_log_channel {
    int fd;
    uint32_t rx_seq; /* 0: ignored from now on (it sent something else, or closed) */
    enum log_origin origin;
};

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
    double next_tick;           /* `now` when the parent wants to run again */
    int drift_dirfd;            /* directory of the drift file, kept across chroot, -1: none */
    struct hwclock_set hw;      /* NICs with hardware timestamping, used by the network child */
    struct nl_watch *links;     /* link changes of the `hwtimestamp` interfaces, NULL: none */
    struct dirfile config_file; /* the configuration file, re-read on SIGHUP */

    int net_pidfd, dns_pidfd; /* pidfds of the children (signals go only there), -1: none */
    int devnull_fd;           /* /dev/null for a child's stdio when the log is stderr, -1 */
    struct daemon_log_channel logs[DAEMON_LOG_CHANNELS];
    int nlogs;

    pid_t ntske_pid; /* the NTS-KE process (tsyncd-ntske), 0: none */
    int ntske_pidfd; /* its pidfd, -1: none */
    int ntske_ctl;   /* to it: MSG_CHANNEL per network child, MSG_NTSKE_LISTEN; -1 */
    uint32_t ntske_seq;
    int ntske_listen; /* the NTS-KE server's listening socket until it is handed over, -1 */
    struct parent_nts nts_keys; /* the NTS server's cookie keys (the parent's) */
};

int daemon_setup_logging(const struct cfg *cfg, const struct cmd_opts *opts);
/* ntpd -N / -P N: SCHED_FIFO for the calling (privileged) process, with SCHED_RESET_ON_FORK so
 * that the children, which parse untrusted input, run at normal priority. Logs a failure. */
void daemon_set_priority(int priority);
bool daemon_serving(const struct cfg *cfg);
int daemon_bind_servers(const struct cfg *cfg, struct net_fds *fds, char *err, size_t errlen);
/* The metrics listener of a `metrics` line (fds->metrics, else -1). 0 or -1 with err. */
int daemon_open_metrics(const struct cfg *cfg, struct net_fds *fds, char *err, size_t errlen);
struct clk *daemon_open_clock(const struct cfg *cfg, char *err, size_t errlen);
const char *daemon_pick_user(const struct cfg *cfg);
int daemon_write_pidfile(const char *path);

/* daemon_reload.c. Before the sandbox: keep the configuration file's and the log file's
 * directories (0, or -1 with a message: SIGHUP then reopens only what it can). On SIGHUP:
 * reopen the log and statistics files, read the leapfile and the configuration again, apply
 * what is safe, log what needs a restart. */
int daemon_reload_prepare(struct daemon *d, char *err, size_t errlen);
void daemon_reload(struct daemon *d, double now);
/* -g once per boot: true when rundir/gflag does not hold this boot's id, which is then recorded
 * there (atomically, before the sandbox); false (and logged) when a start earlier in this boot
 * had it, or when its use cannot be recorded. */
bool daemon_grant_big_first_step(const char *rundir, const char *boot_id_path);

/* The capabilities the parent keeps (CAP_* numbers into keep[2]); returns their count. Only
 * the `system` clock driver needs CAP_SYS_TIME; CAP_NET_ADMIN only to enable hardware
 * timestamping again after a link reset. */
size_t daemon_parent_caps(const struct cfg *cfg, bool watch_links, int keep[2]);

/* The user refused for the sandbox, with the reason in err: `nobody` (shared with unrelated
 * services) may not own a drift directory it can write, the frequency the clock trusts, nor
 * the NTS cookie keys' directory. */
int daemon_check_user(const struct cfg *cfg, const char *user, char *err, size_t errlen);

/* Read the log lines of a child on fd with the prefix of origin (the parent closes nothing). */
void daemon_log_channel_add(struct daemon *d, int fd, enum log_origin origin);

/* The log lines waiting on a child's log channel (at most a loop turn's budget). */
void daemon_read_log_channel(struct daemon_log_channel *lc);

/* Signal a child through its pidfd (the parent's filter allows no kill() of another pid). */
int daemon_signal_child(int pidfd, int sig);
/* fork() that also gives the parent the child's pidfd (clone(CLONE_PIDFD)). */
pid_t daemon_fork_pidfd(int *pidfd);

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
