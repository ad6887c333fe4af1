// SPDX-License-Identifier: ISC
/* NTP client associations: replies (authentication, origin check, KoD) and the samples made
 * of them, in basic and interleaved mode (RFC 9769). */
#include <math.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "daemon/common/log.h"
#include "daemon/common/ntp_packet.h"
#include "daemon/net/client.h"
#include "discipline/discipline.h"

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
        c->kod_min_poll = client_effective_poll(c) + 1;
        c->burst_left = 0;
        c->next_poll = now + ldexp(1.0, client_effective_poll(c));
        return CLIENT_KOD_RATE;
    }
    if (kod == NTP_KOD_DENY || kod == NTP_KOD_RSTR)
        return CLIENT_KOD_STOP;
    return CLIENT_ANSWERED; /* another kiss (INIT, STEP ...): answered, no sample */
}

static enum disc_ts_source disc_source_of(enum ts_source s)
{
    return s == TS_SRC_HARDWARE ? DISC_TS_HARDWARE
           : s == TS_SRC_KERNEL ? DISC_TS_KERNEL
                                : DISC_TS_USER;
}

/* The server answered our request, but the reply gives no sample (why: enum msg_reject). */
static enum client_event answered(struct client *c, enum msg_reject why)
{
    c->answered_reason = (uint8_t)why;
    return CLIENT_ANSWERED;
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) * 1e-9;
}

/* The sample of exchange x completed by the server's receive and transmit times t2, t3 (NTP
 * format) and the fields of reply h. age_s: how long before the reply that came now the
 * exchange ended (interleaved: one poll). Whatever the parent would reject is dropped here. */
static enum client_event make_sample(struct client *c, const struct client_exchange *x,
                                     const struct ntp_header *h, uint64_t t2, uint64_t t3,
                                     double age_s, struct msg_sample *s)
{
    char err[160];

    memset(s, 0, sizeof(*s));
    s->slot = c->slot;
    /* The sample's source is the weaker of the two local stamps. */
    s->tx_source = (uint8_t)disc_source_of(x->t1_source);
    s->rx_source = (uint8_t)disc_source_of(x->t4_source);
    s->ts_source = s->tx_source < s->rx_source ? s->tx_source : s->rx_source;
    s->t1 = msg_time_from_timespec(x->t1);
    s->t2 = msg_time_from_timespec(ntp_ts64_to_timespec(t2, &x->t1));
    s->t3 = msg_time_from_timespec(ntp_ts64_to_timespec(t3, &x->t1));
    s->t4 = msg_time_from_timespec(x->t4);
    s->root_delay_s = fmin(ntp_short_to_double(h->root_delay), 16.0);
    s->root_dispersion_s = fmin(ntp_short_to_double(h->root_dispersion), 16.0);
    s->refid = (uint32_t)h->refid[0] << 24 | (uint32_t)h->refid[1] << 16 |
               (uint32_t)h->refid[2] << 8 | h->refid[3];
    s->stratum = h->stratum > 16 ? 16 : h->stratum;
    s->leap = h->leap;
    s->precision_log2 = h->precision < -32 ? -32 : h->precision > 0 ? 0 : h->precision;
    s->map_generation = x->generation;
    s->flags = age_s > 0 ? MSG_SAMPLE_INTERLEAVED : 0;
    s->age_s = fmax(age_s, 0);
    /* Whatever the parent would reject (a server 20 s between its receive and transmit
     * times, a time beyond the era) is a bad reply, not a reason to restart this process. */
    if (msg_check_payload(MSG_SAMPLE, s, err, sizeof(err)) < 0) {
        log_debug("reply from source %u dropped: %s", c->slot, err);
        return answered(c, MSG_REJECT_OUT_OF_RANGE);
    }
    return CLIENT_SAMPLE;
}

/* The reply to the outstanding request, in basic mode (it completes `cur`) or interleaved
 * (its transmit time completes `prev`; `prev` was sampled already when the server began to
 * interleave, or is gone after a loss or a step: then there is no sample this time). */
static enum client_event use_reply(struct client *c, const struct ntp_header *h, bool interleaved,
                                   uint32_t generation, struct msg_sample *s)
{
    struct client_exchange *x = interleaved ? &c->prev : &c->cur;

    if (c->xleave && interleaved != c->interleaved)
        log_info("source %s: server replies in %s mode", c->cfg != NULL ? c->cfg->name : "?",
                 interleaved ? "interleaved" : "basic");
    c->interleaved = interleaved;
    if (interleaved && (!x->answered || x->sampled || x->generation != generation)) {
        return answered(c, MSG_REJECT_NO_PREVIOUS);
    }
    x->sampled = true;
    return make_sample(c, x, h, x->server_rx, h->transmit_ts,
                       interleaved ? seconds_between(&x->t4, &c->cur.t4) : 0, s);
}

/* Origin check: only a reply to the outstanding request (its transmit field, or in interleaved
 * mode its receive field echoed); duplicates, late replies and spoofs fail. 0: basic, 1:
 * interleaved, -1: not ours. */
static int reply_mode(const struct client *c, const struct ntp_header *h)
{
    if (c->org != 0 && h->origin_ts == c->org)
        return 0;
    if (c->rx_cookie != 0 && h->origin_ts == c->rx_cookie)
        return 1;
    return -1;
}

static enum client_event handle_reply(struct client *c, const uint8_t *buf, size_t len,
                                      struct timespec t4, enum ts_source t4_source,
                                      uint32_t generation, double now, struct msg_sample *s)
{
    struct ntp_packet pkt;
    enum ntp_kod kod;
    int mode;

    if (ntp_packet_decode(buf, len, &pkt) < 0 || pkt.hdr.mode != NTP_MODE_SERVER) {
        c->rejected[MSG_REJECT_MALFORMED]++;
        return CLIENT_NOTHING;
    }
    if (!client_reply_authentic(c, buf, len, &pkt, now)) {
        c->rejected[MSG_REJECT_AUTH]++;
        return CLIENT_NOTHING; /* before the origin check: a forgery must not consume it */
    }
    mode = reply_mode(c, &pkt.hdr);
    if (mode < 0) {
        c->rejected[MSG_REJECT_ORIGIN]++;
        return CLIENT_NOTHING;
    }
    if (c->nts != NULL && nts_client_verify_reply(c->nts, buf, len, &pkt) != NTS_REPLY_OK) {
        c->rejected[MSG_REJECT_AUTH]++; /* an NTS NAK too: net_nts.c runs NTS-KE again */
        return CLIENT_NOTHING;          /* the request stays outstanding */
    }
    c->org = 0;
    c->rx_cookie = 0;
    c->unanswered = 0;
    kod = ntp_kod_code(&pkt.hdr);
    if (kod != NTP_KOD_NONE) {
        c->answered_reason = MSG_REJECT_KOD;
        return handle_kod(c, kod, now);
    }
    if (pkt.hdr.stratum == 0 || pkt.hdr.receive_ts == 0 || pkt.hdr.transmit_ts == 0)
        return answered(c, MSG_REJECT_MALFORMED);
    if (c->cur.generation != generation)
        return answered(c, MSG_REJECT_STALE); /* the clock was stepped between t1 and t4 */
    c->cur.answered = true;
    c->cur.t4 = t4;
    c->cur.t4_source = t4_source;
    c->cur.server_rx = pkt.hdr.receive_ts;
    return use_reply(c, &pkt.hdr, mode == 1, generation, s);
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
    client_await_hw_tx(c, clock);
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
