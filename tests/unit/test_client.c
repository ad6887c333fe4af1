// SPDX-License-Identifier: ISC
/*
 * The NTP client association against a scripted server on loopback: the origin check drops
 * spoofed and duplicate replies, Kiss-o'-Death RATE raises the poll interval and DENY/RSTR
 * stop the source, replies that the parent would reject are dropped here, a reply that
 * straddles a clock step is not a sample, and a good reply becomes a sample with kernel stamps.
 * Interleaved mode (RFC 9769) against a scripted interleaving server and a basic one.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/net/client.h"
#include "daemon/common/ntp_packet.h"
#include "discipline/discipline.h"

static struct cfg_source src = {.name = "127.0.0.1", .minpoll = 4, .maxpoll = 8, .version = 4};
static struct client c;
static struct client_pool pool;
static struct clk_map map;
static struct client_clock clock_now = {.map = &map, .generation = 1};
static int server_fd;

static int setup(void **state)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);

    (void)state;
    clk_map_identity(&map);
    clock_now.generation = 1;
    server_fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_int_equal(bind(server_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(server_fd, (struct sockaddr *)&addr, &len), 0);
    memset(&c, 0, sizeof(c));
    c.cfg = &src;
    c.slot = 3;
    assert_int_equal(client_pool_open(&pool, 2, 0, 0), 2);
    assert_int_equal(client_open(&c, &pool, (struct sockaddr *)&addr, len, 100.0), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    client_close(&c);
    client_pool_close(&pool);
    close(server_fd);
    return 0;
}

/* The server side: read the request, return its header and the client's address. */
static void take_request(struct ntp_header *req, struct sockaddr_in *from)
{
    uint8_t buf[128];
    socklen_t len = sizeof(*from);
    ssize_t n = recvfrom(server_fd, buf, sizeof(buf), 0, (struct sockaddr *)from, &len);

    assert_int_equal(n, NTP_HEADER_LEN);
    assert_int_equal(ntp_header_decode(buf, (size_t)n, req), 0);
    assert_int_equal(req->mode, NTP_MODE_CLIENT);
}

/* The client polls at `now` and the server reads that request. */
static void poll_and_take(double now, struct ntp_header *req, struct sockaddr_in *from)
{
    assert_int_equal(client_poll(&c, &clock_now, now), 0);
    take_request(req, from);
}

static void send_header(const struct ntp_header *h, const struct sockaddr_in *to)
{
    uint8_t buf[NTP_HEADER_LEN];

    assert_int_equal(ntp_header_encode(h, buf, sizeof(buf)), NTP_HEADER_LEN);
    assert_int_equal(
        sendto(server_fd, buf, sizeof(buf), 0, (const struct sockaddr *)to, sizeof(*to)),
        NTP_HEADER_LEN);
    usleep(2000); /* loopback delivery */
}

/* A stratum 1 reply with the host time to the request just sent. */
static void reply(const struct ntp_header *req, const struct sockaddr_in *to, double t3_delta_s)
{
    struct ntp_server_state st = {
        .leap = 0, .stratum = 1, .precision = -20, .refid = {'G', 'P', 'S', 0}};
    struct timespec now;
    struct ntp_header r;
    uint64_t t;

    clock_gettime(CLOCK_REALTIME, &now);
    t = ntp_ts64_from_timespec(&now);
    assert_int_equal(ntp_build_reply(req, &st, t, ntp_ts64_add(t, t3_delta_s), &r), 0);
    send_header(&r, to);
}

static enum client_event receive(struct msg_sample *s)
{
    client_read_tx(&c, &clock_now, POLLERR | POLLPRI);
    return client_receive(&c, &clock_now, 101.0, POLLIN, s);
}

/* The pool: sized from the configuration; its sockets are reused (no socket() after start-up)
 * and a reused socket holds nothing of its previous association. */
static void test_pool_sizes_and_reuse(void **state)
{
    static struct cfg cfg;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    struct client other = {.cfg = &src};
    uint8_t junk[48] = {0x24};
    int n4, n6, fd;

    (void)state;
    cfg.n_sources = 3;
    cfg.sources[0] = (struct cfg_source){.name = "192.0.2.1", .type = CFG_SOURCE_SERVER};
    cfg.sources[1] = (struct cfg_source){.name = "2001:db8::1", .type = CFG_SOURCE_SERVER};
    cfg.sources[2] = (struct cfg_source){.name = "pool.example", .type = CFG_SOURCE_POOL};
    client_pool_size(&cfg, 4, &n4, &n6);
    assert_int_equal(n4, 1 + 4 + CLIENT_POOL_SPARE);
    assert_int_equal(n6, 1 + 4 + CLIENT_POOL_SPARE);
    cfg.sources[2].family = CFG_FAMILY_IPV4;
    client_pool_size(&cfg, 4, &n4, &n6);
    assert_int_equal(n6, 1 + CLIENT_POOL_SPARE);
    cfg.n_sources = 1;
    client_pool_size(&cfg, 4, &n4, &n6);
    assert_int_equal(n6, 0); /* no source uses IPv6: no socket */

    /* both pool sockets: the second association gets the other, a third none */
    fd = c.fd;
    assert_int_equal(getsockname(server_fd, (struct sockaddr *)&addr, &len), 0);
    assert_int_equal(client_open(&other, &pool, (struct sockaddr *)&addr, len, 100.0), 0);
    assert_int_not_equal(other.fd, fd);
    struct client third = {.cfg = &src};
    assert_int_equal(client_open(&third, &pool, (struct sockaddr *)&addr, len, 100.0), -1);
    assert_int_equal(errno, EMFILE);
    /* a datagram waits on c's socket; c closes; the socket is reused: the datagram is gone */
    struct sockaddr_in caddr;
    socklen_t clen = sizeof(caddr);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&caddr, &clen), 0);
    assert_int_equal(sendto(server_fd, junk, sizeof(junk), 0, (struct sockaddr *)&caddr, clen),
                     sizeof(junk));
    client_close(&c);
    c.cfg = &src;
    assert_int_equal(client_open(&c, &pool, (struct sockaddr *)&addr, len, 100.0), 0);
    assert_int_equal(c.fd, fd);
    assert_int_equal(recv(c.fd, junk, sizeof(junk), MSG_DONTWAIT), -1);
    client_close(&other);
}

static void test_request_carries_a_random_transmit_timestamp(void **state)
{
    struct ntp_header a, b;
    struct sockaddr_in from;
    struct timespec now;

    (void)state;
    poll_and_take(100.0, &a, &from);
    poll_and_take(116.0, &b, &from);
    clock_gettime(CLOCK_REALTIME, &now);
    /* not our clock (data minimisation), and different each time */
    assert_true(ntp_ts64_diff(a.transmit_ts, ntp_ts64_from_timespec(&now)) > 1.0 ||
                ntp_ts64_diff(a.transmit_ts, ntp_ts64_from_timespec(&now)) < -1.0);
    assert_true(a.transmit_ts != b.transmit_ts);
    assert_int_equal(a.receive_ts, 0);
    assert_int_equal(a.origin_ts, 0);
}

static void test_good_reply_becomes_a_sample(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;
    struct msg_sample s;

    (void)state;
    poll_and_take(100.0, &req, &from);
    reply(&req, &from, 0.000010);
    assert_int_equal(receive(&s), CLIENT_SAMPLE);
    assert_int_equal(s.slot, 3);
    assert_int_equal(s.stratum, 1);
    assert_int_equal(s.map_generation, 1);
    /* kernel stamps, or user time for the very first datagram (the kernel turns RX stamping on
     * lazily); the sample is as good as the weaker of the two */
    assert_true(s.rx_source <= 2 && s.tx_source <= 2);
    assert_int_equal(s.ts_source, s.tx_source < s.rx_source ? s.tx_source : s.rx_source);
    assert_true(s.t4.sec > s.t1.sec || (s.t4.sec == s.t1.sec && s.t4.nsec >= s.t1.nsec));
    assert_int_equal(c.unanswered, 0);
}

/* The NIC stamped the last request, not this one (loopback has no NIC clock): the reply waits
 * CLIENT_HW_TX_WAIT_MS for a hardware stamp that never comes, becomes a sample with the kernel's
 * stamp, and the next reply does not wait again. */
static void test_late_hardware_tx_stamp_waited_for_once(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;
    struct msg_sample s;
    struct timespec a, b;

    (void)state;
    poll_and_take(100.0, &req, &from);
    reply(&req, &from, 0.000010);
    c.hw_tx_expected = true;
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(receive(&s), CLIENT_SAMPLE);
    clock_gettime(CLOCK_MONOTONIC, &b);
    assert_true((double)(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9 >=
                CLIENT_HW_TX_WAIT_MS * 1e-3);
    assert_false(c.hw_tx_expected);
    assert_true(s.tx_source < DISC_TS_HARDWARE); /* the kernel's stamp (or user time) */
    poll_and_take(116.0, &req, &from);
    reply(&req, &from, 0.000010);
    assert_int_equal(receive(&s), CLIENT_SAMPLE);
    assert_false(c.hw_tx_expected);
}

static void test_spoofed_and_duplicate_replies_dropped(void **state)
{
    struct ntp_header req, spoof;
    struct sockaddr_in from;
    struct msg_sample s;

    (void)state;
    poll_and_take(100.0, &req, &from);
    spoof = req;
    spoof.transmit_ts ^= 0x10000; /* a guessed origin */
    reply(&spoof, &from, 0);
    assert_int_equal(receive(&s), CLIENT_NOTHING);
    reply(&req, &from, 0);
    assert_int_equal(receive(&s), CLIENT_SAMPLE);
    reply(&req, &from, 0); /* the same reply again */
    assert_int_equal(receive(&s), CLIENT_NOTHING);
}

static void test_kod_rate_raises_the_poll(void **state)
{
    struct ntp_header req, kod;
    struct sockaddr_in from;
    struct msg_sample s;

    (void)state;
    c.poll_log2 = 4;
    poll_and_take(100.0, &req, &from);
    assert_int_equal(ntp_build_kod(&req, "RATE", &kod), 0);
    send_header(&kod, &from);
    assert_int_equal(receive(&s), CLIENT_KOD_RATE);
    assert_true(c.kod_min_poll >= 5);
    assert_true(client_time_to_poll(&c, 101.0) >= 16.0 - 1.0);
}

static void test_kod_deny_and_rstr_stop_the_source(void **state)
{
    static const char *const codes[] = {"DENY", "RSTR"};
    struct ntp_header req, kod;
    struct sockaddr_in from;
    struct msg_sample s;
    size_t i;

    (void)state;
    for (i = 0; i < 2; i++) {
        poll_and_take(100.0 + 16.0 * (double)i, &req, &from);
        assert_int_equal(ntp_build_kod(&req, codes[i], &kod), 0);
        send_header(&kod, &from);
        assert_int_equal(receive(&s), CLIENT_KOD_STOP);
    }
}

static void test_reply_the_parent_would_reject_is_dropped(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;
    struct msg_sample s;

    (void)state;
    poll_and_take(100.0, &req, &from);
    reply(&req, &from, 20.0);                       /* transmit 20 s after receive: nonsense */
    assert_int_equal(receive(&s), CLIENT_ANSWERED); /* no sample, but the server answered */
    assert_int_equal(c.answered_reason, MSG_REJECT_OUT_OF_RANGE);
}

static void test_reply_across_a_step_is_not_a_sample(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;
    struct msg_sample s;

    (void)state;
    poll_and_take(100.0, &req, &from);
    clock_now.generation = 2; /* the parent stepped the clock meanwhile */
    reply(&req, &from, 0);
    assert_int_equal(receive(&s), CLIENT_ANSWERED);
    assert_int_equal(c.answered_reason, MSG_REJECT_STALE);
    assert_int_equal(c.unanswered, 0); /* the server did answer */
}

/* An interleaving server (RFC 9769): it remembers the receive time and the (later, true)
 * transmit time of its last reply, and answers a request whose origin is that receive time
 * with origin = the request's receive field and transmit = that true transmit time. */
struct xleave_server {
    uint64_t last_rx, last_tx;
};

static void xleave_reply(struct xleave_server *x, const struct ntp_header *req,
                         const struct sockaddr_in *to)
{
    struct ntp_server_state st = {.stratum = 1, .precision = -20, .refid = {'G', 'P', 'S', 0}};
    struct timespec now;
    struct ntp_header r;
    uint64_t t;

    clock_gettime(CLOCK_REALTIME, &now);
    t = ntp_ts64_from_timespec(&now);
    assert_int_equal(ntp_build_reply(req, &st, t, t, &r), 0);
    if (x->last_rx != 0 && req->origin_ts == x->last_rx) {
        r.origin_ts = req->receive_ts;
        r.transmit_ts = x->last_tx;
    }
    send_header(&r, to);
    x->last_rx = t;
    x->last_tx = ntp_ts64_add(t, 20e-6); /* "after sending" */
}

static void test_interleaved_mode_completes_the_previous_exchange(void **state)
{
    struct xleave_server x = {0};
    struct ntp_header req;
    struct sockaddr_in from;
    struct msg_sample s;
    uint64_t first_rx;

    (void)state;
    c.xleave = true;
    poll_and_take(100.0, &req, &from);
    assert_int_equal(req.origin_ts, 0); /* nothing to interleave with yet */
    assert_true(req.receive_ts != 0 && req.receive_ts != req.transmit_ts);
    xleave_reply(&x, &req, &from);
    assert_int_equal(receive(&s), CLIENT_SAMPLE); /* basic: the server could not interleave */
    assert_int_equal(s.flags, 0);
    first_rx = x.last_rx;

    poll_and_take(164.0, &req, &from);
    assert_int_equal(req.origin_ts, first_rx); /* the previous reply's receive time */
    xleave_reply(&x, &req, &from);
    /* interleaved, completing the exchange already used in basic mode: no second sample */
    assert_int_equal(receive(&s), CLIENT_ANSWERED);
    assert_int_equal(c.answered_reason, MSG_REJECT_NO_PREVIOUS);

    uint64_t second_rx = x.last_rx, second_tx = x.last_tx;
    poll_and_take(228.0, &req, &from);
    xleave_reply(&x, &req, &from);
    assert_int_equal(receive(&s), CLIENT_SAMPLE);
    assert_int_equal(s.flags, MSG_SAMPLE_INTERLEAVED);
    assert_true(s.age_s > 0 && s.age_s < 1); /* the exchange one poll (here ms) before */
    struct timespec pivot;
    clock_gettime(CLOCK_REALTIME, &pivot);
    struct timespec t2 = ntp_ts64_to_timespec(second_rx, &pivot),
                    t3 = ntp_ts64_to_timespec(second_tx, &pivot);
    assert_int_equal(s.t2.sec, t2.tv_sec);
    assert_int_equal(s.t2.nsec, t2.tv_nsec);
    assert_int_equal(s.t3.sec, t3.tv_sec); /* the true transmit time of the second reply */
    assert_int_equal(s.t3.nsec, t3.tv_nsec);
}

static void test_interleaved_falls_back_to_basic_mode(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;
    struct msg_sample s;

    (void)state;
    c.xleave = true;
    for (int i = 0; i < 3; i++) {
        poll_and_take(100.0 + 64 * i, &req, &from);
        reply(&req, &from, 0); /* a server that never interleaves */
        assert_int_equal(receive(&s), CLIENT_SAMPLE);
        assert_int_equal(s.flags, 0);
        assert_true(s.age_s == 0);
    }
}

static void test_a_reply_echoing_neither_field_is_refused(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;
    struct msg_sample s;

    (void)state;
    c.xleave = true;
    poll_and_take(100.0, &req, &from);
    req.transmit_ts ^= 1; /* the reply's origin will match neither field */
    req.receive_ts ^= 1;
    reply(&req, &from, 0);
    assert_int_equal(receive(&s), CLIENT_NOTHING);
    assert_int_equal(c.rejected[MSG_REJECT_ORIGIN], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pool_sizes_and_reuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_carries_a_random_transmit_timestamp, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_good_reply_becomes_a_sample, setup, teardown),
        cmocka_unit_test_setup_teardown(test_late_hardware_tx_stamp_waited_for_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_spoofed_and_duplicate_replies_dropped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_kod_rate_raises_the_poll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kod_deny_and_rstr_stop_the_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reply_the_parent_would_reject_is_dropped, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_reply_across_a_step_is_not_a_sample, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interleaved_mode_completes_the_previous_exchange,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_interleaved_falls_back_to_basic_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_reply_echoing_neither_field_is_refused, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
