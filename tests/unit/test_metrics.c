// SPDX-License-Identifier: ISC
/* The metrics encoder over constructed snapshots, and the metrics listener's HTTP parser. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/control/http.h"
#include "daemon/control/metrics.h"
#include "discipline/discipline.h"

static struct msg_snapshot snap;

static int reset(void **state)
{
    (void)state;
    memset(&snap, 0, sizeof(snap));
    snap.sys_peer_slot = -1;
    snap.stratum = 16;
    snap.leap = 3;
    snap.poll_log2 = 6;
    return 0;
}

static struct msg_source_state *add_source(int slot, const char *name, const char *addr)
{
    struct msg_source_state *s = &snap.sources[slot];

    s->slot = (uint32_t)slot;
    s->in_use = 1;
    s->tally = '*';
    s->reach = 0377;
    s->samples = 4;
    s->age_s = 3;
    s->poll_log2 = 4;
    s->ts_source = s->tx_source = s->rx_source = DISC_TS_KERNEL;
    msg_copy_str(s->name, sizeof(s->name), name);
    msg_copy_str(s->addr, sizeof(s->addr), addr);
    snap.nsources++;
    return s;
}

static char *encode(void)
{
    size_t need = metrics_encode(&snap, NULL, 0);
    char *text = malloc(need + 1);

    assert_non_null(text);
    assert_int_equal(metrics_encode(&snap, text, need + 1), need);
    assert_int_equal(strlen(text), need);
    return text;
}

static void test_synchronised_system(void **state)
{
    char *text;

    (void)state;
    snap.sync_state = MSG_SYNC_SYNCHRONISED;
    snap.stratum = 2;
    snap.leap = 0;
    snap.offset_s = -0.000125;
    snap.steps = 3;
    snap.freq_ppm = 12.5;
    msg_copy_str(snap.driver, sizeof(snap.driver), "virtual");
    text = encode();
    assert_non_null(
        strstr(text, "# TYPE ntp_system_synchronised gauge\nntp_system_synchronised 1\n"));
    assert_non_null(strstr(text, "\nntp_system_stratum 2\n"));
    assert_non_null(strstr(text, "\nntp_system_offset_seconds -0.000125\n"));
    assert_non_null(
        strstr(text, "# TYPE ntp_system_steps_total counter\nntp_system_steps_total 3\n"));
    assert_non_null(strstr(text, "\nntp_system_frequency_ppm 12.5\n"));
    assert_non_null(strstr(text, "\nntp_system_poll_interval_seconds 64\n"));
    assert_non_null(strstr(text, "\nntp_clock_driver_info{driver=\"virtual\"} 1\n"));
    assert_non_null(strstr(text, "ntp_system_unsynchronised_reason{reason=\"unreachable\"} 0\n"));
    assert_null(strstr(text, "ntp_system_unsynchronised_reason{reason=\"none\"}"));
    free(text);
}

static void test_unsynchronised_reason(void **state)
{
    char *text;

    (void)state;
    snap.sync_state = MSG_SYNC_UNSYNCHRONISED;
    snap.sync_reason = DISC_SYNC_NO_MAJORITY;
    text = encode();
    assert_non_null(strstr(text, "\nntp_system_synchronised 0\n"));
    assert_non_null(strstr(text, "ntp_system_unsynchronised_reason{reason=\"no_majority\"} 1\n"));
    assert_non_null(strstr(text, "ntp_system_unsynchronised_reason{reason=\"unreachable\"} 0\n"));
    free(text);
}

static void test_sources_labels_and_values(void **state)
{
    struct msg_source_state *s;
    char *text;

    (void)state;
    s = add_source(0, "ntp.example", "192.0.2.1");
    s->offset_s = 0.0015;
    s->root_distance_s = 0.002;
    s->freq_ppm = -10;
    snap.freq_ppm = 9.5; /* residual: -(-10 + 9.5) = 0.5 */
    s = add_source(1, "odd \"name\" \\ here", "192.0.2.1:124");
    s->tally = ' ';
    s->reason = DISC_REASON_FALSETICKER;
    s->age_s = -1;
    s->tx_source = DISC_TS_HARDWARE;
    text = encode();
    assert_non_null(strstr(
        text, "ntp_source_offset_seconds{name=\"ntp.example\",address=\"192.0.2.1\"} 0.0015\n"));
    assert_non_null(strstr(
        text,
        "ntp_source_error_bound_seconds{name=\"ntp.example\",address=\"192.0.2.1\"} 0.002\n"));
    assert_non_null(strstr(
        text,
        "ntp_source_residual_frequency_ppm{name=\"ntp.example\",address=\"192.0.2.1\"} 0.5\n"));
    assert_non_null(
        strstr(text, "ntp_source_reach{name=\"ntp.example\",address=\"192.0.2.1\"} 255\n"));
    assert_non_null(strstr(text, "ntp_source_state_info{name=\"ntp.example\",address=\"192.0.2.1\","
                                 "state=\"system_peer\",reason=\"selectable\"} 1\n"));
    /* label values escaped; no sample yet: age NaN, timestamp kind none */
    assert_non_null(strstr(text, "{name=\"odd \\\"name\\\" \\\\ here\",address=\"192.0.2.1:124\","
                                 "state=\"not_selectable\",reason=\"falseticker\"} 1\n"));
    assert_non_null(strstr(text, "ntp_source_last_sample_age_seconds{name=\"odd \\\"name\\\" \\\\ "
                                 "here\",address=\"192.0.2.1:124\"} NaN\n"));
    assert_non_null(
        strstr(text, "address=\"192.0.2.1:124\",kind=\"none\",tx=\"none\",rx=\"none\"}"));
    assert_non_null(
        strstr(text, "address=\"192.0.2.1\",kind=\"kernel\",tx=\"kernel\",rx=\"kernel\"}"));
    free(text);
}

/* Every family's samples follow its TYPE line, and every family appears once. */
static void test_families_contiguous(void **state)
{
    char *text, *line, *save = NULL, family[128] = "", seen[64][128];
    int types = 0, i;

    (void)state;
    add_source(0, "a", "192.0.2.1");
    add_source(5, "b", "192.0.2.2");
    snap.server.served = 12345678901234ULL;
    text = encode();
    assert_non_null(strstr(text, "\nntp_server_responses_total 12345678901234\n"));
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        if (strncmp(line, "# TYPE ", 7) == 0) {
            sscanf(line + 7, "%127s", family);
            for (i = 0; i < types; i++)
                assert_string_not_equal(seen[i], family);
            assert_true(types < 64);
            snprintf(seen[types++], sizeof(seen[0]), "%s", family);
        } else if (line[0] != '#') {
            assert_int_equal(strncmp(line, family, strlen(family)), 0);
            assert_true(line[strlen(family)] == ' ' || line[strlen(family)] == '{');
        }
    }
    assert_true(types > 30);
    free(text);
}

static void test_encode_reports_needed_length(void **state)
{
    char small[64];
    size_t need;

    (void)state;
    need = metrics_encode(&snap, small, sizeof(small));
    assert_true(need > sizeof(small));
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(metrics_encode(&snap, NULL, 0), need);
}

static void test_value_format(void **state)
{
    char buf[40];

    (void)state;
    metrics_format_value(NAN, buf, sizeof(buf));
    assert_string_equal(buf, "NaN");
    metrics_format_value(-INFINITY, buf, sizeof(buf));
    assert_string_equal(buf, "-Inf");
    metrics_format_value(300.000123456789, buf, sizeof(buf));
    assert_string_equal(buf, "300.000123456789");
    metrics_format_value(1e300, buf, sizeof(buf));
    assert_string_equal(buf, "1e+300");
    metrics_format_value(-42, buf, sizeof(buf));
    assert_string_equal(buf, "-42");
}

static enum http_parse parse(const char *text, struct http_request *req)
{
    return http_parse_request(text, strlen(text), req);
}

static void test_http_complete_requests(void **state)
{
    struct http_request req;

    (void)state;
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", &req),
                     HTTP_COMPLETE);
    assert_string_equal(req.method, "GET");
    assert_string_equal(req.path, "/metrics");
    assert_int_equal(req.minor_version, 1);
    assert_int_equal(http_status(&req), 200);
    assert_int_equal(parse("GET /metrics?name[]=x HTTP/1.0\n\n", &req), HTTP_COMPLETE);
    assert_string_equal(req.path, "/metrics");
    assert_int_equal(http_status(&req), 200);
    assert_int_equal(req.head_len, strlen("GET /metrics?name[]=x HTTP/1.0\n\n"));
    assert_int_equal(parse("GET / HTTP/1.1\r\n\r\n", &req), HTTP_COMPLETE);
    assert_int_equal(http_status(&req), 404);
    assert_int_equal(parse("HEAD /metrics HTTP/1.1\r\n\r\n", &req), HTTP_COMPLETE);
    assert_int_equal(http_status(&req), 404);
    assert_int_equal(parse("get /metrics HTTP/1.1\r\n\r\n", &req), HTTP_COMPLETE);
    assert_int_equal(http_status(&req), 404);
    assert_int_equal(parse("GET /metrics/ HTTP/1.1\r\n\r\n", &req), HTTP_COMPLETE);
    assert_int_equal(http_status(&req), 404);
}

static void test_http_incomplete_and_bad(void **state)
{
    struct http_request req;
    char big[HTTP_MAX_REQUEST];

    (void)state;
    assert_int_equal(parse("", &req), HTTP_INCOMPLETE);
    assert_int_equal(parse("GET /metr", &req), HTTP_INCOMPLETE);
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", &req), HTTP_INCOMPLETE);
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\nHo", &req), HTTP_INCOMPLETE);
    assert_int_equal(parse("hello world\r\n\r\n", &req), HTTP_BAD);
    assert_int_equal(parse("GET metrics HTTP/1.1\r\n\r\n", &req), HTTP_BAD);
    assert_int_equal(parse("GET /metrics HTTP/2.0\r\n\r\n", &req), HTTP_BAD);
    assert_int_equal(parse("GET /metrics HTTP/1.1 \r\n\r\n", &req), HTTP_BAD);
    assert_int_equal(parse("GET  /metrics HTTP/1.1\r\n\r\n", &req), HTTP_BAD);
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\nno colon\r\n\r\n", &req), HTTP_BAD);
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n", &req), HTTP_BAD);
    assert_int_equal(parse("GET /metrics HTTP/1.1\r\nX: a\001b\r\n\r\n", &req), HTTP_BAD);
    assert_int_equal(http_parse_request("GET /\0 HTTP/1.1\r\n\r\n", 19, &req), HTTP_BAD);
    memset(big, 'A', sizeof(big)); /* a request line that never ends */
    assert_int_equal(http_parse_request(big, sizeof(big), &req), HTTP_BAD);
    memset(big, '/', sizeof(big));
    memcpy(big, "GET ", 4);
    memcpy(big + 400, " HTTP/1.1\r\n\r\n", 13); /* a path longer than HTTP_PATH_LEN */
    assert_int_equal(http_parse_request(big, 413, &req), HTTP_BAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_synchronised_system, reset),
        cmocka_unit_test_setup(test_unsynchronised_reason, reset),
        cmocka_unit_test_setup(test_sources_labels_and_values, reset),
        cmocka_unit_test_setup(test_families_contiguous, reset),
        cmocka_unit_test_setup(test_encode_reports_needed_length, reset),
        cmocka_unit_test(test_value_format),
        cmocka_unit_test(test_http_complete_requests),
        cmocka_unit_test(test_http_incomplete_and_bad),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
