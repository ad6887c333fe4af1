// SPDX-License-Identifier: ISC
/* tsyncctl --json, sourcestats, shared-address ports, times out of range and the range check of
 * received snapshots. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/control/control.h"
#include "daemon/control/tsyncctl_format.h"
#include "daemon/control/tsyncctl_json.h"
#include "discipline/discipline.h"

static struct msg_snapshot snap;

static int reset(void **state)
{
    (void)state;
    control_starting_snapshot(&snap);
    return 0;
}

static struct msg_source_state *add_source(int slot, const char *name, const char *addr)
{
    struct msg_source_state *s = &snap.sources[slot];

    memset(s, 0, sizeof(*s));
    s->slot = (uint32_t)slot;
    s->in_use = 1;
    s->tally = '+';
    s->age_s = 2;
    s->poll_log2 = 4;
    s->samples = 7;
    msg_copy_str(s->name, sizeof(s->name), name);
    msg_copy_str(s->addr, sizeof(s->addr), addr);
    snap.nsources++;
    return s;
}

enum which { J_SOURCES, J_STATS, J_TRACKING, J_STATUS, J_SERVER, J_METRICS, T_STATS, T_TRACKING };

static char *render(enum which w)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    assert_non_null(f);
    switch (w) {
    case J_SOURCES:
        ctljson_sources(f, &snap);
        break;
    case J_STATS:
        ctljson_sourcestats(f, &snap);
        break;
    case J_TRACKING:
        ctljson_tracking(f, &snap);
        break;
    case J_STATUS:
        assert_int_equal(ctljson_status(f, &snap), snap.sync_state == MSG_SYNC_UNSYNCHRONISED);
        break;
    case J_SERVER:
        ctljson_serverstats(f, &snap);
        break;
    case J_METRICS:
        ctljson_metrics(f, &snap);
        break;
    case T_STATS:
        ctlfmt_sourcestats(f, &snap, false);
        break;
    case T_TRACKING:
        ctlfmt_tracking(f, &snap, false);
        break;
    }
    fclose(f);
    return text;
}

static void test_json_string_escapes(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    (void)state;
    ctljson_string(f, "a\"b\\c\n\x7f");
    fputc(' ', f);
    ctljson_number(f, NAN);
    fputc(' ', f);
    ctljson_number(f, -0.25);
    fclose(f);
    assert_string_equal(text, "\"a\\\"b\\\\c\\u000a\\u007f\" null -0.25");
    free(text);
}

static void test_json_status_and_tracking(void **state)
{
    char *text;

    (void)state;
    text = render(J_STATUS);
    assert_string_equal(text, "{\"synchronised\":false,\"state\":\"unsynchronised\",\"reason_id\":"
                              "\"starting\",\"reason\":\"daemon starting\",\"stratum\":16,"
                              "\"offset_s\":0}\n");
    free(text);
    snap.sync_state = MSG_SYNC_SYNCHRONISED;
    snap.sys_peer_slot = 3;
    add_source(3, "ntp.example", "192.0.2.1");
    snap.ref_time = (struct msg_time){1800000000, 500000000, 0};
    snap.max_error_s = 0.0125;
    snap.jitter_s = NAN;
    text = render(J_TRACKING);
    assert_non_null(strstr(text, "\"synchronised\":true"));
    assert_non_null(strstr(text, "\"system_peer\":\"ntp.example\""));
    assert_non_null(
        strstr(text, "\"ref_time\":1800000000.5,\"ref_time_utc\":\"2027-01-15T08:00:00Z\""));
    assert_non_null(strstr(text, "\"last_step_time\":null,\"last_step_time_utc\":null"));
    assert_non_null(strstr(text, "\"error_bound_s\":0.0125"));
    assert_non_null(strstr(text, "\"jitter_s\":null"));
    free(text);
}

static void test_json_sources_and_stats(void **state)
{
    struct msg_source_state *s;
    char *text;

    (void)state;
    text = render(J_SOURCES);
    assert_string_equal(text, "{\"sources\":[]}\n");
    free(text);
    s = add_source(0, "ntp.example", "192.0.2.1");
    s->root_distance_s = 0.003;
    s->freq_ppm = -20;
    s->freq_sd_ppm = 0.5;
    snap.freq_ppm = 20.25;
    add_source(1, "pool.example", "[2001:db8::1]:124")->kind = MSG_KIND_POOL;
    text = render(J_SOURCES);
    assert_non_null(strstr(text,
                           "{\"sources\":[{\"name\":\"ntp.example\",\"address\":\"192.0.2.1\","
                           "\"kind\":\"server\",\"tally\":\"+\",\"state\":\"candidate\""));
    assert_non_null(strstr(text, "\"error_bound_s\":0.003"));
    assert_non_null(strstr(text,
                           "},{\"name\":\"pool.example\",\"address\":\"2001:db8::1\",\"kind\":"
                           "\"pool\""));
    assert_true(text[strlen(text) - 3] == ']' && text[strlen(text) - 2] == '}');
    free(text);
    text = render(J_STATS);
    assert_non_null(strstr(text, "\"samples\":7,\"residual_frequency_ppm\":-0.25,"
                                 "\"oscillator_error_ppm\":-20,\"skew_ppm\":0.5"));
    free(text);
    text = render(T_STATS);
    assert_non_null(strstr(text, "\nntp.example                  7     -0.250      0.500"));
    free(text);
}

static void test_json_metrics_and_serverstats(void **state)
{
    char *text;

    (void)state;
    snap.server.served = 5;
    text = render(J_SERVER);
    assert_non_null(strstr(text, "{\"served\":5,\"rate_limited\":0,"));
    free(text);
    text = render(J_METRICS);
    assert_non_null(strstr(text, "{\"metrics\":[{\"name\":\"ntp_system_synchronised\",\"type\":"
                                 "\"gauge\",\"help\":"));
    assert_non_null(strstr(text, "\"samples\":[{\"labels\":{},\"value\":0}]}"));
    assert_non_null(strstr(text, "{\"labels\":{\"reason\":\"starting\"},\"value\":1}"));
    assert_string_equal(text + strlen(text) - 5, "]}]}\n");
    free(text);
}

static void test_shared_address_shows_port(void **state)
{
    char buf[128];

    (void)state;
    add_source(0, "127.0.0.1", "127.0.0.1");
    add_source(1, "127.0.0.1", "127.0.0.1:10123");
    add_source(2, "::1", "[::1]:124");
    add_source(3, "::1", "::1");
    add_source(4, "192.0.2.7", "192.0.2.7:5123");
    ctlfmt_remote_in(&snap, &snap.sources[0], false, buf, sizeof(buf));
    assert_string_equal(buf, "127.0.0.1:123");
    ctlfmt_remote_in(&snap, &snap.sources[1], true, buf, sizeof(buf));
    assert_string_equal(buf, "127.0.0.1:10123");
    ctlfmt_remote_in(&snap, &snap.sources[2], false, buf, sizeof(buf));
    assert_string_equal(buf, "[::1]:124");
    ctlfmt_remote_in(&snap, &snap.sources[3], false, buf, sizeof(buf));
    assert_string_equal(buf, "[::1]:123");
    ctlfmt_remote_in(&snap, &snap.sources[4], false, buf, sizeof(buf)); /* not shared: as ntpq */
    assert_string_equal(buf, "192.0.2.7");
}

/* Times beyond what gmtime shows, and differences that would overflow, are printed safely. */
static void test_times_out_of_range(void **state)
{
    char *text, buf[64];

    (void)state;
    snap.now = (struct msg_time){INT64_MAX, 0, 0};
    snap.ref_time = (struct msg_time){INT64_MIN, 0, 0};
    snap.last_step_time = (struct msg_time){1800000000, 0, 0};
    snap.steps = 1;
    text = render(T_TRACKING);
    assert_non_null(strstr(text, "Ref time        : never\n"));
    assert_non_null(strstr(text, "at 2027-01-15 08:00:00 UTC, 1 step"));
    free(text);
    assert_false(ctlfmt_utc((struct msg_time){253402300800LL, 0, 0}, false, buf, sizeof(buf)));
    assert_true(ctlfmt_utc((struct msg_time){253402300799LL, 0, 0}, true, buf, sizeof(buf)));
    assert_string_equal(buf, "9999-12-31T23:59:59Z");
}

static void test_check_snapshot(void **state)
{
    struct msg_source_state *s;
    char err[160];

    (void)state;
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), 0);
    s = add_source(2, "ntp.example", "192.0.2.1");
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), 0);
    s->offset_s = NAN;
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), -1);
    assert_string_equal(err, "source 2: a measurement is not finite or out of range");
    s->offset_s = 0;
    s->tally = 'Q';
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), -1);
    s->tally = '*';
    memset(s->name, 'x', sizeof(s->name)); /* not terminated */
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), -1);
    msg_copy_str(s->name, sizeof(s->name), "ok");
    snap.now.sec = -1;
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), -1);
    assert_string_equal(err, "a time is out of range");
    snap.now.sec = 0;
    snap.sys_peer_slot = MSG_MAX_SOURCES;
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), -1);
    snap.sys_peer_slot = -1;
    snap.freq_ppm = INFINITY;
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), -1);
    snap.freq_ppm = 0;
    snap.reason[sizeof(snap.reason) - 1] = 'x';
    memset(snap.reason, 'y', sizeof(snap.reason));
    assert_int_equal(ctlfmt_check_snapshot(&snap, err, sizeof(err)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test_setup(test_json_status_and_tracking, reset),
        cmocka_unit_test_setup(test_json_sources_and_stats, reset),
        cmocka_unit_test_setup(test_json_metrics_and_serverstats, reset),
        cmocka_unit_test_setup(test_shared_address_shows_port, reset),
        cmocka_unit_test_setup(test_times_out_of_range, reset),
        cmocka_unit_test_setup(test_check_snapshot, reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
