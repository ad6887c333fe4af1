// SPDX-License-Identifier: ISC
/* ntpd-compatible command line: flags, values, grouping, errors, overrides of the config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/config/cmdline.h"

static struct cmd_opts opts;
static char err[256];

/* Parses a NULL-terminated list of words after "tsyncd". */
static int parse(const char *first, ...)
{
    char *argv[32] = {"tsyncd"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    err[0] = '\0';
    return cmd_parse(argc, argv, &opts, err, sizeof(err));
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse(NULL), 0);
    assert_int_equal(opts.action, CMD_RUN);
    assert_string_equal(opts.config_path, "/etc/ntp.conf");
    assert_false(opts.foreground);
    assert_false(opts.panic_gate);
    assert_false(opts.once);
    assert_false(opts.strict);
    assert_false(opts.single_process);
    assert_false(opts.slew_only);
    assert_int_equal(opts.debug, 0);
    assert_null(opts.user);
    assert_null(opts.pidfile);
    assert_null(opts.logfile);
}

static void test_ntpd_flags(void **state)
{
    (void)state;
    assert_int_equal(parse("-c", "/etc/t.conf", "-n", "-g", "-q", "-u", "ntp:ntp", "-p",
                           "/run/t.pid", "-l", "/var/log/t.log", "-N", "-x", NULL),
                     0);
    assert_string_equal(opts.config_path, "/etc/t.conf");
    assert_true(opts.foreground);
    assert_true(opts.panic_gate);
    assert_true(opts.once);
    assert_string_equal(opts.user, "ntp:ntp");
    assert_string_equal(opts.pidfile, "/run/t.pid");
    assert_string_equal(opts.logfile, "/var/log/t.log");
    assert_true(opts.slew_only);
    assert_int_equal(opts.action, CMD_RUN);
}

static void test_grouped_and_attached(void **state)
{
    (void)state;
    assert_int_equal(parse("-ngq", "-c/etc/a.conf", "-dd", NULL), 0);
    assert_true(opts.foreground);
    assert_true(opts.panic_gate);
    assert_true(opts.once);
    assert_string_equal(opts.config_path, "/etc/a.conf");
    assert_int_equal(opts.debug, 2);
    /* a value option ends the group: "-gc FILE" */
    assert_int_equal(parse("-gc", "/x.conf", NULL), 0);
    assert_true(opts.panic_gate);
    assert_string_equal(opts.config_path, "/x.conf");
}

static void test_debug_implies_foreground(void **state)
{
    (void)state;
    assert_int_equal(parse("-d", NULL), 0);
    assert_true(opts.foreground);
    assert_int_equal(opts.debug, 1);
}

static void test_long_options(void **state)
{
    (void)state;
    assert_int_equal(parse("--check-config", "--strict", "--single-process", "--configfile=/a.conf",
                           "--user", "ntp", "--nofork", "--panicgate", NULL),
                     0);
    assert_int_equal(opts.action, CMD_CHECK_CONFIG);
    assert_true(opts.strict);
    assert_true(opts.single_process);
    assert_string_equal(opts.config_path, "/a.conf");
    assert_string_equal(opts.user, "ntp");
    assert_true(opts.foreground);
    assert_true(opts.panic_gate);
    assert_int_equal(parse("--help", NULL), 0);
    assert_int_equal(opts.action, CMD_HELP);
    assert_int_equal(parse("-h", NULL), 0);
    assert_int_equal(opts.action, CMD_HELP);
    assert_int_equal(parse("--version", NULL), 0);
    assert_int_equal(opts.action, CMD_VERSION);
    assert_int_equal(parse("--", NULL), 0);
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(parse("-y", NULL), -1);
    assert_string_equal(err, "unknown option \"-y\"");
    assert_int_equal(parse("-ny", NULL), -1);
    assert_string_equal(err, "unknown option \"-y\"");
    assert_int_equal(parse("--frobnicate", NULL), -1);
    assert_string_equal(err, "unknown option \"--frobnicate\"");
    assert_int_equal(parse("--check-config=yes", NULL), -1);
    assert_string_equal(err, "option --check-config takes no value");
    assert_int_equal(parse("-c", NULL), -1);
    assert_string_equal(err, "option -c needs a value");
    assert_int_equal(parse("-u", "", NULL), -1);
    assert_string_equal(err, "option -u needs a value");
    assert_int_equal(parse("--pidfile", NULL), -1);
    assert_string_equal(err, "option --pidfile needs a value");
    assert_int_equal(parse("--logfile=", NULL), -1);
    assert_string_equal(err, "option --logfile needs a value");
    assert_int_equal(parse("-n", "server.example", "-x", NULL), -1);
    assert_string_equal(err, "unexpected argument \"-x\"");
    assert_int_equal(parse("--", "-n", NULL), -1);
    assert_string_equal(err, "unexpected argument \"-n\"");
    assert_int_equal(parse("-", NULL), -1);
    assert_string_equal(err, "unexpected argument \"-\"");
}

/* Every flag of ntpd 4.2 and NTPsec parses, with its value where it has one. */
static void test_every_ntpd_flag(void **state)
{
    (void)state;
    assert_int_equal(parse("-4", "-a", "-A", "-b", "-D", "3", "-f", "/var/lib/ntp/drift", "-G",
                           "-i", "/var/empty", "-I", "eth0", "-I", "192.0.2.1", "-k",
                           "/etc/ntp.keys", "-L", "-m", "-M", "-N", "-r", "0.004", "-s",
                           "/var/log/ntpstats", "-t", "5", "-t", "7", NULL),
                     0);
    assert_int_equal(opts.family, CFG_FAMILY_IPV4);
    assert_int_equal(opts.debug, 3);
    assert_true(opts.foreground); /* -D, as -d */
    assert_string_equal(opts.driftfile, "/var/lib/ntp/drift");
    assert_string_equal(opts.jaildir, "/var/empty");
    assert_int_equal(opts.n_listen, 2);
    assert_string_equal(opts.listen[1], "192.0.2.1");
    assert_string_equal(opts.keyfile, "/etc/ntp.keys");
    assert_int_equal(opts.n_trusted_keys, 2);
    assert_string_equal(opts.trusted_keys[1], "7");
    assert_int_equal(opts.priority, CMD_PRIORITY_HIGH);
    assert_string_equal(opts.statsdir, "/var/log/ntpstats");
    assert_int_equal(opts.action, CMD_RUN);
    assert_int_equal(parse("-U", "60", "-v", "a=1", "-z", "b=2", "-Z", "c=3", "-w", "30", NULL), 0);
    assert_int_equal(opts.action, CMD_RUN);
    assert_int_equal(parse("-6", "-P", "20", "--saveconfigquit", "/tmp/x.conf", NULL), 0);
    assert_int_equal(opts.family, CFG_FAMILY_IPV6);
    assert_int_equal(opts.priority, 20);
    assert_int_equal(opts.action, CMD_CHECK_CONFIG);
    assert_string_equal(opts.save_config, "/tmp/x.conf");
    assert_int_equal(parse("-?", NULL), 0);
    assert_int_equal(opts.action, CMD_HELP);
    assert_int_equal(parse("-!", NULL), 0);
    assert_int_equal(opts.action, CMD_HELP);
    assert_int_equal(parse("--set-debug-level=2", "--nice", "--ipv6", "--interface", "lo", NULL),
                     0);
    assert_int_equal(opts.debug, 2);
}

/* -V is NTPsec's version unless a NAME=VALUE follows (ntpd 4.2.6's dvar); -m takes a multicast
 * group that follows (4.2.6) and nothing else; trailing names are servers (NTPsec). */
static void test_ambiguous_flags(void **state)
{
    (void)state;
    assert_int_equal(parse("-V", NULL), 0);
    assert_int_equal(opts.action, CMD_VERSION);
    assert_int_equal(parse("-V", "name=value", NULL), 0);
    assert_int_equal(opts.action, CMD_RUN);
    assert_int_equal(opts.n_servers, 0);
    assert_int_equal(parse("-m", "224.0.1.1", NULL), 0);
    assert_int_equal(opts.n_servers, 0);
    assert_int_equal(parse("-mn", "ntp.example", "192.0.2.9", NULL), 0);
    assert_true(opts.foreground);
    assert_int_equal(opts.n_servers, 2);
    assert_string_equal(opts.servers[0], "ntp.example");
}

static void test_flag_value_errors(void **state)
{
    (void)state;
    assert_int_equal(parse("-4", "-6", NULL), -1);
    assert_string_equal(err, "options -4 and -6 exclude each other");
    assert_int_equal(parse("-P", "0", NULL), -1);
    assert_string_equal(err, "option -P: \"0\" is not a number in 1..99");
    assert_int_equal(parse("-t", "70000", NULL), -1);
    assert_int_equal(parse("-D", "x", NULL), -1);
    assert_int_equal(parse("-U", NULL), -1);
    assert_string_equal(err, "option -U needs a value");
}

/* The flags that do nothing in tsyncd say so, once each. */
static void test_warnings(void **state)
{
    char buf[2048];
    FILE *f;

    (void)state;
    assert_int_equal(parse("-A", "-b", "-L", "-L", "-m", "-M", "-r", "1", "-U", "5", "-v", "x=1",
                           "-z", "y=2", "-V", "w=3", "-w", "9", "-k", "/k", NULL),
                     0);
    f = fmemopen(buf, sizeof(buf), "w");
    assert_non_null(f);
    assert_int_equal(cmd_warnings(&opts, f), 10);
    fclose(f);
    assert_non_null(strstr(buf, "tsyncd: warning: -L: tsyncd listens on wildcard"));
    assert_non_null(strstr(buf, "tsyncd: warning: -v: mode 6 is read-only"));
    assert_non_null(strstr(buf, "-k/-t: symmetric-key authentication is not implemented"));
    assert_null(strstr(buf, "-z:")); /* -v, -z, -Z and -V's dvar: one line */
    assert_int_equal(parse("-n", "-g", "-a", "-G", "-4", NULL), 0);
    f = fmemopen(buf, sizeof(buf), "w");
    assert_int_equal(cmd_warnings(&opts, f), 0);
    fclose(f);
}

static void test_usage_lists_flags(void **state)
{
    (void)state;
    char buf[4096];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    assert_non_null(f);
    cmd_usage(f);
    fclose(f);
    static const char *const flags[] = {"-c, --configfile",
                                        "-n,",
                                        "-g,",
                                        "-q,",
                                        "-u,",
                                        "-p,",
                                        "-l,",
                                        "-d,",
                                        "-N,",
                                        "-x,",
                                        "--check-config",
                                        "--strict",
                                        "--single-process",
                                        "--help",
                                        "--version"};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (strstr(buf, flags[i]) == NULL)
            fail_msg("usage does not mention %s", flags[i]);
}

static void test_apply_overrides(void **state)
{
    (void)state;
    static struct cfg c;
    struct cfg_diag d;
    cfg_diag_init(&d);
    static const char text[] = "user root\nlogfile /old.log\ntinker step 0.2\n";
    assert_int_equal(cfg_load_string("t.conf", text, strlen(text), 0, &c, &d), 0);
    assert_int_equal(
        parse("-u", "ntp:nogroup", "-l", "/var/log/new.log", "-p", "/run/t.pid", "-x", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), 0);
    assert_string_equal(c.user, "ntp");
    assert_string_equal(c.group, "nogroup");
    assert_string_equal(c.logfile, "/var/log/new.log");
    assert_string_equal(c.pidfile, "/run/t.pid");
    assert_true(c.step_s == CMD_SLEW_STEP_S);

    assert_int_equal(parse("-u", "bad user", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    assert_string_equal(err, "-u: invalid user[:group] \"bad user\"");
    assert_int_equal(parse("-u", "ntp:", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    assert_int_equal(parse("-l", "relative.log", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    assert_string_equal(err, "-l: \"relative.log\" is not an absolute path");
    assert_string_equal(c.logfile, "/var/log/new.log");
    cfg_free(&c);
    cfg_diag_free(&d);
}

/* -f -s -i -I -4, trailing servers (before the configured ones) and --log-ident. */
static void test_apply_ntpd_flags(void **state)
{
    (void)state;
    static struct cfg c;
    struct cfg_diag d;
    cfg_diag_init(&d);
    static const char text[] = "server 2001:db8::1\nserver -6 v6.example\npool pool.example\n";
    assert_int_equal(cfg_load_string("t.conf", text, strlen(text), 0, &c, &d), 0);
    assert_int_equal(parse("-4", "-f", "/var/lib/tsyncd/drift", "-s", "/var/log/stats", "-i",
                           "/run/jail", "-I", "eth1", "--log-ident", "ntpd", "first.example",
                           "192.0.2.3", NULL),
                     0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), 0);
    assert_string_equal(c.driftfile, "/var/lib/tsyncd/drift");
    assert_string_equal(c.statsdir, "/var/log/stats/");
    assert_string_equal(c.chroot_dir, "/run/jail");
    assert_int_equal(c.n_listen, 1);
    assert_string_equal(c.listen[0], "eth1");
    assert_string_equal(c.log_ident, "ntpd");
    assert_int_equal(c.ip_family, CFG_FAMILY_IPV4);
    assert_int_equal(c.n_sources, 3); /* the IPv6 literal and the -6 name are dropped */
    assert_string_equal(c.sources[0].name, "first.example");
    assert_true(c.sources[0].flags & CFG_SRC_IBURST);
    assert_string_equal(c.sources[1].name, "192.0.2.3");
    assert_string_equal(c.sources[2].name, "pool.example");
    assert_int_equal(c.sources[2].family, CFG_FAMILY_IPV4);
    cfg_free(&c);
    assert_int_equal(parse("-s", "stats", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    assert_string_equal(err, "-s:1: statsdir: \"stats\" is not an absolute path");
    assert_int_equal(parse("bad\"name", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    assert_string_equal(err, "server \"bad\"name\": not a host name or address");
    assert_int_equal(parse("--log-ident", "a b", NULL), 0);
    assert_int_equal(cmd_apply(&opts, &c, err, sizeof(err)), -1);
    cfg_free(&c);
    cfg_diag_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_ntpd_flags),
        cmocka_unit_test(test_grouped_and_attached),
        cmocka_unit_test(test_debug_implies_foreground),
        cmocka_unit_test(test_long_options),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_usage_lists_flags),
        cmocka_unit_test(test_apply_overrides),
        cmocka_unit_test(test_every_ntpd_flag),
        cmocka_unit_test(test_ambiguous_flags),
        cmocka_unit_test(test_flag_value_errors),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_apply_ntpd_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
