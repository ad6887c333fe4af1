// SPDX-License-Identifier: ISC
/* MD5 against the test suite of RFC 1321 (appendix A.5) and the refid use. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/common/md5.h"

static void hex(const uint8_t d[16], char out[33])
{
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void test_rfc1321_suite(void **state)
{
    static const struct {
        const char *in, *out;
    } v[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"1234567890123456789012345678901234567890123456789012345678901234567890123456789"
         "0",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    uint8_t d[16];
    char h[33];

    (void)state;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        md5_digest((const uint8_t *)v[i].in, strlen(v[i].in), d);
        hex(d, h);
        assert_string_equal(h, v[i].out);
    }
}

/* Lengths around the padding boundary (55, 56, 63, 64 octets) differ from each other. */
static void test_padding_boundaries(void **state)
{
    uint8_t buf[130], d[4][16];
    const size_t lens[4] = {55, 56, 63, 64};

    (void)state;
    memset(buf, 'x', sizeof(buf));
    for (int i = 0; i < 4; i++)
        md5_digest(buf, lens[i], d[i]);
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            assert_memory_not_equal(d[i], d[j], 16);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc1321_suite),
        cmocka_unit_test(test_padding_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
