// SPDX-License-Identifier: ISC
/*
 * NTS extension fields (RFC 8915 section 5): the AEAD against an independent implementation,
 * the fields' wire format, and a client and a server exchanging requests and replies, with
 * every tampering, a stale cookie, an NTS NAK and the no-amplification rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/nts/nts_client.h"
#include "daemon/nts/nts_cookie.h"
#include "daemon/nts/nts_server.h"

/* AEAD_AES_SIV_CMAC_256 with one associated data and a nonce, computed with pyca/cryptography
 * (OpenSSL): AESSIV(key).encrypt(plain, [ad, nonce]). Its deterministic form reproduces
 * RFC 5297 appendix A.1. */
static void test_aead_known_answer(void **state)
{
    static const uint8_t want[] = {0x8f, 0x36, 0x81, 0x65, 0xc2, 0xc8, 0x97, 0xa2,
                                   0x9c, 0x7e, 0xc1, 0xf3, 0x2f, 0xf7, 0x72, 0x91,
                                   0x3b, 0x99, 0xaf, 0xd5, 0xef, 0x22, 0xc0, 0xf3};
    const uint8_t plain[] = {0x02, 0x04, 0x00, 0x08, 'A', 'B', 'C', 'D'};
    const char *ad = "NTP header and fields";
    uint8_t key[32], nonce[16], out[sizeof(want)], back[sizeof(plain)];
    struct nts_aead a;

    (void)state;
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    for (int i = 0; i < 16; i++)
        nonce[i] = (uint8_t)(100 + i);
    nts_aead_init(&a, key);
    nts_aead_seal(&a, nonce, 16, (const uint8_t *)ad, strlen(ad), plain, sizeof(plain), out);
    assert_memory_equal(out, want, sizeof(want));
    assert_true(
        nts_aead_open(&a, nonce, 16, (const uint8_t *)ad, strlen(ad), out, sizeof(out), back));
    assert_memory_equal(back, plain, sizeof(plain));
    out[20] ^= 1;
    assert_false(
        nts_aead_open(&a, nonce, 16, (const uint8_t *)ad, strlen(ad), out, sizeof(out), back));
}

static void test_field_wire_format(void **state)
{
    uint8_t buf[64];
    size_t at = 0;

    (void)state;
    memset(buf, 0xee, sizeof(buf));
    /* a 5-octet body takes 4 + 8 octets, zero padded */
    assert_true(nts_ef_write(buf, sizeof(buf), &at, NTS_EF_COOKIE, (const uint8_t *)"hello", 5));
    assert_int_equal(at, 12);
    assert_memory_equal(buf, "\x02\x04\x00\x0chello\0\0\0", 12);
    assert_true(nts_ef_write(buf, sizeof(buf), &at, NTS_EF_PLACEHOLDER, NULL, 4));
    assert_memory_equal(buf + 12, "\x03\x04\x00\x08\0\0\0\0", 8);
    at = 60;
    assert_false(nts_ef_write(buf, sizeof(buf), &at, NTS_EF_COOKIE, NULL, 4));
    assert_int_equal(at, 60);
    /* the authenticator: nonce length 16, ciphertext length 16 + plaintext */
    assert_int_equal(nts_ef_auth_size(0), 4 + 4 + 16 + 16);
    assert_int_equal(nts_ef_auth_size(10), 4 + 4 + 16 + 28);
}

/* One client and one server sharing an NTS-KE session. */
struct pair {
    struct nts_cookie_jar jar;
    struct nts_client client;
    uint8_t c2s[NTS_KEY_LEN], s2c[NTS_KEY_LEN];
};

static void make_ring(struct nts_keyring *ring, uint32_t id, uint8_t fill)
{
    uint8_t key[NTS_SERVER_KEY_LEN];

    memset(ring, 0, sizeof(*ring));
    memset(key, fill, sizeof(key));
    nts_keys_add(ring, id, key, 1000);
}

static void pair_init(struct pair *p, unsigned ncookies)
{
    uint8_t cookies[NTS_MAX_COOKIES][NTS_COOKIE_MAX], nonce[16] = {0};
    uint16_t lens[NTS_MAX_COOKIES];
    struct nts_keyring ring;

    make_ring(&ring, 0x11223344, 0x5a);
    nts_cookie_jar_set(&p->jar, &ring);
    memset(p->c2s, 0xc2, sizeof(p->c2s));
    memset(p->s2c, 0x52, sizeof(p->s2c));
    for (unsigned i = 0; i < ncookies; i++) {
        nonce[0] = (uint8_t)i;
        assert_int_equal(nts_cookie_make(&p->jar, p->c2s, p->s2c, nonce, cookies[i]), 0);
        lens[i] = NTS_COOKIE_LEN;
    }
    nts_client_set_session(&p->client, p->c2s, p->s2c, ncookies, lens,
                           (const uint8_t(*)[NTS_COOKIE_MAX])cookies);
}

static size_t make_request(struct pair *p, uint8_t *buf, size_t cap)
{
    struct ntp_header h;
    long n;

    ntp_build_request(&h, 4, 6, 0x0102030405060708ull);
    assert_int_equal(ntp_header_encode(&h, buf, cap), NTP_HEADER_LEN);
    n = nts_client_request_ef(&p->client, buf, cap, NTP_HEADER_LEN);
    assert_true(n > NTP_HEADER_LEN);
    return (size_t)n;
}

/* The server's answer to req: verdict, and the reply in out (*out_len). */
static enum nts_server_verdict serve(struct pair *p, const uint8_t *req, size_t len, uint8_t *out,
                                     size_t *out_len)
{
    struct nts_server_request r;
    struct ntp_packet pkt;
    struct ntp_header h, reply;
    enum nts_server_verdict v;
    long n = -1;

    assert_int_equal(ntp_packet_decode(req, len, &pkt), 0);
    v = nts_server_check(&p->jar, req, len, &pkt, &r);
    h = pkt.hdr;
    if (v == NTS_SERVER_REPLY) {
        struct ntp_server_state st = {.stratum = 1, .precision = -20};
        assert_int_equal(ntp_build_reply(&h, &st, 1, 2, &reply), 0);
        ntp_header_encode(&reply, out, NTP_HEADER_LEN);
        n = nts_server_finish(&p->jar, &r, req, len, out, NTP_MAX_PACKET_LEN);
    } else if (v == NTS_SERVER_NAK) {
        assert_int_equal(ntp_build_kod(&h, "NTSN", &reply), 0);
        ntp_header_encode(&reply, out, NTP_HEADER_LEN);
        n = nts_server_nak(&r, req, len, out, NTP_MAX_PACKET_LEN);
    }
    *out_len = n > 0 ? (size_t)n : 0;
    return v;
}

static enum nts_reply client_check(struct pair *p, const uint8_t *reply, size_t len)
{
    struct ntp_packet pkt;

    assert_int_equal(ntp_packet_decode(reply, len, &pkt), 0);
    return nts_client_verify_reply(&p->client, reply, len, &pkt);
}

static void test_exchange_refills_cookies(void **state)
{
    uint8_t req[NTP_MAX_PACKET_LEN], reply[NTP_MAX_PACKET_LEN];
    size_t len, rlen;
    struct pair p;

    (void)state;
    pair_init(&p, 3);
    len = make_request(&p, req, sizeof(req));
    assert_int_equal(p.client.count, 2);
    /* 1 cookie + 5 placeholders so that 8 are held after the reply */
    assert_int_equal(len, NTP_HEADER_LEN + nts_ef_size(NTS_UID_LEN) +
                              6 * nts_ef_size(NTS_COOKIE_LEN) + nts_ef_auth_size(0));
    assert_int_equal(serve(&p, req, len, reply, &rlen), NTS_SERVER_REPLY);
    assert_true(rlen <= len);
    assert_int_equal(client_check(&p, reply, rlen), NTS_REPLY_OK);
    assert_int_equal(p.client.count, NTS_MAX_COOKIES);
    /* the same reply again: the identifier was consumed */
    assert_int_equal(client_check(&p, reply, rlen), NTS_REPLY_UNAUTH);
}

static void test_no_amplification(void **state)
{
    uint8_t req[NTP_MAX_PACKET_LEN], reply[NTP_MAX_PACKET_LEN];
    struct nts_server_request r;
    struct ntp_packet pkt;
    size_t len, rlen;
    struct pair p;

    (void)state;
    pair_init(&p, 1); /* 7 placeholders */
    len = make_request(&p, req, sizeof(req));
    assert_int_equal(ntp_packet_decode(req, len, &pkt), 0);
    assert_int_equal(nts_server_check(&p.jar, req, len, &pkt, &r), NTS_SERVER_REPLY);
    assert_int_equal(r.layout.placeholders, 7);
    assert_int_equal(serve(&p, req, len, reply, &rlen), NTS_SERVER_REPLY);
    assert_true(rlen <= len);
    assert_int_equal(client_check(&p, reply, rlen), NTS_REPLY_OK);
    assert_int_equal(p.client.count, NTS_MAX_COOKIES);
    /* a server limited to fewer octets than 8 cookies need gives fewer cookies */
    memset(reply, 0, sizeof(reply));
    long n = nts_server_finish(&p.jar, &r, req, len - 3 * nts_ef_size(NTS_COOKIE_LEN), reply,
                               sizeof(reply));
    assert_true(n > 0 && (size_t)n <= len - 3 * nts_ef_size(NTS_COOKIE_LEN));
}

static void test_tampered_reply_rejected(void **state)
{
    uint8_t req[NTP_MAX_PACKET_LEN], reply[NTP_MAX_PACKET_LEN];
    size_t len, rlen;
    struct pair p;

    (void)state;
    for (size_t at = 0; at < 600; at += 7) {
        pair_init(&p, 8);
        len = make_request(&p, req, sizeof(req));
        assert_int_equal(serve(&p, req, len, reply, &rlen), NTS_SERVER_REPLY);
        if (at >= rlen)
            break;
        if (at == 1 || at == 2 || at == 3)
            continue;      /* stratum, poll, precision: decode may refuse first, still no OK */
        reply[at] ^= 0x01; /* header, identifier, nonce, tag or ciphertext */
        struct ntp_packet pkt;
        if (ntp_packet_decode(reply, rlen, &pkt) == 0)
            assert_int_not_equal(nts_client_verify_reply(&p.client, reply, rlen, &pkt),
                                 NTS_REPLY_OK);
    }
}

static void test_tampered_request_dropped(void **state)
{
    uint8_t req[NTP_MAX_PACKET_LEN], reply[NTP_MAX_PACKET_LEN];
    size_t len, rlen;
    struct pair p;

    (void)state;
    pair_init(&p, 8);
    len = make_request(&p, req, sizeof(req));
    req[40] ^= 0x80; /* the transmit timestamp: authenticated data */
    assert_int_equal(serve(&p, req, len, reply, &rlen), NTS_SERVER_DROP);
    pair_init(&p, 8);
    len = make_request(&p, req, sizeof(req));
    req[len - 1] ^= 0x01; /* the tag */
    assert_int_equal(serve(&p, req, len, reply, &rlen), NTS_SERVER_DROP);
}

static void test_stale_cookie_gets_nak(void **state)
{
    uint8_t req[NTP_MAX_PACKET_LEN], reply[NTP_MAX_PACKET_LEN];
    struct nts_keyring other;
    size_t len, rlen;
    struct pair p;

    (void)state;
    pair_init(&p, 8);
    make_ring(&other, 0x99999999, 0x01); /* the server restarted with new keys */
    nts_cookie_jar_set(&p.jar, &other);
    len = make_request(&p, req, sizeof(req));
    assert_int_equal(serve(&p, req, len, reply, &rlen), NTS_SERVER_NAK);
    assert_int_equal(rlen, NTP_HEADER_LEN + nts_ef_size(NTS_UID_LEN));
    assert_int_equal(client_check(&p, reply, rlen), NTS_REPLY_NAK);
    assert_true(p.client.nak);
    assert_int_equal(p.client.count, 0);
    assert_false(nts_client_ready(&p.client));
    assert_int_equal(nts_client_request_ef(&p.client, req, sizeof(req), NTP_HEADER_LEN), -1);
}

static void test_rotated_key_still_opens(void **state)
{
    uint8_t req[NTP_MAX_PACKET_LEN], reply[NTP_MAX_PACKET_LEN], key[32] = {7};
    struct nts_keyring ring;
    size_t len, rlen;
    struct pair p;

    (void)state;
    pair_init(&p, 8);
    ring = p.jar.ring;
    nts_keys_add(&ring, 0x55, key, 2000);
    nts_cookie_jar_set(&p.jar, &ring);
    len = make_request(&p, req, sizeof(req));
    assert_int_equal(serve(&p, req, len, reply, &rlen), NTS_SERVER_REPLY);
    assert_int_equal(client_check(&p, reply, rlen), NTS_REPLY_OK);
    /* two more rotations: the session's original key is gone */
    nts_keys_add(&ring, 0x66, key, 3000);
    nts_keys_add(&ring, 0x77, key, 4000);
    assert_null(nts_keys_find(&ring, 0x11223344));
}

static void test_forged_nak_and_unauthenticated_replies(void **state)
{
    uint8_t req[NTP_MAX_PACKET_LEN], reply[NTP_MAX_PACKET_LEN];
    struct ntp_header h, kod;
    size_t len, at;
    struct pair p;

    (void)state;
    pair_init(&p, 8);
    len = make_request(&p, req, sizeof(req));
    struct ntp_packet pkt;
    assert_int_equal(ntp_packet_decode(req, len, &pkt), 0);
    h = pkt.hdr;
    /* a NAK with another identifier is not ours */
    assert_int_equal(ntp_build_kod(&h, "NTSN", &kod), 0);
    ntp_header_encode(&kod, reply, NTP_HEADER_LEN);
    at = NTP_HEADER_LEN;
    uint8_t other_uid[NTS_UID_LEN] = {1};
    assert_true(
        nts_ef_write(reply, sizeof(reply), &at, NTS_EF_UNIQUE_ID, other_uid, sizeof(other_uid)));
    assert_int_equal(client_check(&p, reply, at), NTS_REPLY_UNAUTH);
    assert_int_equal(p.client.count, 7);
    /* a plain reply (no NTS fields at all) */
    assert_int_equal(client_check(&p, reply, NTP_HEADER_LEN), NTS_REPLY_UNAUTH);
    /* the request echoed back (identifier right, authenticator with the C2S key) */
    assert_int_equal(client_check(&p, req, len), NTS_REPLY_UNAUTH);
}

static void test_layout_rules(void **state)
{
    uint8_t buf[NTP_MAX_PACKET_LEN], body[40] = {0};
    struct nts_ef_layout l;
    struct ntp_packet pkt;
    struct ntp_header h;
    char err[96];
    size_t at;

    (void)state;
    ntp_build_request(&h, 4, 6, 1);
    ntp_header_encode(&h, buf, sizeof(buf));
    at = NTP_HEADER_LEN;
    nts_ef_write(buf, sizeof(buf), &at, NTS_EF_UNIQUE_ID, body, 32);
    nts_ef_write(buf, sizeof(buf), &at, NTS_EF_UNIQUE_ID, body, 32);
    assert_int_equal(ntp_packet_decode(buf, at, &pkt), 0);
    assert_int_equal(nts_ef_locate(buf, at, &pkt, &l, err, sizeof(err)), -1);
    /* an authenticator followed by another field */
    at = NTP_HEADER_LEN;
    body[1] = 16; /* nonce length 16 */
    body[3] = 16; /* ciphertext length 16 */
    nts_ef_write(buf, sizeof(buf), &at, NTS_EF_AUTHENTICATOR, body, 36);
    nts_ef_write(buf, sizeof(buf), &at, NTS_EF_COOKIE, body, 32);
    assert_int_equal(ntp_packet_decode(buf, at, &pkt), 0);
    assert_int_equal(nts_ef_locate(buf, at, &pkt, &l, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "after the authenticator"));
    /* a nonce shorter than 16 octets */
    at = NTP_HEADER_LEN;
    body[1] = 8;
    nts_ef_write(buf, sizeof(buf), &at, NTS_EF_AUTHENTICATOR, body, 36);
    assert_int_equal(ntp_packet_decode(buf, at, &pkt), 0);
    assert_int_equal(nts_ef_locate(buf, at, &pkt, &l, err, sizeof(err)), -1);
    /* lengths beyond the field */
    at = NTP_HEADER_LEN;
    body[1] = 16;
    body[3] = 200;
    nts_ef_write(buf, sizeof(buf), &at, NTS_EF_AUTHENTICATOR, body, 36);
    assert_int_equal(ntp_packet_decode(buf, at, &pkt), 0);
    assert_int_equal(nts_ef_locate(buf, at, &pkt, &l, err, sizeof(err)), -1);
    /* a short identifier */
    at = NTP_HEADER_LEN;
    nts_ef_write(buf, sizeof(buf), &at, NTS_EF_UNIQUE_ID, body, 28);
    assert_int_equal(ntp_packet_decode(buf, at, &pkt), 0);
    assert_int_equal(nts_ef_locate(buf, at, &pkt, &l, err, sizeof(err)), -1);
}

static void test_plain_request_is_not_nts(void **state)
{
    uint8_t buf[NTP_HEADER_LEN];
    struct nts_server_request r;
    struct ntp_packet pkt;
    struct ntp_header h;
    struct pair p;

    (void)state;
    pair_init(&p, 1);
    ntp_build_request(&h, 4, 6, 1);
    ntp_header_encode(&h, buf, sizeof(buf));
    assert_int_equal(ntp_packet_decode(buf, sizeof(buf), &pkt), 0);
    assert_int_equal(nts_server_check(&p.jar, buf, sizeof(buf), &pkt, &r), NTS_SERVER_PLAIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aead_known_answer),
        cmocka_unit_test(test_field_wire_format),
        cmocka_unit_test(test_exchange_refills_cookies),
        cmocka_unit_test(test_no_amplification),
        cmocka_unit_test(test_tampered_reply_rejected),
        cmocka_unit_test(test_tampered_request_dropped),
        cmocka_unit_test(test_stale_cookie_gets_nak),
        cmocka_unit_test(test_rotated_key_still_opens),
        cmocka_unit_test(test_forged_nak_and_unauthenticated_replies),
        cmocka_unit_test(test_layout_rules),
        cmocka_unit_test(test_plain_request_is_not_nts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
