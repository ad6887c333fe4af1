// SPDX-License-Identifier: ISC
/* NTS-KE records (RFC 8915 section 4): wire formats, round trips, every rejection rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/nts/ntske_records.h"

static char err[160];

/* The request of RFC 8915 figure 3 for NTPv4 with AEAD_AES_SIV_CMAC_256, octet by octet. */
static const uint8_t request_wire[] = {
    0x80, 0x01, 0x00, 0x02, 0x00, 0x00, /* critical Next Protocol: NTPv4 */
    0x80, 0x04, 0x00, 0x02, 0x00, 0x0f, /* critical AEAD: 15 */
    0x80, 0x00, 0x00, 0x00,             /* critical End of Message */
};

static void test_request_wire_format(void **state)
{
    uint8_t buf[64];

    (void)state;
    assert_int_equal(ntske_encode_request(buf, sizeof(buf)), sizeof(request_wire));
    assert_memory_equal(buf, request_wire, sizeof(request_wire));
    assert_int_equal(ntske_encode_request(buf, sizeof(request_wire) - 1), -1);
}

static void test_request_decoded(void **state)
{
    struct ntske_request q;

    (void)state;
    assert_int_equal(ntske_decode_request(request_wire, sizeof(request_wire), &q, err, sizeof(err)),
                     0);
    assert_true(q.ntpv4);
    assert_true(q.siv_cmac_256);
    assert_int_equal(q.error, -1);
}

static int decode_req(const uint8_t *b, size_t n, struct ntske_request *q)
{
    return ntske_decode_request(b, n, q, err, sizeof(err));
}

static void test_request_errors(void **state)
{
    struct ntske_request q;
    /* AEAD 30 (AES-128-GCM-SIV) only: no algorithm in common */
    const uint8_t other_aead[] = {0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0, 30, 0x80, 0, 0, 0};
    const uint8_t no_protocol[] = {0x80, 4, 0, 2, 0, 15, 0x80, 0, 0, 0};
    const uint8_t critical_unknown[] = {0x80, 1,    0,    2, 0, 0, 0x80, 4, 0, 2, 0,
                                        15,   0x80, 0x40, 0, 1, 9, 0x80, 0, 0, 0};
    const uint8_t plain_unknown[] = {0x80, 1,    0,    2, 0, 0, 0x80, 4, 0, 2, 0,
                                     15,   0x00, 0x40, 0, 1, 9, 0x80, 0, 0, 0};
    const uint8_t trailing[] = {0x80, 1, 0, 2, 0, 0, 0x80, 0, 0, 0, 0xff};
    const uint8_t odd_list[] = {0x80, 1, 0, 3, 0, 0, 0, 0x80, 0, 0, 0};
    const uint8_t from_server[] = {0x80, 1,    0, 2, 0, 0, 0x80, 4, 0, 2, 0,
                                   15,   0x00, 5, 0, 1, 7, 0x80, 0, 0, 0};

    (void)state;
    assert_int_equal(decode_req(other_aead, sizeof(other_aead), &q), 0);
    assert_int_equal(q.error, NTSKE_ERR_BAD_REQUEST);
    assert_int_equal(decode_req(no_protocol, sizeof(no_protocol), &q), 0);
    assert_int_equal(q.error, NTSKE_ERR_BAD_REQUEST);
    assert_int_equal(decode_req(critical_unknown, sizeof(critical_unknown), &q), 0);
    assert_int_equal(q.error, NTSKE_ERR_UNRECOGNIZED_CRITICAL);
    assert_int_equal(decode_req(plain_unknown, sizeof(plain_unknown), &q), 0);
    assert_int_equal(q.error, -1);
    assert_int_equal(q.unknown, 1);
    assert_int_equal(decode_req(trailing, sizeof(trailing), &q), -1);
    assert_int_equal(decode_req(request_wire, sizeof(request_wire) - 4, &q), -1); /* no End */
    assert_int_equal(decode_req(odd_list, sizeof(odd_list), &q), 0);
    assert_int_equal(q.error, NTSKE_ERR_BAD_REQUEST);
    assert_int_equal(decode_req(from_server, sizeof(from_server), &q), 0);
    assert_int_equal(q.error, NTSKE_ERR_BAD_REQUEST);
}

static void fill_response(struct ntske_response *r, unsigned n)
{
    memset(r, 0, sizeof(*r));
    r->ncookies = n;
    for (unsigned i = 0; i < n; i++) {
        r->cookie_len[i] = (uint16_t)(100 + i);
        memset(r->cookies[i], 0x40 + (int)i, r->cookie_len[i]);
    }
}

static void test_response_round_trip(void **state)
{
    struct ntske_response in, out;
    uint8_t buf[4096];
    int n;

    (void)state;
    fill_response(&in, NTS_MAX_COOKIES);
    strcpy(in.server, "ntp1.example.net");
    in.port = 1123;
    n = ntske_encode_response(&in, buf, sizeof(buf));
    assert_true(n > 0);
    /* starts with critical Next Protocol NTPv4 and AEAD 15, ends with End of Message */
    assert_memory_equal(buf, request_wire, 12);
    assert_memory_equal(buf + n - 4, "\x80\x00\x00\x00", 4);
    assert_int_equal(ntske_message_length(buf, (size_t)n), n);
    assert_int_equal(ntske_decode_response(buf, (size_t)n, &out, err, sizeof(err)), 0);
    assert_int_equal(out.ncookies, NTS_MAX_COOKIES);
    for (unsigned i = 0; i < NTS_MAX_COOKIES; i++) {
        assert_int_equal(out.cookie_len[i], in.cookie_len[i]);
        assert_memory_equal(out.cookies[i], in.cookies[i], in.cookie_len[i]);
    }
    assert_string_equal(out.server, "ntp1.example.net");
    assert_int_equal(out.port, 1123);
}

/* A response as RFC 8915 section 4 lays it out: one cookie record of 4 octets "abcd". */
static void test_response_wire_format(void **state)
{
    const uint8_t wire[] = {0x80, 1, 0, 2, 0,   0,   0x80, 4,   0,    2, 0, 15,
                            0x00, 5, 0, 4, 'a', 'b', 'c',  'd', 0x80, 0, 0, 0};
    struct ntske_response out;

    (void)state;
    assert_int_equal(ntske_decode_response(wire, sizeof(wire), &out, err, sizeof(err)), 0);
    assert_int_equal(out.ncookies, 1);
    assert_int_equal(out.cookie_len[0], 4);
    assert_memory_equal(out.cookies[0], "abcd", 4);
    assert_string_equal(out.server, "");
    assert_int_equal(out.port, 0);
}

static void expect_rejected(const uint8_t *wire, size_t n, const char *why)
{
    struct ntske_response out;

    assert_int_equal(ntske_decode_response(wire, n, &out, err, sizeof(err)), -1);
    assert_non_null(strstr(err, why));
}

static void test_response_rejections(void **state)
{
#define HEAD   0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0, 15
#define COOKIE 0, 5, 0, 4, 1, 2, 3, 4
#define END    0x80, 0, 0, 0
    const uint8_t error[] = {0x80, 2, 0, 2, 0, 1, END};
    const uint8_t warning[] = {HEAD, COOKIE, 0x80, 3, 0, 2, 0, 7, END};
    const uint8_t other_proto[] = {0x80, 1, 0, 2, 0x80, 0, 0x80, 4, 0, 2, 0, 15, COOKIE, END};
    const uint8_t empty_proto[] = {0x80, 1, 0, 0, 0x80, 4, 0, 2, 0, 15, COOKIE, END};
    const uint8_t other_aead[] = {0x80, 1, 0, 2, 0, 0, 0x80, 4, 0, 2, 0, 30, COOKIE, END};
    const uint8_t no_cookie[] = {HEAD, END};
    const uint8_t no_aead[] = {0x80, 1, 0, 2, 0, 0, COOKIE, END};
    const uint8_t crit[] = {HEAD, COOKIE, 0x80, 0x55, 0, 0, END};
    const uint8_t dup[] = {HEAD, 0x80, 1, 0, 2, 0, 0, COOKIE, END};
    const uint8_t trailing[] = {HEAD, COOKIE, END, 0};
    const uint8_t bad_server[] = {HEAD, COOKIE, 0x80, 6, 0, 3, 'a', ' ', 'b', END};
    const uint8_t bad_port[] = {HEAD, COOKIE, 0x80, 7, 0, 1, 1, END};
    const uint8_t unterminated[] = {HEAD, COOKIE};
    const uint8_t empty_cookie[] = {HEAD, 0, 5, 0, 0, END};
    const uint8_t quiet_unknown[] = {HEAD, COOKIE, 0x00, 0x55, 0, 1, 9, END};
    struct ntske_response out;

    (void)state;
    expect_rejected(error, sizeof(error), "bad request");
    expect_rejected(warning, sizeof(warning), "warning");
    expect_rejected(other_proto, sizeof(other_proto), "NTPv4");
    expect_rejected(empty_proto, sizeof(empty_proto), "NTPv4");
    expect_rejected(other_aead, sizeof(other_aead), "AEAD_AES_SIV_CMAC_256");
    expect_rejected(no_cookie, sizeof(no_cookie), "no cookie");
    expect_rejected(no_aead, sizeof(no_aead), "no AEAD");
    expect_rejected(crit, sizeof(crit), "unrecognized critical");
    expect_rejected(dup, sizeof(dup), "duplicate");
    expect_rejected(trailing, sizeof(trailing), "after End");
    expect_rejected(bad_server, sizeof(bad_server), "Server Negotiation");
    expect_rejected(bad_port, sizeof(bad_port), "Port Negotiation");
    expect_rejected(unterminated, sizeof(unterminated), "no End");
    expect_rejected(empty_cookie, sizeof(empty_cookie), "cookie of 0");
    assert_int_equal(
        ntske_decode_response(quiet_unknown, sizeof(quiet_unknown), &out, err, sizeof(err)), 0);
}

static void test_cookie_limits(void **state)
{
    uint8_t buf[8192];
    struct ntske_response in, out;
    int n;

    (void)state;
    fill_response(&in, 1);
    in.cookie_len[0] = NTS_COOKIE_MAX + 1;
    n = ntske_encode_response(&in, buf, sizeof(buf));
    assert_true(n > 0);
    expect_rejected(buf, (size_t)n, "cookie of 257");
    /* ten cookies: the first NTS_MAX_COOKIES are kept */
    size_t at = 12;
    memcpy(buf, request_wire, 12);
    for (int i = 0; i < 10; i++) {
        memcpy(buf + at, "\x00\x05\x00\x02", 4);
        buf[at + 4] = (uint8_t)i;
        buf[at + 5] = 0;
        at += 6;
    }
    memcpy(buf + at, "\x80\x00\x00\x00", 4);
    at += 4;
    assert_int_equal(ntske_decode_response(buf, at, &out, err, sizeof(err)), 0);
    assert_int_equal(out.ncookies, NTS_MAX_COOKIES);
    assert_int_equal(out.cookies[7][0], 7);
    fill_response(&in, 0);
    assert_int_equal(ntske_encode_response(&in, buf, sizeof(buf)), -1);
}

static void test_error_encoding(void **state)
{
    uint8_t buf[16];
    const uint8_t want[] = {0x80, 2, 0, 2, 0, 2, 0x80, 0, 0, 0};

    (void)state;
    assert_int_equal(ntske_encode_error(NTSKE_ERR_INTERNAL, buf, sizeof(buf)), sizeof(want));
    assert_memory_equal(buf, want, sizeof(want));
    assert_string_equal(ntske_error_name(NTSKE_ERR_UNRECOGNIZED_CRITICAL),
                        "unrecognized critical record");
}

static void test_message_length(void **state)
{
    uint8_t big[NTSKE_MAX_MESSAGE + 8] = {0};

    (void)state;
    for (size_t i = 0; i < sizeof(request_wire); i++)
        assert_int_equal(ntske_message_length(request_wire, i), 0);
    assert_int_equal(ntske_message_length(request_wire, sizeof(request_wire)),
                     sizeof(request_wire));
    /* End with a body: never valid */
    assert_int_equal(ntske_message_length((const uint8_t *)"\x80\x00\x00\x01\x00", 5), -1);
    /* a record that would overrun the limit */
    big[0] = 0;
    big[1] = 5;
    big[2] = 0xff;
    big[3] = 0xff;
    assert_int_equal(ntske_message_length(big, 8), -1);
    /* many small records without End reaching the limit */
    for (size_t i = 0; i + 4 <= sizeof(big); i += 4) {
        big[i] = 0;
        big[i + 1] = 5;
        big[i + 2] = 0;
        big[i + 3] = 0;
    }
    assert_int_equal(ntske_message_length(big, sizeof(big)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_wire_format),  cmocka_unit_test(test_request_decoded),
        cmocka_unit_test(test_request_errors),       cmocka_unit_test(test_response_round_trip),
        cmocka_unit_test(test_response_wire_format), cmocka_unit_test(test_response_rejections),
        cmocka_unit_test(test_cookie_limits),        cmocka_unit_test(test_error_encoding),
        cmocka_unit_test(test_message_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
