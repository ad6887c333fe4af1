// SPDX-License-Identifier: ISC
/* ntpd's status words against the lines ntpd 4.2 wrote in the field report
 * (/work/shared/field-report: "8014 84 reachable", "942a 8a sys_peer", "c61c 0c clock_step"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "daemon/common/ntpd_status.h"

static void test_field_report_peer_words(void **state)
{
    struct ntpd_events e = {0};

    (void)state;
    ntpd_count_event(&e, 0x84); /* reachable: reported before the reach bit is set */
    assert_int_equal(ntpd_peer_status(NTPD_PEER_CONFIG, NTPD_SEL_REJECT, &e), 0x8014);
    ntpd_count_event(&e, 0x8a); /* sys_peer, then again: the count grows */
    assert_int_equal(ntpd_peer_status(NTPD_PEER_CONFIG | NTPD_PEER_REACH, NTPD_SEL_CANDIDATE, &e),
                     0x941a);
    ntpd_count_event(&e, 0x8a);
    assert_int_equal(ntpd_peer_status(NTPD_PEER_CONFIG | NTPD_PEER_REACH, NTPD_SEL_CANDIDATE, &e),
                     0x942a);
    ntpd_count_event(&e, 0x83); /* unreachable: another event restarts at 1 */
    assert_int_equal(ntpd_peer_status(NTPD_PEER_CONFIG, NTPD_SEL_REJECT, &e), 0x8013);
}

static void test_field_report_system_words(void **state)
{
    struct ntpd_events e = {0};

    (void)state;
    ntpd_count_event(&e, 0x0c);
    assert_int_equal(ntpd_sys_status(3, NTPD_SOURCE_NTP, &e), 0xc61c);
    ntpd_count_event(&e, 0x08);
    assert_int_equal(ntpd_sys_status(3, NTPD_SOURCE_NTP, &e), 0xc618);
    ntpd_count_event(&e, 0x08);
    assert_int_equal(ntpd_sys_status(3, NTPD_SOURCE_NTP, &e), 0xc628);
    ntpd_count_event(&e, 0x05);
    assert_int_equal(ntpd_sys_status(0, NTPD_SOURCE_NTP, &e), 0x0615);
    assert_int_equal(ntpd_sys_status(3, NTPD_SOURCE_UNSPEC, NULL), 0xc000);
}

static void test_count_saturates_at_15(void **state)
{
    struct ntpd_events e = {0};

    (void)state;
    for (int i = 0; i < 40; i++)
        ntpd_count_event(&e, 0x0c);
    assert_int_equal(e.count, 15);
    assert_int_equal(ntpd_sys_status(3, 0, &e), 0xc0fc);
}

static void test_authentic_bits_only_when_given(void **state)
{
    (void)state;
    assert_int_equal(ntpd_peer_status(NTPD_PEER_CONFIG | NTPD_PEER_REACH, NTPD_SEL_SYSPEER, NULL),
                     0x9600);
    assert_int_equal(ntpd_peer_status(NTPD_PEER_CONFIG | NTPD_PEER_AUTHENABLE |
                                          NTPD_PEER_AUTHENTIC | NTPD_PEER_REACH,
                                      NTPD_SEL_SYSPEER, NULL),
                     0xf600);
    /* a pool member is not configured */
    assert_int_equal(ntpd_peer_status(NTPD_PEER_REACH, NTPD_SEL_CANDIDATE, NULL), 0x1400);
}

static void test_tallies_round_trip(void **state)
{
    (void)state;
    for (unsigned sel = 0; sel < 8; sel++)
        assert_int_equal(ntpd_selection_of_tally(ntpd_tally(sel)), sel);
    assert_int_equal(ntpd_selection_of_tally('*'), NTPD_SEL_SYSPEER);
    assert_int_equal(ntpd_selection_of_tally('x'), NTPD_SEL_FALSETICK);
    assert_int_equal(ntpd_selection_of_tally('?'), NTPD_SEL_REJECT);
    assert_int_equal(ntpd_selection_of_tally('\0'), NTPD_SEL_REJECT);
    assert_string_equal(ntpd_selection_name(NTPD_SEL_SYSPEER), "sys.peer");
    assert_string_equal(ntpd_source_name(NTPD_SOURCE_NTP), "sync_ntp");
    assert_string_equal(ntpd_source_name(63), "sync_unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_report_peer_words),
        cmocka_unit_test(test_field_report_system_words),
        cmocka_unit_test(test_count_saturates_at_15),
        cmocka_unit_test(test_authentic_bits_only_when_given),
        cmocka_unit_test(test_tallies_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
