// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/common/ntp_packet.c daemon/nts/nts_ef.c daemon/nts/nts_aead.c
// fuzz-sources: daemon/nts/nts_client.c daemon/nts/nts_server.c daemon/nts/nts_cookie.c
// fuzz-sources: daemon/nts/nts_keys.c
// fuzz-libs: -lnettle
/*
 * libFuzzer target for NTS extension fields (RFC 8915 section 5) in NTP packets: a reply to an
 * NTS client association and a request to the NTS server, both untrusted. First octet even:
 * the rest is a whole packet (parsing and rejection paths). Odd: the rest is the plaintext of
 * the encrypted fields, sealed here with the session's key into a reply that carries the right
 * Unique Identifier, so the cookie handling behind a valid authenticator is reached too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/nts/nts_client.h"
#include "daemon/nts/nts_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t c2s[NTS_KEY_LEN] = {1}, s2c[NTS_KEY_LEN] = {2};

static void session(struct nts_client *c, struct nts_cookie_jar *jar)
{
    uint8_t key[NTS_SERVER_KEY_LEN] = {3}, cookie[NTS_MAX_COOKIES][NTS_COOKIE_MAX] = {{0}};
    uint16_t len[NTS_MAX_COOKIES] = {NTS_COOKIE_LEN};
    struct nts_keyring ring = {0};
    uint8_t nonce[NTS_COOKIE_NONCE_LEN] = {4};

    nts_keys_add(&ring, 0x01020304, key, 1);
    nts_cookie_jar_set(jar, &ring);
    nts_cookie_make(jar, c2s, s2c, nonce, cookie[0]);
    nts_client_set_session(c, c2s, s2c, 1, len, (const uint8_t(*)[NTS_COOKIE_MAX])cookie);
}

static void check_client(const struct nts_client *c)
{
    if (c->count > NTS_MAX_COOKIES || c->head >= NTS_MAX_COOKIES)
        abort();
    for (unsigned i = 0; i < c->count; i++) {
        unsigned k = (c->head + i) % NTS_MAX_COOKIES;
        if (c->cookie_len[k] == 0 || c->cookie_len[k] > NTS_COOKIE_MAX)
            abort();
    }
}

/* A reply to the client's request with the fuzzer's plaintext sealed by the S2C key. */
static size_t sealed_reply(struct nts_client *c, const uint8_t *plain, size_t plain_len,
                           uint8_t *buf, size_t cap)
{
    uint8_t req[NTP_MAX_PACKET_LEN], nonce[NTS_NONCE_LEN] = {5};
    struct ntp_header h, r;
    struct ntp_server_state st = {.stratum = 2};
    struct nts_aead key;
    size_t at = NTP_HEADER_LEN;

    ntp_build_request(&h, 4, 6, 1);
    ntp_header_encode(&h, req, sizeof(req));
    if (nts_client_request_ef(c, req, sizeof(req), NTP_HEADER_LEN) < 0 ||
        ntp_build_reply(&h, &st, 1, 2, &r) < 0)
        return 0;
    ntp_header_encode(&r, buf, cap);
    nts_aead_init(&key, s2c);
    if (!nts_ef_write(buf, cap, &at, NTS_EF_UNIQUE_ID, c->uid, sizeof(c->uid)) ||
        !nts_ef_write_auth(buf, cap, &at, &key, nonce, plain, plain_len))
        return 0;
    return at;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[NTP_MAX_PACKET_LEN], reply[NTP_MAX_PACKET_LEN];
    static struct nts_server_request req;
    static struct nts_client c;
    static struct nts_cookie_jar jar;
    struct ntp_packet pkt;
    size_t len;

    if (size < 1 || size - 1 > NTP_MAX_PACKET_LEN)
        return 0;
    session(&c, &jar);
    if (data[0] & 1) {
        len = sealed_reply(&c, data + 1, size - 1 > NTS_EF_MAX_PLAIN ? NTS_EF_MAX_PLAIN : size - 1,
                           buf, sizeof(buf));
        if (len > 0 && ntp_packet_decode(buf, len, &pkt) == 0 &&
            nts_client_verify_reply(&c, buf, len, &pkt) != NTS_REPLY_OK)
            abort(); /* sealed with the right key and identifier: must authenticate */
        check_client(&c);
        return 0;
    }
    memcpy(buf, data + 1, size - 1);
    len = size - 1;
    if (ntp_packet_decode(buf, len, &pkt) != 0)
        return 0;
    c.request_pending = true;
    nts_client_verify_reply(&c, buf, len, &pkt);
    check_client(&c);
    if (nts_server_check(&jar, buf, len, &pkt, &req) == NTS_SERVER_REPLY) {
        long n = nts_server_finish(&jar, &req, buf, len, reply, sizeof(reply));
        if (n > (long)len)
            abort(); /* no amplification */
    }
    return 0;
}
