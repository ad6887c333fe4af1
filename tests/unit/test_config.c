// SPDX-License-Identifier: ISC
/* Configuration parser: syntax, sources, paths, scalar directives, error collection. */
#include <math.h>
#include <stdlib.h>

#include "daemon/common/log.h"
#include "tests/unit/test_config_util.h"

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(load(""), 0);
    assert_int_equal(cfg.n_sources, 0);
    assert_null(cfg.driftfile);
    assert_null(cfg.logfile);
    assert_string_equal(cfg.controlsocket, "/run/tsyncd/tsyncd.sock");
    assert_int_equal(cfg.port, 123);
    assert_true(cfg.step_s == 0.128);
    assert_true(cfg.panic_s == 1000.0);
    assert_true(cfg.stepout_s == 900.0);
    assert_int_equal(cfg.clock, CFG_CLOCK_SYSTEM);
    assert_int_equal(cfg.local_stratum, 0);
    assert_true(cfg.maxslewrate_ppm == 500.0);
    assert_int_equal(cfg.minsources, 1);
    assert_int_equal(cfg.log_mask, log_config_default());
    assert_false(cfg.ratelimit.enabled);
    assert_int_equal(diag.n_msgs, 0);
}

static void test_server_options(void **state)
{
    (void)state;
    assert_int_equal(load("server a.example iburst burst prefer noselect true minpoll 4 "
                          "maxpoll 12 version 3 port 1123\n"
                          "pool -6 b.example\n"),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(cfg.n_sources, 2);
    const struct cfg_source *s = &cfg.sources[0];
    assert_int_equal(s->type, CFG_SOURCE_SERVER);
    assert_string_equal(s->name, "a.example");
    assert_int_equal(s->flags, CFG_SRC_IBURST | CFG_SRC_BURST | CFG_SRC_PREFER | CFG_SRC_NOSELECT |
                                   CFG_SRC_TRUE);
    assert_int_equal(s->minpoll, 4);
    assert_int_equal(s->maxpoll, 12);
    assert_int_equal(s->version, 3);
    assert_int_equal(s->port, 1123);
    s = &cfg.sources[1];
    assert_int_equal(s->type, CFG_SOURCE_POOL);
    assert_int_equal(s->family, CFG_FAMILY_IPV6);
    assert_int_equal(s->flags, 0);
    assert_int_equal(s->minpoll, 6);
    assert_int_equal(s->maxpoll, 10);
    assert_int_equal(s->version, 4);
    assert_int_equal(s->port, 123);
}

static void test_server_poll_bounds(void **state)
{
    (void)state;
    /* One bound alone drags the other default along, as ntpd does. */
    assert_int_equal(
        load("server a minpoll 12\nserver b maxpoll 3\nserver c minpoll 0 maxpoll 17\n"), 0);
    assert_int_equal(cfg.sources[0].minpoll, 12);
    assert_int_equal(cfg.sources[0].maxpoll, 12);
    assert_int_equal(cfg.sources[1].minpoll, 3);
    assert_int_equal(cfg.sources[1].maxpoll, 3);
    assert_int_equal(cfg.sources[2].minpoll, 0);
    assert_int_equal(cfg.sources[2].maxpoll, 17);

    assert_int_equal(load("server a minpoll 8 maxpoll 6\n"), -1);
    assert_only_error("t.conf:1: minpoll 8 is greater than maxpoll 6");
    assert_int_equal(cfg.n_sources, 0);
    assert_int_equal(load("server a maxpoll 18\n"), -1);
    assert_only_error("t.conf:1: maxpoll: \"18\" is out of range 0..17");
    assert_int_equal(load("server a minpoll -1\n"), -1);
    assert_only_error("t.conf:1: minpoll: \"-1\" is out of range 0..17");
    assert_int_equal(load("server a minpoll six\n"), -1);
    assert_only_error("t.conf:1: minpoll: \"six\" is not an integer");
    assert_int_equal(load("server a minpoll 6x\n"), -1);
    assert_only_error("t.conf:1: minpoll: \"6x\" is not an integer");
    assert_int_equal(load("server a maxpoll\n"), -1);
    assert_only_error("t.conf:1: missing value for maxpoll");
    assert_int_equal(load("server a minpoll 99999999999999999999999\n"), -1);
    assert_int_equal(diag.n_errors, 1);
}

static void test_server_errors(void **state)
{
    (void)state;
    assert_int_equal(load("server\n"), -1);
    assert_only_error("t.conf:1: missing host name for server");
    assert_int_equal(load("pool -4\n"), -1);
    assert_only_error("t.conf:1: missing host name for pool");
    assert_int_equal(load("server bad/name\n"), -1);
    assert_only_error("t.conf:1: invalid host name \"bad/name\" for server");
    assert_int_equal(load("server -4 2001:db8::1\n"), -1);
    assert_only_error("t.conf:1: server -4 does not match address \"2001:db8::1\"");
    assert_int_equal(load("pool -6 192.0.2.1\n"), -1);
    assert_int_equal(load("server -6 [2001:db8::1]\nserver -4 192.0.2.1\n"), 0);
    assert_int_equal(cfg.n_sources, 2);
    assert_int_equal(load("server a version 5\n"), -1);
    assert_only_error("t.conf:1: version: \"5\" is out of range 1..4");
    assert_int_equal(load("server a version 0\n"), -1);
    assert_int_equal(load("server a port 0\n"), -1);
    assert_only_error("t.conf:1: port: \"0\" is out of range 1..65535");
    assert_int_equal(load("server a key 0\n"), -1);
    assert_only_error("t.conf:1: key: \"0\" is out of range 1..65535");
}

static void test_server_warnings(void **state)
{
    (void)state;
    assert_int_equal(load("server a.example\nserver b preempt mode 3 iburst\n"), 0);
    assert_int_equal(diag.n_errors, 0);
    assert_msg("t.conf:2: warning: option \"preempt\" for server is unsupported, ignored");
    assert_msg("t.conf:2: warning: option \"mode\" for server is unsupported, ignored");
    assert_int_equal(cfg.n_sources, 2);
    assert_int_equal(cfg.sources[0].type, CFG_SOURCE_SERVER);
    assert_int_equal(cfg.sources[1].flags, CFG_SRC_IBURST); /* "3" was mode's value */
}

/* Symmetric active mode is not implemented: `peer` is an error, not a silent `server`. */
static void test_peer_is_an_error(void **state)
{
    (void)state;
    assert_int_equal(load("server b iburst\npeer a.example iburst\n"), -1);
    assert_only_error("t.conf:2: peer a.example: symmetric active mode is not implemented; "
                      "write \"server a.example iburst\" (and let the other side serve this "
                      "host)");
    assert_int_equal(cfg.n_sources, 1);
}

/* The acceptance case of issue 2: a typo is a warning, and an error with --strict. */
static void test_unknown_option_strict(void **state)
{
    (void)state;
    static const char text[] = "# tsyncd\n\nserver a.example ibrust\n";
    assert_int_equal(load(text), 0);
    assert_int_equal(diag.n_errors, 0);
    assert_msg("t.conf:3: warning: unknown option \"ibrust\" for server");
    assert_int_equal(cfg.n_sources, 1);
    assert_int_equal(cfg.sources[0].flags, 0);

    assert_int_equal(load_flags(text, CFG_STRICT), -1);
    assert_only_error("t.conf:3: unknown option \"ibrust\" for server");
}

/* chrony-style options with a numeric value give one warning, not two. */
static void test_unknown_option_value(void **state)
{
    (void)state;
    assert_int_equal(load("server a maxdelay 0.3 iburst polltarget 30\n"), 0);
    assert_int_equal(diag.n_warnings, 2);
    assert_msg("t.conf:1: warning: unknown option \"maxdelay\" for server");
    assert_msg("t.conf:1: warning: unknown option \"polltarget\" for server");
    assert_int_equal(cfg.sources[0].flags, CFG_SRC_IBURST);
    assert_int_equal(load("hwtimestamp eth0 minpoll -2 nocrossts\nratelimit foo 3 burst 4\n"), 0);
    assert_int_equal(diag.n_warnings, 3);
    assert_int_equal(cfg.ratelimit.burst, 4);
}

static void test_unknown_directive(void **state)
{
    (void)state;
    assert_int_equal(load("frobnicate 1 2\n"), 0);
    assert_msg("t.conf:1: warning: unknown directive \"frobnicate\"");
    assert_int_equal(load_flags("frobnicate 1 2\n", CFG_STRICT), -1);
    assert_only_error("t.conf:1: unknown directive \"frobnicate\"");
    /* "unsupported, ignored" warnings stay warnings under --strict */
    assert_int_equal(load_flags("statistics rawstats\n", CFG_STRICT), 0);
    assert_msg("t.conf:1: warning: statistics: tsyncd does not write rawstats, ignored");
}

/* statsdir, statistics and filegen as ntpd reads them; bad words are errors with file:line. */
static void test_statistics(void **state)
{
    (void)state;
    assert_int_equal(load("statsdir /var/log/ntpstats\nstatistics loopstats peerstats sysstats\n"
                          "filegen peerstats file peers type week nolink\n"
                          "filegen sysstats disable\nfilegen clockstats type none enable\n"),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_string_equal(cfg.statsdir, "/var/log/ntpstats/");
    assert_true(cfg.filegen[CFG_STATS_LOOP].enabled);
    assert_int_equal(cfg.filegen[CFG_STATS_LOOP].type, CFG_FILEGEN_DAY);
    assert_null(cfg.filegen[CFG_STATS_LOOP].file);
    assert_string_equal(cfg.filegen[CFG_STATS_PEER].file, "peers");
    assert_int_equal(cfg.filegen[CFG_STATS_PEER].type, CFG_FILEGEN_WEEK);
    assert_false(cfg.filegen[CFG_STATS_PEER].link);
    assert_false(cfg.filegen[CFG_STATS_SYS].enabled);
    assert_true(cfg.filegen[CFG_STATS_CLOCK].enabled);
    assert_int_equal(cfg.filegen[CFG_STATS_CLOCK].type, CFG_FILEGEN_NONE);

    assert_int_equal(load("filegen loopstats file ../etc/passwd\n"), -1);
    assert_only_error("t.conf:1: filegen file: \"../etc/passwd\" must be a plain name inside "
                      "statsdir");
    assert_int_equal(load("filegen loopstats type hourly\n"), -1);
    assert_only_error("t.conf:1: filegen: unknown type \"hourly\" (none, pid, day, week, month, "
                      "year or age)");
    assert_int_equal(load("statsdir var/log\n"), -1);
    assert_only_error("t.conf:1: statsdir: \"var/log\" is not an absolute path");
    assert_int_equal(load_flags("statistics loopstats bogusstats\n", CFG_STRICT), -1);
    assert_only_error("t.conf:1: statistics: unknown statistics \"bogusstats\"");
    assert_int_equal(load("filegen loopstats frob\n"), 0);
    assert_msg("t.conf:1: warning: filegen: unknown option \"frob\"");
}

/* logident: the program name of log lines (for syslog rules written for ntpd). */
static void test_logident(void **state)
{
    (void)state;
    assert_int_equal(load("logident ntpd\n"), 0);
    assert_string_equal(cfg.log_ident, "ntpd");
    assert_int_equal(load("logident \"ntp d\"\n"), -1);
    assert_only_error("t.conf:1: logident: \"ntp d\" is not a program name ([A-Za-z0-9._-], at "
                      "most 32)");
    assert_int_equal(load("logident\n"), -1);
}

static void test_paths(void **state)
{
    (void)state;
    assert_int_equal(load("driftfile /var/lib/ntp/drift\nlogfile /var/log/ntp.log\n"
                          "leapfile /usr/share/zoneinfo/leap-seconds.list\npidfile /run/t.pid\n"
                          "chroot /var/empty\ncontrolsocket /tmp/t.sock\n"
                          "driftfile \"/var/lib/ntp/the drift\"\n"),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_string_equal(cfg.driftfile, "/var/lib/ntp/the drift"); /* the last one wins */
    assert_string_equal(cfg.logfile, "/var/log/ntp.log");
    assert_string_equal(cfg.leapfile, "/usr/share/zoneinfo/leap-seconds.list");
    assert_string_equal(cfg.pidfile, "/run/t.pid");
    assert_string_equal(cfg.chroot_dir, "/var/empty");
    assert_string_equal(cfg.controlsocket, "/tmp/t.sock");

    assert_int_equal(load("driftfile\n"), -1);
    assert_only_error("t.conf:1: missing argument for driftfile");
    assert_int_equal(load("logfile /a /b\n"), -1);
    assert_only_error("t.conf:1: unexpected \"/b\" after logfile argument");
    assert_int_equal(load("driftfile drift\n"), -1);
    assert_only_error("t.conf:1: driftfile: \"drift\" is not an absolute path");
    char text[300] = "controlsocket /";
    memset(text + 15, 's', 150);
    strcpy(text + 165, "\n");
    assert_int_equal(load(text), -1);
    assert_only_error("t.conf:1: controlsocket: path too long for a Unix socket");
}

static void test_logconfig(void **state)
{
    (void)state;
    uint32_t want = log_config_default();
    char err[128];
    assert_int_equal(log_config_apply(&want, "=syncall", err, sizeof(err)), 0);
    assert_int_equal(log_config_apply(&want, "+peerevents", err, sizeof(err)), 0);
    assert_int_equal(log_config_apply(&want, "-syncstatus", err, sizeof(err)), 0);
    assert_int_equal(load("logconfig =syncall +peerevents\nlogconfig -syncstatus\n"), 0);
    assert_int_equal(cfg.log_mask, want);
    assert_int_equal(load("logconfig +peerevents +bogus\n"), -1);
    assert_int_equal(diag.n_errors, 1);
    assert_int_equal(find_msg("t.conf:1: logconfig: \"+bogus\": "), 0);
    assert_int_equal(load("logconfig\n"), -1);
    assert_only_error("t.conf:1: missing argument for logconfig");
}

static void test_scalars(void **state)
{
    (void)state;
    assert_int_equal(load("port 1123\nmaxslewrate 83.5\nminsources 2\nuser ntp:nogroup\n"
                          "tos minsane 3\n"),
                     0);
    assert_int_equal(cfg.port, 1123);
    assert_true(cfg.maxslewrate_ppm == 83.5);
    assert_int_equal(cfg.minsources, 3); /* tos minsane came last */
    assert_string_equal(cfg.user, "ntp");
    assert_string_equal(cfg.group, "nogroup");
    assert_int_equal(load("user _tsyncd\n"), 0);
    assert_string_equal(cfg.user, "_tsyncd");
    assert_null(cfg.group);

    assert_int_equal(load("port 65536\n"), -1);
    assert_only_error("t.conf:1: port: \"65536\" is out of range 1..65535");
    assert_int_equal(load("minsources 0\n"), -1);
    assert_int_equal(load("maxslewrate 0\n"), -1);
    assert_only_error("t.conf:1: maxslewrate: \"0\" is out of range 1..100000");
    assert_int_equal(load("user ntp:\n"), -1);
    assert_only_error("t.conf:1: user: invalid user[:group] \"ntp:\"");
    assert_int_equal(load("user -x\n"), -1);
    assert_int_equal(load("user a;b\n"), -1);
    assert_int_equal(load("tos minsane x\n"), -1);
    assert_only_error("t.conf:1: tos minsane: \"x\" is not an integer");
    assert_int_equal(load("tos maxclock 11 frob 2\n"), 0);
    assert_msg("t.conf:1: warning: unknown option \"frob\" for tos");
    assert_int_equal(load("tos maxclock 0\n"), -1);
    assert_only_error("t.conf:1: tos maxclock: \"0\" is out of range 1..128");
}

static void test_ntpd_ignored(void **state)
{
    (void)state;
    assert_int_equal(load("requestkey 8\ncontrolkey 8\n"
                          "enable monitor\ndisable auth\nstatsdir /var/log/ntpstats/\n"
                          "filegen rawstats file rawstats type day enable\n"
                          "interface listen eth0\nbroadcastclient\n"),
                     0);
    assert_int_equal(diag.n_errors, 0);
    assert_int_equal(diag.n_warnings, 5); /* controlkey, requestkey: accepted, unused */
    assert_msg("t.conf:3: warning: enable monitor is unsupported, ignored");
    assert_msg("t.conf:4: warning: disable auth: no effect, tsyncd never accepts unconfigured "
               "(ephemeral) associations, authenticated or not");
    assert_msg("t.conf:6: warning: filegen: tsyncd does not write rawstats, ignored");
    assert_msg("t.conf:7: warning: interface listen eth0: ignored, tsyncd listens on every "
               "address");
    assert_msg("t.conf:8: warning: broadcastclient is unsupported, ignored");
    assert_int_equal(cfg.requestkey, 8);
    assert_int_equal(cfg.controlkey, 8);

    assert_int_equal(load("trustedkey 4 x\n"), -1);
    assert_only_error("t.conf:1: trustedkey: \"x\" is not an integer");
    assert_int_equal(load("requestkey 70000\n"), -1);
    assert_int_equal(load("keys\n"), -1);
    assert_only_error("t.conf:1: missing argument for keys");
    assert_int_equal(load("enable sparkle\n"), 0);
    assert_msg("t.conf:1: warning: unknown flag \"sparkle\" for enable");
}

static void test_syntax(void **state)
{
    (void)state;
    /* comments, blanks, CRLF, quotes, a last line without newline */
    assert_int_equal(load("  # comment\r\n\tserver a.example iburst# trailing\r\n"
                          "server \"b.example\" prefer #x\nserver c.example"),
                     0);
    assert_int_equal(diag.n_msgs, 0);
    assert_int_equal(cfg.n_sources, 3);
    assert_int_equal(cfg.sources[0].flags, CFG_SRC_IBURST);
    assert_string_equal(cfg.sources[1].name, "b.example");
    assert_string_equal(cfg.sources[2].name, "c.example");

    assert_int_equal(load("driftfile \"/a b\n"), -1);
    assert_only_error("t.conf:1: unterminated quoted string");
    static const char nul[] = "server a\nserver b\0x\nserver c\n";
    cfg_free(&cfg);
    cfg_diag_free(&diag);
    assert_int_equal(cfg_load_string("t.conf", nul, sizeof(nul) - 1, 0, &cfg, &diag), -1);
    assert_only_error("t.conf:2: NUL byte in line");
    assert_int_equal(cfg.n_sources, 2);
}

static void test_limits(void **state)
{
    (void)state;
    size_t size = 2 * CFG_MAX_LINE;
    char *text = malloc(size);
    assert_non_null(text);
    /* a line of exactly the limit is fine (a comment), one byte more is an error */
    memset(text, '#', CFG_MAX_LINE);
    strcpy(text + CFG_MAX_LINE, "\n");
    assert_int_equal(load(text), 0);
    memset(text, '#', CFG_MAX_LINE + 1);
    strcpy(text + CFG_MAX_LINE + 1, "\nserver a\n");
    assert_int_equal(load(text), -1);
    assert_only_error("t.conf:1: line too long (4097 bytes, limit 4096)");
    assert_int_equal(cfg.n_sources, 1);

    strcpy(text, "server a");
    for (int i = 0; i < CFG_MAX_WORDS; i++)
        strcat(text, " iburst");
    assert_int_equal(load(text), -1);
    assert_only_error("t.conf:1: too many words (limit 64)");
    free(text);

    size = (CFG_MAX_SOURCES + 1) * 16;
    text = malloc(size);
    assert_non_null(text);
    text[0] = '\0';
    for (int i = 0; i <= CFG_MAX_SOURCES; i++)
        sprintf(text + strlen(text), "server s%d\n", i);
    assert_int_equal(load(text), -1);
    assert_only_error("t.conf:129: too many sources (limit 128)");
    assert_int_equal(cfg.n_sources, CFG_MAX_SOURCES);
    free(text);
}

static void test_collects_every_error(void **state)
{
    (void)state;
    assert_int_equal(load("server a minpoll x\nport 0\nbogus\nserver b\ntinker step y\n"), -1);
    assert_int_equal(diag.n_errors, 3);
    assert_int_equal(diag.n_warnings, 1);
    assert_string_equal(diag.msgs[0].text, "t.conf:1: minpoll: \"x\" is not an integer");
    assert_int_equal(diag.msgs[0].line, 1);
    assert_int_equal(diag.msgs[0].level, CFG_ERROR);
    assert_string_equal(diag.msgs[1].text, "t.conf:2: port: \"0\" is out of range 1..65535");
    assert_string_equal(diag.msgs[2].text, "t.conf:3: warning: unknown directive \"bogus\"");
    assert_int_equal(diag.msgs[2].level, CFG_WARNING);
    assert_string_equal(diag.msgs[3].text, "t.conf:5: tinker step: \"y\" is not a number");
    assert_int_equal(cfg.n_sources, 1); /* the good line is kept */

    /* messages beyond CFG_MAX_DIAGS are counted, not kept */
    size_t n = CFG_MAX_DIAGS + 50;
    char *text = malloc(n * 8 + 1);
    assert_non_null(text);
    text[0] = '\0';
    for (size_t i = 0; i < n; i++)
        strcat(text, "port 0\n");
    assert_int_equal(load(text), -1);
    assert_int_equal(diag.n_errors, n);
    assert_int_equal(diag.n_msgs, CFG_MAX_DIAGS);
    free(text);
    char out[256];
    FILE *f = fmemopen(out, sizeof(out), "w");
    struct cfg_diag one = {.msgs = diag.msgs + CFG_MAX_DIAGS - 1, .n_msgs = 1, .n_errors = 3};
    cfg_diag_print(&one, f);
    fclose(f);
    assert_string_equal(out, "t.conf:200: port: \"0\" is out of range 1..65535\n"
                             "(2 more messages not shown)\n");
}

static void test_bad_words_are_sanitised(void **state)
{
    (void)state;
    assert_int_equal(load("server a \x01\x7f\n"), 0);
    assert_msg("t.conf:1: warning: unknown option \"??\" for server");
    char text[200] = "server a ";
    memset(text + 9, 'z', 120);
    strcpy(text + 129, "\n");
    assert_int_equal(load(text), 0);
    assert_int_equal(
        find_msg("\"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"
                 "zzzzzzzzz...\" for server"),
        0);
}

static void test_load_file_missing(void **state)
{
    (void)state;
    cfg_free(&cfg);
    assert_int_equal(cfg_load_file("/nonexistent/ntp.conf", 0, &cfg, &diag), -1);
    assert_only_error("/nonexistent/ntp.conf: cannot read: No such file or directory");
    cfg_diag_free(&diag);
    cfg_free(&cfg);
    assert_int_equal(cfg_load_file("/", 0, &cfg, &diag), -1);
    assert_only_error("/: cannot read: not a regular file");
    cfg_diag_free(&diag);
    cfg_free(&cfg);
    char *big = calloc(1, CFG_MAX_FILE_SIZE + 1);
    assert_non_null(big);
    assert_int_equal(cfg_load_string("big.conf", big, CFG_MAX_FILE_SIZE + 1, 0, &cfg, &diag), -1);
    assert_only_error("big.conf: cannot read: file too large (limit 1 MiB)");
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_poll_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_warnings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peer_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statistics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logident, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_option_strict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_option_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_directive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logconfig, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ntpd_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_collects_every_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_words_are_sanitised, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_file_missing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
