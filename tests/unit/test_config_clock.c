// SPDX-License-Identifier: ISC
/* Configuration parser: the clock (driver, tinker, tos limits, local clock), reference clocks
 * and hardware timestamping directives. */
#include "tests/unit/test_config_util.h"

/* tos minclock/maxclock are honoured (selection limits, pool size). */
static void test_tos_clock_limits(void **state)
{
    (void)state;
    assert_int_equal(load("server a\nserver b\npool p.example\ntos minclock 2 maxclock 7\n"), 0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(cfg.minclock, 2);
    assert_int_equal(cfg.maxclock, 7);
    assert_int_equal(cfg_pool_members(&cfg), 5);
    assert_int_equal(load("pool p.example\npool q.example\ntos maxclock 3\n"), 0);
    assert_int_equal(cfg_pool_members(&cfg), 1);
    assert_int_equal(load("pool p.example\n"), 0);
    assert_int_equal(cfg_pool_members(&cfg), 4); /* without maxclock: as before */
}

static void test_local_clock(void **state)
{
    (void)state;
    assert_int_equal(load("server 127.127.1.0\nfudge 127.127.1.0 stratum 10\n"), 0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(cfg.n_sources, 0);
    assert_int_equal(cfg.local_stratum, 10);
    assert_int_equal(load("server 127.127.1.0 iburst\n"), 0);
    assert_int_equal(cfg.local_stratum, CFG_LOCAL_CLOCK_STRATUM);
    assert_int_equal(load("fudge 127.127.1.0 stratum 7\n"), 0);
    assert_int_equal(cfg.local_stratum, 0);
    assert_msg("t.conf: warning: fudge 127.127.1.0 without \"server 127.127.1.0\", ignored");
    assert_int_equal(load("server 127.127.1.0\nfudge 127.127.1.0 stratum 16\n"), -1);
    assert_only_error("t.conf:2: fudge stratum: \"16\" is out of range 1..15");
    assert_int_equal(load("fudge 10.0.0.1 stratum 3\n"), -1);
    assert_only_error("t.conf:1: fudge: \"10.0.0.1\" is not a reference clock address "
                      "(127.127.T.U)");
    assert_int_equal(load("server 127.127.1.0\nfudge 127.127.1.0 time1 0.1 stratum 9 bogus\n"), 0);
    assert_msg("t.conf:2: warning: fudge option \"time1\" is unsupported, ignored");
    assert_msg("t.conf:2: warning: unknown option \"bogus\" for fudge");
    assert_int_equal(cfg.local_stratum, 9);
    assert_int_equal(load("server 127.127.8.1 mode 135\nfudge 127.127.8.1 time1 0.0042\n"), 0);
    assert_msg("t.conf:1: warning: ntpd reference clock 127.127.8.1 is unsupported, ignored");
    assert_msg("t.conf:2: warning: fudge for unsupported reference clock 127.127.8.1, ignored");
    assert_int_equal(cfg.n_sources, 0);
}

static void test_local_stratum(void **state)
{
    (void)state;
    assert_int_equal(load("local stratum 3\n"), 0);
    assert_int_equal(cfg.local_stratum, 3);
    assert_int_equal(load("local\n"), 0);
    assert_int_equal(cfg.local_stratum, 10);
    assert_int_equal(load("local stratum 0\n"), -1);
    assert_only_error("t.conf:1: local stratum: \"0\" is out of range 1..15");
    assert_int_equal(load("local stratum 16\n"), -1);
    assert_int_equal(load("local stratum\n"), -1);
    assert_only_error("t.conf:1: missing value for stratum");
    assert_int_equal(load("local stratum 5 orphan distance 1.0 fast\n"), 0);
    assert_int_equal(cfg.local_stratum, 5);
    assert_msg("t.conf:1: warning: option \"orphan\" for local is unsupported, ignored");
    assert_msg("t.conf:1: warning: unknown option \"fast\" for local");
}

static void test_tinker(void **state)
{
    (void)state;
    assert_int_equal(load("tinker step 0.5 panic 0 stepout 300\n"), 0);
    assert_true(cfg.step_s == 0.5);
    assert_true(cfg.panic_s == 0.0);
    assert_true(cfg.stepout_s == 300.0);
    assert_true(cfg.dispersion_ppm == 15.0); /* ntpd's PHI */
    assert_int_equal(load("tinker dispersion 50\n"), 0);
    assert_true(cfg.dispersion_ppm == 50.0);
    assert_int_equal(load("tinker dispersion 0.5\n"), -1);
    assert_only_error("t.conf:1: tinker dispersion: \"0.5\" is out of range 1..500");
    assert_int_equal(load("tinker panic 1e3 step 0\n"), 0);
    assert_true(cfg.panic_s == 1000.0);
    assert_true(cfg.step_s == 0.0);
    assert_int_equal(load("tinker step nan\n"), -1);
    assert_only_error("t.conf:1: tinker step: \"nan\" is not a number");
    assert_int_equal(load("tinker panic inf\n"), -1);
    assert_only_error("t.conf:1: tinker panic: \"inf\" is not a number");
    assert_int_equal(load("tinker panic 1e999\n"), -1);
    assert_only_error("t.conf:1: tinker panic: \"1e999\" is out of range 0..1e+09");
    assert_int_equal(load("tinker step -1\n"), -1);
    assert_only_error("t.conf:1: tinker step: \"-1\" is out of range 0..1e+06");
    assert_int_equal(load("tinker step 0x10\n"), -1);
    assert_int_equal(load("tinker stepout\n"), -1);
    assert_only_error("t.conf:1: missing value for stepout");
    assert_int_equal(load("tinker huffpuff 900 wobble 3\n"), 0);
    assert_msg("t.conf:1: warning: tinker huffpuff is unsupported, ignored");
    assert_msg("t.conf:1: warning: unknown option \"wobble\" for tinker");
    assert_true(cfg.step_s == 0.128);
}

static void test_clock(void **state)
{
    (void)state;
    assert_int_equal(load("clock virtual offset -300.5 freq 12.5\n"), 0);
    assert_int_equal(cfg.clock, CFG_CLOCK_VIRTUAL);
    assert_true(cfg.clock_offset_s == -300.5);
    assert_true(cfg.clock_freq_ppm == 12.5);
    assert_int_equal(load("clock none\n"), 0);
    assert_int_equal(cfg.clock, CFG_CLOCK_NONE);
    assert_int_equal(load("clock system\n"), 0);
    assert_int_equal(cfg.clock, CFG_CLOCK_SYSTEM);

    assert_int_equal(load("clock\n"), -1);
    assert_only_error("t.conf:1: missing driver for clock (system, none or virtual)");
    assert_int_equal(load("clock atomic\n"), -1);
    assert_only_error("t.conf:1: unknown clock driver \"atomic\" (system, none or virtual)");
    assert_int_equal(load("clock system offset 3\n"), -1);
    assert_only_error("t.conf:1: clock: \"offset\" is only valid with the virtual clock");
    assert_int_equal(load("clock virtual freq 1001\n"), -1);
    assert_only_error("t.conf:1: clock freq: \"1001\" is out of range -1000..1000");
    assert_int_equal(load("clock virtual offset\n"), -1);
    assert_only_error("t.conf:1: missing value for offset");
    assert_int_equal(load("clock virtual drift 3\n"), -1);
    assert_int_equal(find_msg("unknown option \"drift\" for clock"), 0);
}

static void test_refclock(void **state)
{
    (void)state;
    assert_int_equal(load("refclock phc /dev/ptp0 poll -2 delay 0.0001 offset -37e-6 prefer "
                          "noselect readings 10\n"
                          "refclock PHC eth0\n"),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(cfg.n_refclocks, 2);
    const struct cfg_refclock *r = &cfg.refclocks[0];
    assert_string_equal(r->device, "/dev/ptp0");
    assert_int_equal(r->poll, -2);
    assert_true(r->delay_s == 0.0001);
    assert_true(r->offset_s == -37e-6);
    assert_int_equal(r->flags, CFG_SRC_PREFER | CFG_SRC_NOSELECT);
    assert_int_equal(r->readings, 10);
    assert_string_equal(cfg.refclocks[1].device, "eth0");
    assert_int_equal(cfg.refclocks[1].readings, 25);

    assert_int_equal(load("refclock\n"), -1);
    assert_only_error("t.conf:1: missing driver for refclock");
    assert_int_equal(load("refclock phc\n"), -1);
    assert_only_error("t.conf:1: missing device for refclock phc");
    assert_int_equal(load("refclock phc eth0/x\n"), -1);
    assert_only_error("t.conf:1: invalid device \"eth0/x\" for refclock phc");
    assert_int_equal(load("refclock phc /dev/ptp0 readings 26\n"), -1);
    assert_only_error("t.conf:1: readings: \"26\" is out of range 1..25");
    assert_int_equal(cfg.n_refclocks, 0);
    assert_int_equal(load("refclock phc /dev/ptp0 delay 2\n"), -1);
    assert_int_equal(load("refclock SHM 0\n"), 0);
    assert_msg("t.conf:1: warning: unknown refclock driver \"SHM\", ignored");
    assert_int_equal(load("refclock phc /dev/ptp0 dpoll 2\n"), 0);
    assert_msg("t.conf:1: warning: unknown option \"dpoll\" for refclock");
    assert_int_equal(diag.n_msgs, 1); /* "2" is taken as dpoll's value */
    assert_int_equal(load_flags("refclock phc /dev/ptp0 dpoll\n", CFG_STRICT), -1);
}

static void test_hwtimestamp(void **state)
{
    (void)state;
    assert_int_equal(load("hwtimestamp *\nhwtimestamp eth0\n"), 0);
    assert_int_equal(cfg.n_hwts, 2);
    assert_string_equal(cfg.hwts[0].iface, "*");
    assert_string_equal(cfg.hwts[1].iface, "eth0");
    assert_int_equal(load("hwtimestamp\n"), -1);
    assert_only_error("t.conf:1: missing interface for hwtimestamp");
    assert_int_equal(load("hwtimestamp /dev/ptp0\n"), -1);
    assert_only_error("t.conf:1: invalid interface \"/dev/ptp0\" for hwtimestamp");
    assert_int_equal(load("hwtimestamp averyveryverylongname\n"), -1);
    assert_int_equal(load("hwtimestamp eth0 rxfilter all\n"), 0);
    assert_msg("t.conf:1: warning: unknown option \"rxfilter\" for hwtimestamp");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_tos_clock_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_local_stratum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tinker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_clock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refclock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hwtimestamp, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
