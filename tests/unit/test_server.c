// SPDX-License-Identifier: ISC
/* Unit tests of the NTP server (daemon/server*.c) over real loopback UDP sockets. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/common/ntp_packet.h"
#include "daemon/server/server.h"
#include "hwts/timestamping.h"

#define S 1000000000ull /* ns */

struct fixture {
    struct cfg cfg;
    struct server *srv;
    struct clk_map map;
    int server_fd, client_fd;
    struct sockaddr_in server_addr;
    uint64_t now_ns;
};

static struct fixture fx;

static int udp_socket(struct sockaddr_in *bound)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    socklen_t len = sizeof(*bound);

    assert_true(fd >= 0);
    memset(bound, 0, sizeof(*bound));
    bound->sin_family = AF_INET;
    bound->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)bound, sizeof(*bound)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)bound, &len), 0);
    return fd;
}

static void start(const char *conf, bool plain)
{
    struct cfg_diag d;
    struct sockaddr_in client;

    memset(&fx, 0, sizeof(fx));
    cfg_diag_init(&d);
    assert_int_equal(cfg_load_string("t.conf", conf, strlen(conf), 0, &fx.cfg, &d), 0);
    cfg_diag_free(&d);
    fx.srv = server_create(&fx.cfg);
    assert_non_null(fx.srv);
    server_set_plain_io(fx.srv, plain);
    clk_map_identity(&fx.map);
    fx.server_fd = udp_socket(&fx.server_addr);
    ts_enable(fx.server_fd, 0, NULL); /* as daemon_bind_servers() does */
    server_socket_setup(fx.server_fd);
    fx.client_fd = udp_socket(&client);
    fx.now_ns = 100 * S;
}

static int stop(void **state)
{
    (void)state;
    server_destroy(fx.srv);
    close(fx.server_fd);
    close(fx.client_fd);
    cfg_free(&fx.cfg);
    return 0;
}

static void send_raw(const uint8_t *buf, size_t len)
{
    assert_int_equal(sendto(fx.client_fd, buf, len, 0, (struct sockaddr *)&fx.server_addr,
                            sizeof(fx.server_addr)),
                     (ssize_t)len);
}

/* A mode 3 request of version vn whose transmit timestamp is xmt. */
static void send_request(uint8_t vn, uint64_t xmt)
{
    uint8_t buf[NTP_HEADER_LEN] = {0};

    buf[0] = (uint8_t)(vn << 3 | NTP_MODE_CLIENT);
    for (int b = 0; b < 8; b++)
        buf[40 + b] = (uint8_t)(xmt >> (56 - 8 * b));
    send_raw(buf, sizeof(buf));
}

/* Let the server handle what is pending (waits until the request arrived). */
static void serve(const struct msg_snapshot *snap)
{
    struct pollfd p = {.fd = fx.server_fd, .events = POLLIN};

    poll(&p, 1, 200);
    server_handle(fx.srv, fx.server_fd, p.revents, &fx.map, snap, fx.now_ns);
}

/* The next reply (decoded) within 200 ms; false if none. */
static bool reply(struct ntp_header *h)
{
    struct pollfd p = {.fd = fx.client_fd, .events = POLLIN};
    uint8_t buf[2048];
    ssize_t n;

    if (poll(&p, 1, 200) != 1)
        return false;
    n = recv(fx.client_fd, buf, sizeof(buf), 0);
    assert_int_equal(n, NTP_HEADER_LEN);
    assert_int_equal(ntp_header_decode(buf, (size_t)n, h), 0);
    return true;
}

static struct server_stats stats(void)
{
    struct server_stats st;

    server_get_stats(fx.srv, &st);
    return st;
}

static struct msg_snapshot synced_snapshot(void)
{
    struct msg_snapshot s;
    struct timespec now;

    memset(&s, 0, sizeof(s));
    clock_gettime(CLOCK_REALTIME, &now);
    s.sync_state = MSG_SYNC_LOCAL;
    s.stratum = 1;
    s.refid = 0x4c4f434c; /* "LOCL" */
    s.root_dispersion_s = 0.001;
    s.ref_time = msg_time_from_timespec(now);
    s.now = s.ref_time;
    return s;
}

static void check_time_reply(bool plain)
{
    struct msg_snapshot snap = synced_snapshot();
    struct ntp_header h;
    struct timespec before, after;

    start("allow all\n", plain);
    clock_gettime(CLOCK_REALTIME, &before);
    send_request(3, 0x0123456789abcdefull);
    serve(&snap);
    clock_gettime(CLOCK_REALTIME, &after);
    assert_true(reply(&h));
    assert_int_equal(h.mode, NTP_MODE_SERVER);
    assert_int_equal(h.version, 3); /* echoed */
    assert_int_equal(h.stratum, 1);
    assert_int_equal(h.leap, 0);
    assert_memory_equal(h.refid, "LOCL", 4);
    assert_true(fabs(ntp_short_to_double(h.root_dispersion) - 0.001) < 0.0001);
    assert_true(h.origin_ts == 0x0123456789abcdefull);
    /* receive <= transmit, both between before and after */
    assert_true(ntp_ts64_diff(h.transmit_ts, h.receive_ts) >= 0);
    assert_true(ntp_ts64_diff(h.receive_ts, ntp_ts64_from_timespec(&before)) >= -1e-6);
    assert_true(ntp_ts64_diff(ntp_ts64_from_timespec(&after), h.transmit_ts) >= -1e-6);
    assert_int_equal(stats().served, 1);
    /* unsynchronised: LI 3, stratum 16 */
    send_request(4, 1);
    serve(NULL);
    assert_true(reply(&h));
    assert_int_equal(h.leap, 3);
    assert_int_equal(h.stratum, 16);
    assert_int_equal(h.version, 4);
}

static void test_root_dispersion_grows_with_age(void **state)
{
    (void)state;
    struct msg_snapshot snap = synced_snapshot();
    struct timespec now;
    struct ntp_header h;

    start("allow all\n", false);
    clock_gettime(CLOCK_REALTIME, &now);
    now.tv_sec -= 100; /* a snapshot made 100 s ago: 1 ms + 100 s * 15 ppm = 2.5 ms */
    snap.now = msg_time_from_timespec(now);
    send_request(4, 1);
    serve(&snap);
    assert_true(reply(&h));
    assert_true(fabs(ntp_short_to_double(h.root_dispersion) - 0.0025) < 0.0001);
}

static void test_reply_batched(void **state)
{
    (void)state;
    check_time_reply(false);
}

static void test_reply_plain(void **state)
{
    (void)state;
    check_time_reply(true);
}

static void test_tx_stamp_recorded(void **state)
{
    (void)state;
    struct ntp_header h;
    struct pollfd p = {.fd = 0, .events = POLLPRI};

    start("allow all\n", false);
    send_request(4, 7);
    serve(NULL);
    assert_true(reply(&h));
    p.fd = fx.server_fd;
    poll(&p, 1, 200); /* the stamp is queued right after the send */
    server_handle(fx.srv, fx.server_fd, p.revents, &fx.map, NULL, fx.now_ns);
    assert_int_equal(stats().tx_stamps, 1);
    /* ten requests of one client in one batch: one stamp (one pending per client) */
    for (int i = 0; i < 10; i++)
        send_request(4, 8 + (uint64_t)i);
    serve(NULL);
    for (int i = 0; i < 10; i++)
        assert_true(reply(&h));
    poll(&p, 1, 200);
    server_handle(fx.srv, fx.server_fd, p.revents, &fx.map, NULL, fx.now_ns);
    assert_int_equal(stats().tx_stamps, 2);
}

static void test_no_answer_to_bad_packets(void **state)
{
    (void)state;
    uint8_t buf[1400] = {0};
    struct ntp_header h;

    start("allow all\n", false);
    buf[0] = 4 << 3 | 6; /* mode 6, but a response */
    buf[1] = 0x80;
    send_raw(buf, 12);
    buf[1] = 0;
    buf[0] = 4 << 3 | 7; /* mode 7 */
    send_raw(buf, NTP_HEADER_LEN);
    buf[0] = 4 << 3 | 3;
    send_raw(buf, NTP_HEADER_LEN - 1); /* short */
    send_raw(buf, sizeof(buf));        /* oversized */
    send_raw(buf, NTP_HEADER_LEN + 6); /* a trailer that is neither field nor MAC */
    buf[0] = 0 << 3 | 3;               /* version 0 */
    send_raw(buf, NTP_HEADER_LEN);
    buf[0] = 4 << 3 | 4; /* a server reply */
    send_raw(buf, NTP_HEADER_LEN);
    serve(NULL);
    assert_false(reply(&h));
    assert_int_equal(stats().malformed, 5);
    assert_int_equal(stats().other_mode, 2);
    assert_int_equal(stats().served, 0);
}

/* The next datagram within 200 ms into buf; its length, 0 if none. */
static size_t raw_reply(uint8_t *buf, size_t len)
{
    struct pollfd p = {.fd = fx.client_fd, .events = POLLIN};
    ssize_t n;

    if (poll(&p, 1, 200) != 1)
        return 0;
    n = recv(fx.client_fd, buf, len, 0);
    assert_true(n > 0);
    return (size_t)n;
}

/* Mode 6 from loopback is answered from the snapshot (even when NTP is not served to anyone);
 * `restrict 127.0.0.1 noquery` silences it; the buckets limit a flood. */
static void test_mode6_from_loopback(void **state)
{
    uint8_t req[12] = {2 << 3 | 6, 1, 0, 7}, buf[600];
    struct msg_snapshot snap = {.leap = 0, .stratum = 3, .ntpd_status = 0x0615};
    size_t n;
    int answered = 0;

    (void)state;
    start("server 192.0.2.1\n", false);
    send_raw(req, sizeof(req));
    serve(&snap);
    n = raw_reply(buf, sizeof(buf));
    assert_int_equal(n, 12);
    assert_int_equal(buf[1], 0x80 | 1);
    assert_int_equal(buf[3], 7);
    assert_int_equal(buf[4] << 8 | buf[5], 0x0615);
    assert_int_equal(stats().mode6_answered, 1);
    for (int i = 0; i < 100; i++)
        send_raw(req, sizeof(req));
    serve(&snap);
    while (raw_reply(buf, sizeof(buf)) > 0)
        answered++;
    assert_int_equal(answered, (int)SERVER_M6_LOCAL_BURST - 1);
    assert_int_equal(stats().mode6_refused, 100 - answered);
    stop(NULL);

    start("restrict default noquery\nrestrict 127.0.0.1 noquery\n", false);
    send_raw(req, sizeof(req));
    serve(&snap);
    assert_int_equal(raw_reply(buf, sizeof(buf)), 0);
    assert_int_equal(stats().mode6_refused, 1);
}

static void test_many_requests_one_wakeup(void **state)
{
    (void)state;
    struct ntp_header h;
    int got = 0;

    start("allow all\n", false);
    for (int i = 0; i < 100; i++)
        send_request(4, (uint64_t)i + 1);
    serve(NULL);
    while (reply(&h))
        got++;
    assert_int_equal(got, 100);
}

static void test_denied(void **state)
{
    (void)state;
    struct ntp_header h;

    start("allow 10.0.0.0/8\n", false);
    send_request(4, 1);
    serve(NULL);
    assert_false(reply(&h));
    assert_int_equal(stats().denied, 1);
}

static void test_kod_deny_limited(void **state)
{
    (void)state;
    struct ntp_header h;

    start("restrict default kod noserve\n", false);
    send_request(4, 0x55);
    send_request(4, 0x56);
    serve(NULL);
    assert_true(reply(&h));
    assert_int_equal(h.stratum, 0);
    assert_memory_equal(h.refid, "DENY", 4);
    assert_true(h.transmit_ts == 0x55); /* a KoD reveals no time */
    assert_false(reply(&h));            /* one KoD per client per 2^3 s (default interval) */
    fx.now_ns += 8 * S;
    send_request(4, 0x57);
    serve(NULL);
    assert_true(reply(&h));
    assert_int_equal(stats().kod_deny, 2);
    assert_int_equal(stats().denied, 3);
}

static void test_rate_limit_and_kod_rate(void **state)
{
    (void)state;
    struct ntp_header h;
    int time_replies = 0, kods = 0;

    start("allow all\nratelimit interval 3 burst 2 leak 0 kod 0\n", false);
    for (int i = 0; i < 6; i++)
        send_request(4, (uint64_t)i + 1);
    serve(NULL);
    while (reply(&h)) {
        if (h.stratum == 0) {
            assert_memory_equal(h.refid, "RATE", 4);
            kods++;
        } else {
            time_replies++;
        }
    }
    assert_int_equal(time_replies, 2);
    assert_int_equal(kods, 1);
    assert_int_equal(stats().limited, 4);
    assert_int_equal(stats().kod_rate, 1);
    /* 8 s later (interval 2^3 s) one more answer */
    fx.now_ns += 8 * S;
    send_request(4, 9);
    serve(NULL);
    assert_true(reply(&h));
    assert_int_not_equal(h.stratum, 0);
}

static void test_restrict_limited_only_limits_matching(void **state)
{
    (void)state;
    struct ntp_header h;
    int got = 0;

    /* limited applies to 10/8 only: the loopback client is not limited */
    start("restrict default\nrestrict 10.0.0.0/8 limited\n", false);
    for (int i = 0; i < 20; i++)
        send_request(4, (uint64_t)i + 1);
    serve(NULL);
    while (reply(&h))
        got++;
    assert_int_equal(got, 20);
}

/* A server socket bound to the wildcard address of family (port chosen by the kernel). */
static int wildcard_socket(int family, struct sockaddr_storage *bound)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1;
    socklen_t len = sizeof(*bound);

    if (fd < 0)
        return -1;
    memset(bound, 0, sizeof(*bound));
    bound->ss_family = (sa_family_t)family;
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)bound,
             family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)) < 0 ||
        getsockname(fd, (struct sockaddr *)bound, &len) < 0) {
        close(fd);
        return -1;
    }
    ts_enable(fd, 0, NULL);
    server_socket_setup(fd);
    return fd;
}

/* Send a request from client to dst, let the server answer on server_fd, return the reply's
 * length and its source address in from. */
static ssize_t exchange(int client, const struct sockaddr *dst, socklen_t dst_len, int server_fd,
                        struct sockaddr_storage *from)
{
    uint8_t req[NTP_HEADER_LEN] = {4 << 3 | NTP_MODE_CLIENT}, buf[256];
    struct pollfd p = {.fd = server_fd, .events = POLLIN};
    struct pollfd c = {.fd = client, .events = POLLIN};
    socklen_t len = sizeof(*from);

    assert_int_equal(sendto(client, req, sizeof(req), 0, dst, dst_len), (ssize_t)sizeof(req));
    assert_int_equal(poll(&p, 1, 500), 1);
    server_handle(fx.srv, server_fd, p.revents, &fx.map, NULL, fx.now_ns);
    if (poll(&c, 1, 500) != 1)
        return -1;
    return recvfrom(client, buf, sizeof(buf), 0, (struct sockaddr *)from, &len);
}

static void test_reply_from_the_address_asked(void **state)
{
    (void)state;
    struct sockaddr_storage bound, from;
    struct sockaddr_in dst = {.sin_family = AF_INET};
    int fd;

    start("allow all\n", false);
    fd = wildcard_socket(AF_INET, &bound);
    assert_true(fd >= 0);
    /* asked on 127.0.0.2: the reply must come from 127.0.0.2, not the route's 127.0.0.1 */
    dst.sin_port = ((struct sockaddr_in *)&bound)->sin_port;
    dst.sin_addr.s_addr = htonl(0x7f000002);
    assert_int_equal(exchange(fx.client_fd, (struct sockaddr *)&dst, sizeof(dst), fd, &from),
                     NTP_HEADER_LEN);
    assert_int_equal(((struct sockaddr_in *)&from)->sin_addr.s_addr, htonl(0x7f000002));
    close(fd);
}

static void test_ipv6(void **state)
{
    (void)state;
    struct sockaddr_storage bound, from;
    struct sockaddr_in6 dst = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    int fd, client;

    start("allow ::1\n", false);
    fd = wildcard_socket(AF_INET6, &bound);
    client = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    if (fd < 0 || client < 0 || bind(client, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
        if (fd >= 0)
            close(fd);
        if (client >= 0)
            close(client);
        skip(); /* no IPv6 loopback here */
    }
    dst.sin6_port = ((struct sockaddr_in6 *)&bound)->sin6_port;
    assert_int_equal(exchange(client, (struct sockaddr *)&dst, sizeof(dst), fd, &from),
                     NTP_HEADER_LEN);
    assert_memory_equal(&((struct sockaddr_in6 *)&from)->sin6_addr, &in6addr_loopback, 16);
    assert_int_equal(stats().served, 1);
    close(client);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_reply_batched, stop),
        cmocka_unit_test_teardown(test_reply_plain, stop),
        cmocka_unit_test_teardown(test_root_dispersion_grows_with_age, stop),
        cmocka_unit_test_teardown(test_tx_stamp_recorded, stop),
        cmocka_unit_test_teardown(test_no_answer_to_bad_packets, stop),
        cmocka_unit_test_teardown(test_mode6_from_loopback, stop),
        cmocka_unit_test_teardown(test_many_requests_one_wakeup, stop),
        cmocka_unit_test_teardown(test_denied, stop),
        cmocka_unit_test_teardown(test_kod_deny_limited, stop),
        cmocka_unit_test_teardown(test_rate_limit_and_kod_rate, stop),
        cmocka_unit_test_teardown(test_restrict_limited_only_limits_matching, stop),
        cmocka_unit_test_teardown(test_reply_from_the_address_asked, stop),
        cmocka_unit_test_teardown(test_ipv6, stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
