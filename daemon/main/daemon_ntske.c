// SPDX-License-Identifier: ISC
/*
 * The NTS-KE process seen from tsyncd: forked (right after the resolver, before anything
 * privileged is open and before the parent's filter, which allows no execve) and executed as
 * tsyncd-ntske, so that tsyncd itself never maps GnuTLS; its log socket (it holds no log: its
 * lines are the parent's to write, "ntske: "); its channels to each network child; the NTS-KE
 * server's listening socket, bound here while privileged and handed over. It is signalled
 * through its pidfd only.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/main/daemon_int.h"
#include "daemon/ntske/ntske_main.h"

#define NTSKE_PROGRAM       "tsyncd-ntske"
#define NTSKE_START_TIMEOUT 10000 /* ms to wait for its HELLO */
#define NTSKE_BACKLOG       64

/* tsyncd-ntske next to this program (a build tree), else the installed one. */
static void ntske_path(char *buf, size_t len)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

    if (n > 0) {
        self[n] = '\0';
        snprintf(buf, len, "%s/%s", dirname(self), NTSKE_PROGRAM);
        if (access(buf, X_OK) == 0)
            return;
    }
    snprintf(buf, len, "%s/%s", TSYNC_PKGLIBEXECDIR, NTSKE_PROGRAM);
}

/* In the child: become tsyncd-ntske with tsyncd's own arguments behind
 * --ntske-role FD LOGFD. Its stdout and stderr leave the log when that is stderr (sanitizer
 * builds keep them for their reports). */
static void exec_ntske(const struct daemon *d, int fd, int log_fd)
{
    char path[PATH_MAX + 32], fdtext[16], logtext[16];
    char *argv[CMD_MAX_ARGS + 5];
    int argc = 0;
    sigset_t none;

    prctl(PR_SET_PDEATHSIG, SIGKILL); /* kept across exec */
    msg_forward_log_to(log_fd, "");   /* an exec failure's line too */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (fcntl(fd, F_SETFD, 0) < 0 || fcntl(log_fd, F_SETFD, 0) < 0)
        _exit(127);
#ifndef TSYNC_SANITIZERS
    if (d->devnull_fd >= 0) {
        dup2(d->devnull_fd, STDOUT_FILENO);
        dup2(d->devnull_fd, STDERR_FILENO);
    }
#endif
    ntske_path(path, sizeof(path));
    snprintf(fdtext, sizeof(fdtext), "%d", fd);
    snprintf(logtext, sizeof(logtext), "%d", log_fd);
    argv[argc++] = path;
    argv[argc++] = (char *)NTSKE_ROLE_FLAG;
    argv[argc++] = fdtext;
    argv[argc++] = logtext;
    for (int i = 1; i < d->opts->argc && argc < CMD_MAX_ARGS + 4; i++)
        argv[argc++] = d->opts->argv[i];
    argv[argc] = NULL;
    execv(path, argv);
    log_err("cannot execute %s: %m", path);
    _exit(127);
}

/* Wait for the NTS-KE process's HELLO: it has loaded its credentials and is sandboxed. */
static int wait_hello(struct daemon *d, char *err, size_t errlen)
{
    uint8_t buf[sizeof(struct msg_header) + sizeof(struct msg_hello) + 1];
    struct pollfd p = {.fd = d->ntske_ctl, .events = POLLIN};
    struct msg_header hdr;
    const void *payload;
    uint32_t seq = 1;
    char why[160] = "no answer";
    ssize_t n = -1;

    if (poll(&p, 1, NTSKE_START_TIMEOUT) == 1)
        n = recv(d->ntske_ctl, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0 && msg_validate(buf, (size_t)n, &seq, &hdr, &payload, why, sizeof(why)) == 0 &&
        hdr.type == MSG_HELLO)
        return 0;
    for (int i = 0; i < d->nlogs; i++) { /* its reasons, before tsyncd exits */
        if (d->logs[i].origin == LOG_ORIGIN_NTSKE)
            daemon_read_log_channel(&d->logs[i]);
    }
    snprintf(err, errlen, "the NTS-KE process (%s) did not start (%s; see its log lines)",
             NTSKE_PROGRAM, n == 0 ? "it exited" : why);
    return -1;
}

int daemon_start_ntske(struct daemon *d, char *err, size_t errlen)
{
    int sp[2], lp[2];
    pid_t pid;

    if (!cfg_nts_client(d->cfg) && !cfg_nts_server(d->cfg))
        return 0;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        return -1;
    }
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, lp) < 0) {
        snprintf(err, errlen, "socketpair: %s", strerror(errno));
        close(sp[0]);
        close(sp[1]);
        return -1;
    }
    pid = daemon_fork_pidfd(&d->ntske_pidfd);
    if (pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(sp[0]);
        close(lp[0]);
        exec_ntske(d, sp[1], lp[1]);
    }
    close(sp[1]);
    close(lp[1]);
    daemon_log_channel_add(d, lp[0], LOG_ORIGIN_NTSKE);
    d->ntske_ctl = sp[0];
    d->ntske_seq = 1;
    d->ntske_pid = pid;
    if (wait_hello(d, err, errlen) < 0)
        return -1;
    log_info("NTS-KE process %ld started", (long)pid);
    return 0;
}

static int listen_on(int family, unsigned port, char *err, size_t errlen)
{
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, zero = 0;
    bool v6 = family == AF_INET6;

    if (fd < 0)
        return -2;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (v6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)); /* IPv4 too */
    if (bind(fd, v6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin,
             v6 ? sizeof(sin6) : sizeof(sin)) < 0 ||
        listen(fd, NTSKE_BACKLOG) < 0) {
        int e = errno;

        close(fd);
        if (v6 && (e == EAFNOSUPPORT || e == EADDRNOTAVAIL))
            return -2;
        snprintf(err, errlen, "cannot listen on TCP port %u (NTS-KE): %s", port, strerror(e));
        return -1;
    }
    return fd;
}

int daemon_bind_ntske(struct daemon *d, char *err, size_t errlen)
{
    int fd;

    if (!cfg_nts_server(d->cfg))
        return 0;
    fd = listen_on(AF_INET6, d->cfg->ntske_port, err, errlen);
    if (fd == -2)
        fd = listen_on(AF_INET, d->cfg->ntske_port, err, errlen);
    if (fd < 0)
        return -1;
    d->ntske_listen = fd;
    log_info("serving NTS-KE on TCP port %u", d->cfg->ntske_port);
    return 0;
}

int daemon_handover_ntske_listener(struct daemon *d, char *err, size_t errlen)
{
    struct msg_ntske_listen m = {.family = AF_INET6};
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int rc;

    if (d->ntske_listen < 0)
        return 0;
    if (getsockname(d->ntske_listen, (struct sockaddr *)&ss, &len) == 0)
        m.family = ss.ss_family;
    rc = msg_send_fd(d->ntske_ctl, MSG_NTSKE_LISTEN, &d->ntske_seq, &m, sizeof(m), d->ntske_listen);
    if (rc < 0)
        snprintf(err, errlen, "cannot hand the NTS-KE socket over: %s", strerror(errno));
    close(d->ntske_listen);
    d->ntske_listen = -1;
    return rc;
}

int daemon_ntske_channel(struct daemon *d)
{
    struct msg_channel ch = {.generation = d->channel_generation};
    int sp[2];

    if (d->ntske_ctl < 0)
        return -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sp) < 0) {
        log_err("socketpair: %m");
        return -1;
    }
    if (msg_send_fd(d->ntske_ctl, MSG_CHANNEL, &d->ntske_seq, &ch, sizeof(ch), sp[1]) < 0) {
        log_err("cannot hand a channel to the NTS-KE process: %m");
        close(sp[0]);
        sp[0] = -1;
    }
    close(sp[1]);
    return sp[0];
}

void daemon_ntske_died(struct daemon *d)
{
    d->ntske_pid = 0;
    close(d->ntske_pidfd);
    d->ntske_pidfd = -1;
    if (d->ntske_ctl >= 0)
        close(d->ntske_ctl);
    d->ntske_ctl = -1;
    log_err("NTS-KE is unavailable until tsyncd restarts: NTS sources keep their cookies and "
            "get no new ones; the clock is not affected");
}
