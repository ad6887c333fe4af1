// SPDX-License-Identifier: ISC
/* Unit tests of the server's access control (daemon/server/acl.c) built from real
 * configurations. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/server/acl.h"

static struct cfg cfg;
static struct acl acl;

/* Load a configuration text and compile its access rules. */
static void build(const char *text)
{
    struct cfg_diag d;

    cfg_diag_init(&d);
    assert_int_equal(cfg_load_string("test.conf", text, strlen(text), 0, &cfg, &d), 0);
    cfg_diag_free(&d);
    assert_int_equal(acl_build(&acl, &cfg), 0);
}

static int teardown(void **state)
{
    (void)state;
    acl_free(&acl);
    cfg_free(&cfg);
    return 0;
}

static uint32_t check(const char *text_addr)
{
    uint8_t a[16];

    if (inet_pton(AF_INET, text_addr, a) == 1)
        return acl_check(&acl, AF_INET, a);
    assert_int_equal(inet_pton(AF_INET6, text_addr, a), 1);
    return acl_check(&acl, AF_INET6, a);
}

static bool query(const char *text_addr)
{
    uint8_t a[16];

    if (inet_pton(AF_INET, text_addr, a) == 1)
        return acl_query_allowed(&acl, AF_INET, a);
    assert_int_equal(inet_pton(AF_INET6, text_addr, a), 1);
    return acl_query_allowed(&acl, AF_INET6, a);
}

/* Mode 6: loopback by default, others only where a restrict rule allows queries. */
static void test_query_access(void **state)
{
    (void)state;
    build("server 192.0.2.1\n"); /* no restrict line: ntpd answers everyone, tsyncd loopback */
    assert_true(query("127.0.0.1"));
    assert_true(query("::1"));
    assert_false(query("10.1.2.3"));
    assert_false(query("::ffff:127.0.0.1")); /* would be forged on an IPv6-only socket */
    acl_free(&acl);
    cfg_free(&cfg);
    build("restrict default kod nomodify notrap nopeer noquery\n"
          "restrict -6 default kod nomodify notrap nopeer noquery\n"
          "restrict 127.0.0.1\nrestrict ::1\nrestrict 10.0.0.0 mask 255.0.0.0 nomodify\n"
          "restrict 10.9.0.0/16 noquery\n"); /* CIS: queries from the host and 10/8 only */
    assert_true(query("127.0.0.1"));
    assert_true(query("::1"));
    assert_true(query("10.1.2.3"));
    assert_false(query("10.9.2.3"));
    assert_false(query("192.0.2.7"));
    assert_false(query("2001:db8::7"));
    acl_free(&acl);
    cfg_free(&cfg);
    build("restrict default noquery\n"); /* as ntpd: no loopback rule, no local queries */
    assert_false(query("127.0.0.1"));
    acl_free(&acl);
    cfg_free(&cfg);
    build("restrict default nomodify\nrestrict 127.0.0.1 ignore\n");
    assert_true(query("192.0.2.7")); /* the operator opened queries to everyone */
    assert_false(query("127.0.0.1"));
    assert_true(query("::1"));
    acl_free(&acl);
    cfg_free(&cfg);
    build("allow all\n"); /* chrony rules open NTP, never mode 6 */
    assert_false(query("192.0.2.7"));
    assert_true(query("127.0.0.1"));
}

static void test_nothing_configured_denies(void **state)
{
    (void)state;
    build("server 192.0.2.1\n");
    assert_int_equal(check("127.0.0.1"), 0);
    assert_int_equal(check("::1"), 0);
}

static void test_local_stratum_alone_serves(void **state)
{
    (void)state;
    /* daemon_serving() opens the port for `local stratum`: everyone is served, as by ntpd */
    build("local stratum 1\n");
    assert_int_equal(check("127.0.0.1"), ACL_SERVE);
    assert_int_equal(check("2001:db8::1"), ACL_SERVE);
    teardown(NULL);
    build("local stratum 1\ndeny 10.0.0.0/8\n"); /* with allow/deny rules they decide */
    assert_int_equal(check("127.0.0.1"), 0);
}

static void test_allow_longest_prefix(void **state)
{
    (void)state;
    build("allow 10.0.0.0/8\ndeny 10.1.0.0/16\nallow 10.1.2.0/24\nallow 2001:db8::/32\n");
    assert_int_equal(check("10.9.9.9"), ACL_SERVE);
    assert_int_equal(check("10.1.9.9"), 0);
    assert_int_equal(check("10.1.2.3"), ACL_SERVE);
    assert_int_equal(check("11.0.0.1"), 0);
    assert_int_equal(check("2001:db8::1"), ACL_SERVE);
    assert_int_equal(check("2001:db9::1"), 0);
    /* an IPv4-mapped IPv6 address is checked as IPv4 */
    assert_int_equal(check("::ffff:10.1.2.3"), ACL_SERVE);
    assert_int_equal(check("::ffff:10.1.9.9"), 0);
}

static void test_later_rule_wins_on_same_prefix(void **state)
{
    (void)state;
    build("allow 192.0.2.0/24\ndeny 192.0.2.0/24\n");
    assert_int_equal(check("192.0.2.1"), 0);
}

static void test_all_overrides_more_specific(void **state)
{
    (void)state;
    /* the deny inside 10/8 comes before `allow all 10/8`: it no longer counts */
    build("deny 10.1.0.0/16\nallow all 10.0.0.0/8\ndeny 10.2.0.0/16\n");
    assert_int_equal(check("10.1.1.1"), ACL_SERVE);
    assert_int_equal(check("10.2.1.1"), 0);
    teardown(NULL);
    build("allow\ndeny all\n");
    assert_int_equal(check("127.0.0.1"), 0);
    assert_int_equal(check("::1"), 0);
}

static void test_allow_without_address_is_everything(void **state)
{
    (void)state;
    build("allow all\n");
    assert_int_equal(check("203.0.113.5"), ACL_SERVE);
    assert_int_equal(check("2001:db8::5"), ACL_SERVE);
}

static void test_restrict_default_serves(void **state)
{
    (void)state;
    build("restrict default kod limited nomodify notrap nopeer noquery\n"
          "restrict 127.0.0.1\nrestrict ::1\n");
    assert_int_equal(check("198.51.100.7"), ACL_SERVE | ACL_KOD | ACL_LIMITED);
    assert_int_equal(check("2001:db8::7"), ACL_SERVE | ACL_KOD | ACL_LIMITED);
    assert_int_equal(check("127.0.0.1"), ACL_SERVE);
    assert_int_equal(check("::1"), ACL_SERVE);
}

static void test_restrict_noserve_ignore_and_masks(void **state)
{
    (void)state;
    build("restrict default noserve\n"
          "restrict 192.168.0.0 mask 255.255.0.0 kod\n"
          "restrict 192.168.7.0/24 ignore\n"
          "restrict -6 default limited\n");
    assert_int_equal(check("8.8.8.8"), 0);
    assert_int_equal(check("192.168.1.1"), ACL_SERVE | ACL_KOD);
    assert_int_equal(check("192.168.7.1"), ACL_IGNORE);
    assert_int_equal(check("2001:db8::1"), ACL_SERVE | ACL_LIMITED);
    teardown(NULL);
    /* noserve with kod: the caller answers KoD DENY */
    build("restrict default kod noserve\n");
    assert_int_equal(check("8.8.8.8"), ACL_KOD);
}

static void test_restrict_and_deny_combine(void **state)
{
    (void)state;
    /* allow/deny decide who is served, restrict adds its flags */
    build("restrict default kod limited\nallow 10.0.0.0/8\n");
    assert_int_equal(check("10.0.0.1"), ACL_SERVE | ACL_KOD | ACL_LIMITED);
    assert_int_equal(check("11.0.0.1"), ACL_KOD | ACL_LIMITED);
}

static void test_source_and_host_rules_skipped(void **state)
{
    (void)state;
    build("restrict source nomodify\nrestrict ntp.example.org nomodify\nrestrict default\n");
    assert_int_equal(acl.skipped, 2);
    assert_int_equal(check("192.0.2.1"), ACL_SERVE);
}

/* notrust survives ignore: the network child also asks whether a source needs a key. */
static void test_notrust(void **state)
{
    (void)state;
    build("restrict default notrust\nrestrict 10.0.0.0/8 ignore notrust\nrestrict 10.1.0.0/16\n");
    assert_int_equal(check("192.0.2.1"), ACL_SERVE | ACL_NOTRUST);
    assert_int_equal(check("10.2.3.4"), ACL_IGNORE | ACL_NOTRUST);
    assert_int_equal(check("10.1.2.3"), ACL_SERVE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_query_access, teardown),
        cmocka_unit_test_teardown(test_nothing_configured_denies, teardown),
        cmocka_unit_test_teardown(test_local_stratum_alone_serves, teardown),
        cmocka_unit_test_teardown(test_allow_longest_prefix, teardown),
        cmocka_unit_test_teardown(test_later_rule_wins_on_same_prefix, teardown),
        cmocka_unit_test_teardown(test_all_overrides_more_specific, teardown),
        cmocka_unit_test_teardown(test_allow_without_address_is_everything, teardown),
        cmocka_unit_test_teardown(test_restrict_default_serves, teardown),
        cmocka_unit_test_teardown(test_restrict_noserve_ignore_and_masks, teardown),
        cmocka_unit_test_teardown(test_restrict_and_deny_combine, teardown),
        cmocka_unit_test_teardown(test_source_and_host_rules_skipped, teardown),
        cmocka_unit_test_teardown(test_notrust, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
