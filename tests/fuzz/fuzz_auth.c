// SPDX-License-Identifier: ISC
// fuzz-sources: daemon/common/auth.c daemon/common/ntp_packet.c
// fuzz-libs: -lnettle
/*
 * libFuzzer target for the verification path of untrusted packets: decode, then the server's
 * check against a keyring (one key of each type) and the client's check against each key and
 * none. Beyond memory safety: a verdict names a key only when its MAC verifies, the client and
 * the server agree, a packet re-signed with a key verifies with it. The same input, as a line
 * of a keys file, exercises the key line parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/common/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static const struct auth_key keys[] = {
    {.id = 1, .type = AUTH_TYPE_MD5, .secret_len = 8, .secret = "md5-key!"},
    {.id = 2, .type = AUTH_TYPE_SHA1, .secret_len = 20, .secret = "0123456789abcdefghij"},
    {.id = 3,
     .type = AUTH_TYPE_SHA256,
     .secret_len = 32,
     .secret = "a 32-octet secret for SHA-256 .."},
    {.id = 4, .type = AUTH_TYPE_AES128CMAC, .secret_len = 16, .secret = "sixteen octets.."},
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static struct auth_keyring ring;

static void build_ring(void)
{
    if (ring.n > 0)
        return;
    for (size_t i = 0; i < N_KEYS; i++)
        CHECK(auth_keyring_add(&ring, &keys[i]) == 0);
}

/* Server and client verdicts on a decoded packet agree with each other. */
static void check_verdicts(const uint8_t *data, size_t size, const struct ntp_packet *pkt)
{
    const struct auth_key *used = NULL;
    enum auth_verdict v = auth_check_request(&ring, data, size, pkt, &used);

    CHECK((v == AUTH_OK) == (used != NULL));
    CHECK(v != AUTH_UNEXPECTED);
    CHECK((v == AUTH_UNSIGNED) == (!pkt->has_mac && !pkt->crypto_nak));
    for (size_t i = 0; i < N_KEYS; i++) {
        enum auth_verdict r = auth_check_reply(&keys[i], data, size, pkt);
        bool named = used != NULL && used->id == keys[i].id;
        CHECK((r == AUTH_OK) == named);
        CHECK(r != AUTH_UNEXPECTED);
    }
    enum auth_verdict none = auth_check_reply(NULL, data, size, pkt);
    CHECK(none == (v == AUTH_UNSIGNED ? AUTH_OK : AUTH_UNEXPECTED));
}

/* The input's first 48 octets as a header, signed with each key: verifies with that key only. */
static void check_resigned(const uint8_t *data, size_t size)
{
    uint8_t buf[NTP_HEADER_LEN + AUTH_MAX_MAC_LEN];
    struct ntp_packet pkt;

    if (size < NTP_HEADER_LEN)
        return;
    for (size_t i = 0; i < N_KEYS; i++) {
        memcpy(buf, data, NTP_HEADER_LEN);
        size_t len = auth_sign(&keys[i], buf, NTP_HEADER_LEN, sizeof(buf));
        CHECK(len == NTP_HEADER_LEN + 4 + auth_digest_len(keys[i].type));
        if (ntp_packet_decode(buf, len, &pkt) != 0)
            continue; /* a bad version or mode in the input */
        CHECK(auth_check_reply(&keys[i], buf, len, &pkt) == AUTH_OK);
        const struct auth_key *used;
        CHECK(auth_check_request(&ring, buf, len, &pkt, &used) == AUTH_OK &&
              used->id == keys[i].id);
    }
}

static void check_key_line(const uint8_t *data, size_t size)
{
    char line[256], msg[256];
    struct auth_key k;
    size_t n = size < sizeof(line) - 1 ? size : sizeof(line) - 1;

    memcpy(line, data, n);
    line[n] = '\0';
    enum auth_line r = auth_parse_key_line(line, &k, msg, sizeof(msg));
    CHECK(strlen(msg) < sizeof(msg));
    if (r == AUTH_LINE_KEY) {
        CHECK(k.id >= 1 && k.id <= AUTH_MAX_KEY_ID);
        CHECK(k.secret_len >= 1 && k.secret_len <= AUTH_MAX_SECRET);
        CHECK(k.type != AUTH_TYPE_AES128CMAC || k.secret_len == AUTH_CMAC_KEY_LEN);
    } else {
        CHECK(k.secret_len == 0);
        CHECK(r == AUTH_LINE_EMPTY || msg[0] != '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ntp_packet pkt;

    build_ring();
    if (ntp_packet_decode(data, size, &pkt) == 0)
        check_verdicts(data, size, &pkt);
    check_resigned(data, size);
    check_key_line(data, size);
    return 0;
}
