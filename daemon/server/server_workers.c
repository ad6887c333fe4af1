// SPDX-License-Identifier: ISC
/*
 * SO_REUSEPORT worker children of the NTP server (TSYNCD_SERVER_WORKERS=N in the environment,
 * 0..SERVER_MAX_WORKERS; 0 by default): each worker answers on its own sockets of the server's
 * SO_REUSEPORT group (the kernel spreads clients over the group by address and port), sandboxed
 * like the network child (the unprivileged user, the chroot, no capabilities, seccomp SBX_NET).
 * They are forked first, while the parent is still root, and drop everything themselves, so no
 * other process (resolver, network child) ever holds their sockets. Each worker has its own
 * client table: rate limits apply per worker (a client's port picks its worker).
 *
 * The workers answer from the network child's latest snapshot and clock map, which the network
 * child publishes (server_workers_publish) into a small shared mapping created by the parent;
 * a sequence counter (even: stable) lets a worker copy it consistently without locks. A worker
 * that dies is not restarted: its sockets close with it and the kernel hashes its clients to
 * the remaining members of the group (the parent closes its own copies after the fork).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/net/net.h"
#include "daemon/nts/nts_cookie.h"
#include "daemon/server/server.h"
#include "seccomp/sandbox.h"

#define WORKERS_ENV "TSYNCD_SERVER_WORKERS"

/* Written by the network child, read by the workers. */
struct shared_state {
    uint32_t seq; /* odd while being written */
    bool have_snapshot;
    struct clk_map map;
    struct msg_snapshot snap;
    struct server_stats stats[SERVER_MAX_WORKERS]; /* each worker's counters, written by it */
    uint32_t nts_seq;                              /* odd while the keys are being written */
    bool have_nts;
    struct nts_cookie_jar nts; /* the NTS server's cookie keys */
};

static struct {
    int n;                          /* workers configured */
    int fds[SERVER_MAX_WORKERS][2]; /* IPv4 and IPv6 socket of each worker, -1 none */
    struct shared_state *shared;    /* MAP_SHARED, inherited by every child */
    int log_fd[SERVER_MAX_WORKERS]; /* the parent's end of each worker's log socket, -1 none */
} workers = {.n = -1};

int server_workers_wanted(void)
{
    if (workers.n < 0) {
        const char *v = getenv(WORKERS_ENV);
        long n = v != NULL ? strtol(v, NULL, 10) : 0;

        workers.n = n > 0 && n <= SERVER_MAX_WORKERS ? (int)n : 0;
    }
    return workers.n;
}

int server_workers_bind(const struct net_fds *fds, char *err, size_t errlen)
{
    if (server_workers_wanted() == 0 || fds->nserver == 0)
        return 0;
    workers.shared = mmap(NULL, sizeof(*workers.shared), PROT_READ | PROT_WRITE,
                          MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (workers.shared == MAP_FAILED) {
        workers.shared = NULL;
        snprintf(err, errlen, "server workers: mmap: %s", strerror(errno));
        return -1;
    }
    for (int w = 0; w < workers.n; w++) {
        for (int f = 0; f < 2; f++) {
            workers.fds[w][f] = f < fds->nserver ? server_socket_clone(fds->server[f]) : -1;
            if (f < fds->nserver && workers.fds[w][f] < 0) {
                snprintf(err, errlen, "server workers: cannot join the SO_REUSEPORT group: %s",
                         strerror(errno));
                return -1;
            }
        }
    }
    log_info("serving NTP with %d worker children as well (SO_REUSEPORT)", workers.n);
    return 0;
}

int server_workers_log_fd(int w)
{
    return workers.shared != NULL && w >= 0 && w < workers.n ? workers.log_fd[w] : -1;
}

void server_workers_publish(const struct clk_map *map, const struct msg_snapshot *snap)
{
    struct shared_state *s = workers.shared;

    if (s == NULL)
        return;
    __atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->map = *map;
    s->have_snapshot = snap != NULL;
    if (snap != NULL)
        s->snap = *snap;
    __atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
}

void server_workers_publish_nts(const struct nts_cookie_jar *jar)
{
    struct shared_state *s = workers.shared;

    if (s == NULL)
        return;
    __atomic_store_n(&s->nts_seq, s->nts_seq + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    s->nts = *jar;
    s->have_nts = true;
    __atomic_store_n(&s->nts_seq, s->nts_seq + 1, __ATOMIC_RELEASE);
}

/* New cookie keys for the worker's server, if they changed since *seen. */
static void read_shared_nts(uint32_t *seen, struct server *srv)
{
    static struct nts_cookie_jar jar;
    const struct shared_state *s = workers.shared;
    uint32_t a = __atomic_load_n(&s->nts_seq, __ATOMIC_ACQUIRE);

    if ((a & 1) || a == *seen || !s->have_nts)
        return;
    jar = s->nts;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (__atomic_load_n(&s->nts_seq, __ATOMIC_RELAXED) != a)
        return;
    *seen = a;
    server_set_nts_keys(srv, &jar);
}

void server_workers_add_stats(struct server_stats *sum)
{
    if (workers.shared == NULL)
        return;
    for (int w = 0; w < workers.n; w++) {
        const struct server_stats *ws = &workers.shared->stats[w];

        sum->served += ws->served;
        sum->limited += ws->limited;
        sum->leaked += ws->leaked;
        sum->kod_rate += ws->kod_rate;
        sum->kod_deny += ws->kod_deny;
        sum->denied += ws->denied;
        sum->malformed += ws->malformed;
        sum->other_mode += ws->other_mode;
        sum->send_errors += ws->send_errors;
        sum->tx_stamps += ws->tx_stamps;
        sum->clients += ws->clients;
        sum->evictions += ws->evictions;
        sum->nts_served += ws->nts_served;
        sum->nts_naks += ws->nts_naks;
        sum->nts_dropped += ws->nts_dropped;
        sum->auth_ok += ws->auth_ok;
        sum->auth_bad += ws->auth_bad;
        sum->interleaved += ws->interleaved;
        sum->mode6_answered += ws->mode6_answered;
        sum->mode6_refused += ws->mode6_refused;
    }
}

/* Copy the shared state if it changed since *seen; false while it is being written. */
static bool read_shared(uint32_t *seen, struct clk_map *map, struct msg_snapshot *snap, bool *have)
{
    const struct shared_state *s = workers.shared;
    uint32_t a = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE), b;

    if ((a & 1) || a == *seen)
        return false;
    *map = s->map;
    *have = s->have_snapshot;
    *snap = s->snap;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    b = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
    if (a != b)
        return false;
    *seen = a;
    return true;
}

static uint64_t monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The worker's loop: its sockets only, until the parent's death kills it (PDEATHSIG). */
static void worker_loop(struct server *srv, int w)
{
    const int *fds = workers.fds[w];
    static struct msg_snapshot snap;
    struct clk_map map;
    uint32_t seen = 0, nts_seen = 0;
    bool have = false;

    clk_map_identity(&map);
    for (;;) {
        struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN}};

        if (poll(p, 2, 1000) < 0 && errno != EINTR)
            _exit(1);
        uint64_t now_ns = monotonic_ns();

        read_shared(&seen, &map, &snap, &have);
        read_shared_nts(&nts_seen, srv);
        for (int i = 0; i < 2; i++) {
            if (p[i].revents)
                server_handle(srv, p[i].fd, p[i].revents, &map, have ? &snap : NULL, now_ns);
        }
        server_maintain(srv, now_ns);
        server_get_stats(srv, &workers.shared->stats[w]);
    }
}

/* Close what the worker inherited and must not hold: the other workers' sockets (only their
 * owner may hold them), the network child's server sockets and the control socket. */
static void close_others(int w, const struct net_fds *fds)
{
    for (int i = 0; i < fds->nserver; i++)
        close(fds->server[i]);
    if (fds->control >= 0)
        close(fds->control);
    if (fds->metrics >= 0)
        close(fds->metrics);
    for (int o = 0; o < workers.n; o++) {
        for (int f = 0; f < 2 && o != w; f++) {
            if (workers.fds[o][f] >= 0)
                close(workers.fds[o][f]);
        }
    }
}

static void run_worker(int w, const struct cfg *cfg, const struct net_fds *fds, const char *user,
                       const char *chroot_dir, pid_t parent_pid, int log_fd)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    char err[256], name[16], tag[24];
    struct server *srv;
    sigset_t none;

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent_pid)
        _exit(1);
    snprintf(name, sizeof(name), "tsyncd-srv%u", (unsigned)w % SERVER_MAX_WORKERS);
    prctl(PR_SET_NAME, name);
    sigaction(SIGCHLD, &dfl, NULL);
    sigaction(SIGTERM, &dfl, NULL);
    sigaction(SIGINT, &dfl, NULL);
    sigaction(SIGHUP, &dfl, NULL);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    close_others(w, fds);
    snprintf(tag, sizeof(tag), "worker %d: ", w);
    msg_forward_log_to(log_fd, tag); /* no log file: lines to the parent ("srv: worker N: ") */
    if (sbx_drop_privileges(user, cfg->group, chroot_dir, NULL, 0, err, sizeof(err)) < 0) {
        log_err("server worker %d: sandbox: %s", w, err);
        _exit(1);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* the change of user cleared it */
    if (getppid() != parent_pid)
        _exit(1);
    if (sbx_install_seccomp(SBX_NET, 0, err, sizeof(err)) < 0) {
        log_err("server worker %d: seccomp: %s", w, err);
        _exit(1);
    }
    if ((srv = server_create(cfg)) == NULL) {
        log_err("server worker %d: out of memory", w);
        _exit(1);
    }
    worker_loop(srv, w);
}

int server_workers_start(const struct cfg *cfg, const struct net_fds *fds, const char *user,
                         const char *chroot_dir, void (*close_parent)(void *ctx), void *ctx,
                         char *err, size_t errlen)
{
    pid_t parent_pid = getpid();

    if (workers.shared == NULL)
        return 0;
    for (int w = 0; w < workers.n; w++) {
        int sp[2];
        pid_t pid;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0 || (pid = fork()) < 0) {
            snprintf(err, errlen, "server worker %d: %s", w, strerror(errno));
            return -1;
        }
        if (pid == 0) {
            for (int o = 0; o <= w; o++) /* the parent's ends: its own and the others' */
                close(o < w ? workers.log_fd[o] : sp[0]);
            close_parent(ctx);
            run_worker(w, cfg, fds, user, chroot_dir, parent_pid, sp[1]);
        }
        close(sp[1]);
        workers.log_fd[w] = sp[0];
        log_info("server worker %d started (pid %ld)", w, (long)pid);
    }
    for (int w = 0; w < workers.n; w++) { /* a dead worker's sockets must leave the group */
        for (int f = 0; f < 2; f++) {
            if (workers.fds[w][f] >= 0)
                close(workers.fds[w][f]);
        }
    }
    return 0;
}
