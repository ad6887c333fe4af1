// SPDX-License-Identifier: ISC
/* The NTS server's key ring and key file format, and its cookies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/nts/nts_cookie.h"
#include "daemon/nts/nts_keys.h"

static char err[160];

static void fill(struct nts_keyring *kr, unsigned n)
{
    uint8_t key[NTS_SERVER_KEY_LEN];

    memset(kr, 0, sizeof(*kr));
    for (unsigned i = 0; i < n; i++) {
        memset(key, (int)(0x10 * (i + 1)), sizeof(key));
        nts_keys_add(kr, 0xa0000000u + i, key, 1700000000 + 86400 * (int64_t)i);
    }
}

static void test_file_round_trip(void **state)
{
    struct nts_keyring in, out;
    char buf[NTS_KEYS_FILE_MAX];
    int n;

    (void)state;
    fill(&in, 3);
    n = nts_keys_format(&in, buf, sizeof(buf));
    assert_true(n > 0);
    assert_non_null(strstr(buf, "tsyncd-nts-keys 1\nkey a0000000 1700000000 1010"));
    assert_int_equal(nts_keys_parse(buf, (size_t)n, &out, err, sizeof(err)), 0);
    assert_int_equal(out.n, 3);
    assert_memory_equal(&out, &in, sizeof(in));
    assert_int_equal(nts_keys_format(&in, buf, 100), -1);
}

static void expect_bad(const char *text, const char *why)
{
    struct nts_keyring out;

    assert_int_equal(nts_keys_parse(text, strlen(text), &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, why));
}

static void test_file_errors(void **state)
{
    const char *k64 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    char text[512];

    (void)state;
    expect_bad("", "no key");
    expect_bad("tsyncd-nts-keys 1\n", "no key");
    expect_bad("key 00000001 5 00\n", "line 1: not a tsyncd NTS key file");
    expect_bad("tsyncd-nts-keys 1\nkey 00000001 5 0011\n", "line 2: malformed");
    snprintf(text, sizeof(text), "tsyncd-nts-keys 1\nkey 0000001 5 %s\n", k64);
    expect_bad(text, "line 2: malformed");
    snprintf(text, sizeof(text), "tsyncd-nts-keys 1\nkey 00000001 -5 %s\n", k64);
    expect_bad(text, "line 2: malformed");
    snprintf(text, sizeof(text), "tsyncd-nts-keys 1\nkey 00000001 5 %s extra\n", k64);
    expect_bad(text, "line 2: malformed");
    snprintf(text, sizeof(text), "tsyncd-nts-keys 1\nkey 00000001 5 %s\nkey 00000001 6 %s\n", k64,
             k64);
    expect_bad(text, "repeated");
    expect_bad("tsyncd-nts-keys 1\nkey\0", "line 2");
    snprintf(text, sizeof(text), "# comment\n\ntsyncd-nts-keys 1\nkey 0000000A 5 %s", k64);
    struct nts_keyring out;
    assert_int_equal(nts_keys_parse(text, strlen(text), &out, err, sizeof(err)), 0);
    assert_int_equal(out.keys[0].id, 10);
    assert_int_equal(out.keys[0].key[1], 0x11);
}

static void test_ring_rotation(void **state)
{
    struct nts_keyring kr;
    uint8_t key[NTS_SERVER_KEY_LEN] = {0};

    (void)state;
    memset(&kr, 0, sizeof(kr));
    assert_true(nts_keys_rotation_due(&kr, 86400, 1000) <= 0);
    nts_keys_add(&kr, 1, key, 1000);
    assert_true(nts_keys_rotation_due(&kr, 86400, 1000) == 86400);
    assert_true(nts_keys_rotation_due(&kr, 86400, 1000 + 86400) <= 0);
    assert_true(nts_keys_rotation_due(&kr, 86400, 999) <= 0); /* created in the future */
    nts_keys_add(&kr, 2, key, 2000);
    nts_keys_add(&kr, 3, key, 3000);
    nts_keys_add(&kr, 4, key, 4000);
    assert_int_equal(kr.n, NTS_SERVER_KEYS);
    assert_null(nts_keys_find(&kr, 1));
    assert_non_null(nts_keys_find(&kr, 2));
    assert_int_equal(kr.keys[kr.n - 1].id, 4);
}

static void test_cookie_round_trip(void **state)
{
    uint8_t c2s[NTS_KEY_LEN], s2c[NTS_KEY_LEN], c2s_out[NTS_KEY_LEN], s2c_out[NTS_KEY_LEN];
    uint8_t nonce[NTS_COOKIE_NONCE_LEN] = {9}, cookie[NTS_COOKIE_LEN];
    struct nts_cookie_jar jar, empty;
    struct nts_keyring kr;

    (void)state;
    memset(c2s, 1, sizeof(c2s));
    memset(s2c, 2, sizeof(s2c));
    fill(&kr, 2);
    nts_cookie_jar_set(&jar, &kr);
    assert_int_equal(nts_cookie_make(&jar, c2s, s2c, nonce, cookie), 0);
    assert_memory_equal(cookie, "\xa0\x00\x00\x01", 4); /* the current key's id */
    assert_int_equal(nts_cookie_open(&jar, cookie, sizeof(cookie), c2s_out, s2c_out),
                     NTS_COOKIE_OK);
    assert_memory_equal(c2s_out, c2s, sizeof(c2s));
    assert_memory_equal(s2c_out, s2c, sizeof(s2c));
    assert_int_equal(nts_cookie_open(&jar, cookie, sizeof(cookie) - 1, c2s_out, s2c_out),
                     NTS_COOKIE_BAD);
    cookie[30] ^= 4;
    assert_int_equal(nts_cookie_open(&jar, cookie, sizeof(cookie), c2s_out, s2c_out),
                     NTS_COOKIE_BAD);
    cookie[3] = 0x77;
    assert_int_equal(nts_cookie_open(&jar, cookie, sizeof(cookie), c2s_out, s2c_out),
                     NTS_COOKIE_UNKNOWN_KEY);
    memset(&kr, 0, sizeof(kr));
    nts_cookie_jar_set(&empty, &kr);
    assert_int_equal(nts_cookie_make(&empty, c2s, s2c, nonce, cookie), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_round_trip),
        cmocka_unit_test(test_file_errors),
        cmocka_unit_test(test_ring_rotation),
        cmocka_unit_test(test_cookie_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
