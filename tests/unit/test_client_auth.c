// SPDX-License-Identifier: ISC
/*
 * A keyed client association against a scripted server on loopback: its requests are signed,
 * only replies signed with its key are used; unsigned, wrongly keyed, tampered replies and
 * crypto-NAKs are dropped and counted before the origin check (a forgery cannot consume the
 * outstanding request), unsigned KoDs are ignored, and a source without a key refuses MACs.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/common/ntp_packet.h"
#include "daemon/net/client.h"

static struct cfg_source src = {.name = "127.0.0.1", .minpoll = 4, .maxpoll = 8, .version = 4};
static const struct auth_key key = {
    .id = 7, .type = AUTH_TYPE_SHA1, .secret_len = 6, .secret = "s3cret"};
static const struct auth_key other = {
    .id = 8, .type = AUTH_TYPE_SHA1, .secret_len = 6, .secret = "s3cret"};
static struct client c;
static struct clk_map map;
static struct client_clock clock_now = {.map = &map, .generation = 1};
static int server_fd;
static struct client_pool pool;

static int open_client(const struct auth_key *k)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);

    clk_map_identity(&map);
    server_fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_int_equal(bind(server_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(server_fd, (struct sockaddr *)&addr, &len), 0);
    memset(&c, 0, sizeof(c));
    c.cfg = &src;
    c.slot = 2;
    c.key = k;
    assert_int_equal(client_pool_open(&pool, 1, 0, 0), 1);
    assert_int_equal(client_open(&c, &pool, (struct sockaddr *)&addr, len, 100.0), 0);
    return 0;
}

static int setup_keyed(void **state)
{
    (void)state;
    return open_client(&key);
}

static int setup_plain(void **state)
{
    (void)state;
    return open_client(NULL);
}

static int teardown(void **state)
{
    (void)state;
    client_close(&c);
    client_pool_close(&pool);
    close(server_fd);
    return 0;
}

/* The client polls; the server reads the request (checked against the keyring {key, other}
 * when signed) and returns its header and the client's address. */
static size_t poll_and_take(struct ntp_header *req, struct sockaddr_in *from)
{
    struct auth_keyring ring = {0};
    const struct auth_key *used;
    uint8_t buf[128];
    socklen_t len = sizeof(*from);
    struct ntp_packet pkt;

    assert_int_equal(client_poll(&c, &clock_now, 100.0), 0);
    ssize_t n = recvfrom(server_fd, buf, sizeof(buf), 0, (struct sockaddr *)from, &len);
    assert_true(n >= NTP_HEADER_LEN);
    assert_int_equal(ntp_packet_decode(buf, (size_t)n, &pkt), 0);
    assert_int_equal(auth_keyring_add(&ring, &key), 0);
    assert_int_equal(auth_keyring_add(&ring, &other), 0);
    enum auth_verdict v = auth_check_request(&ring, buf, (size_t)n, &pkt, &used);
    assert_int_equal(v, c.key != NULL ? AUTH_OK : AUTH_UNSIGNED);
    if (c.key != NULL)
        assert_int_equal(used->id, c.key->id);
    auth_keyring_clear(&ring);
    *req = pkt.hdr;
    return (size_t)n;
}

/* Sends header h signed with k (NULL: unsigned); flip: an octet to corrupt after signing. */
static void send_signed(const struct ntp_header *h, const struct auth_key *k,
                        const struct sockaddr_in *to, int flip)
{
    uint8_t buf[NTP_HEADER_LEN + AUTH_MAX_MAC_LEN];

    assert_int_equal(ntp_header_encode(h, buf, sizeof(buf)), NTP_HEADER_LEN);
    size_t len = auth_sign(k, buf, NTP_HEADER_LEN, sizeof(buf));
    if (flip >= 0)
        buf[flip] ^= 1;
    assert_int_equal(sendto(server_fd, buf, len, 0, (const struct sockaddr *)to, sizeof(*to)),
                     (ssize_t)len);
    usleep(2000); /* loopback delivery */
}

static void reply(const struct ntp_header *req, const struct auth_key *k,
                  const struct sockaddr_in *to, int flip)
{
    struct ntp_server_state st = {.stratum = 1, .precision = -20, .refid = {'G', 'P', 'S', 0}};
    struct timespec now;
    struct ntp_header r;

    clock_gettime(CLOCK_REALTIME, &now);
    uint64_t t = ntp_ts64_from_timespec(&now);
    assert_int_equal(ntp_build_reply(req, &st, t, t, &r), 0);
    send_signed(&r, k, to, flip);
}

static enum client_event receive(void)
{
    struct msg_sample s;
    return client_receive(&c, &clock_now, 101.0, POLLIN, &s);
}

static void test_signed_request_and_reply(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;

    (void)state;
    assert_int_equal(poll_and_take(&req, &from), NTP_HEADER_LEN + NTP_MAC_SHA1_LEN);
    reply(&req, &key, &from, -1);
    assert_int_equal(receive(), CLIENT_SAMPLE);
    assert_int_equal(c.auth_rejected, 0);
}

/* Each bad reply is dropped without consuming the request: the genuine one still counts. */
static void test_bad_replies_dropped_before_the_origin_check(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;

    (void)state;
    poll_and_take(&req, &from);
    reply(&req, NULL, &from, -1); /* unsigned */
    assert_int_equal(receive(), CLIENT_NOTHING);
    reply(&req, &other, &from, -1); /* another trusted key */
    assert_int_equal(receive(), CLIENT_NOTHING);
    reply(&req, &key, &from, 44); /* tampered transmit timestamp */
    assert_int_equal(receive(), CLIENT_NOTHING);
    reply(&req, &key, &from, NTP_HEADER_LEN + 10); /* tampered MAC */
    assert_int_equal(receive(), CLIENT_NOTHING);
    assert_int_equal(c.auth_rejected, 4);
    assert_true(c.org != 0);
    reply(&req, &key, &from, -1);
    assert_int_equal(receive(), CLIENT_SAMPLE);
    /* logged once, then not before CLIENT_AUTH_LOG_S */
    assert_int_equal(c.auth_logged, 1);
    assert_true(c.auth_log_next >= 101.0 + CLIENT_AUTH_LOG_S - 1);
}

static void test_crypto_nak_is_not_a_kiss(void **state)
{
    struct ntp_header req, nak;
    struct sockaddr_in from;
    uint8_t buf[NTP_HEADER_LEN + NTP_CRYPTO_NAK_LEN] = {0};

    (void)state;
    c.unanswered = 3;
    poll_and_take(&req, &from);
    assert_int_equal(ntp_build_kod(&req, "CRYP", &nak), 0);
    nak.stratum = 2; /* an ordinary header with the origin of our request */
    assert_int_equal(ntp_header_encode(&nak, buf, sizeof(buf)), NTP_HEADER_LEN);
    assert_int_equal(sendto(server_fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, sizeof(from)),
                     (ssize_t)sizeof(buf));
    usleep(2000);
    assert_int_equal(receive(), CLIENT_NOTHING);
    assert_int_equal(c.auth_rejected, 1);
    assert_int_equal(c.kod_min_poll, 0);
    assert_int_equal(c.unanswered, 3); /* the NAK does not answer the poll */
}

static void test_only_signed_kisses_count(void **state)
{
    struct ntp_header req, kod;
    struct sockaddr_in from;

    (void)state;
    poll_and_take(&req, &from);
    assert_int_equal(ntp_build_kod(&req, "DENY", &kod), 0);
    send_signed(&kod, NULL, &from, -1); /* a forged DENY would stop the source */
    assert_int_equal(receive(), CLIENT_NOTHING);
    assert_int_equal(ntp_build_kod(&req, "RATE", &kod), 0);
    send_signed(&kod, &key, &from, -1);
    assert_int_equal(receive(), CLIENT_KOD_RATE);
}

static void test_source_without_key_refuses_macs(void **state)
{
    struct ntp_header req;
    struct sockaddr_in from;

    (void)state;
    assert_int_equal(poll_and_take(&req, &from), NTP_HEADER_LEN);
    reply(&req, &key, &from, -1);
    assert_int_equal(receive(), CLIENT_NOTHING);
    assert_int_equal(c.auth_rejected, 1);
    reply(&req, NULL, &from, -1);
    assert_int_equal(receive(), CLIENT_SAMPLE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_signed_request_and_reply, setup_keyed, teardown),
        cmocka_unit_test_setup_teardown(test_bad_replies_dropped_before_the_origin_check,
                                        setup_keyed, teardown),
        cmocka_unit_test_setup_teardown(test_crypto_nak_is_not_a_kiss, setup_keyed, teardown),
        cmocka_unit_test_setup_teardown(test_only_signed_kisses_count, setup_keyed, teardown),
        cmocka_unit_test_setup_teardown(test_source_without_key_refuses_macs, setup_plain,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
