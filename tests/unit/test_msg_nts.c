// SPDX-License-Identifier: ISC
/* The NTS messages of the inter-process schema (keys, NTS-KE requests, results, cookies):
 * every field check of msg_validate() for them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "tests/unit/msg_frame.h"

/* A frame of type filled by fill (valid), validated with sequence 1. */
static int nts_frame(uint16_t type, void (*fill)(struct frame *f), void (*spoil)(struct frame *f))
{
    static struct frame f;
    uint32_t seq = 1;
    char err[160];
    size_t len = frame(&f, type, 1);

    memset(&f.u, 0, sizeof(f.u));
    fill(&f);
    if (spoil != NULL)
        spoil(&f);
    return validate(&f, len, &seq, err);
}

static void fill_keys(struct frame *f)
{
    f->u.keys.count = 2;
    f->u.keys.keys[0] = (struct msg_nts_key){.id = 1, .created = 10};
    f->u.keys.keys[1] = (struct msg_nts_key){.id = 2, .created = 20};
}
static void keys_too_many(struct frame *f)
{
    f->u.keys.count = MSG_NTS_SERVER_KEYS + 1;
}
static void keys_same_id(struct frame *f)
{
    f->u.keys.keys[1].id = 1;
}
static void keys_negative_time(struct frame *f)
{
    f->u.keys.keys[0].created = -1;
}
static void keys_unused_not_zero(struct frame *f)
{
    f->u.keys.keys[2].key[0] = 1; /* beyond count */
}

static void fill_request(struct frame *f)
{
    f->u.ke_req = (struct msg_ntske_request){.id = 5, .family = AF_INET, .port = 4460};
    strcpy(f->u.ke_req.host, "nts.example.net");
}
static void request_bad_host(struct frame *f)
{
    strcpy(f->u.ke_req.host, "nts.example.net/x");
}
static void request_no_host(struct frame *f)
{
    f->u.ke_req.host[0] = '\0';
}
static void request_bad_port(struct frame *f)
{
    f->u.ke_req.port = 0;
}
static void request_ipv4_tail(struct frame *f)
{
    f->u.ke_req.addr[15] = 1; /* an IPv4 address has 4 octets */
}

static void fill_result(struct frame *f)
{
    f->u.ke_res = (struct msg_ntske_result){.id = 5, .status = MSG_NTSKE_OK, .ncookies = 2};
    f->u.ke_res.cookie_len[0] = f->u.ke_res.cookie_len[1] = 100;
    strcpy(f->u.ke_res.ntp_server, "ntp.example.net");
}
static void result_no_cookie(struct frame *f)
{
    f->u.ke_res.ncookies = 0;
}
static void result_long_cookie(struct frame *f)
{
    f->u.ke_res.cookie_len[1] = MSG_NTS_COOKIE_LEN + 1;
}
static void result_stray_length(struct frame *f)
{
    f->u.ke_res.cookie_len[2] = 4; /* beyond ncookies */
}
static void result_failure_with_cookies(struct frame *f)
{
    f->u.ke_res.status = MSG_NTSKE_CERT;
}
static void result_failure(struct frame *f)
{
    memset(&f->u.ke_res, 0, sizeof(f->u.ke_res));
    f->u.ke_res.status = MSG_NTSKE_CERT;
    strcpy(f->u.ke_res.reason, "expired");
}
static void result_bad_status(struct frame *f)
{
    result_failure(f);
    f->u.ke_res.status = MSG_NTSKE_STATUS_COUNT;
}
static void result_bad_reason(struct frame *f)
{
    result_failure(f);
    f->u.ke_res.reason[0] = '\n';
}
static void result_bad_server(struct frame *f)
{
    strcpy(f->u.ke_res.ntp_server, "a b");
}
static void result_cookie_tail(struct frame *f)
{
    f->u.ke_res.cookies[0][100] = 1; /* past the cookie's length */
}
static void result_failure_with_keys(struct frame *f)
{
    result_failure(f);
    f->u.ke_res.c2s[3] = 1;
}

static void fill_cookie_req(struct frame *f)
{
    f->u.cookie_req.count = MSG_NTS_COOKIES;
}
static void cookie_req_none(struct frame *f)
{
    f->u.cookie_req.count = 0;
}
static void fill_cookies(struct frame *f)
{
    f->u.cookies.count = 1;
    f->u.cookies.cookie_len[0] = 100;
}
static void cookies_too_many(struct frame *f)
{
    f->u.cookies.count = MSG_NTS_COOKIES + 1;
}
static void cookies_unused_not_zero(struct frame *f)
{
    f->u.cookies.cookies[1][0] = 1; /* beyond count */
}
static void fill_listen(struct frame *f)
{
    f->u.listen.family = AF_INET6;
}
static void listen_bad_family(struct frame *f)
{
    f->u.listen.family = AF_UNIX;
}

void test_nts_messages(void **state)
{
    (void)state;
    assert_int_equal(nts_frame(MSG_NTS_KEYS, fill_keys, NULL), 0);
    assert_int_equal(nts_frame(MSG_NTS_KEYS, fill_keys, keys_too_many), -1);
    assert_int_equal(nts_frame(MSG_NTS_KEYS, fill_keys, keys_same_id), -1);
    assert_int_equal(nts_frame(MSG_NTS_KEYS, fill_keys, keys_negative_time), -1);
    assert_int_equal(nts_frame(MSG_NTS_KEYS, fill_keys, keys_unused_not_zero), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_REQUEST, fill_request, request_ipv4_tail), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_cookie_tail), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_failure_with_keys), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_COOKIES, fill_cookies, cookies_unused_not_zero), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_REQUEST, fill_request, NULL), 0);
    assert_int_equal(nts_frame(MSG_NTSKE_REQUEST, fill_request, request_bad_host), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_REQUEST, fill_request, request_no_host), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_REQUEST, fill_request, request_bad_port), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, NULL), 0);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_failure), 0);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_no_cookie), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_long_cookie), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_stray_length), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_failure_with_cookies), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_bad_status), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_bad_reason), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_RESULT, fill_result, result_bad_server), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_COOKIE_REQ, fill_cookie_req, NULL), 0);
    assert_int_equal(nts_frame(MSG_NTSKE_COOKIE_REQ, fill_cookie_req, cookie_req_none), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_COOKIES, fill_cookies, NULL), 0);
    assert_int_equal(nts_frame(MSG_NTSKE_COOKIES, fill_cookies, cookies_too_many), -1);
    assert_int_equal(nts_frame(MSG_NTSKE_LISTEN, fill_listen, NULL), 0);
    assert_int_equal(nts_frame(MSG_NTSKE_LISTEN, fill_listen, listen_bad_family), -1);
}
