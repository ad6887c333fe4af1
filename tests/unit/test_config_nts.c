// SPDX-License-Identifier: ISC
/* NTS directives in NTPsec's and chrony's syntax, and what is refused because it would weaken
 * NTS. */
#include "tests/unit/test_config_util.h"

static void test_ntpsec_client_and_server(void **state)
{
    (void)state;
    assert_int_equal(load("server time.example.net nts iburst\n"
                          "nts cert /etc/tsyncd/cert.pem\n"
                          "nts key /etc/tsyncd/key.pem\n"
                          "nts ca /etc/tsyncd/ca.pem\n"
                          "nts cookie /var/lib/tsyncd/keys\n"
                          "nts enable mintls TLS1.3\n"),
                     0);
    assert_true(cfg.sources[0].flags & CFG_SRC_NTS);
    assert_true(cfg.sources[0].flags & CFG_SRC_IBURST);
    assert_int_equal(cfg.sources[0].nts_port, 4460);
    assert_string_equal(cfg.nts_cert, "/etc/tsyncd/cert.pem");
    assert_string_equal(cfg.nts_key, "/etc/tsyncd/key.pem");
    assert_string_equal(cfg.nts_trusted, "/etc/tsyncd/ca.pem");
    assert_string_equal(cfg.nts_cookie_file, "/var/lib/tsyncd/keys");
    assert_true(cfg_nts_server(&cfg));
    assert_true(cfg_nts_client(&cfg));
    assert_int_equal(diag.n_warnings, 0);
}

static void test_chrony_syntax(void **state)
{
    (void)state;
    assert_int_equal(load("pool pool.example.net iburst nts ntsport 4461\n"
                          "ntsservercert /c.pem\nntsserverkey /k.pem\n"
                          "ntstrustedcerts /ca.pem\nntsdumpdir /var/lib/chrony\n"
                          "ntsport 14460\nntsrotate 3600\nntsntpserver ntp.example.net\n"
                          "ntsserverhelpers 2\n"),
                     0);
    assert_true(cfg.sources[0].flags & CFG_SRC_NTS);
    assert_int_equal(cfg.sources[0].nts_port, 4461);
    assert_string_equal(cfg.nts_cert, "/c.pem");
    assert_string_equal(cfg.nts_key, "/k.pem");
    assert_string_equal(cfg.nts_trusted, "/ca.pem");
    assert_string_equal(cfg.nts_cookie_file, "/var/lib/chrony/ntskeys");
    assert_int_equal(cfg.ntske_port, 14460);
    assert_true(cfg.nts_rotate_s == 3600);
    assert_string_equal(cfg.nts_ntp_server, "ntp.example.net");
    assert_int_equal(diag.n_warnings, 1); /* ntsserverhelpers: not needed */
}

static void test_weakening_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(load("server a.example nts noval\n"), -1);
    assert_true(find_msg("t.conf:1: noval is unsupported") >= 0);
    assert_int_equal(load("server a.example nts ca /x.pem\n"), -1);
    assert_true(find_msg("a CA per server is unsupported") >= 0);
    assert_int_equal(load("nts mintls TLS1.2\n"), -1);
    assert_true(find_msg("TLS 1.3 only") >= 0);
    assert_int_equal(load("server a.example nts aead AES_SIV_CMAC_512\n"), -1);
    assert_int_equal(load("nts tlsciphersuites NULL\n"), -1);
    assert_int_equal(load("nocerttimecheck 1\n"), -1);
    assert_int_equal(load("nts cert relative.pem\n"), -1);
    assert_true(find_msg("not an absolute path") >= 0);
    assert_int_equal(load("nts cert /c.pem\n"), -1);
    assert_true(find_msg("both a certificate") >= 0);
    assert_int_equal(load("nts\n"), -1);
    assert_int_equal(load("ntsport 0\n"), -1);
    assert_int_equal(load("server a.example nts ntsport 70000\n"), -1);
}

static void test_disable_and_defaults(void **state)
{
    (void)state;
    assert_int_equal(load("nts cert /c.pem key /k.pem\nnts disable\nserver a.example\n"), 0);
    assert_false(cfg_nts_server(&cfg));
    assert_false(cfg_nts_client(&cfg));
    assert_int_equal(cfg.ntske_port, 4460);
    assert_true(cfg.nts_rotate_s == 86400);
    assert_null(cfg.nts_cookie_file);
}

/* NTS with interleaved mode or a symmetric key on the same line is a contradiction: an error
 * naming the line (an NTS reply is sealed before it is sent; NTS authenticates already). */
static void test_contradictions_are_errors(void **state)
{
    (void)state;
    assert_int_equal(load("server a.example iburst\nserver b.example nts xleave\n"), -1);
    assert_int_equal(diag.n_errors, 1);
    assert_non_null(strstr(diag.msgs[0].text, "t.conf:2: nts and xleave cannot be combined"));
    assert_int_equal(load("pool p.example xleave nts\n"), -1);
    assert_non_null(strstr(diag.msgs[0].text, "t.conf:1: nts and xleave"));
    assert_int_equal(load("keys /nonexistent/ntp.keys\ntrustedkey 1\nserver a.example nts key 1\n"),
                     -1);
    bool found = false;
    for (size_t i = 0; i < diag.n_msgs; i++)
        found = found || strstr(diag.msgs[i].text, "t.conf:3: nts and key cannot be combined");
    assert_true(found);
    assert_int_equal(load("server a.example xleave\nserver b.example nts\n"), 0);
}

static void test_print_reads_back(void **state)
{
    char buf[8192];
    FILE *f;
    size_t n;

    (void)state;
    assert_int_equal(load("server a.example nts ntsport 4461\nnts cert /c.pem\nnts key /k.pem\n"
                          "ntsrotate 60\n"),
                     0);
    f = fmemopen(buf, sizeof(buf), "w");
    assert_int_equal(cfg_print(&cfg, f), 0);
    n = (size_t)ftell(f);
    fclose(f);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "server a.example nts minpoll 6 maxpoll 10 ntsport 4461\n"));
    assert_non_null(strstr(buf, "nts cert /c.pem\n"));
    assert_int_equal(load(buf), 0);
    assert_true(cfg_nts_server(&cfg));
    assert_true(cfg.nts_rotate_s == 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_ntpsec_client_and_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chrony_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weakening_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_and_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contradictions_are_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print_reads_back, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
