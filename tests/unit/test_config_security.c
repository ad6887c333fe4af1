// SPDX-License-Identifier: ISC
/*
 * Settings that would lower security if ignored are errors with a hint (with or without
 * --strict); settings whose absence is harmless stay warnings.
 */
#include "tests/unit/test_config_util.h"

/* text gives exactly one error, starting with want, in both modes. */
static void assert_refused(const char *text, const char *want)
{
    for (int strict = 0; strict <= 1; strict++) {
        assert_int_equal(load_flags(text, strict ? CFG_STRICT : 0), -1);
        if (diag.n_errors != 1 || diag.n_msgs < 1 || strncmp(diag.msgs[0].text, want, strlen(want)))
            fail_msg("%s: expected \"%s...\", got %zu error(s), first \"%s\"", text, want,
                     diag.n_errors, diag.n_msgs > 0 ? diag.msgs[0].text : "");
    }
}

static void test_refused_directives(void **state)
{
    (void)state;
    assert_refused("crypto pw secret\n",
                   "t.conf:1: crypto is not supported: Autokey (RFC 5906) is not supported; "
                   "use symmetric keys");
    /* NTS settings config_nts.c does not read: ignoring them could widen NTS-KE's trust */
    assert_refused("nosystemcert\n", "t.conf:1: nosystemcert is not supported: tsyncd reads nts");
    assert_refused("ntsratelimit interval 3\n", "t.conf:1: ntsratelimit is not supported");
    assert_refused("ntscachedir /var/lib/chrony\n", "t.conf:1: ntscachedir is not supported");
    assert_refused("keyfile /etc/chrony.keys\n",
                   "t.conf:1: keyfile is not supported: chrony's key file is not read");
    assert_refused("authselectmode require\n", "t.conf:1: authselectmode is not supported");
    assert_refused("bindaddress 127.0.0.1\n",
                   "t.conf:1: bindaddress is not supported: tsyncd serves on every address");
}

static void test_refused_server_options(void **state)
{
    (void)state;
    assert_refused("server a.example autokey\n",
                   "t.conf:1: option \"autokey\" for server: Autokey (RFC 5906) is not "
                   "supported");
    assert_refused("server a.example ident group1 iburst\n",
                   "t.conf:1: option \"ident\" for server: Autokey identity schemes");
    assert_refused("server a.example certset 1\n",
                   "t.conf:1: certset on a server line is unsupported");
    /* the option's value is consumed: "iburst" after ident is still an option */
    assert_int_equal(load("server a.example ident g iburst\n"), -1);
    assert_int_equal(diag.n_msgs, 1);
}

static void test_refused_interface_and_enable(void **state)
{
    (void)state;
    assert_refused("interface ignore wildcard\n",
                   "t.conf:1: interface ignore wildcard is not supported: tsyncd serves on "
                   "every address");
    assert_refused("interface drop eth1\n", "t.conf:1: interface drop eth1 is not supported");
    assert_refused("nic ignore ipv6\n", "t.conf:1: nic ignore ipv6 is not supported");
    assert_refused("interface sideways eth0\n", "t.conf:1: interface: expected");
    assert_refused("disable ntp\n", "t.conf:1: disable ntp is not supported: tsyncd would still "
                                    "adjust the clock; use \"clock none\"");
    assert_int_equal(load("enable ntp\ninterface listen 127.0.0.1\n"), 0);
    assert_int_equal(diag.n_errors, 0);
}

static void test_refused_restrict(void **state)
{
    (void)state;
    assert_refused("restrict default ntpport\n", "t.conf:1: restrict ... ntpport is not supported");
    assert_refused("restrict 10.0.0.0/8 version\n",
                   "t.conf:1: restrict ... version is not supported");
    assert_refused("restrict source ignore\n",
                   "t.conf:1: restrict source with ignore, noserve, limited or notrust: rules "
                   "for \"source\" and host names are not applied yet");
    assert_refused("restrict evil.example noserve\n", "t.conf:1: restrict evil.example with");
    assert_refused("restrict -6 ntp.example limited\n", "t.conf:1: restrict ntp.example with");
    assert_refused("restrict source notrust\n", "t.conf:1: restrict source with");
    /* notrust is implemented for addresses and networks; harmless flags on source rules */
    assert_int_equal(load_flags("restrict default kod notrust nomodify\n"
                                "restrict source notrap nomodify noquery\n"
                                "restrict ntp.example nomodify nopeer\n",
                                CFG_STRICT),
                     0);
    assert_int_equal(diag.n_msgs, 0);
}

/* Settings whose absence lowers nothing are warnings, also under --strict. */
static void test_harmless_stay_warnings(void **state)
{
    (void)state;
    assert_int_equal(load_flags("broadcastclient\nmulticastclient 224.0.1.1\n"
                                "manycastclient 239.1.1.1\nbroadcast 192.0.2.255\n"
                                "discard average 3\nmru maxdepth 100\ntrap 127.0.0.1\n"
                                "setvar a = b\nrevoke 16\nautomax 12\nenable mode7\n"
                                "enable monitor\ndisable kernel\nenable auth\n"
                                "server a.example xleave preempt dynamic\n"
                                "restrict default mssntp flake\n",
                                CFG_STRICT),
                     0);
    assert_int_equal(diag.n_errors, 0);
    assert_true(diag.n_warnings >= 15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refused_directives, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_server_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_interface_and_enable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_restrict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_harmless_stay_warnings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
