// SPDX-License-Identifier: ISC
/* The children: resolver and network child, forked, sandboxed, reaped and restarted. */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/main/daemon_int.h"
#include "daemon/main/daemon_hooks.h"
#include "daemon/common/log.h"
#include "daemon/common/loop.h"
#include "daemon/main/notify.h"
#include "daemon/parent/parent_int.h"
#include "hwts/netlink.h"
#include "daemon/resolver/resolver.h"
#include "seccomp/sandbox.h"

static void hook_signal(int sig)
{
    if (sig == SIGUSR1)
        net_request_forbidden_syscall();
    else
        net_request_hostile_messages();
}

/*
 * fork() that also gives the parent a pidfd of the child: clone(CLONE_PIDFD | SIGCHLD) with no
 * new stack, which is what glibc's fork() does minus its atfork handlers and the cached thread
 * id of the child. Neither matters here: the daemon is single-threaded, registers no atfork
 * handler, and glibc 2.34+ reads the thread id from the kernel where it signals itself
 * (raise). glibc 2.36 (Debian 12) has no fork() returning a pidfd, and pidfd_open() after
 * fork() would need a filter rule that lets the parent open a pidfd of any process. The
 * pidfd is the parent's only handle to signal the child (its filter forbids kill() of other
 * pids), and cannot point at another process even after the child is reaped.
 */
pid_t daemon_fork_pidfd(int *pidfd)
{
    int fd = -1;
#if defined(__s390__) || defined(__CRIS__)
    long pid = syscall(SYS_clone, 0, CLONE_PIDFD | SIGCHLD, &fd, NULL, 0);
#else
    long pid = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &fd, NULL, 0);
#endif

    if (pid > 0)
        *pidfd = fd;
    return (pid_t)pid;
}

int daemon_signal_child(int pidfd, int sig)
{
    return pidfd >= 0 ? pidfd_send_signal(pidfd, sig, NULL, 0) : 0;
}

/* In a fresh child: die with the parent, take a name, default signal handling. */
/* Die with the parent. A change of user clears the setting: arm it again after one. */
static void arm_parent_death(pid_t parent_pid)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent_pid)
        _exit(1); /* the parent died before PDEATHSIG was armed */
}

void daemon_close_parent_fds(struct daemon *d)
{
    if (d->resolver_ctl >= 0)
        close(d->resolver_ctl);
    if (d->ntske_ctl >= 0)
        close(d->ntske_ctl); /* the NTS-KE process's control: the parent's only */
    if (d->ntske_listen >= 0)
        close(d->ntske_listen);
    parent_nts_close(&d->nts_keys); /* a directory outside the chroot */
    if (d->dns_pidfd >= 0)
        close(d->dns_pidfd); /* the parent's handle on the resolver */
    if (d->ntske_pidfd >= 0)
        close(d->ntske_pidfd);
    for (int i = 0; i < d->nlogs; i++) {
        if (d->logs[i].origin == LOG_ORIGIN_SRV || d->logs[i].origin == LOG_ORIGIN_NTSKE)
            close(d->logs[i].fd); /* the workers' and the NTS-KE process's log sockets */
    }
    if (d->drift_dirfd >= 0)
        close(d->drift_dirfd); /* a directory outside the chroot: never in a child */
    if (notify_fd() >= 0)
        close(notify_fd());
    parent_refclocks_close(&d->parent); /* the PHCs are the parent's */
    parent_observe_close(&d->parent);   /* no child keeps the writable ClockBound mapping */
    parent_close_files(&d->parent);     /* statistics, the leapfile's directory */
    dirfile_close(&d->config_file);
    log_forget_dir();
    nl_watch_close(d->links);
    d->links = NULL;
}

static void child_common(const char *name, pid_t parent_pid)
{
    struct sigaction sa = {.sa_handler = SIG_DFL};
    sigset_t none;

    arm_parent_death(parent_pid);
    prctl(PR_SET_NAME, name);
    sigaction(SIGCHLD, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Drop to `user` (NULL: keep the uid, drop the capabilities), die with the parent (a change
 * of user clears that setting), then the role's seccomp allow-list. */
static void sandbox_or_die(struct daemon *d, enum sbx_role role, const char *user, pid_t parent_pid,
                           const struct sbx_params *params)
{
    char err[256];

    if (!d->sandbox)
        return;
    if (sbx_drop_privileges(user, user != NULL ? d->cfg->group : NULL, NULL, NULL, 0, err,
                            sizeof(err)) < 0) {
        log_err("%s child: sandbox: %s", sbx_role_name(role), err);
        _exit(1);
    }
    arm_parent_death(parent_pid);
    if (sbx_install_seccomp_with(role, 0, params, err, sizeof(err)) < 0) {
        log_err("%s child: sandbox: %s", sbx_role_name(role), err);
        _exit(1);
    }
}

/* A child's stdout and stderr when the log is stderr (foreground, no log file: the journal):
 * /dev/null, so the child cannot write the log. Sanitizer builds keep them for their reports. */
static void stdio_off_the_log(struct daemon *d)
{
#ifndef TSYNC_SANITIZERS
    if (d->devnull_fd >= 0) {
        dup2(d->devnull_fd, STDOUT_FILENO);
        dup2(d->devnull_fd, STDERR_FILENO);
    }
#endif
    if (d->devnull_fd >= 0)
        close(d->devnull_fd);
}

int daemon_start_resolver(struct daemon *d, char *err, size_t errlen)
{
    pid_t parent_pid = getpid(), pid;
    int sp[2];

    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return -1;
    }
    pid = daemon_fork_pidfd(&d->dns_pidfd);
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(sp[0]);
        auth_keyring_clear(&d->cfg->keys); /* the resolver needs no key */
        child_common("tsyncd-dns", parent_pid);
        daemon_hooks_arm(-1);
        if (d->sandbox)
            resolver_warmup();         /* load NSS modules before the allow-list forbids it */
        msg_forward_log_to(sp[1], ""); /* no log file: lines to the parent ("dns: ") */
        stdio_off_the_log(d);
        sandbox_or_die(d, SBX_RESOLVER, d->user, parent_pid, NULL);
        _exit(resolver_serve_channels(sp[1]));
    }
    close(sp[1]);
    d->resolver_ctl = sp[0];
    d->resolver_seq = 1;
    daemon_log_channel_add(d, sp[0], LOG_ORIGIN_DNS);
    d->dns_pid = pid;
    return 0;
}

/* A fresh resolver channel for a new network child: its end, or -1 without a resolver. */
static int new_resolver_channel(struct daemon *d)
{
    struct msg_channel ch = {.generation = ++d->channel_generation};
    int sp[2];

    if (d->resolver_ctl < 0)
        return -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
        log_err("socketpair: %m");
        return -1;
    }
    if (msg_send_fd(d->resolver_ctl, MSG_CHANNEL, &d->resolver_seq, &ch, sizeof(ch), sp[1]) < 0) {
        log_err("cannot hand a channel to the resolver: %m");
        close(sp[0]);
        sp[0] = -1;
    }
    close(sp[1]);
    return sp[0];
}

/* The network child's filter: connect() only on its client sockets, accept() only on the
 * control socket. */
static void net_sandbox(struct daemon *d, struct net *n, pid_t parent_pid)
{
    int fds[2 * CLIENT_POOL_MAX];
    struct sbx_params params = {
        .connect_fds = fds,
        .n_connect_fds = client_pool_fds(&n->pool, fds, sizeof(fds) / sizeof(fds[0])),
        .accept_fds = {n->fds.control, n->fds.metrics},
        .n_accept_fds = 2,
    };

    sandbox_or_die(d, SBX_NET, NULL, parent_pid, &params);
}

static void run_net_child(struct daemon *d, int fd, pid_t parent_pid)
{
    static struct net n; /* large: off the stack */
    struct net_fds fds = d->fds;
    struct loop_role role;
    struct sigaction sa = {.sa_handler = hook_signal};

    daemon_close_parent_fds(d);
    child_common("tsyncd-net", parent_pid);
    if (d->test_hooks) {
        sigaction(SIGUSR1, &sa, NULL);
        sigaction(SIGUSR2, &sa, NULL);
        daemon_hooks_arm(-1);
    }
    chan_init_socket(&fds.parent, fd);
    net_init(&n, d->cfg, &fds, d->test_hooks);
    net_open_sockets(&n); /* socket() is forbidden from the filter on */
    net_forward_logs(&n); /* no log file from here on */
    stdio_off_the_log(d);
    /* Already chrooted and unprivileged with the parent: drop CAP_SYS_TIME, add seccomp. */
    net_sandbox(d, &n, parent_pid);
    if (net_start(&n, loop_now()) < 0)
        _exit(1);
    role = net_role(&n);
    loop_run(&role, 1, &n.stop);
    _exit(0);
}

/* The next start attempt after a failure, with the same backoff as after a death. */
static int retry_later(struct daemon *d, double now, const char *what)
{
    log_err("cannot start the network child (%s: %m); next try in %.0f s", what, d->backoff_s);
    d->restart_at = now + d->backoff_s;
    d->backoff_s = fmin(2 * d->backoff_s, DAEMON_RESTART_MAX_S);
    return -1;
}

int daemon_start_net_child(struct daemon *d, double now)
{
    pid_t parent_pid = getpid(), pid;
    int sp[2];

    d->restart_at = 0;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0)
        return retry_later(d, now, "socketpair");
    chan_init_socket(&d->fds.resolver, new_resolver_channel(d));
    chan_init_socket(&d->fds.ntske, daemon_ntske_channel(d));
    pid = daemon_fork_pidfd(&d->net_pidfd);
    if (pid < 0) {
        int e = errno;

        close(sp[0]);
        close(sp[1]);
        chan_close(&d->fds.resolver);
        chan_close(&d->fds.ntske);
        errno = e;
        return retry_later(d, now, "fork");
    }
    if (pid == 0) {
        close(sp[0]);
        if (d->fds.nserver == 0)
            cfg_keep_source_keys(d->cfg); /* not serving: only the sources' keys */
        run_net_child(d, sp[1], parent_pid);
    }
    close(sp[1]);
    chan_close(&d->fds.resolver);
    chan_close(&d->fds.ntske);
    chan_init_socket(&d->child, sp[0]);
    d->net_pid = pid;
    d->net_started = now;
    parent_attach_child(&d->parent, &d->child, now);
    log_info("network child %ld started", (long)pid);
    return 0;
}

static void describe_exit(const char *what, pid_t pid, int status)
{
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS)
        log_err("%s %ld killed by the seccomp filter (a forbidden system call)", what, (long)pid);
    else if (WIFSIGNALED(status))
        log_err("%s %ld killed by signal %d", what, (long)pid, WTERMSIG(status));
    else
        log_err("%s %ld exited with status %d", what, (long)pid, WEXITSTATUS(status));
}

static void net_child_died(struct daemon *d, pid_t pid, int status, double now)
{
    describe_exit("network child", pid, status);
    d->net_pid = 0;
    close(d->net_pidfd);
    d->net_pidfd = -1;
    parent_detach_child(&d->parent, now);
    chan_close(&d->child);
    if (now - d->net_started >= DAEMON_STABLE_CHILD_S)
        d->backoff_s = DAEMON_RESTART_MIN_S;
    d->restart_at = now + d->backoff_s;
    log_notice("restarting the network child in %.0f s; the clock keeps its frequency",
               d->backoff_s);
    d->backoff_s =
        d->backoff_s * 2 > DAEMON_RESTART_MAX_S ? DAEMON_RESTART_MAX_S : d->backoff_s * 2;
}

void daemon_reap(struct daemon *d, double now)
{
    int status;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == d->net_pid) {
            net_child_died(d, pid, status, now);
        } else if (pid == d->ntske_pid) {
            describe_exit("NTS-KE process", pid, status);
            daemon_ntske_died(d);
        } else if (pid == d->dns_pid) {
            d->dns_pid = 0;
            close(d->dns_pidfd);
            d->dns_pidfd = -1;
            d->stop = true;
            if (WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) {
                log_notice("resolver terminated: shutting down"); /* e.g. the whole group */
                continue;
            }
            describe_exit("resolver", pid, status);
            log_err("the resolver cannot be restarted inside the sandbox: exiting so the "
                    "service manager restarts tsyncd");
            d->exit_code = 1;
        } else {
            describe_exit("server worker", pid, status); /* its clients go to the others */
        }
    }
}
