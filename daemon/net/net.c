// SPDX-License-Identifier: ISC
/* The network child's event handling: parent, resolver, server, clients, control socket. */
#include "daemon/net/net.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon/control/control.h"
#include "daemon/common/log.h"
#include "daemon/net/net_int.h"
#include "daemon/resolver/resolver.h"

static volatile sig_atomic_t hook_forbidden, hook_hostile;

void net_request_forbidden_syscall(void)
{
    hook_forbidden = 1;
}

void net_request_hostile_messages(void)
{
    hook_hostile = 1;
}

void net_init(struct net *n, const struct cfg *cfg, const struct net_fds *fds, bool test_hooks)
{
    int i;

    memset(n, 0, sizeof(*n));
    n->cfg = cfg;
    n->fds = *fds;
    n->rx_seq = n->tx_seq = 1;
    n->test_hooks = test_hooks;
    clk_map_identity(&n->map);
    for (i = 0; i < MSG_NTP_SLOTS; i++)
        n->clients[i].fd = -1;
    net_nts_init(n);
}

int net_send(struct net *n, uint16_t type, const void *payload, size_t len)
{
    if (chan_send(&n->fds.parent, type, &n->tx_seq, payload, len) == 0)
        return 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
        n->dropped_to_parent++; /* the parent is busy: a lost sample or poll is harmless */
        return -1;
    }
    log_err("network child: parent gone (%m), exiting");
    n->stop = true;
    return -1;
}

static struct client_clock client_clock_of(const struct net *n)
{
    return (struct client_clock){&n->map, n->map_generation, n->fds.hw};
}

int net_start(struct net *n, double now)
{
    struct msg_hello hello = {.pid = (uint32_t)getpid(), .max_sources = MSG_MAX_SOURCES};

    if (chan_is_open(&n->fds.resolver))
        n->resolver = resolver_client_create(&n->fds.resolver);
    if (n->fds.control >= 0)
        n->control = control_create(n->fds.control);
    if (n->fds.nserver > 0 && (n->server = server_create(n->cfg)) == NULL) {
        log_err("network child: cannot allocate the NTP server");
        return -1;
    }
    if (net_send(n, MSG_HELLO, &hello, sizeof(hello)) < 0)
        return -1;
    net_sources_start(n, now);
    return 0;
}

void net_fini(struct net *n)
{
    int i;

    for (i = 0; i < MSG_NTP_SLOTS; i++) {
        if (n->clients[i].in_use)
            client_close(&n->clients[i]);
    }
    server_destroy(n->server);
    chan_close(&n->nts.ch);
    if (n->control != NULL)
        control_destroy(n->control);
    if (n->resolver != NULL)
        resolver_client_destroy(n->resolver);
}

/* The replies this process dropped, added to the parent's counts (tsyncctl sources -v) as
 * each snapshot arrives. */
static void add_client_rejections(struct net *n)
{
    int i, r;

    for (i = 0; i < n->snap.nsources && i < MSG_MAX_SOURCES; i++) {
        struct msg_source_state *st = &n->snap.sources[i];

        if (!st->in_use || st->slot >= MSG_NTP_SLOTS || !n->clients[st->slot].in_use)
            continue;
        for (r = 0; r < MSG_REJECT_COUNT; r++)
            st->rejected[r] += n->clients[st->slot].rejected[r];
    }
}

static void apply_snapshot(struct net *n, const struct msg_snapshot *s)
{
    int i;

    n->snap = *s;
    n->have_snapshot = true;
    add_client_rejections(n);
    for (i = 0; i < s->nsources && i < MSG_MAX_SOURCES; i++) {
        const struct msg_source_state *st = &s->sources[i];

        if (st->in_use && st->slot < MSG_NTP_SLOTS && n->clients[st->slot].in_use)
            client_set_poll(&n->clients[st->slot], st->poll_log2);
    }
}

/* A new generation means the clock was stepped: with the system driver the host clock itself
 * jumped, so the NIC clock conversions start again. */
static void apply_clock_map(struct net *n, const struct msg_clock_map *m)
{
    if (n->map_generation != 0 && m->generation != n->map_generation && n->fds.hw != NULL)
        hwclock_reset(n->fds.hw);
    msg_clock_map_to_clk(m, &n->map);
    n->map_generation = m->generation;
}

static void read_parent(struct net *n)
{
    static uint8_t buf[MSG_MAX_SIZE];
    struct msg_header hdr;
    const void *payload;
    char err[160];
    ssize_t len;

    while ((len = chan_recv(&n->fds.parent, buf, sizeof(buf))) != 0) {
        if (len < 0) {
            if (errno != EAGAIN && errno != EINTR)
                n->stop = true;
            return;
        }
        if ((size_t)len > sizeof(buf) ||
            msg_validate(buf, (size_t)len, &n->rx_seq, &hdr, &payload, err, sizeof(err)) < 0) {
            log_err("network child: bad message from the parent: %s", err);
            n->stop = true;
            return;
        }
        if (hdr.type == MSG_CLOCK_MAP)
            apply_clock_map(n, payload);
        else if (hdr.type == MSG_SNAPSHOT)
            apply_snapshot(n, payload);
        else if (hdr.type == MSG_NTS_KEYS)
            net_nts_keys(n, payload);
        server_workers_publish(&n->map, n->have_snapshot ? &n->snap : NULL);
    }
    n->stop = true; /* EOF: the parent is gone */
}

static void read_resolver(struct net *n, double now)
{
    struct msg_resolved r;
    int rc;

    while ((rc = resolver_client_read(n->resolver, &r)) == 1) {
        if (!net_nts_resolved(n, &r, now))
            net_sources_resolved(n, &r, now);
    }
    if (rc < 0) {
        log_err("network child: the resolver is gone; names will not be resolved");
        resolver_client_destroy(n->resolver);
        n->resolver = NULL;
    }
}

static void client_event(struct net *n, struct client *c, short revents, double now)
{
    struct client_clock clock = client_clock_of(n);
    struct msg_sample s;
    enum client_event ev;

    client_read_tx(c, &clock, revents);
    while ((ev = client_receive(c, &clock, now, revents, &s)) != CLIENT_NOTHING) {
        if (ev == CLIENT_SAMPLE) {
            net_send(n, MSG_SAMPLE, &s, sizeof(s));
        } else if (ev == CLIENT_KOD_RATE) {
            log_warning("source %s: kiss-o'-death RATE, poll interval raised to 2^%d s",
                        c->cfg->name,
                        c->kod_min_poll > CFG_MAX_POLL ? CFG_MAX_POLL : c->kod_min_poll);
        } else {
            log_warning("source %s: kiss-o'-death DENY/RSTR: no longer used", c->cfg->name);
            net_remove_source(n, (int)c->slot);
            return;
        }
    }
}

static void poll_clients(struct net *n, double now)
{
    struct client_clock clock = client_clock_of(n);
    int i;

    if (n->map_generation == 0)
        return; /* times would be taken on the wrong scale before the first CLOCK_MAP */
    for (i = 0; i < MSG_NTP_SLOTS; i++) {
        struct client *c = &n->clients[i];
        struct msg_source_ref m = {.slot = (uint32_t)i};

        if (!c->in_use || client_time_to_poll(c, now) > 0)
            continue;
        m.flags = client_retry_due(c, now) ? MSG_POLL_RETRY : 0;
        client_poll(c, &clock, now);
        net_send(n, MSG_SOURCE_POLLED, &m, sizeof(m));
    }
}

/* Test hooks: prove the sandbox (a forbidden call kills only this child) and the parent's
 * validation (malformed messages are rejected without touching the clock). */
static void run_test_hooks(struct net *n)
{
    if (!n->test_hooks)
        return;
    if (hook_forbidden) {
        log_notice("test hook: calling a forbidden system call (reboot)");
        syscall(SYS_reboot, 0, 0, 0, NULL);
    }
    if (hook_hostile) {
        struct msg_sample bad = {.slot = 0, .root_delay_s = NAN, .stratum = 1};
        struct msg_source_ref wrong_size = {.slot = 0};

        hook_hostile = 0;
        log_notice("test hook: sending malformed messages to the parent");
        net_send(n, MSG_SAMPLE, &bad, sizeof(bad));               /* NaN, bad times */
        net_send(n, MSG_SAMPLE, &wrong_size, sizeof(wrong_size)); /* wrong size */
    }
}

/* The server's counters (the network child's and the workers') for tsyncctl serverstats. */
static void fill_server_counters(struct net *n)
{
    struct msg_server_counters *c = &n->snap.server;
    struct server_stats st;

    memset(&st, 0, sizeof(st));
    if (n->server != NULL)
        server_get_stats(n->server, &st);
    server_workers_add_stats(&st);
    *c = (struct msg_server_counters){
        .served = st.served,
        .limited = st.limited,
        .kod_rate = st.kod_rate,
        .kod_deny = st.kod_deny,
        .denied = st.denied,
        .malformed = st.malformed,
        .other_mode = st.other_mode,
        .send_errors = st.send_errors,
        .clients = st.clients,
        .evictions = st.evictions,
        .nts_served = st.nts_served,
        .nts_naks = st.nts_naks,
        .nts_dropped = st.nts_dropped,
    };
}

static int net_prepare(void *ctx, struct pollfd *fds, int max, double now, double *timeout_s)
{
    struct net *n = ctx;
    bool ready = n->map_generation != 0; /* nothing is timed before the first CLOCK_MAP */
    int k = 0, i;

    if (max < 3 + NET_MAX_SERVER_FDS + MSG_NTP_SLOTS)
        return 0;
    fds[k++] = (struct pollfd){.fd = chan_poll_fd(&n->fds.parent), .events = POLLIN};
    fds[k++] =
        (struct pollfd){.fd = n->resolver ? resolver_client_fd(n->resolver) : -1, .events = POLLIN};
    fds[k++] = (struct pollfd){.fd = net_nts_fd(n), .events = POLLIN};
    if (chan_ready(&n->fds.parent) || (n->resolver != NULL && resolver_client_ready(n->resolver)) ||
        net_nts_ready(n))
        *timeout_s = 0;
    *timeout_s = fmin(*timeout_s, net_nts_timeout(n, now));
    for (i = 0; i < NET_MAX_SERVER_FDS; i++)
        fds[k++] = (struct pollfd){.fd = ready && i < n->fds.nserver ? n->fds.server[i] : -1,
                                   .events = POLLIN | POLLPRI};
    for (i = 0; i < MSG_NTP_SLOTS; i++) {
        struct client *c = &n->clients[i];

        fds[k++] = (struct pollfd){.fd = c->in_use ? c->fd : -1, .events = POLLIN | POLLPRI};
        if (c->in_use && ready)
            *timeout_s = fmin(*timeout_s, client_time_to_poll(c, now));
    }
    if (n->fds.hw != NULL && n->fds.hw->n > 0)
        *timeout_s = fmin(*timeout_s, n->hw_next - now);
    n->nfds_control = 0;
    if (n->control != NULL) {
        int ms = control_timeout_ms(n->control, now);

        n->nfds_control = control_pollfds(n->control, fds + k, max - k);
        if (ms >= 0)
            *timeout_s = fmin(*timeout_s, ms / 1000.0);
    }
    return k + n->nfds_control;
}

static void net_dispatch(void *ctx, const struct pollfd *fds, int nfds, double now)
{
    struct net *n = ctx;
    int k = 0, i;

    if (nfds == 0)
        return;
    run_test_hooks(n);
    if (fds[k++].revents || chan_ready(&n->fds.parent))
        read_parent(n);
    if (n->resolver != NULL && (fds[k].revents || resolver_client_ready(n->resolver)))
        read_resolver(n, now);
    k++;
    k++; /* the NTS-KE channel: net_nts_dispatch() reads it */
    net_nts_dispatch(n, now);
    for (i = 0; i < NET_MAX_SERVER_FDS; i++, k++) {
        if (fds[k].revents && n->server != NULL) /* POLLERR too: TX stamps to read */
            server_handle(n->server, fds[k].fd, fds[k].revents, &n->map,
                          n->have_snapshot ? &n->snap : NULL, (uint64_t)(now * 1e9));
    }
    if (n->server != NULL)
        server_maintain(n->server, (uint64_t)(now * 1e9));
    for (i = 0; i < MSG_NTP_SLOTS; i++, k++) {
        if (fds[k].revents && n->clients[i].in_use)
            client_event(n, &n->clients[i], fds[k].revents, now);
    }
    if (n->control != NULL) {
        if (n->have_snapshot) {
            fill_server_counters(n);
            net_nts_fill_snapshot(n, &n->snap, now);
        }
        control_handle(n->control, fds + k, n->nfds_control, n->have_snapshot ? &n->snap : NULL,
                       now);
    }
    poll_clients(n, now);
    net_sources_maintain(n, now);
    if (n->fds.hw != NULL)
        n->hw_next = now + hwclock_poll(n->fds.hw, now);
}

struct loop_role net_role(struct net *n)
{
    return (struct loop_role){
        .name = "net",
        .prepare = net_prepare,
        .dispatch = net_dispatch,
        .ctx = n,
    };
}
