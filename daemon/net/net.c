// SPDX-License-Identifier: ISC
/* The network child's event handling: parent, resolver, server, clients, control socket. */
#include "daemon/net/net.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
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

/* Seconds between sysstats lines: TSYNCD_SYSSTATS_S (1..86400, for tests), else ntpd's hour. */
static double sysstats_interval(void)
{
    const char *v = getenv(NET_SYSSTATS_ENV);
    long s = v != NULL ? strtol(v, NULL, 10) : 0;

    return s > 0 && s <= 86400 ? (double)s : NET_SYSSTATS_DEFAULT_S;
}

void net_init(struct net *n, const struct cfg *cfg, const struct net_fds *fds, bool test_hooks)
{
    int i;

    memset(n, 0, sizeof(*n));
    n->cfg = cfg;
    n->fds = *fds;
    n->rx_seq = n->tx_seq = 1;
    n->test_hooks = test_hooks;
    n->sysstats_interval_s = sysstats_interval();
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

/* A line the parent writes for this process ("net: ..."). One that cannot be sent (the parent
 * is busy or gone) is dropped: logging must not recurse into net_send()'s error path. */
static void forward_log(int level, enum log_class cls, const char *text, void *ctx)
{
    struct net *n = ctx;
    struct msg_log m;

    memset(&m, 0, sizeof(m));
    m.level = (uint8_t)(level < LOG_ERR ? LOG_ERR : level > LOG_DEBUG ? LOG_DEBUG : level);
    m.cls = (uint8_t)cls;
    msg_copy_str(m.text, sizeof(m.text), text);
    if (chan_send(&n->fds.parent, MSG_LOG, &n->tx_seq, &m, sizeof(m)) < 0)
        n->dropped_to_parent++;
}

void net_forward_logs(struct net *n)
{
    log_set_forward(forward_log, n);
    log_detach();
}

/* The parent's watchdog hears from the loop at least every MSG_HEARTBEAT_S. */
static void send_heartbeat(struct net *n, double now)
{
    struct msg_heartbeat hb = {.count = n->heartbeats + 1};

    if (now < n->next_heartbeat)
        return;
    n->heartbeats++;
    n->next_heartbeat = now + MSG_HEARTBEAT_S;
    net_send(n, MSG_HEARTBEAT, &hb, sizeof(hb));
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
    if (n->fds.metrics >= 0 && (n->metrics = metrics_server_create(n->fds.metrics)) == NULL) {
        log_err("network child: cannot allocate the metrics listener");
        return -1;
    }
    if (n->fds.nserver > 0 && (n->server = server_create(n->cfg)) == NULL) {
        log_err("network child: cannot allocate the NTP server");
        return -1;
    }
    if (net_send(n, MSG_HELLO, &hello, sizeof(hello)) < 0)
        return -1;
    if (net_sources_notrust(n) < 0)
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
    client_pool_close(&n->pool);
    server_destroy(n->server);
    chan_close(&n->nts.ch);
    if (n->have_notrust)
        acl_free(&n->notrust);
    if (n->control != NULL)
        control_destroy(n->control);
    metrics_server_destroy(n->metrics);
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

/* A new generation means the clock was stepped; the NIC clock conversions need no restart:
 * they are fitted against CLOCK_MONOTONIC_RAW, which no step touches. */
static void apply_clock_map(struct net *n, const struct msg_clock_map *m)
{
    msg_clock_map_to_clk(m, &n->map);
    n->map_generation = m->generation;
}

/* The parent saw the clock disrupted (VMClock): every client source polls in a burst now. */
static void burst_all(struct net *n, double now)
{
    int i;

    log_notice("network child: the clock was disrupted: polling every source in a burst");
    for (i = 0; i < MSG_NTP_SLOTS; i++) {
        if (n->clients[i].in_use)
            client_burst(&n->clients[i], now);
    }
}

static void read_parent(struct net *n, double now)
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
        else if (hdr.type == MSG_BURST)
            burst_all(n, now);
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
        if (ev != CLIENT_SAMPLE) { /* answered without a sample: still reachable */
            struct msg_source_ref m = {.slot = c->slot, .flags = c->answered_reason};

            net_send(n, MSG_SOURCE_ANSWERED, &m, sizeof(m));
        }
        if (ev == CLIENT_SAMPLE) {
            net_send(n, MSG_SAMPLE, &s, sizeof(s));
        } else if (ev == CLIENT_ANSWERED) {
            continue;
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
static void run_test_hooks(struct net *n, double now)
{
    const char *kind = getenv("TSYNCD_TEST_HOSTILE");

    if (!n->test_hooks)
        return;
    if (hook_forbidden) {
        log_notice("test hook: calling a forbidden system call (reboot)");
        syscall(SYS_reboot, 0, 0, 0, NULL);
    }
    if (hook_hostile && kind != NULL && strcmp(kind, "malformed") != 0) {
        hook_hostile = 0;
        net_hostile_start(n, kind, now);
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

/* The server's counters (the network child's and the workers'), for tsyncctl serverstats and
 * the parent's sysstats. */
static void server_counters(struct net *n, struct msg_server_counters *c)
{
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
        .auth_ok = st.auth_ok,
        .auth_bad = st.auth_bad,
        .interleaved = st.interleaved,
        .mode6_answered = st.mode6_answered,
        .mode6_refused = st.mode6_refused,
        .nts_served = st.nts_served,
        .nts_naks = st.nts_naks,
        .nts_dropped = st.nts_dropped,
    };
}

/* sysstats: the counters go to the parent at the start and then every interval. */
static void send_counters(struct net *n, double now)
{
    struct msg_server_counters c;

    if (!n->cfg->filegen[CFG_STATS_SYS].enabled || now < n->sysstats_next)
        return;
    n->sysstats_next = now + n->sysstats_interval_s;
    server_counters(n, &c);
    net_send(n, MSG_SERVER_STATS, &c, sizeof(c));
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
    *timeout_s = fmin(*timeout_s, fmax(0, n->next_heartbeat - now));
    if (n->hostile != 0) /* a test hook floods: turn again soon */
        *timeout_s = fmin(*timeout_s, 0.01);
    n->nfds_control = 0;
    if (n->control != NULL) {
        int ms = control_timeout_ms(n->control, now);

        n->nfds_control = control_pollfds(n->control, fds + k, max - k);
        if (ms >= 0)
            *timeout_s = fmin(*timeout_s, ms / 1000.0);
    }
    k += n->nfds_control;
    n->nfds_metrics = 0;
    if (n->metrics != NULL) {
        int ms = metrics_server_timeout_ms(n->metrics, now);

        n->nfds_metrics = metrics_server_pollfds(n->metrics, fds + k, max - k);
        if (ms >= 0)
            *timeout_s = fmin(*timeout_s, ms / 1000.0);
    }
    return k + n->nfds_metrics;
}

static void net_dispatch(void *ctx, const struct pollfd *fds, int nfds, double now)
{
    struct net *n = ctx;
    int k = 0, i;

    if (nfds == 0)
        return;
    run_test_hooks(n, now);
    if (fds[k++].revents || chan_ready(&n->fds.parent))
        read_parent(n, now);
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
    if (n->have_snapshot && (n->control != NULL || n->metrics != NULL)) {
        server_counters(n, &n->snap.server);
        net_nts_fill_snapshot(n, &n->snap, now);
    }
    if (n->control != NULL) {
        control_handle(n->control, fds + k, n->nfds_control, n->have_snapshot ? &n->snap : NULL,
                       now);
    }
    k += n->nfds_control;
    if (n->metrics != NULL)
        metrics_server_handle(n->metrics, fds + k, n->nfds_metrics,
                              n->have_snapshot ? &n->snap : NULL, now);
    poll_clients(n, now);
    net_sources_maintain(n, now);
    send_counters(n, now);
    send_heartbeat(n, now);
    if (n->test_hooks)
        net_hostile_run(n, now);
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
