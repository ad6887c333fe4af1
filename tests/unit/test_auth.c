// SPDX-License-Identifier: ISC
/*
 * Symmetric-key MACs: known vectors (RFC 1321, FIPS 180 "abc", RFC 4493 example 3, and digests
 * of an NTP request computed independently with Python's hashlib and cryptography), the
 * verification verdicts of a client and a server, keys file lines, keyrings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/common/auth.h"

#define REQUEST_HEX                                                                                \
    "23000620000000000000000000000000000000000000000000000000000000000000000000000000e7a1b2c3d4e5" \
    "f607"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex) / 2;
    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
    return n;
}

static struct auth_key make_key(uint32_t id, enum auth_type type, const char *secret_hex)
{
    struct auth_key k = {.id = id, .type = type};
    k.secret_len = unhex(secret_hex, k.secret, sizeof(k.secret));
    return k;
}

static struct auth_key ascii_key(uint32_t id, enum auth_type type, const char *secret)
{
    struct auth_key k = {.id = id, .type = type, .secret_len = strlen(secret)};
    memcpy(k.secret, secret, k.secret_len);
    return k;
}

/* Signs data and checks the key id and the digest against want_hex. */
static void assert_mac(const struct auth_key *k, const uint8_t *data, size_t len,
                       const char *want_hex)
{
    uint8_t buf[128], want[AUTH_MAX_DIGEST_LEN];
    size_t dlen = unhex(want_hex, want, sizeof(want));

    memcpy(buf, data, len);
    assert_int_equal(auth_sign(k, buf, len, sizeof(buf)), len + 4 + dlen);
    assert_int_equal(dlen, auth_digest_len(k->type));
    assert_int_equal(buf[len] << 24 | buf[len + 1] << 16 | buf[len + 2] << 8 | buf[len + 3], k->id);
    assert_memory_equal(buf + len + 4, want, dlen);
}

/* Digest types: H(secret || packet); a one-octet secret "a" and the packet "bc" give H("abc"). */
static void test_digest_vectors(void **state)
{
    struct auth_key md5 = ascii_key(1, AUTH_TYPE_MD5, "a");
    struct auth_key sha1 = ascii_key(2, AUTH_TYPE_SHA1, "a");
    struct auth_key sha256 = ascii_key(3, AUTH_TYPE_SHA256, "a");

    (void)state;
    assert_mac(&md5, (const uint8_t *)"bc", 2, "900150983cd24fb0d6963f7d28e17f72");
    assert_mac(&sha1, (const uint8_t *)"bc", 2, "a9993e364706816aba3e25717850c26c9cd0d89d");
    /* SHA-256("abc") truncated to its first 20 octets */
    assert_mac(&sha256, (const uint8_t *)"bc", 2, "ba7816bf8f01cfea414140de5dae2223b00361a3");
}

/* AES-128-CMAC: RFC 4493 example 3 (40 octets). */
static void test_cmac_rfc4493(void **state)
{
    struct auth_key k = make_key(7, AUTH_TYPE_AES128CMAC, "2b7e151628aed2a6abf7158809cf4f3c");
    uint8_t m[40];
    size_t n = unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
                     "30c81c46a35ce411",
                     m, sizeof(m));

    (void)state;
    assert_mac(&k, m, n, "dfa66747de9ae63030ca32611497c827");
}

/* A 48-octet NTP request under each type (vectors from Python's hashlib / cryptography). */
static void test_ntp_request_vectors(void **state)
{
    uint8_t req[NTP_HEADER_LEN];
    struct auth_key md5 = ascii_key(10, AUTH_TYPE_MD5, "tsyncd-md5");
    struct auth_key sha1 = make_key(11, AUTH_TYPE_SHA1, "0123456789abcdef0123456789abcdef01234567");
    struct auth_key sha256 = ascii_key(12, AUTH_TYPE_SHA256, "sha256-secret");
    struct auth_key cmac = make_key(13, AUTH_TYPE_AES128CMAC, "2b7e151628aed2a6abf7158809cf4f3c");

    (void)state;
    assert_int_equal(unhex(REQUEST_HEX, req, sizeof(req)), NTP_HEADER_LEN);
    assert_mac(&md5, req, sizeof(req), "fe31ebe36fc6d9a63b6afc5782f45189");
    assert_mac(&sha1, req, sizeof(req), "af11d519c81b48b6913eaf02d93f86c39f3cce4a");
    assert_mac(&sha256, req, sizeof(req), "ef4e7ae755e3b6857fc05ea5538b8e959e11c4f8");
    assert_mac(&cmac, req, sizeof(req), "b6639b8e429ebc1e5aaf40f7dc94484d");
}

static void test_sign_limits(void **state)
{
    struct auth_key k = ascii_key(1, AUTH_TYPE_SHA1, "x");
    uint8_t buf[NTP_HEADER_LEN + AUTH_MAX_MAC_LEN] = {0x23};

    (void)state;
    assert_int_equal(auth_sign(NULL, buf, NTP_HEADER_LEN, sizeof(buf)), NTP_HEADER_LEN);
    assert_int_equal(auth_sign(&k, buf, NTP_HEADER_LEN, sizeof(buf) - 1), 0);
    assert_int_equal(auth_sign(&k, buf, NTP_HEADER_LEN, NTP_HEADER_LEN - 4), 0);
    assert_int_equal(auth_sign(&k, buf, NTP_HEADER_LEN, sizeof(buf)), sizeof(buf));
}

/* A signed reply of len octets in buf, decoded into pkt. */
static size_t signed_packet(const struct auth_key *k, uint8_t *buf, size_t cap,
                            struct ntp_packet *pkt)
{
    memset(buf, 0, cap);
    buf[0] = 4 << 3 | NTP_MODE_SERVER;
    buf[1] = 2;
    size_t len = auth_sign(k, buf, NTP_HEADER_LEN, cap);
    assert_true(len > 0);
    assert_int_equal(ntp_packet_decode(buf, len, pkt), 0);
    return len;
}

static void test_client_verdicts(void **state)
{
    struct auth_key k = ascii_key(5, AUTH_TYPE_MD5, "secret5");
    struct auth_key other = ascii_key(6, AUTH_TYPE_MD5, "secret5");
    struct auth_key sha = ascii_key(5, AUTH_TYPE_SHA1, "secret5");
    uint8_t buf[NTP_HEADER_LEN + AUTH_MAX_MAC_LEN];
    struct ntp_packet pkt;

    (void)state;
    size_t len = signed_packet(&k, buf, sizeof(buf), &pkt);
    assert_int_equal(auth_check_reply(&k, buf, len, &pkt), AUTH_OK);
    assert_int_equal(auth_check_reply(&other, buf, len, &pkt), AUTH_UNKNOWN_KEY);
    assert_int_equal(auth_check_reply(&sha, buf, len, &pkt), AUTH_BAD_MAC); /* 16 != 20 */
    assert_int_equal(auth_check_reply(NULL, buf, len, &pkt), AUTH_UNEXPECTED);
    for (size_t i = 0; i < len; i++) { /* any flipped bit, header or MAC */
        if (i >= NTP_HEADER_LEN && i < NTP_HEADER_LEN + 4)
            continue; /* the key id: another key */
        buf[i] ^= 0x01;
        assert_int_equal(ntp_packet_decode(buf, len, &pkt), 0);
        assert_int_equal(auth_check_reply(&k, buf, len, &pkt), AUTH_BAD_MAC);
        buf[i] ^= 0x01;
    }
    assert_int_equal(ntp_packet_decode(buf, NTP_HEADER_LEN, &pkt), 0);
    assert_int_equal(auth_check_reply(&k, buf, NTP_HEADER_LEN, &pkt), AUTH_UNSIGNED);
    assert_int_equal(auth_check_reply(NULL, buf, NTP_HEADER_LEN, &pkt), AUTH_OK);
    memset(buf + NTP_HEADER_LEN, 0, 4);
    assert_int_equal(ntp_packet_decode(buf, NTP_HEADER_LEN + 4, &pkt), 0);
    assert_int_equal(auth_check_reply(&k, buf, NTP_HEADER_LEN + 4, &pkt), AUTH_CRYPTO_NAK);
    assert_int_equal(auth_check_reply(NULL, buf, NTP_HEADER_LEN + 4, &pkt), AUTH_UNEXPECTED);
}

static void test_server_verdicts(void **state)
{
    struct auth_keyring ring = {0};
    struct auth_key k1 = ascii_key(1, AUTH_TYPE_SHA256, "one");
    struct auth_key k2 = make_key(2, AUTH_TYPE_AES128CMAC, "000102030405060708090a0b0c0d0e0f");
    struct auth_key stranger = ascii_key(3, AUTH_TYPE_MD5, "three");
    const struct auth_key *used;
    uint8_t buf[NTP_HEADER_LEN + AUTH_MAX_MAC_LEN];
    struct ntp_packet pkt;

    (void)state;
    assert_int_equal(auth_keyring_add(&ring, &k2), 0);
    assert_int_equal(auth_keyring_add(&ring, &k1), 0);
    size_t len = signed_packet(&k2, buf, sizeof(buf), &pkt);
    assert_int_equal(auth_check_request(&ring, buf, len, &pkt, &used), AUTH_OK);
    assert_non_null(used);
    assert_int_equal(used->id, 2);
    len = signed_packet(&k1, buf, sizeof(buf), &pkt);
    assert_int_equal(auth_check_request(&ring, buf, len, &pkt, &used), AUTH_OK);
    assert_int_equal(used->id, 1);
    buf[len - 1] ^= 1;
    assert_int_equal(auth_check_request(&ring, buf, len, &pkt, &used), AUTH_BAD_MAC);
    assert_null(used);
    len = signed_packet(&stranger, buf, sizeof(buf), &pkt);
    assert_int_equal(auth_check_request(&ring, buf, len, &pkt, &used), AUTH_UNKNOWN_KEY);
    assert_int_equal(ntp_packet_decode(buf, NTP_HEADER_LEN, &pkt), 0);
    assert_int_equal(auth_check_request(&ring, buf, NTP_HEADER_LEN, &pkt, &used), AUTH_UNSIGNED);
    memset(buf + NTP_HEADER_LEN, 0, 4);
    assert_int_equal(ntp_packet_decode(buf, NTP_HEADER_LEN + 4, &pkt), 0);
    assert_int_equal(auth_check_request(&ring, buf, NTP_HEADER_LEN + 4, &pkt, &used),
                     AUTH_CRYPTO_NAK);
    auth_keyring_clear(&ring);
}

static void test_type_names(void **state)
{
    static const struct {
        const char *name;
        enum auth_type type;
    } ok[] = {{"MD5", AUTH_TYPE_MD5},
              {"md5", AUTH_TYPE_MD5},
              {"M", AUTH_TYPE_MD5},
              {"SHA1", AUTH_TYPE_SHA1},
              {"sha-1", AUTH_TYPE_SHA1},
              {"SHA256", AUTH_TYPE_SHA256},
              {"SHA2-256", AUTH_TYPE_SHA256},
              {"AES128CMAC", AUTH_TYPE_AES128CMAC},
              {"aes", AUTH_TYPE_AES128CMAC},
              {"AES-128", AUTH_TYPE_AES128CMAC},
              {"AES128", AUTH_TYPE_AES128CMAC}};
    enum auth_type t;

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        assert_true(auth_type_from_name(ok[i].name, &t));
        assert_int_equal(t, ok[i].type);
    }
    assert_false(auth_type_from_name("SHA512", &t));
    assert_false(auth_type_from_name("AES256", &t));
    assert_false(auth_type_from_name("MD4", &t)); /* not MD5 "because it starts with M" */
    assert_string_equal(auth_type_name(AUTH_TYPE_AES128CMAC), "AES128CMAC");
}

static enum auth_line parse(const char *line, struct auth_key *k, char *msg)
{
    return auth_parse_key_line(line, k, msg, 200);
}

static void test_key_lines(void **state)
{
    struct auth_key k;
    char msg[200];

    (void)state;
    assert_int_equal(parse("", &k, msg), AUTH_LINE_EMPTY);
    assert_int_equal(parse("   # 1 MD5 comment", &k, msg), AUTH_LINE_EMPTY);
    assert_int_equal(parse("1 M tsyncd # trailing comment", &k, msg), AUTH_LINE_KEY);
    assert_string_equal(msg, "");
    assert_int_equal(k.id, 1);
    assert_int_equal(k.type, AUTH_TYPE_MD5);
    assert_int_equal(k.secret_len, 6);
    assert_memory_equal(k.secret, "tsyncd", 6);
    /* 20 characters are still ASCII, even when they look like hex */
    assert_int_equal(parse("65535\tSHA1 0123456789abcdef0123", &k, msg), AUTH_LINE_KEY);
    assert_int_equal(k.secret_len, 20);
    assert_memory_equal(k.secret, "0123456789abcdef0123", 20);
    /* 40 hex digits: 20 octets */
    assert_int_equal(parse("2 sha256 000102030405060708090a0b0c0d0e0f10111213", &k, msg),
                     AUTH_LINE_KEY);
    assert_int_equal(k.secret_len, 20);
    assert_int_equal(k.secret[19], 0x13);
    /* ASCII keys end at '#' as in ntpd */
    assert_int_equal(parse("3 MD5 ab#cd", &k, msg), AUTH_LINE_KEY);
    assert_int_equal(k.secret_len, 2);
}

static void test_key_line_warnings(void **state)
{
    struct auth_key k;
    char msg[200], line[160];

    (void)state;
    /* 70 hex digits: the first 64 kept */
    snprintf(line, sizeof(line), "4 SHA1 %s",
             "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff001122");
    assert_int_equal(parse(line, &k, msg), AUTH_LINE_KEY);
    assert_int_equal(k.secret_len, AUTH_MAX_SECRET);
    assert_non_null(strstr(msg, "truncated to 32 octets"));
    assert_int_equal(parse("5 SHA1 0123456789abcdef0123456789abcdef012345678", &k, msg),
                     AUTH_LINE_KEY);
    assert_int_equal(k.secret_len, 20);
    assert_non_null(strstr(msg, "odd number of hex digits"));
    /* AES-128-CMAC: padded to 16 octets with zeros (as NTPsec) */
    assert_int_equal(parse("6 AES128CMAC short", &k, msg), AUTH_LINE_KEY);
    assert_int_equal(k.secret_len, AUTH_CMAC_KEY_LEN);
    assert_memory_equal(k.secret, "short\0\0\0\0\0\0\0\0\0\0\0", 16);
    assert_non_null(strstr(msg, "padded with zeros"));
    assert_int_equal(parse("7 AES 000102030405060708090a0b0c0d0e0f", &k, msg), AUTH_LINE_KEY);
    assert_string_equal(msg, "");
    assert_int_equal(parse("8 MD5 key extra", &k, msg), AUTH_LINE_KEY);
    assert_non_null(strstr(msg, "extra words"));
}

static void test_key_line_errors(void **state)
{
    static const struct {
        const char *line, *msg;
    } bad[] = {
        {"0 MD5 zero", "invalid key id \"0\" (1 to 65535)"},
        {"65536 MD5 big", "invalid key id \"65536\" (1 to 65535)"},
        {"12x MD5 x", "invalid key id \"12x\" (1 to 65535)"},
        {"-1 MD5 x", "invalid key id \"-1\" (1 to 65535)"},
        {"9", "key 9: missing type"},
        {"9 MD5", "key 9: missing key"},
        {"9 MD5 # commented", "key 9: missing key"},
        {"9 SHA512 x", "key 9: unsupported type \"SHA512\" (MD5, SHA1, SHA256 or AES128CMAC)"},
        {"9 SHA1 0123456789abcdef0123456789abcdefg1234567",
         "key 9: invalid hex digit 'g' (a key of more than 20 characters is hex)"},
    };
    struct auth_key k;
    char msg[200];

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(parse(bad[i].line, &k, msg), AUTH_LINE_ERROR);
        assert_string_equal(msg, bad[i].msg);
        assert_int_equal(k.secret_len, 0);
    }
}

static void test_keyring(void **state)
{
    struct auth_keyring r = {0};
    const uint32_t ids[] = {40, 3, 65535, 17, 1, 3};

    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        struct auth_key k = ascii_key(ids[i], AUTH_TYPE_MD5, i == 5 ? "later" : "first");
        assert_int_equal(auth_keyring_add(&r, &k), i == 5 ? 1 : 0);
    }
    assert_int_equal(r.n, 5);
    for (size_t i = 1; i < r.n; i++)
        assert_true(r.keys[i - 1].id < r.keys[i].id);
    assert_null(auth_keyring_find(&r, 2));
    assert_null(auth_keyring_find(&r, 0));
    assert_non_null(auth_keyring_find(&r, 65535));
    const struct auth_key *k3 = auth_keyring_find(&r, 3);
    assert_non_null(k3);
    assert_memory_equal(k3->secret, "later", 5); /* the last definition wins, as in ntpd */
    auth_keyring_clear(&r);
    assert_int_equal(r.n, 0);
    assert_null(auth_keyring_find(&r, 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_vectors),
        cmocka_unit_test(test_cmac_rfc4493),
        cmocka_unit_test(test_ntp_request_vectors),
        cmocka_unit_test(test_sign_limits),
        cmocka_unit_test(test_client_verdicts),
        cmocka_unit_test(test_server_verdicts),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_key_lines),
        cmocka_unit_test(test_key_line_warnings),
        cmocka_unit_test(test_key_line_errors),
        cmocka_unit_test(test_keyring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
