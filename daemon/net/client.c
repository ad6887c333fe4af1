// SPDX-License-Identifier: ISC
/* NTP client associations: requests, replies, origin check, KoD, poll schedule. */
#include "daemon/net/client.h"

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

#define CLIENT_RECV_BUF         1280
#define CLIENT_HW_TX_MAX_DIFF_S 0.1

int client_open(struct client *c, const struct sockaddr *addr, socklen_t addrlen, double now,
                unsigned ts_flags)
{
    c->fd = sk_udp_open(addr->sa_family);
    if (c->fd < 0)
        return -1;
    if (connect(c->fd, addr, addrlen) < 0) {
        int e = errno;
        close(c->fd);
        c->fd = -1;
        errno = e;
        return -1;
    }
    memcpy(&c->addr, addr, addrlen);
    c->addrlen = addrlen;
    c->ts_mode = ts_enable(c->fd, ts_flags, NULL);
    c->tx_count = 0;
    c->tx_id_known = false;
    c->org = 0;
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
    if (c->fd >= 0)
        close(c->fd);
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

static int effective_poll(const struct client *c)
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
        c->next_poll = now + CLIENT_BURST_SPACING_S;
    else
        c->next_poll = now + ldexp(1.0, effective_poll(c));
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

int client_poll(struct client *c, const struct client_clock *clock, double now)
{
    uint8_t buf[NTP_MAX_PACKET_LEN];
    struct ntp_header req;
    uint64_t org;
    ssize_t n;
    long len = NTP_HEADER_LEN;

    plan_request(c, now);
    /* Data minimisation: the transmit timestamp is random, not our time. */
    if (getrandom(&org, sizeof(org), GRND_NONBLOCK) != sizeof(org) || org == 0)
        org = (uint64_t)(now * 1e9) | 1;
    ntp_build_request(&req, (uint8_t)(c->cfg != NULL ? c->cfg->version : 4),
                      (int8_t)effective_poll(c), org);
    ntp_header_encode(&req, buf, sizeof(buf));
    if (c->nts != NULL && (len = nts_client_request_ef(c->nts, buf, sizeof(buf), len)) < 0) {
        c->org = 0; /* no cookie: never an unauthenticated request */
        c->unanswered++;
        return -1;
    }
    c->t1 = c->t1_user = clk_map_now(clock->map);
    c->t1_source = TS_SRC_USER;
    c->t1_generation = clock->generation;
    n = send(c->fd, buf, (size_t)len, 0);
    if (n != len) {
        log_debug("send to source %u: %m", c->slot);
        c->org = 0;
        c->unanswered++;
        return -1;
    }
    c->org = org;
    c->org_id = c->tx_count++;
    return 0;
}

/* |a - b| <= limit_s */
static bool close_to(struct timespec a, struct timespec b, double limit_s)
{
    return fabs((double)(a.tv_sec - b.tv_sec) + (a.tv_nsec - b.tv_nsec) * 1e-9) <= limit_s;
}

/* Is this TX stamp the outstanding request's? The kernel numbers datagrams from where
 * OPT_ID was enabled, Linux from 0, clknetsim from 1: the offset is learned from the stamp of
 * the first datagram (the only one sent then), or else from a stamp 0 or 1 ahead. */
static bool tx_stamp_is_ours(struct client *c, uint32_t id)
{
    if (c->org == 0)
        return false;
    if (!c->tx_id_known && (c->tx_count == 1 || id - c->org_id <= 1)) {
        c->tx_id_offset = id - c->org_id;
        c->tx_id_known = true;
    }
    return c->tx_id_known && id - c->tx_id_offset == c->org_id;
}

/* The request's transmit time: a hardware stamp beats a kernel stamp beats user space. A
 * hardware stamp must agree with the user-space send time within CLIENT_HW_TX_MAX_DIFF_S (a PHC
 * stepped by another program, a bad conversion); a loaded emulated NIC stamps tens of ms late. */
static void use_tx_stamp(struct client *c, const struct client_clock *clock, const struct ts_tx *tx)
{
    struct timespec host, t;

    if (!tx_stamp_is_ours(c, tx->id) || c->t1_generation != clock->generation)
        return;
    if (tx->source == TS_SRC_HARDWARE && clock->hw != NULL &&
        hwclock_to_host(clock->hw, tx->if_index, &tx->hw_raw, &host)) {
        t = clk_map_apply(clock->map, host);
        if (close_to(t, c->t1_user, CLIENT_HW_TX_MAX_DIFF_S)) {
            c->t1 = t;
            c->t1_source = TS_SRC_HARDWARE;
        }
    } else if (tx->source == TS_SRC_KERNEL && c->t1_source != TS_SRC_HARDWARE) {
        c->t1 = clk_map_apply(clock->map, tx->ts);
        c->t1_source = TS_SRC_KERNEL;
    }
}

/* One error-queue message per POLLERR/POLLPRI report (more keep the socket ready). A POLLERR
 * with an empty queue is a pending socket error (ICMP port unreachable): fetch it, or poll()
 * would report it forever. */
static void read_error_queue(struct client *c, const struct client_clock *clock, short revents)
{
    struct ts_tx tx;
    int rc = ts_read_tx_once(c->fd, &tx), err;
    socklen_t len = sizeof(err);

    if (rc == 1)
        use_tx_stamp(c, clock, &tx);
    else if (rc == 0 && (revents & POLLERR))
        getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
}

void client_read_tx(struct client *c, const struct client_clock *clock, short revents)
{
    if (revents & (POLLERR | POLLPRI))
        read_error_queue(c, clock, revents);
}

/* Hardware RX stamps are used when they convert and agree with the kernel stamp (10 ms). */
static void use_hw_rx(struct ts_rx *rx, const struct hwclock_set *hw)
{
    struct timespec host;

    if (rx->has_hw && hw != NULL && hwclock_to_host(hw, rx->hw_if_index, &rx->hw_raw, &host))
        ts_rx_use_hw(rx, &host, 0.010);
}

static enum client_event handle_kod(struct client *c, enum ntp_kod kod, double now)
{
    if (kod == NTP_KOD_RATE) {
        c->kod_min_poll = effective_poll(c) + 1;
        c->burst_left = 0;
        c->next_poll = now + ldexp(1.0, effective_poll(c));
        return CLIENT_KOD_RATE;
    }
    if (kod == NTP_KOD_DENY || kod == NTP_KOD_RSTR)
        return CLIENT_KOD_STOP;
    return CLIENT_NOTHING;
}

static enum disc_ts_source disc_source_of(enum ts_source s)
{
    return s == TS_SRC_HARDWARE ? DISC_TS_HARDWARE
           : s == TS_SRC_KERNEL ? DISC_TS_KERNEL
                                : DISC_TS_USER;
}

/* A reply that passed the origin check becomes a sample; anything odd is dropped. */
static enum client_event make_sample(struct client *c, const struct ntp_header *h,
                                     struct timespec t4, enum ts_source t4_source,
                                     struct msg_sample *s)
{
    struct timespec t2, t3;
    char err[160];

    if (h->stratum == 0 || h->receive_ts == 0 || h->transmit_ts == 0) {
        c->rejected[MSG_REJECT_MALFORMED]++;
        return CLIENT_NOTHING;
    }
    t2 = ntp_ts64_to_timespec(h->receive_ts, &c->t1);
    t3 = ntp_ts64_to_timespec(h->transmit_ts, &c->t1);
    memset(s, 0, sizeof(*s));
    s->slot = c->slot;
    /* The sample's source is the weaker of the two local stamps. */
    s->tx_source = (uint8_t)disc_source_of(c->t1_source);
    s->rx_source = (uint8_t)disc_source_of(t4_source);
    s->ts_source = s->tx_source < s->rx_source ? s->tx_source : s->rx_source;
    s->t1 = msg_time_from_timespec(c->t1);
    s->t2 = msg_time_from_timespec(t2);
    s->t3 = msg_time_from_timespec(t3);
    s->t4 = msg_time_from_timespec(t4);
    s->root_delay_s = fmin(ntp_short_to_double(h->root_delay), 16.0);
    s->root_dispersion_s = fmin(ntp_short_to_double(h->root_dispersion), 16.0);
    s->refid = (uint32_t)h->refid[0] << 24 | (uint32_t)h->refid[1] << 16 |
               (uint32_t)h->refid[2] << 8 | h->refid[3];
    s->stratum = h->stratum > 16 ? 16 : h->stratum;
    s->leap = h->leap;
    s->precision_log2 = h->precision < -32 ? -32 : h->precision > 0 ? 0 : h->precision;
    s->map_generation = c->t1_generation;
    /* Whatever the parent would reject (a server 20 s between its receive and transmit
     * times, a time beyond the era) is a bad reply, not a reason to restart this process. */
    if (msg_check_payload(MSG_SAMPLE, s, err, sizeof(err)) < 0) {
        log_debug("reply from source %u dropped: %s", c->slot, err);
        c->rejected[MSG_REJECT_OUT_OF_RANGE]++;
        return CLIENT_NOTHING;
    }
    return CLIENT_SAMPLE;
}

static enum client_event handle_reply(struct client *c, const uint8_t *buf, size_t len,
                                      struct timespec t4, enum ts_source t4_source,
                                      uint32_t generation, double now, struct msg_sample *s)
{
    struct ntp_packet pkt;
    enum ntp_kod kod;

    if (ntp_packet_decode(buf, len, &pkt) < 0 || pkt.hdr.mode != NTP_MODE_SERVER) {
        c->rejected[MSG_REJECT_MALFORMED]++;
        return CLIENT_NOTHING;
    }
    /* Origin check: only the reply to our outstanding request; duplicates and spoofs fail. */
    if (c->org == 0 || pkt.hdr.origin_ts != c->org) {
        c->rejected[MSG_REJECT_ORIGIN]++;
        return CLIENT_NOTHING;
    }
    if (c->nts != NULL && nts_client_verify_reply(c->nts, buf, len, &pkt) != NTS_REPLY_OK) {
        c->rejected[MSG_REJECT_AUTH]++; /* an NTS NAK too: net_nts.c runs NTS-KE again */
        return CLIENT_NOTHING;
    }
    c->org = 0;
    c->unanswered = 0;
    kod = ntp_kod_code(&pkt.hdr);
    if (kod != NTP_KOD_NONE) {
        c->rejected[MSG_REJECT_KOD]++;
        return handle_kod(c, kod, now);
    }
    if (c->t1_generation != generation) {
        c->rejected[MSG_REJECT_STALE]++;
        return CLIENT_NOTHING; /* the clock was stepped between t1 and t4 */
    }
    return make_sample(c, &pkt.hdr, t4, t4_source, s);
}

enum client_event client_receive(struct client *c, const struct client_clock *clock, double now,
                                 short revents, struct msg_sample *sample)
{
    uint8_t buf[CLIENT_RECV_BUF];
    char control[TS_CONTROL_LEN];
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    struct timespec user_now;
    struct ts_rx rx;
    enum client_event ev;
    ssize_t n;

    if (!(revents & POLLIN))
        return CLIENT_NOTHING;
    for (;;) {
        mh.msg_control = control;
        mh.msg_controllen = sizeof(control);
        n = recvmsg(c->fd, &mh, MSG_DONTWAIT);
        if (n < 0)
            return CLIENT_NOTHING;
        clock_gettime(CLOCK_REALTIME, &user_now);
        ts_parse_rx(&mh, &user_now, &rx);
        use_hw_rx(&rx, clock->hw);
        ev = handle_reply(c, buf, (size_t)n, clk_map_apply(clock->map, rx.ts), rx.source,
                          clock->generation, now, sample);
        if (ev != CLIENT_NOTHING)
            return ev;
    }
}
