// SPDX-License-Identifier: ISC
/* ntpd's statistics lines (the examples of ntp.conf(5)) and file set names per filegen type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/parent/stats_format.h"

#define DAY 86400

/* MJD day and seconds past midnight as a Unix time. */
static struct timespec at(long mjd, long sod, long ms)
{
    return (struct timespec){(mjd - STFMT_MJD_UNIX) * DAY + sod, ms * 1000000};
}

static void test_lines_as_ntpd(void **state)
{
    char buf[STFMT_LINE_MAX];
    struct stfmt_sys s = {3600, 100, 90, 100, 0, 5, 2, 0, 3, 1, 1};

    (void)state;
    stfmt_loop(buf, sizeof(buf), at(50935, 75440, 31), 0.000006019, 13.778, 0.000351733, 0.013380,
               6);
    assert_string_equal(buf, "50935 75440.031 0.000006019 13.778 0.000351733 0.013380 6\n");
    stfmt_peer(buf, sizeof(buf), at(48773, 10847, 650), "127.127.4.1", 0x9714, -0.001605376, 0,
               0.001424877, 0.000958674);
    assert_string_equal(buf, "48773 10847.650 127.127.4.1 9714 -0.001605376 0.000000000 "
                             "0.001424877 0.000958674\n");
    stfmt_text(buf, sizeof(buf), at(49213, 525, 624), "128.4.1.1 963a 8a sys_peer");
    assert_string_equal(buf, "49213 525.624 128.4.1.1 963a 8a sys_peer\n");
    stfmt_sys(buf, sizeof(buf), at(60310, 0, 0), &s);
    assert_string_equal(buf, "60310 0.000 3600 100 90 100 0 5 2 0 3 1 1\n");
    /* what ntpviz computes back: Unix time = 86400 * MJD + SOD - 3506716800 */
    assert_int_equal((60310LL * DAY + 0) - 3506716800LL, 1704067200);
}

static void period(enum cfg_filegen_type type, struct timespec t, const char *suffix, int64_t start,
                   int64_t end)
{
    char buf[STFMT_SUFFIX_MAX];
    int64_t s, e;

    stfmt_period(type, t, 200000.0, 4242, &s, &e, buf, sizeof(buf));
    assert_string_equal(buf, suffix);
    assert_int_equal(s, start);
    assert_int_equal(e, end);
}

static void test_file_names(void **state)
{
    struct timespec t = {1704110400, 0};      /* 2024-01-01 12:00 UTC, a Monday */
    struct timespec sunday = {1704023999, 0}; /* 2023-12-31 11:59:59, ISO week 52 of 2023 */

    (void)state;
    period(CFG_FILEGEN_NONE, t, "", INT64_MIN, INT64_MAX);
    period(CFG_FILEGEN_PID, t, ".#4242", INT64_MIN, INT64_MAX);
    period(CFG_FILEGEN_DAY, t, ".20240101", 1704067200, 1704067200 + DAY);
    period(CFG_FILEGEN_WEEK, t, ".2024w01", 1704067200, 1704067200 + 7 * DAY);
    period(CFG_FILEGEN_WEEK, sunday, ".2023w52", 1704067200 - 7 * DAY, 1704067200);
    period(CFG_FILEGEN_WEEK, (struct timespec){1609459200, 0}, ".2020w53", 1609113600,
           1609113600 + 7 * DAY); /* 2021-01-01, a Friday: still 2020's 53rd week */
    period(CFG_FILEGEN_MONTH, t, ".202401", 1704067200, 1704067200 + 31 * DAY);
    period(CFG_FILEGEN_MONTH, (struct timespec){1703980800, 0}, ".202312", 1701388800, 1704067200);
    period(CFG_FILEGEN_YEAR, t, ".2024", 1704067200, 1735689600);
    /* age: 200000 s of running: the period began at 172800 s, 27200 s ago */
    period(CFG_FILEGEN_AGE, t, ".a00172800", 1704110400 - 27200, 1704110400 - 27200 + DAY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_as_ntpd),
        cmocka_unit_test(test_file_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
