// SPDX-License-Identifier: ISC
/* SHA-1 against FIPS 180 test vectors; leap-seconds.list parsing (the IERS file of tzdata,
 * tests/data/leap-seconds.list), its hash, every rejection with its line, and lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/common/leapfile.h"
#include "daemon/common/sha1.h"

#define DAY 86400

static struct leap_table table;
static char err[256];

static void hex(const uint8_t *d, char *out)
{
    for (int i = 0; i < SHA1_DIGEST_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_sha1_vectors(void **state)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    };
    uint8_t d[SHA1_DIGEST_LEN];
    char h[2 * SHA1_DIGEST_LEN + 1];
    struct sha1 s;

    (void)state;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        sha1_init(&s);
        sha1_update(&s, v[i].in, strlen(v[i].in));
        sha1_final(&s, d);
        hex(d, h);
        assert_string_equal(h, v[i].out);
    }
    sha1_init(&s); /* a million 'a', fed in odd pieces */
    char a[997];
    memset(a, 'a', sizeof(a));
    for (size_t left = 1000000; left > 0;) {
        size_t n = left < sizeof(a) ? left : sizeof(a);
        sha1_update(&s, a, n);
        left -= n;
    }
    sha1_final(&s, d);
    hex(d, h);
    assert_string_equal(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static char *read_file(const char *path, size_t *len)
{
    static char buf[LEAP_MAX_FILE_SIZE];
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    *len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    return buf;
}

/* The IERS file tzdata ships: 28 entries, hash checked, 37 s since 2017. */
static void test_iers_file(void **state)
{
    size_t len;
    char *text = read_file(TSYNC_TEST_DATADIR "/leap-seconds.list", &len);
    struct leap_info li;

    (void)state;
    assert_int_equal(leap_parse(text, len, &table, err, sizeof(err)), 0);
    assert_true(table.has_hash);
    assert_int_equal(table.n, 28);
    assert_int_equal(table.when_s[0], 63072000); /* 1972-01-01 */
    assert_int_equal(table.tai_s[0], 10);
    assert_int_equal(table.expire_s, 3991593600ll - 2208988800ll); /* 2026-06-28 */
    leap_lookup(&table, 1464739200, &li);                          /* 2016-06-01 */
    assert_int_equal(li.tai_offset_s, 36);
    assert_int_equal(li.next_s, 1483228800); /* 2017-01-01: 23:59:60 on 2016-12-31 */
    assert_int_equal(li.next_sign, 1);
    assert_int_equal(li.last_s, 1483228800);
    assert_false(li.expired);
    assert_false(li.expires_soon);
    leap_lookup(&table, 1483228800, &li); /* the first second of 2017 */
    assert_int_equal(li.tai_offset_s, 37);
    assert_int_equal(li.next_s, 0);
    leap_lookup(&table, table.expire_s - 10 * DAY, &li);
    assert_true(li.expires_soon);
    leap_lookup(&table, table.expire_s, &li);
    assert_true(li.expired);
    leap_lookup(&table, 0, &li);
    assert_int_equal(li.tai_offset_s, 0);
    assert_int_equal(li.next_s, 63072000);
}

/* A small file with a #h line (hash_words: the five words padded with zeros or not) or
 * without (NULL). */
static size_t small_file(char *buf, size_t len, const char *extra, const char *hash_words)
{
    static const char *const lines[] = {"#$\t3676924800\n", "#@\t3912710400\n",
                                        "3644697600\t36\t# 1 Jul 2015\n",
                                        "3692217600\t37\t# 1 Jan 2017\n"};
    static const char *const digits[] = {"3676924800", "3912710400", "364469760036",
                                         "369221760037"};
    struct sha1 s;
    uint8_t d[SHA1_DIGEST_LEN];
    size_t n = 0;

    sha1_init(&s);
    for (int i = 0; i < 4; i++) {
        sha1_update(&s, digits[i], strlen(digits[i]));
        n += (size_t)snprintf(buf + n, len - n, "%s", lines[i]);
    }
    sha1_final(&s, d);
    n += (size_t)snprintf(buf + n, len - n, "%s", extra);
    if (hash_words != NULL) {
        n += (size_t)snprintf(buf + n, len - n, "#h");
        for (int w = 0; w < 5; w++) {
            unsigned v = (unsigned)d[4 * w] << 24 | (unsigned)d[4 * w + 1] << 16 |
                         (unsigned)d[4 * w + 2] << 8 | d[4 * w + 3];
            bool padded = strcmp(hash_words, "%08x") == 0;
            n += (size_t)(padded ? snprintf(buf + n, len - n, " %08x", v)
                                 : snprintf(buf + n, len - n, " %x", v));
        }
        n += (size_t)snprintf(buf + n, len - n, "\r\n");
    }
    return n;
}

static void test_hash_forms(void **state)
{
    char buf[1024];
    size_t n;

    (void)state;
    n = small_file(buf, sizeof(buf), "# comment\n\n", "%08x");
    assert_int_equal(leap_parse(buf, n, &table, err, sizeof(err)), 0);
    assert_true(table.has_hash);
    n = small_file(buf, sizeof(buf), "", "%x"); /* words without their leading zeros */
    assert_non_null(strstr(buf, " 84cf840 "));  /* the third word is 084cf840 */
    assert_int_equal(leap_parse(buf, n, &table, err, sizeof(err)), 0);
    n = small_file(buf, sizeof(buf), "", NULL); /* no #h: accepted, as ntpd */
    assert_int_equal(leap_parse(buf, n, &table, err, sizeof(err)), 0);
    assert_false(table.has_hash);
    assert_int_equal(table.n, 2);
}

static void expect_error(const char *text, const char *message)
{
    assert_int_equal(leap_parse(text, strlen(text), &table, err, sizeof(err)), -1);
    assert_string_equal(err, message);
    assert_int_equal(table.n, 0);
}

static void test_rejections(void **state)
{
    char buf[1024];
    size_t n;

    (void)state;
    n = small_file(buf, sizeof(buf), "", "%08x");
    buf[strstr(buf, "3692217600") - buf + 9] = '1'; /* one digit changed */
    assert_int_equal(leap_parse(buf, n, &table, err, sizeof(err)), -1);
    assert_string_equal(err,
                        "line 0: the #h hash does not match the data (corrupt or edited file)");
    expect_error("#@ 3912710400\n3644697600 36\n3692217600 38\n",
                 "line 3: the offset must change by one second");
    expect_error("#@ 3912710400\n3692217600 37\n3644697600 36\n", "line 3: times must grow");
    expect_error("3692217600 37\n", "line 0: no expiry (#@ line)");
    expect_error("#@ 3912710400\n#@ 3912710400\n", "line 2: a second #@ line");
    expect_error("#@ 3600000000\n3692217600 37\n", "line 0: expires before its last entry");
    expect_error("#@ 3912710400\n3692217600 37 x\n", "line 2: unexpected text after the offset");
    expect_error("#@ 3912710400\n3692217600\n", "line 2: \"NTP-seconds TAI-offset\" expected");
    expect_error("#@ 3912710400\n36922176000000000 37\n",
                 "line 2: \"NTP-seconds TAI-offset\" expected");
    expect_error("#@ 3912710400\n#h 1 2 3 4\n3692217600 37\n",
                 "line 2: #h: five hexadecimal words expected");
    expect_error("#@ soon\n", "line 1: #@: NTP seconds expected");
    expect_error("#@ 3912710400\n", "line 0: no leap second entries");
    assert_int_equal(leap_parse("3692217600 37\0", 14, &table, err, sizeof(err)), -1);
}

/* 2016-12-31 12:00 UTC (the last leap second ended that day), 2017-06-30 and an ordinary day */
#define DEC_31_2016 1483185600ll
#define JUN_30_2017 1498824000ll
#define MAR_17_2030 1900000000ll

static void test_leap_policy(void **state)
{
    struct leap_info file = {.next_s = 1483228800ll, .next_sign = 1, .expire_s = 1498867200ll};
    struct leap_info expired = file;
    int sign = 7;

    (void)state;
    expired.expired = true;
    /* only the last day of June or December, from the sources' vote without a file */
    assert_int_equal(leap_decide(MAR_17_2030, 1, NULL, &sign), LEAP_NOT_LEAP_DAY);
    assert_int_equal(sign, 0);
    assert_int_equal(leap_decide(MAR_17_2030, 0, NULL, &sign), LEAP_NONE);
    assert_int_equal(leap_decide(JUN_30_2017, 1, NULL, &sign), LEAP_ARM);
    assert_int_equal(sign, 1);
    assert_int_equal(leap_decide(JUN_30_2017, -1, NULL, &sign), LEAP_ARM);
    assert_int_equal(sign, -1);
    assert_int_equal(leap_decide(JUN_30_2017, 0, NULL, &sign), LEAP_NONE);
    /* a current file decides: its leap second tonight, even unannounced; none it does not list */
    assert_int_equal(leap_decide(DEC_31_2016, 0, &file, &sign), LEAP_ARM);
    assert_int_equal(sign, 1);
    assert_int_equal(leap_decide(DEC_31_2016, -1, &file, &sign), LEAP_ARM);
    assert_int_equal(sign, 1);
    assert_int_equal(leap_decide(JUN_30_2017, 1, &file, &sign), LEAP_NOT_IN_FILE);
    assert_int_equal(sign, 0);
    /* an expired file is ignored */
    assert_int_equal(leap_decide(JUN_30_2017, 1, &expired, &sign), LEAP_ARM);
    assert_int_equal(sign, 1);
    assert_int_equal(leap_decide(DEC_31_2016, 0, &expired, &sign), LEAP_NONE);
    /* the day before, the day after: nothing */
    assert_int_equal(leap_decide(DEC_31_2016 - 86400, 1, &file, &sign), LEAP_NOT_LEAP_DAY);
    assert_int_equal(leap_decide(DEC_31_2016 + 86400, 1, NULL, &sign), LEAP_NOT_LEAP_DAY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha1_vectors), cmocka_unit_test(test_iers_file),
        cmocka_unit_test(test_hash_forms),   cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_leap_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
