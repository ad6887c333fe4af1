// SPDX-License-Identifier: ISC
/* Configuration parser: restrict, unrestrict, allow/deny, ratelimit, table limits, cfg_print. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "tests/unit/test_config_util.h"

static void assert_net(const struct cfg_net *n, int af, const char *addr, const char *mask)
{
    uint8_t a[16] = {0}, m[16] = {0};
    assert_int_equal(inet_pton(af, addr, a), 1);
    assert_int_equal(inet_pton(af, mask, m), 1);
    assert_int_equal(n->family, af == AF_INET ? CFG_FAMILY_IPV4 : CFG_FAMILY_IPV6);
    assert_memory_equal(n->addr, a, 16);
    assert_memory_equal(n->mask, m, 16);
}

static void test_restrict_kinds(void **state)
{
    (void)state;
    assert_int_equal(load("restrict default kod nomodify notrap nopeer noquery\n"
                          "restrict -4 default ignore\n"
                          "restrict -6 default limited\n"
                          "restrict 127.0.0.1\n"
                          "restrict -6 ::1\n"
                          "restrict 192.168.1.7 mask 255.255.255.0 nomodify notrap\n"
                          "restrict 10.0.0.0/8 noserve\n"
                          "restrict 2001:db8::/32 notrust\n"
                          "restrict source notrap nomodify noquery\n"
                          "restrict ntp.example mask 255.255.255.255 nomodify\n"
                          "restrict [fe80::1]\n"),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(cfg.n_restricts, 11);
    const struct cfg_restrict *r = cfg.restricts;
    assert_int_equal(r[0].kind, CFG_RESTRICT_DEFAULT);
    assert_int_equal(r[0].family, CFG_FAMILY_ANY);
    assert_int_equal(r[0].flags, CFG_RES_KOD | CFG_RES_NOMODIFY | CFG_RES_NOTRAP | CFG_RES_NOPEER |
                                     CFG_RES_NOQUERY);
    assert_int_equal(r[1].family, CFG_FAMILY_IPV4);
    assert_int_equal(r[1].flags, CFG_RES_IGNORE);
    assert_int_equal(r[2].family, CFG_FAMILY_IPV6);
    assert_int_equal(r[3].kind, CFG_RESTRICT_NET);
    assert_int_equal(r[3].flags, 0);
    assert_net(&r[3].net, AF_INET, "127.0.0.1", "255.255.255.255");
    assert_net(&r[4].net, AF_INET6, "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
    assert_net(&r[5].net, AF_INET, "192.168.1.0", "255.255.255.0"); /* masked */
    assert_int_equal(r[5].flags, CFG_RES_NOMODIFY | CFG_RES_NOTRAP);
    assert_net(&r[6].net, AF_INET, "10.0.0.0", "255.0.0.0");
    assert_net(&r[7].net, AF_INET6, "2001:db8::", "ffff:ffff::");
    assert_int_equal(r[8].kind, CFG_RESTRICT_SOURCE);
    assert_int_equal(r[9].kind, CFG_RESTRICT_HOST);
    assert_string_equal(r[9].host, "ntp.example");
    assert_int_equal(r[9].net.family, CFG_FAMILY_IPV4);
    assert_net(&r[10].net, AF_INET6, "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
}

static void test_restrict_all_flags(void **state)
{
    (void)state;
    static const char *const names[] = {"ignore",   "kod",     "limited",   "lowpriotrap",
                                        "nomodify", "noquery", "nopeer",    "noserve",
                                        "notrap",   "notrust", "ntpport",   "version",
                                        "mssntp",   "flake",   "nomrulist", "noepeer"};
    const uint32_t refused = CFG_RES_NTPPORT | CFG_RES_VERSION; /* test_config_security.c */
    char text[512] = "restrict default";
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!((1u << i) & refused)) {
            strcat(text, " ");
            strcat(text, names[i]);
        }
        assert_string_equal(cfg_restrict_flag_name(1u << i), names[i]);
    }
    strcat(text, "\n");
    assert_int_equal(load(text), 0);
    assert_int_equal(cfg.restricts[0].flags, ((1u << 16) - 1) & ~refused);
    assert_null(cfg_restrict_flag_name(1u << 16));
}

static void test_restrict_replaces_same_address(void **state)
{
    (void)state;
    assert_int_equal(load("restrict 10.1.2.3 nomodify\nrestrict default kod\n"
                          "restrict 10.1.2.3 noquery\n"),
                     0);
    assert_int_equal(cfg.n_restricts, 2);
    assert_int_equal(cfg.restricts[0].flags, CFG_RES_NOQUERY);
    /* different masks are different rules */
    assert_int_equal(load("restrict 10.0.0.0 mask 255.0.0.0\nrestrict 10.0.0.0\n"), 0);
    assert_int_equal(cfg.n_restricts, 2);
}

static void test_restrict_errors(void **state)
{
    (void)state;
    assert_int_equal(load("restrict\n"), -1);
    assert_only_error("t.conf:1: missing address for restrict");
    assert_int_equal(load("restrict -4\n"), -1);
    assert_only_error("t.conf:1: missing address for restrict");
    assert_int_equal(load("restrict 10.0.0.0/33\n"), -1);
    assert_only_error("t.conf:1: invalid address \"10.0.0.0/33\" for restrict");
    assert_int_equal(load("restrict 10.0.0.0/\n"), -1);
    assert_int_equal(load("restrict 300.1.1.1/8\n"), -1);
    assert_int_equal(load("restrict -4 ::1\n"), -1);
    assert_only_error("t.conf:1: restrict -4 does not match address \"::1\"");
    assert_int_equal(load("restrict -6 10.0.0.1\n"), -1);
    assert_int_equal(load("restrict 10.0.0.0 mask 255.0.0\n"), -1);
    assert_only_error("t.conf:1: invalid mask \"255.0.0\"");
    assert_int_equal(load("restrict 10.0.0.0 mask ffff::\n"), -1);
    assert_only_error("t.conf:1: invalid mask \"ffff::\"");
    assert_int_equal(load("restrict 10.0.0.0 mask\n"), -1);
    assert_only_error("t.conf:1: missing value for mask");
    assert_int_equal(load("restrict default mask 255.0.0.0\n"), -1);
    assert_only_error("t.conf:1: mask not allowed here (\"255.0.0.0\")");
    assert_int_equal(load("restrict 10.0.0.0/8 mask 255.0.0.0\n"), -1);
    assert_int_equal(cfg.n_restricts, 0);
}

static void test_restrict_unknown_flag(void **state)
{
    (void)state;
    assert_int_equal(load("restrict default nomodfy noquery\n"), 0);
    assert_msg("t.conf:1: warning: unknown flag \"nomodfy\" for restrict");
    assert_int_equal(cfg.restricts[0].flags, CFG_RES_NOQUERY);
    assert_int_equal(load_flags("restrict default nomodfy noquery\n", CFG_STRICT), -1);
    assert_only_error("t.conf:1: unknown flag \"nomodfy\" for restrict");
    assert_int_equal(cfg.n_restricts, 0);
    assert_int_equal(load("restrict default ippeerlimit 2 kod\n"), 0);
    assert_msg("t.conf:1: warning: restrict option \"ippeerlimit\" is unsupported, ignored");
    assert_int_equal(cfg.restricts[0].flags, CFG_RES_KOD);
}

static void test_unrestrict(void **state)
{
    (void)state;
    assert_int_equal(load("restrict default kod nomodify\nrestrict 10.0.0.1 noquery\n"
                          "unrestrict default kod\nunrestrict 10.0.0.1\n"),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(cfg.n_restricts, 1);
    assert_int_equal(cfg.restricts[0].flags, CFG_RES_NOMODIFY);
    assert_int_equal(load("unrestrict 10.9.9.9\n"), 0);
    assert_msg("t.conf:1: warning: unrestrict: no matching restrict rule");
    assert_int_equal(load("restrict ntp.example\nunrestrict ntp.example\n"), 0);
    assert_int_equal(cfg.n_restricts, 0);
}

static void test_allow_deny(void **state)
{
    (void)state;
    assert_int_equal(load("allow 192.168.0.0/16\ndeny 192.168.5.0/24\nallow\ndeny all\n"
                          "allow all 10.0.0.0/8\nallow 2001:db8::1\n"),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(cfg.n_acls, 6);
    const struct cfg_acl *a = cfg.acls;
    assert_true(a[0].allow);
    assert_false(a[0].all);
    assert_net(&a[0].net, AF_INET, "192.168.0.0", "255.255.0.0");
    assert_false(a[1].allow);
    assert_net(&a[1].net, AF_INET, "192.168.5.0", "255.255.255.0");
    assert_int_equal(a[2].family, CFG_FAMILY_ANY);
    assert_true(a[2].allow);
    assert_false(a[3].allow);
    assert_true(a[3].all);
    assert_int_equal(a[3].family, CFG_FAMILY_ANY);
    assert_true(a[4].all);
    assert_net(&a[4].net, AF_INET, "10.0.0.0", "255.0.0.0");
    assert_net(&a[5].net, AF_INET6, "2001:db8::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");

    assert_int_equal(load("allow ntp.example\n"), -1);
    assert_only_error("t.conf:1: invalid address \"ntp.example\" for allow");
    assert_int_equal(load("deny 10.0.0.0/8 extra\n"), -1);
    assert_only_error("t.conf:1: unexpected \"extra\" after deny address");
    assert_int_equal(load("allow ::/129\n"), -1);
}

static void test_ratelimit(void **state)
{
    (void)state;
    assert_int_equal(load("ratelimit\n"), 0);
    assert_true(cfg.ratelimit.enabled);
    assert_int_equal(cfg.ratelimit.interval, 3);
    assert_int_equal(cfg.ratelimit.burst, 8);
    assert_int_equal(cfg.ratelimit.leak, 2);
    assert_int_equal(cfg.ratelimit.kod, -1);
    assert_int_equal(load("ratelimit interval -19 burst 255 leak 0 kod 4\n"), 0);
    assert_int_equal(cfg.ratelimit.interval, -19);
    assert_int_equal(cfg.ratelimit.burst, 255);
    assert_int_equal(cfg.ratelimit.leak, 0);
    assert_int_equal(cfg.ratelimit.kod, 4);

    assert_int_equal(load("ratelimit interval 13\n"), -1);
    assert_only_error("t.conf:1: interval: \"13\" is out of range -19..12");
    assert_false(cfg.ratelimit.enabled);
    assert_int_equal(load("ratelimit burst 0\n"), -1);
    assert_only_error("t.conf:1: burst: \"0\" is out of range 1..255");
    assert_int_equal(load("ratelimit leak 5\n"), -1);
    assert_int_equal(load("ratelimit kod -1\n"), -1);
    assert_int_equal(load("ratelimit burst\n"), -1);
    assert_only_error("t.conf:1: missing value for burst");
    assert_int_equal(load("ratelimit maxburst 3\n"), 0);
    assert_msg("t.conf:1: warning: unknown option \"maxburst\" for ratelimit");
}

/* Loads count lines made from fmt (a literal with two %d: index % 250 and index / 250). */
#define LOAD_REPEATED(fmt, count)                                                                  \
    ({                                                                                             \
        size_t size_ = (size_t)(count)*64 + 1, n_ = 0;                                             \
        char *text_ = malloc(size_);                                                               \
        assert_non_null(text_);                                                                    \
        for (int i_ = 0; i_ < (count); i_++)                                                       \
            n_ += (size_t)snprintf(text_ + n_, size_ - n_, fmt, i_ % 250, i_ / 250);               \
        int rc_ = load(text_);                                                                     \
        free(text_);                                                                               \
        rc_;                                                                                       \
    })

static void test_table_limits(void **state)
{
    (void)state;
    assert_int_equal(LOAD_REPEATED("restrict 10.%d.%d.0 mask 255.255.255.0\n", CFG_MAX_RESTRICTS),
                     0);
    assert_int_equal(cfg.n_restricts, CFG_MAX_RESTRICTS);
    assert_int_equal(
        LOAD_REPEATED("restrict 10.%d.%d.0 mask 255.255.255.0\n", CFG_MAX_RESTRICTS + 1), -1);
    assert_only_error("t.conf:513: too many restrict rules (limit 512)");
    assert_int_equal(LOAD_REPEATED("allow 10.%d.%d.0/24\n", CFG_MAX_ACL + 1), -1);
    assert_only_error("t.conf:513: too many allow/deny rules (limit 512)");
    assert_int_equal(cfg.n_acls, CFG_MAX_ACL);
    assert_int_equal(LOAD_REPEATED("refclock phc /dev/ptp%d # %d\n", CFG_MAX_REFCLOCKS + 1), -1);
    assert_only_error("t.conf:17: too many refclocks (limit 16)");
    assert_int_equal(LOAD_REPEATED("hwtimestamp eth%d # %d\n", CFG_MAX_HWTS + 1), -1);
    assert_only_error("t.conf:33: too many hwtimestamp lines (limit 32)");
    assert_int_equal(cfg.n_hwts, CFG_MAX_HWTS);
}

static const char full_config[] =
    "server 0.amazon.pool.ntp.org iburst\n"
    "server -4 a.example burst prefer noselect true minpoll 3 maxpoll 5 version 3 port 1123\n"
    "pool 0.debian.pool.ntp.org iburst\n"
    "refclock phc /dev/ptp0 poll 2 delay 1e-5 offset -0.5 readings 7 prefer noselect\n"
    "hwtimestamp *\n"
    "local stratum 9\n"
    "driftfile \"/var/lib/my ntp/drift\"\n"
    "logfile /var/log/tsyncd.log\n"
    "leapfile /usr/share/zoneinfo/leap-seconds.list\n"
    "pidfile /run/tsyncd.pid\n"
    "logconfig =syncall +peerevents +clockevents\n"
    "restrict -4 default kod notrap nomodify nopeer noquery limited\n"
    "restrict -6 default kod notrap nomodify nopeer noquery limited\n"
    "restrict 127.0.0.1\n"
    "restrict ::1\n"
    "restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap\n"
    "restrict 10.0.0.0 mask 255.0.255.0 noserve\n"
    "restrict 2001:db8::/48 notrust\n"
    "restrict source notrap nomodify noquery\n"
    "restrict ntp.example mask 255.255.255.255 nomodify\n"
    "allow 192.168.0.0/16\n"
    "deny all 192.168.9.0/24\n"
    "allow\n"
    "ratelimit interval 4 burst 16 leak 3 kod 1\n"
    "tinker step 0.5 panic 0 stepout 300 dispersion 20\n"
    "clock virtual offset 300 freq -12.5\n"
    "maxslewrate 1000\n"
    "minsources 2\n"
    "port 1123\n"
    "user ntp:ntp\n"
    "chroot /var/lib/tsyncd\n"
    "controlsocket /run/t.sock\n";

static void test_print(void **state)
{
    (void)state;
    assert_int_equal(load(full_config), 0);
    assert_int_equal(diag.n_msgs, 0);
    const char *out = printed(&cfg);
    static const char *const lines[] = {
        "server 0.amazon.pool.ntp.org iburst minpoll 6 maxpoll 10\n",
        "server -4 a.example burst prefer noselect true minpoll 3 maxpoll 5 version 3 port 1123\n",
        "pool 0.debian.pool.ntp.org iburst minpoll 6 maxpoll 10\n",
        "refclock phc /dev/ptp0 poll 2 delay 1e-05 offset -0.5 readings 7 prefer noselect\n",
        "hwtimestamp *\n",
        "local stratum 9\n",
        "driftfile \"/var/lib/my ntp/drift\"\n",
        "logfile /var/log/tsyncd.log\n",
        "restrict -4 default kod limited nomodify noquery nopeer notrap\n",
        "restrict 127.0.0.1\n",
        "restrict ::1\n",
        "restrict 192.168.1.0 mask 255.255.255.0 nomodify notrap\n",
        "restrict 10.0.0.0 mask 255.0.255.0 noserve\n",
        "restrict 2001:db8::/48 notrust\n",
        "restrict source nomodify noquery notrap\n",
        "restrict ntp.example mask 255.255.255.255 nomodify\n",
        "allow 192.168.0.0/16\n",
        "deny all 192.168.9.0/24\n",
        "allow\n",
        "ratelimit interval 4 burst 16 leak 3 kod 1\n",
        "tinker step 0.5 panic 0 stepout 300 dispersion 20\n",
        "clock virtual offset 300 freq -12.5\n",
        "maxslewrate 1000\n",
        "minsources 2\n",
        "port 1123\n",
        "user ntp:ntp\n",
        "chroot /var/lib/tsyncd\n",
        "controlsocket /run/t.sock\n",
    };
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        if (strstr(out, lines[i]) == NULL)
            fail_msg("missing line %s in:\n%s", lines[i], out);
}

/* The printed form is a configuration that loads to the same printed form. */
static void test_print_round_trip(void **state)
{
    (void)state;
    static char first[1 << 16];
    const char *samples[] = {full_config,
                             "",
                             "server 127.127.1.0\nfudge 127.127.1.0 stratum 3\n",
                             "clock none\nratelimit\n",
                             "restrict -4 ntp.example nomodify\nrestrict -6 source kod\n"
                             "restrict 10.0.0.0 mask 255.0.255.0\nrefclock phc \"/dev/my#ptp\"\n",
                             "statsdir /var/log/s\nstatistics loopstats sysstats\n"
                             "filegen peerstats file p type week nolink enable\n"
                             "logident ntpd\ntos minclock 2 maxclock 6\n"};
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        assert_int_equal(load(samples[i]), 0);
        strcpy(first, printed(&cfg));
        assert_int_equal(load_flags(first, CFG_STRICT), 0);
        assert_int_equal(diag.n_msgs, 0);
        assert_string_equal(printed(&cfg), first);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_restrict_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restrict_all_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restrict_replaces_same_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restrict_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restrict_unknown_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unrestrict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allow_deny, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ratelimit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print, setup, teardown),
        cmocka_unit_test_setup_teardown(test_print_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
