// SPDX-License-Identifier: ISC
/* NTP client associations: requests, replies, origin check, KoD, poll schedule. */
#include "daemon/net/client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <unistd.h>

#include "daemon/common/log.h"
#include "daemon/common/ntp_packet.h"
#include "discipline/discipline.h"
#include "hwts/sock.h"

#define CLIENT_HW_TX_MAX_DIFF_S 0.1
#define CLIENT_ERRQUEUE_READS   4 /* a kernel and a NIC stamp per request, and some spare */

static int family_index(int family)
{
    return family == AF_INET ? 0 : family == AF_INET6 ? 1 : -1;
}

void client_pool_size(const struct cfg *cfg, int pool_addrs, int *n4, int *n6)
{
    int need[2] = {0, 0};

    for (size_t i = 0; i < cfg->n_sources; i++) {
        const struct cfg_source *src = &cfg->sources[i];
        int k = src->type == CFG_SOURCE_POOL ? pool_addrs : 1;
        unsigned char a[16];
        bool v4 = inet_pton(AF_INET, src->name, a) == 1,
             v6 = inet_pton(AF_INET6, src->name, a) == 1;

        if (src->family != CFG_FAMILY_IPV6 && !v6)
            need[0] += k;
        if (src->family != CFG_FAMILY_IPV4 && !v4)
            need[1] += k;
    }
    for (int f = 0; f < 2; f++) {
        if (need[f] > 0)
            need[f] += CLIENT_POOL_SPARE;
        if (need[f] > CLIENT_POOL_MAX)
            need[f] = CLIENT_POOL_MAX;
    }
    *n4 = need[0];
    *n6 = need[1];
}

int client_pool_open(struct client_pool *p, int n4, int n6, unsigned ts_flags)
{
    const int families[2] = {AF_INET, AF_INET6}, want[2] = {n4, n6};

    memset(p, 0, sizeof(*p));
    for (int f = 0; f < 2; f++) {
        while (p->n[f] < want[f] && p->n[f] < CLIENT_POOL_MAX) {
            int fd = sk_udp_open(families[f]);

            if (fd < 0)
                break; /* no IPv6 here, or out of descriptors: use what there is */
            p->mode[f][p->n[f]] = ts_enable(fd, ts_flags, NULL);
            p->fd[f][p->n[f]++] = fd;
        }
    }
    return p->n[0] + p->n[1];
}

void client_pool_close(struct client_pool *p)
{
    for (int f = 0; f < 2; f++) {
        for (int i = 0; i < p->n[f]; i++)
            close(p->fd[f][i]);
    }
    memset(p, 0, sizeof(*p));
}

size_t client_pool_fds(const struct client_pool *p, int *fds, size_t max)
{
    size_t n = 0;

    for (int f = 0; f < 2; f++) {
        for (int i = 0; i < p->n[f] && n < max; i++)
            fds[n++] = p->fd[f][i];
    }
    return n;
}

/* Drop what a reused socket still holds of its previous association: queued replies and TX
 * stamps (bounded: a peer cannot keep it busy). The error queue is read only when poll()
 * reports it: a simulator's read of an empty one takes the next reply. */
static void drain_socket(int fd)
{
    uint8_t buf[CLIENT_RECV_BUF];
    char control[TS_CONTROL_LEN];

    for (int i = 0; i < 64; i++) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN | POLLPRI};
        struct iovec iov = {buf, sizeof(buf)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        int err;
        socklen_t len = sizeof(err);

        if (poll(&pfd, 1, 0) <= 0)
            return;
        mh.msg_control = control;
        mh.msg_controllen = sizeof(control);
        if (pfd.revents & (POLLERR | POLLPRI)) {
            if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len); /* a pending ICMP error */
        } else if (recvmsg(fd, &mh, MSG_DONTWAIT) < 0) {
            return;
        }
    }
}

/* A free socket of family from the pool (its index in *k), or -1. */
static int take_socket(struct client_pool *p, int family, int *k)
{
    int f = family_index(family);

    for (int i = 0; f >= 0 && i < p->n[f]; i++) {
        if (!p->busy[f][i]) {
            p->busy[f][i] = true;
            *k = i;
            return p->fd[f][i];
        }
    }
    return -1;
}

/* The socket stays connected to the old server until its next use: what it receives meanwhile
 * is drained then. */
static void give_back(struct client_pool *p, int fd)
{
    for (int f = 0; f < 2; f++) {
        for (int i = 0; i < p->n[f]; i++) {
            if (p->fd[f][i] == fd)
                p->busy[f][i] = false;
        }
    }
}

int client_open(struct client *c, struct client_pool *pool, const struct sockaddr *addr,
                socklen_t addrlen, double now)
{
    int k = 0;

    c->fd = take_socket(pool, addr->sa_family, &k);
    if (c->fd < 0) {
        errno = EMFILE;
        return -1;
    }
    c->pool = pool;
    if (connect(c->fd, addr, addrlen) < 0) {
        int e = errno;
        give_back(pool, c->fd);
        c->fd = -1;
        c->pool = NULL;
        errno = e;
        return -1;
    }
    drain_socket(c->fd);
    memcpy(&c->addr, addr, addrlen);
    c->addrlen = addrlen;
    c->ts_mode = pool->mode[family_index(addr->sa_family)][k];
    c->tx_count = 0;
    c->tx_id_known = false;
    c->org = 0;
    c->rx_cookie = 0;
    memset(&c->cur, 0, sizeof(c->cur));
    memset(&c->prev, 0, sizeof(c->prev));
    c->xleave = c->cfg != NULL && (c->cfg->flags & CFG_SRC_XLEAVE);
    c->interleaved = false;
    c->hw_tx_expected = false;
    c->next_poll = now;
    c->poll_log2 = c->cfg != NULL ? c->cfg->minpoll : 0;
    c->kod_min_poll = 0;
    c->burst_left = c->cfg != NULL && (c->cfg->flags & CFG_SRC_IBURST) ? CLIENT_IBURST_PACKETS : 0;
    c->unanswered = 0;
    c->in_use = true;
    return 0;
}

void client_close(struct client *c)
{
    if (c->fd >= 0 && c->pool != NULL)
        give_back(c->pool, c->fd);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

bool client_retry_due(const struct client *c, double now)
{
    return c->org != 0 && c->retries_left > 0 && now >= c->retry_at && now < c->next_poll;
}

double client_time_to_poll(const struct client *c, double now)
{
    if (c->org != 0 && c->retries_left > 0 && c->retry_at < c->next_poll)
        return c->retry_at - now;
    return c->next_poll - now;
}

void client_set_poll(struct client *c, int poll_log2)
{
    if (poll_log2 >= 0)
        c->poll_log2 = poll_log2;
}

void client_burst(struct client *c, double now)
{
    if (c->kod_min_poll > 0)
        return;
    c->burst_left = CLIENT_IBURST_PACKETS;
    c->next_poll = now;
}

int client_effective_poll(const struct client *c)
{
    int p = c->poll_log2 > c->kod_min_poll ? c->poll_log2 : c->kod_min_poll;

    return p > CFG_MAX_POLL ? CFG_MAX_POLL : p;
}

static void schedule_next(struct client *c, double now)
{
    bool iburst = c->cfg != NULL && (c->cfg->flags & CFG_SRC_IBURST);

    /* ntpd: a burst when the source becomes unreachable, so a restored network is used at
     * once; one burst per outage (unanswered passes 2 only once), then the normal poll. */
    if (c->burst_left == 0 && iburst && c->unanswered == 2 && c->kod_min_poll == 0)
        c->burst_left = CLIENT_IBURST_PACKETS;
    if (c->burst_left > 0)
        c->next_poll = now + fmin(CLIENT_BURST_SPACING_S, ldexp(1.0, client_effective_poll(c)));
    else
        c->next_poll = now + ldexp(1.0, client_effective_poll(c));
}

/* A repetition keeps the poll schedule; a poll schedules the next one and arms the
 * repetitions of this request. */
static void plan_request(struct client *c, double now)
{
    if (client_retry_due(c, now)) {
        c->retries_left--;
    } else {
        if (c->org != 0)
            c->unanswered++;
        if (c->burst_left > 0)
            c->burst_left--;
        schedule_next(c, now);
        c->retries_left =
            c->burst_left == 0 && c->next_poll - now >= MSG_RETRY_MIN_POLL_S ? MSG_RETRIES : 0;
    }
    c->retry_at = now + MSG_RETRY_TIMEOUT_S;
}

/* A random nonzero 64-bit value (data minimisation: requests carry no time of ours). */
static uint64_t random_field(double now)
{
    uint64_t v;

    if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v) || v == 0)
        v = (uint64_t)(now * 1e9) | 1;
    return v;
}

/* A new exchange begins (t1 read last, right before the send); the answered one before it is
 * kept for interleaved mode. */
static void begin_exchange(struct client *c)
{
    if (c->cur.answered)
        c->prev = c->cur;
    memset(&c->cur, 0, sizeof(c->cur));
}

static void take_t1(struct client *c, const struct client_clock *clock)
{
    c->cur.t1 = c->cur.t1_user = clk_map_now(clock->map);
    c->cur.t1_source = TS_SRC_USER;
    c->cur.generation = clock->generation;
    c->cur.datagram = c->tx_count;
}

/* The NTS fields of the request (len grows). Without a cookie nothing is sent: an NTS source
 * never sends an unauthenticated request. */
static int append_nts(struct client *c, uint8_t *buf, size_t cap, size_t *len)
{
    long n = nts_client_request_ef(c->nts, buf, cap, *len);

    if (n < 0) {
        c->org = 0;
        c->rx_cookie = 0;
        c->unanswered++;
        return -1;
    }
    *len = (size_t)n;
    return 0;
}

int client_poll(struct client *c, const struct client_clock *clock, double now)
{
    uint8_t buf[NTP_MAX_PACKET_LEN];
    struct ntp_header req;
    uint64_t org = random_field(now);
    size_t len;
    ssize_t n;

    plan_request(c, now);
    begin_exchange(c);
    ntp_build_request(&req, (uint8_t)(c->cfg != NULL ? c->cfg->version : 4),
                      (int8_t)client_effective_poll(c), org);
    c->rx_cookie = 0;
    if (c->xleave) {
        c->rx_cookie = random_field(now + 1);
        req.receive_ts = c->rx_cookie;
        if (c->prev.answered)
            req.origin_ts = c->prev.server_rx;
    }
    ntp_header_encode(&req, buf, sizeof(buf));
    len = auth_sign(c->key, buf, NTP_HEADER_LEN, sizeof(buf));
    if (c->nts != NULL && append_nts(c, buf, sizeof(buf), &len) < 0)
        return -1;
    take_t1(c, clock);
    n = send(c->fd, buf, len, 0);
    if (n != (ssize_t)len) {
        log_debug("send to source %u: %m", c->slot);
        c->org = 0;
        c->rx_cookie = 0;
        c->unanswered++;
        return -1;
    }
    c->org = org;
    c->tx_count++;
    return 0;
}

/* |a - b| <= limit_s */
static bool close_to(struct timespec a, struct timespec b, double limit_s)
{
    return fabs((double)(a.tv_sec - b.tv_sec) + (a.tv_nsec - b.tv_nsec) * 1e-9) <= limit_s;
}

/* The exchange a TX stamp belongs to: the last request (answered or not: a NIC may stamp late)
 * or, in interleaved mode, the one before, whose transmit time a later sample uses. The kernel
 * numbers datagrams from where OPT_ID was enabled, Linux from 0, clknetsim from 1: the offset
 * is learnt from the stamp of the first datagram (the only one sent then), or else from a stamp
 * 0 or 1 ahead. NULL: none of ours. */
static struct client_exchange *stamped_exchange(struct client *c, uint32_t id)
{
    if (c->tx_count == 0)
        return NULL;
    if (!c->tx_id_known && (c->tx_count == 1 || id - c->cur.datagram <= 1)) {
        c->tx_id_offset = id - c->cur.datagram;
        c->tx_id_known = true;
    }
    if (!c->tx_id_known)
        return NULL;
    if (id - c->tx_id_offset == c->cur.datagram)
        return &c->cur;
    if (c->xleave && c->prev.answered && id - c->tx_id_offset == c->prev.datagram)
        return &c->prev;
    return NULL;
}

/* The request's transmit time: a hardware stamp beats a kernel stamp beats user space. A
 * hardware stamp must agree with the user-space send time within CLIENT_HW_TX_MAX_DIFF_S (a PHC
 * stepped by another program, a bad conversion); a loaded emulated NIC stamps tens of ms late. */
static void use_tx_stamp(struct client *c, const struct client_clock *clock, const struct ts_tx *tx)
{
    struct client_exchange *x = stamped_exchange(c, tx->id);
    struct timespec host, t;

    if (x == NULL || x->generation != clock->generation)
        return;
    if (tx->source == TS_SRC_HARDWARE && clock->hw != NULL &&
        hwclock_to_host(clock->hw, tx->if_index, &tx->hw_raw, &host)) {
        t = clk_map_apply(clock->map, host);
        if (close_to(t, x->t1_user, CLIENT_HW_TX_MAX_DIFF_S)) {
            x->t1 = t;
            x->t1_source = TS_SRC_HARDWARE;
            c->hw_tx_expected = true;
        } else {
            log_debug("source %u: hardware TX stamp %lld.%09ld far from the send time %lld.%09ld",
                      c->slot, (long long)t.tv_sec, t.tv_nsec, (long long)x->t1_user.tv_sec,
                      x->t1_user.tv_nsec);
        }
    } else if (tx->source == TS_SRC_HARDWARE) {
        log_debug("source %u: hardware TX stamp not converted (no NIC clock fit yet)", c->slot);
    } else if (tx->source == TS_SRC_KERNEL && x->t1_source != TS_SRC_HARDWARE) {
        x->t1 = clk_map_apply(clock->map, tx->ts);
        x->t1_source = TS_SRC_KERNEL;
    }
}

/* The error queue is read only while poll() says it holds something (under clknetsim a read
 * of an empty queue consumes the next reply), but all of it before the replies: a kernel and a
 * NIC stamp of the same request may both wait there. A POLLERR with an empty queue is a
 * pending socket error (ICMP port unreachable): fetch it, or poll() would report it forever. */
static void read_error_queue(struct client *c, const struct client_clock *clock, short revents)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLPRI};
    struct ts_tx tx;
    int rc, err, n;
    socklen_t len = sizeof(err);

    for (n = 0; n < CLIENT_ERRQUEUE_READS; n++) {
        rc = ts_read_tx_once(c->fd, &tx);
        if (rc == 1)
            use_tx_stamp(c, clock, &tx);
        else if (rc == 0 && (revents & POLLERR))
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (rc == 0 || poll(&pfd, 1, 0) != 1 || !(pfd.revents & (POLLERR | POLLPRI)))
            return;
        revents = pfd.revents;
    }
}

void client_read_tx(struct client *c, const struct client_clock *clock, short revents)
{
    if (revents & (POLLERR | POLLPRI))
        read_error_queue(c, clock, revents);
}

static double monotonic_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

void client_await_hw_tx(struct client *c, const struct client_clock *clock)
{
    struct pollfd pfd = {.fd = c->fd, .events = POLLPRI};
    double deadline = monotonic_s() + CLIENT_HW_TX_WAIT_MS * 1e-3, left;

    if (!c->hw_tx_expected || c->org == 0 || c->cur.t1_source == TS_SRC_HARDWARE)
        return;
    while ((left = deadline - monotonic_s()) > 0) {
        if (poll(&pfd, 1, (int)ceil(left * 1e3)) < 0 && errno != EINTR)
            break;
        if (pfd.revents & (POLLERR | POLLPRI))
            read_error_queue(c, clock, pfd.revents);
        if (c->cur.t1_source == TS_SRC_HARDWARE)
            return;
    }
    c->hw_tx_expected = false;
    log_debug("source %u: no hardware TX stamp within %d ms of the reply; the kernel's is used",
              c->slot, CLIENT_HW_TX_WAIT_MS);
}
