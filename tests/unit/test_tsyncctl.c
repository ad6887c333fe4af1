// SPDX-License-Identifier: ISC
/* tsyncctl's output layouts over constructed snapshots: ntpq -p columns, tracking, status. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/control/tsyncctl_format.h"
#include "discipline/discipline.h"

/* The rows of this test, as ntpq -p prints them (ntp 4.2.x peers layout). */
static const char ntpq_header[] =
    "     remote           refid      st t when poll reach   delay   offset  jitter\n"
    "==============================================================================\n";
static const char ntpq_row[] =
    "*10.0.0.100      192.0.2.1        2 u    5   64  377    0.512   -0.031   0.012\n";

static struct msg_snapshot snap;

/* Output of fn(snap) as a malloc'ed string; *rc receives ctlfmt_status()'s value. */
enum which { SOURCES, SOURCES_NUMERIC, TRACKING, STATUS, SERVERSTATS };

static char *render(enum which w, int *rc)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int r = -1;

    assert_non_null(f);
    switch (w) {
    case SOURCES:
        ctlfmt_sources(f, &snap, false, false);
        break;
    case SOURCES_NUMERIC:
        ctlfmt_sources(f, &snap, true, true);
        break;
    case TRACKING:
        ctlfmt_tracking(f, &snap, false);
        break;
    case STATUS:
        r = ctlfmt_status(f, &snap, false);
        break;
    case SERVERSTATS:
        ctlfmt_serverstats(f, &snap);
        break;
    }
    fclose(f);
    if (rc != NULL)
        *rc = r;
    return text;
}

static struct msg_source_state *add_source(int slot, const char *name, const char *addr)
{
    struct msg_source_state *s = &snap.sources[slot];

    memset(s, 0, sizeof(*s));
    s->slot = (uint32_t)slot;
    s->in_use = 1;
    s->kind = MSG_KIND_SERVER;
    s->tally = ' ';
    s->age_s = -1;
    s->poll_log2 = 6;
    s->reason = DISC_REASON_UNREACHABLE;
    msg_copy_str(s->name, sizeof(s->name), name);
    msg_copy_str(s->addr, sizeof(s->addr), addr);
    snap.nsources++;
    return s;
}

/* The synchronised source of the ntpq sample row. */
static struct msg_source_state *add_sample_peer(void)
{
    struct msg_source_state *s = add_source(0, "10.0.0.100", "10.0.0.100:123");

    s->tally = '*';
    s->reason = DISC_REASON_OK;
    s->stratum = 2;
    s->server_refid = 0xC0000201; /* 192.0.2.1 */
    s->age_s = 5.4;
    s->reach = 0377;
    s->samples = 8;
    s->ts_source = s->tx_source = s->rx_source = DISC_TS_KERNEL;
    s->delay_s = 0.000512;
    s->offset_s = -0.000031;
    s->jitter_s = 0.000012;
    return s;
}

static int reset(void **state)
{
    (void)state;
    memset(&snap, 0, sizeof(snap));
    snap.sys_peer_slot = -1;
    snap.stratum = 16;
    snap.leap = 3;
    return 0;
}

/* Line number n (0-based) of text, copied into buf. */
static const char *line(const char *text, int n, char *buf, size_t len)
{
    const char *p = text;

    for (; n > 0 && p != NULL; n--) {
        p = strchr(p, '\n');
        if (p != NULL)
            p++;
    }
    assert_non_null(p);
    snprintf(buf, len, "%.*s", (int)strcspn(p, "\n"), p);
    return buf;
}

static void test_sources_per_direction_timestamps(void **state)
{
    struct msg_source_state *s;
    char *text;

    (void)state;
    s = add_sample_peer();
    s->tx_source = DISC_TS_HARDWARE; /* igb: hardware TX stamps, kernel RX fallback */
    text = render(SOURCES, NULL);
    assert_non_null(strstr(text, "10.0.0.100: timestamps tx hardware, rx kernel, selectable"));
    free(text);
}

static void test_serverstats(void **state)
{
    char *text;

    (void)state;
    snap.server.served = 1234;
    snap.server.kod_rate = 7;
    snap.server.malformed = 3;
    text = render(SERVERSTATS, NULL);
    assert_non_null(strstr(text, "NTP packets served       : 1234\n"));
    assert_non_null(strstr(text, "KoD RATE sent            : 7\n"));
    assert_non_null(strstr(text, "NTP packets malformed    : 3\n"));
    assert_non_null(strstr(text, "NTP packets denied       : 0\n"));
    free(text);
}

static void test_sources_matches_ntpq_sample(void **state)
{
    char *text;

    (void)state;
    add_sample_peer();
    text = render(SOURCES, NULL);
    assert_memory_equal(text, ntpq_header, strlen(ntpq_header));
    assert_memory_equal(text + strlen(ntpq_header), ntpq_row, strlen(ntpq_row));
    assert_int_equal(strlen(ntpq_row) - 1, CTLFMT_LINE_WIDTH);
    assert_non_null(strstr(text, "\n10.0.0.100: timestamps kernel, selectable, system peer, "
                                 "offset -0.000031 s +/- 0.000000 s\n"));
    free(text);
}

static void test_sources_nts_state(void **state)
{
    struct msg_source_state *s;
    char *text;

    (void)state;
    s = add_source(0, "nts.example", "192.0.2.10:123");
    s->nts_state = MSG_NTS_READY;
    s->nts_cookies = 7;
    s->nts_ke_age_s = 12.4;
    s->nts_ke_ok = 1;
    s->nts_naks = 1;
    s->rejected[MSG_REJECT_AUTH] = 2;
    s = add_source(1, "bad.example", "192.0.2.11:123");
    s->nts_state = MSG_NTS_FAILED;
    s->nts_ke_age_s = -1;
    s->nts_ke_failures = 3;
    s->nts_ke_status = MSG_NTSKE_CERT;
    add_source(2, "plain.example", "192.0.2.12:123");
    text = render(SOURCES, NULL);
    assert_non_null(strstr(text, "nts.example (192.0.2.10): no sample yet, not selectable: "));
    assert_non_null(strstr(text, ", NTS: authenticated, 7 cookies, last NTS-KE 12 s ago, 0 NTS-KE "
                                 "failures, 1 NTS NAKs, 2 replies not authentic\n"));
    assert_non_null(strstr(text, ", NTS: NTS-KE failed, not authenticated, 0 cookies, no NTS-KE "
                                 "done, 3 NTS-KE failures (last: certificate)\n"));
    assert_null(strstr(strstr(text, "plain.example (192.0.2.12):"), "NTS"));
    free(text);
    text = render(SERVERSTATS, NULL);
    assert_non_null(strstr(text, "NTS NAKs sent            : 0\n"));
    free(text);
}

static void test_sources_unreached_refclock_and_pool(void **state)
{
    struct msg_source_state *s;
    char *text, buf[128];

    (void)state;
    add_source(0, "ntp1.example.organisation", "192.0.2.10:123");
    s = add_source(1, "PHC0", "");
    s->kind = MSG_KIND_REFCLOCK;
    s->server_refid = 0x50484330; /* "PHC0" */
    s->reason = DISC_REASON_OK;
    s->tally = '+';
    s->reach = 017;
    s->age_s = 3000; /* 50 minutes */
    s->poll_log2 = 4;
    s->ts_source = DISC_TS_REFCLOCK;
    s = add_source(2, "pool.example", "[2001:db8::1]:123");
    s->kind = MSG_KIND_POOL;
    s->reason = DISC_REASON_STRATUM;
    s->stratum = 16;
    s->server_refid = 0x494e4954; /* "INIT" */
    s->samples = 1;
    s->age_s = 90000; /* 25 hours */
    s->poll_log2 = 17;
    s->reach = 1;
    text = render(SOURCES, NULL);
    assert_string_equal(
        line(text, 2, buf, sizeof(buf)),
        " ntp1.example.or .INIT.          16 u    -   64    0    0.000    0.000   0.000");
    assert_string_equal(
        line(text, 3, buf, sizeof(buf)),
        "+PHC0            .PHC0.           0 l  50m   16   17    0.000    0.000   0.000");
    assert_string_equal(
        line(text, 4, buf, sizeof(buf)),
        " 2001:db8::1     .INIT.          16 u  25h  36h    1    0.000    0.000   0.000");
    assert_string_equal(line(text, 6, buf, sizeof(buf)),
                        "ntp1.example.organisation (192.0.2.10): no sample yet, "
                        "not selectable: unreachable");
    assert_string_equal(line(text, 7, buf, sizeof(buf)),
                        "PHC0: timestamps refclock, selectable, combined, "
                        "offset +0.000000 s +/- 0.000000 s");
    assert_string_equal(line(text, 8, buf, sizeof(buf)),
                        "2001:db8::1 (pool pool.example): timestamps user, "
                        "not selectable: stratum too high, offset +0.000000 s +/- 0.000000 s");
    free(text);
}

static void test_sources_numeric(void **state)
{
    char *text, buf[128];

    (void)state;
    add_source(0, "ntp.example", "192.0.2.10:123");
    text = render(SOURCES_NUMERIC, NULL);
    assert_string_equal(line(text, 2, buf, sizeof(buf)),
                        " 192.0.2.10      .INIT.          16 u    -   64    0    0.000    0.000   "
                        "0.000");
    assert_null(strstr(text, "ntp.example"));
    free(text);
    text = render(SOURCES, NULL);
    assert_non_null(strstr(text, " ntp.example     .INIT."));
    free(text);
}

static void test_sources_empty(void **state)
{
    char *text;

    (void)state;
    text = render(SOURCES, NULL);
    assert_string_equal(text + strlen(ntpq_header), "no sources\n");
    free(text);
}

static void test_reach_is_octal(void **state)
{
    struct msg_source_state *s;
    char *text, buf[128];

    (void)state;
    s = add_sample_peer();
    s->reach = 0x55; /* 0125 */
    text = render(SOURCES, NULL);
    assert_memory_equal(line(text, 2, buf, sizeof(buf)) + 47, "  125  ", 7);
    free(text);
}

static void test_interval_suffixes(void **state)
{
    static const struct {
        double s;
        const char *text;
    } cases[] = {
        {-1, "-"},      {0, "0"},           {5.9, "5"},       {2048, "2048"},
        {2049, "34m"},  {18000, "300m"},    {18060, "5h"},    {345600, "96h"},
        {349200, "4d"}, {86000000, "995d"}, {86500000, "3y"}, {1e13, "31689y"},
    };
    char buf[32];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        ctlfmt_interval(cases[i].s, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].text);
    }
}

static void test_ms_fits_width(void **state)
{
    char buf[32];

    (void)state;
    ctlfmt_ms(0.000512, 7, buf, sizeof(buf));
    assert_string_equal(buf, "0.512");
    ctlfmt_ms(-1.2345678, 7, buf, sizeof(buf));
    assert_string_equal(buf, "-1234.6"); /* 3 decimals do not fit in 7 */
    ctlfmt_ms(300.0, 7, buf, sizeof(buf));
    assert_string_equal(buf, "300000");
    ctlfmt_ms(-2000.0, 7, buf, sizeof(buf)); /* 1000 s and more: seconds, then larger units */
    assert_string_equal(buf, "-2000s");
    ctlfmt_ms(-1000.5, 7, buf, sizeof(buf));
    assert_string_equal(buf, "-1000s");
    ctlfmt_ms(20000.0, 7, buf, sizeof(buf));
    assert_string_equal(buf, "5.6h");
    ctlfmt_ms(3e6, 7, buf, sizeof(buf));
    assert_string_equal(buf, "833.3h");
    ctlfmt_ms(-8.64e7, 7, buf, sizeof(buf));
    assert_string_equal(buf, "-1000d");
    ctlfmt_ms(3.2e12, 7, buf, sizeof(buf));
    assert_string_equal(buf, "101404y");
    ctlfmt_ms(1e300, 7, buf, sizeof(buf));
    assert_string_equal(buf, "1e+303");
    ctlfmt_ms(NAN, 7, buf, sizeof(buf));
    assert_string_equal(buf, "nan");
}

static void test_status_synchronised(void **state)
{
    char *text;
    int rc;

    (void)state;
    add_sample_peer();
    snap.sync_state = MSG_SYNC_SYNCHRONISED;
    snap.sys_peer_slot = 0;
    snap.stratum = 3;
    snap.offset_s = -0.000031;
    text = render(STATUS, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(text, "synchronised to 10.0.0.100 at stratum 3, offset -0.000031000 s\n");
    free(text);
}

static void test_status_unsynchronised_reason(void **state)
{
    char *text;
    int rc;

    (void)state;
    snap.sync_state = MSG_SYNC_UNSYNCHRONISED;
    snap.sync_reason = DISC_SYNC_UNREACHABLE;
    msg_copy_str(snap.reason, sizeof(snap.reason), "no source reachable for 70 s");
    text = render(STATUS, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(text, "unsynchronised: no source reachable for 70 s\n");
    free(text);
    /* Already prefixed by the daemon: not repeated. Empty: the reason code's text. */
    msg_copy_str(snap.reason, sizeof(snap.reason), "unsynchronised: panic");
    text = render(STATUS, &rc);
    assert_string_equal(text, "unsynchronised: panic\n");
    free(text);
    snap.reason[0] = '\0';
    snap.sync_reason = DISC_SYNC_NO_MAJORITY;
    text = render(STATUS, &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(text, "unsynchronised: no majority of sources agrees (falsetickers)\n");
    free(text);
}

static void test_status_local_counts_as_synchronised(void **state)
{
    char *text;
    int rc;

    (void)state;
    snap.sync_state = MSG_SYNC_LOCAL;
    snap.stratum = 10;
    msg_copy_str(snap.reason, sizeof(snap.reason), "no source reachable");
    text = render(STATUS, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(text, "synchronised to the local clock at local stratum 10 (no source "
                              "reachable)\n");
    free(text);
}

static void test_tracking(void **state)
{
    char *text;

    (void)state;
    add_sample_peer();
    snap.sync_state = MSG_SYNC_SYNCHRONISED;
    snap.sys_peer_slot = 0;
    snap.stratum = 3;
    snap.refid = 0x0A000064; /* 10.0.0.100 */
    snap.leap = 0;
    snap.poll_log2 = 6;
    snap.offset_s = 0.000012;
    snap.freq_ppm = -12.5;
    snap.now.sec = 1800000100;
    snap.ref_time.sec = 1800000090;
    msg_copy_str(snap.driver, sizeof(snap.driver), "virtual");
    text = render(TRACKING, NULL);
    assert_non_null(strstr(text, "Reference ID    : 0A000064 (10.0.0.100)\n"));
    assert_non_null(strstr(text, "System peer     : 10.0.0.100\n"));
    assert_non_null(strstr(text, "Stratum         : 3\n"));
    assert_non_null(strstr(text, "Ref time        : 2027-01-15 08:01:30 UTC (10 s ago)\n"));
    assert_non_null(strstr(text, "System offset   : +0.000012000 seconds (local clock behind)\n"));
    assert_non_null(strstr(text, "Frequency       : -12.500 ppm"));
    assert_non_null(strstr(text, "Leap status     : normal\n"));
    assert_non_null(strstr(text, "Poll interval   : 64 s (2^6)\n"));
    assert_non_null(strstr(text, "Last step       : none\n"));
    assert_null(strstr(text, "Refused offset"));
    assert_non_null(strstr(text, "Clock driver    : virtual\n"));
    assert_non_null(strstr(text, "Sync state      : synchronised\n"));
    free(text);
}

static void test_tracking_step_and_refusal(void **state)
{
    char *text;

    (void)state;
    snap.now.sec = 1800000100;
    snap.last_step_time.sec = 1800000000;
    snap.last_step_s = 300.0;
    snap.steps = 1;
    snap.refused_offset_s = -2000.0;
    snap.sync_reason = DISC_SYNC_PANIC;
    text = render(TRACKING, NULL);
    assert_non_null(strstr(text, "Reference ID    : 00000000\n"));
    assert_non_null(strstr(text, "System peer     : none\n"));
    assert_non_null(strstr(text, "System offset   : +0.000000000 seconds\n"));
    assert_non_null(strstr(text, "Ref time        : never\n"));
    assert_non_null(strstr(text, "Last step       : +300.000000 seconds at 2027-01-15 08:00:00 "
                                 "UTC (100 s ago), 1 step in all\n"));
    assert_non_null(strstr(text, "Refused offset  : -2000.000000 seconds"));
    assert_non_null(strstr(text, "Leap status     : not synchronised\n"));
    assert_non_null(strstr(text, "Sync state      : unsynchronised: offset beyond the panic "
                                 "threshold, clock left alone\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sources_matches_ntpq_sample, reset),
        cmocka_unit_test_setup(test_sources_per_direction_timestamps, reset),
        cmocka_unit_test_setup(test_serverstats, reset),
        cmocka_unit_test_setup(test_sources_nts_state, reset),
        cmocka_unit_test_setup(test_sources_unreached_refclock_and_pool, reset),
        cmocka_unit_test_setup(test_sources_numeric, reset),
        cmocka_unit_test_setup(test_sources_empty, reset),
        cmocka_unit_test_setup(test_reach_is_octal, reset),
        cmocka_unit_test(test_interval_suffixes),
        cmocka_unit_test(test_ms_fits_width),
        cmocka_unit_test_setup(test_status_synchronised, reset),
        cmocka_unit_test_setup(test_status_unsynchronised_reason, reset),
        cmocka_unit_test_setup(test_status_local_counts_as_synchronised, reset),
        cmocka_unit_test_setup(test_tracking, reset),
        cmocka_unit_test_setup(test_tracking_step_and_refusal, reset),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
