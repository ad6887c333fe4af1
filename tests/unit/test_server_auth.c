// SPDX-License-Identifier: ISC
/*
 * The NTP server with symmetric keys, over loopback UDP: a request signed with a trusted key
 * gets a reply signed with that key (batched and plain I/O), KoD RATE included; an unknown key,
 * a bad MAC or a crypto-NAK gets nothing; unsigned requests get unsigned replies, except under
 * `restrict ... notrust`.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/common/ntp_packet.h"
#include "daemon/server/server.h"
#include "hwts/timestamping.h"

#define S 1000000000ull /* ns */

static const struct auth_key md5 = {
    .id = 1, .type = AUTH_TYPE_MD5, .secret_len = 3, .secret = "one"};
static const struct auth_key cmac = {
    .id = 2, .type = AUTH_TYPE_AES128CMAC, .secret_len = 16, .secret = "0123456789abcdef"};
static const struct auth_key untrusted = {
    .id = 3, .type = AUTH_TYPE_SHA256, .secret_len = 5, .secret = "three"};

static struct {
    struct cfg cfg;
    struct server *srv;
    struct clk_map map;
    int server_fd, client_fd;
    struct sockaddr_in server_addr;
    uint64_t now_ns;
    char keys[64];
} fx;

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

/* A server for "keys FILE\ntrustedkey 1 2\n" + conf, FILE holding keys 1, 2 and 3. */
static void start(const char *conf, bool plain)
{
    char text[512];
    struct cfg_diag d;
    struct sockaddr_in client;

    memset(&fx, 0, sizeof(fx));
    strcpy(fx.keys, "/tmp/tsyncd-server-keys-XXXXXX");
    int fd = mkstemp(fx.keys);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("1 MD5 one\n2 AES128CMAC 30313233343536373839616263646566\n3 SHA256 three\n", f);
    fclose(f);
    snprintf(text, sizeof(text), "keys %s\ntrustedkey 1 2\n%s", fx.keys, conf);
    cfg_diag_init(&d);
    assert_int_equal(cfg_load_string("t.conf", text, strlen(text), 0, &fx.cfg, &d), 0);
    cfg_diag_free(&d);
    fx.srv = server_create(&fx.cfg);
    assert_non_null(fx.srv);
    server_set_plain_io(fx.srv, plain);
    clk_map_identity(&fx.map);
    fx.server_fd = udp_socket(&fx.server_addr);
    ts_enable(fx.server_fd, 0, NULL);
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
    unlink(fx.keys);
    return 0;
}

/* A mode 3 request with transmit timestamp xmt signed with k (NULL: unsigned); flip >= 0
 * corrupts that octet after signing; nak: a crypto-NAK instead of a MAC. */
static void send_request(uint64_t xmt, const struct auth_key *k, int flip, bool nak)
{
    uint8_t buf[NTP_HEADER_LEN + AUTH_MAX_MAC_LEN] = {0};
    size_t len;

    buf[0] = 4 << 3 | NTP_MODE_CLIENT;
    for (int b = 0; b < 8; b++)
        buf[40 + b] = (uint8_t)(xmt >> (56 - 8 * b));
    len =
        nak ? NTP_HEADER_LEN + NTP_CRYPTO_NAK_LEN : auth_sign(k, buf, NTP_HEADER_LEN, sizeof(buf));
    if (flip >= 0)
        buf[flip] ^= 1;
    assert_int_equal(sendto(fx.client_fd, buf, len, 0, (struct sockaddr *)&fx.server_addr,
                            sizeof(fx.server_addr)),
                     (ssize_t)len);
}

static void serve(void)
{
    struct pollfd p = {.fd = fx.server_fd, .events = POLLIN};

    poll(&p, 1, 200);
    server_handle(fx.srv, fx.server_fd, p.revents, &fx.map, NULL, fx.now_ns);
}

/* The next reply within 200 ms, checked against key k (NULL: must be unsigned); false if none. */
static bool reply(const struct auth_key *k, struct ntp_header *h)
{
    struct pollfd p = {.fd = fx.client_fd, .events = POLLIN};
    uint8_t buf[2048];
    struct ntp_packet pkt;

    if (poll(&p, 1, 200) != 1)
        return false;
    ssize_t n = recv(fx.client_fd, buf, sizeof(buf), 0);
    assert_true(n > 0);
    assert_int_equal(ntp_packet_decode(buf, (size_t)n, &pkt), 0);
    assert_int_equal(auth_check_reply(k, buf, (size_t)n, &pkt), AUTH_OK);
    assert_int_equal(n, NTP_HEADER_LEN + (k ? 4 + auth_digest_len(k->type) : 0));
    *h = pkt.hdr;
    return true;
}

static struct server_stats stats(void)
{
    struct server_stats st;

    server_get_stats(fx.srv, &st);
    return st;
}

static void check_signed_replies(bool plain)
{
    struct ntp_header h;

    start("allow all\n", plain);
    send_request(0x1111, &md5, -1, false);
    send_request(0x2222, &cmac, -1, false);
    send_request(0x3333, NULL, -1, false);
    serve();
    assert_true(reply(&md5, &h)); /* the transmit timestamp was set before signing */
    assert_true(h.origin_ts == 0x1111);
    assert_true(h.transmit_ts != 0);
    assert_true(reply(&cmac, &h));
    assert_true(h.origin_ts == 0x2222);
    assert_true(reply(NULL, &h));
    assert_true(h.origin_ts == 0x3333);
    assert_int_equal(stats().auth_ok, 2);
    assert_int_equal(stats().served, 3);
}

static void test_signed_replies_batched(void **state)
{
    (void)state;
    check_signed_replies(false);
}

static void test_signed_replies_plain(void **state)
{
    (void)state;
    check_signed_replies(true);
}

static void test_bad_requests_get_nothing(void **state)
{
    struct ntp_header h;

    (void)state;
    start("allow all\n", false);
    send_request(1, &untrusted, -1, false);            /* in the file, not trusted */
    send_request(2, &md5, 44, false);                  /* tampered timestamp */
    send_request(3, &cmac, NTP_HEADER_LEN + 5, false); /* tampered MAC */
    send_request(4, NULL, -1, true);                   /* crypto-NAK */
    serve();
    assert_false(reply(NULL, &h));
    assert_int_equal(stats().auth_bad, 4);
    assert_int_equal(stats().served, 0);
}

static void test_notrust_serves_signed_requests_only(void **state)
{
    struct ntp_header h;

    (void)state;
    start("restrict default notrust\n", false);
    send_request(5, NULL, -1, false);
    send_request(6, &md5, -1, false);
    serve();
    assert_true(reply(&md5, &h));
    assert_true(h.origin_ts == 6);
    assert_false(reply(NULL, &h));
    assert_int_equal(stats().denied, 1);
}

static void test_kod_rate_is_signed(void **state)
{
    struct ntp_header h;
    int kods = 0, times = 0;

    (void)state;
    start("allow all\nratelimit interval 3 burst 1 leak 0 kod 0\n", false);
    for (int i = 0; i < 3; i++)
        send_request((uint64_t)i + 10, &cmac, -1, false);
    serve();
    while (reply(&cmac, &h)) {
        if (h.stratum == 0) {
            assert_memory_equal(h.refid, "RATE", 4);
            kods++;
        } else {
            times++;
        }
    }
    assert_int_equal(times, 1);
    assert_int_equal(kods, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_signed_replies_batched, stop),
        cmocka_unit_test_teardown(test_signed_replies_plain, stop),
        cmocka_unit_test_teardown(test_bad_requests_get_nothing, stop),
        cmocka_unit_test_teardown(test_notrust_serves_signed_requests_only, stop),
        cmocka_unit_test_teardown(test_kod_rate_is_signed, stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
